"""Every host reaches a decision: a client without forms asks through URL elicitation (both protocol eras) or, on the
human's own machine, the server opens the decision page in their browser; the model never receives a code that
could answer for the human, and the next call reports exactly what the human decided."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from board_fixtures import Seeded, seed, url_only  # noqa: F401 -- url_only is a fixture
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.shared.exceptions import MCPError
from mcp.types import (
    ElicitRequestParams,
    ElicitRequestURLParams,
    ElicitResult,
)

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store

pytestmark = pytest.mark.anyio


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


async def _human_answers(url: str, **fields: str) -> int:
    """What the human does at the decision page: read it, then send the form as their browser would."""
    base = url.split("/d/")[0]
    async with httpx2.AsyncClient(headers={"origin": base}, timeout=10) as browser:
        page = (await browser.get(url)).text
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        return (await browser.post(url, data={**hidden, **fields})).status_code


def _texts(result: Any) -> str:
    return json.dumps([c.model_dump() for c in result.content]) + json.dumps(result.structured_content)


@pytest.mark.usefixtures("url_only")
async def test_a_url_mode_client_on_2026_asks_through_a_page_and_gets_the_recorded_answer(
    settings: Settings, store: Store, seeded: Seeded
) -> None:
    seen: list[str] = []

    async def human(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestURLParams)
        seen.append(params.url)
        assert await _human_answers(params.url, choice="accept", owner="erin", due="2030-05-05") == 200
        return ElicitResult(action="accept")

    async with Client(build_server(settings), mode="auto", elicitation_callback=human) as client:
        result = await client.call_tool("decide_action", {"action_id": seeded.candidate, "proposed_owner": "dana"})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["committed"] is True
    assert result.structured_content["owner"] == "erin"
    assert "answered on the decision page" in result.structured_content["message"]
    code = seen[0].rsplit("/", 1)[1]
    assert code not in _texts(result)
    [decision] = store.decisions(seeded.candidate)
    assert (decision.channel, decision.owner) == ("web", "erin")


@pytest.mark.usefixtures("url_only")
async def test_a_url_mode_client_on_2025_gets_the_url_elicitation_required_error_then_the_answer(
    settings: Settings, store: Store, seeded: Seeded
) -> None:
    async def never(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        return ElicitResult(action="decline")

    async with Client(build_server(settings), mode="legacy", elicitation_callback=never) as client:
        with pytest.raises(MCPError) as raised:
            await client.call_tool("decide_action", {"action_id": seeded.candidate})
        assert raised.value.error.code == -32042
        [asked] = raised.value.error.data["elicitations"]
        assert await _human_answers(asked["url"], choice="kill", reason="duplicate of #7") == 200
        again = await client.call_tool("decide_action", {"action_id": seeded.candidate})
    assert again.structured_content is not None
    assert (again.structured_content["committed"], again.structured_content["outcome"]) == (True, "killed")
    assert "answered on the decision page" in again.structured_content["message"]


@pytest.mark.usefixtures("url_only")
async def test_a_url_mode_client_whose_human_did_not_answer_commits_nothing(
    settings: Settings, store: Store, seeded: Seeded
) -> None:
    async def closed_the_tab(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        return ElicitResult(action="accept")

    async with Client(build_server(settings), mode="auto", elicitation_callback=closed_the_tab) as client:
        result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
    assert result.structured_content is not None
    assert (result.structured_content["committed"], result.structured_content["outcome"]) == (False, "awaiting_human")
    assert store.decisions(seeded.candidate) == []


@pytest.fixture
def recording_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the person's browser: it records the URL it was asked to open."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {script} %s")
    monkeypatch.setenv("POSTMORTEM_ACTIONS_OPEN_BROWSER", "1")
    return opened


@asynccontextmanager
async def _no_elicitation(settings: Settings, mode: str) -> AsyncIterator[Client]:
    async with Client(build_server(settings), mode=mode) as client:
        yield client


async def _opened(path: Path) -> str:
    import anyio

    with anyio.fail_after(10):
        while not path.exists() or not path.read_text().strip():
            await anyio.sleep(0.02)
    return path.read_text().split()[0]


async def test_without_any_elicitation_the_server_opens_the_page_in_the_humans_browser(
    settings: Settings, store: Store, seeded: Seeded, recording_browser: Path, mode: str
) -> None:
    async with _no_elicitation(settings, mode) as client:
        asked = await client.call_tool("replan_action", {"action_id": seeded.accepted, "reason": "carol left"})
        url = await _opened(recording_browser)
        first = asked.structured_content
        assert first is not None
        assert (first["committed"], first["outcome"]) == (False, "awaiting_human")
        assert "web browser" in first["message"]
        assert "Nothing is committed" in first["message"]
        assert url.rsplit("/", 1)[1] not in _texts(asked)
        status = await _human_answers(url, choice="confirm", owner="erin", due="2030-07-01", reason="carol left")
        assert status == 200
        answered = await client.call_tool("replan_action", {"action_id": seeded.accepted, "reason": "carol left"})
    assert answered.structured_content is not None
    assert (answered.structured_content["committed"], answered.structured_content["owner"]) == (True, "erin")
    assert store.get_action(seeded.accepted).owner == "erin"
    assert store.verify().ok


async def test_headless_without_elicitation_names_the_terminal_and_the_board(
    settings: Settings, seeded: Seeded, mode: str
) -> None:
    async with _no_elicitation(settings, mode) as client:
        result = await client.call_tool("complete_action", {"action_id": seeded.accepted, "evidence": "PR 9"})
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert f"postmortem-actions decide {seeded.accepted}" in text
    assert "postmortem-actions web" in text
    assert "Nothing was committed" in text


async def test_the_board_secret_never_reaches_the_model_or_the_log(
    settings: Settings, store: Store, seeded: Seeded, recording_browser: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from postmortem_actions.server.web.launch import board_for

    caplog.set_level("DEBUG")
    results = []
    async with _no_elicitation(settings, "auto") as client:
        results.append(await client.call_tool("decide_action", {"action_id": seeded.candidate}))
        url = await _opened(recording_browser)
        await _human_answers(url, choice="accept", owner="ann", due="2030-01-02")
        results.append(await client.call_tool("decide_action", {"action_id": seeded.candidate}))
        results.append(await client.call_tool("list_actions", {}))
    keys = board_for(settings).keys
    secrets = (keys.secret.hex(), keys.login_token, keys.cookie, keys.csrf(), url.rsplit("/", 1)[1])
    # The test's own stand-in browser logs its requests through httpx2; everything else is the server's.
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    seen = "".join(_texts(r) for r in results) + logged
    for secret in secrets:
        assert secret not in seen


async def test_asking_again_before_the_human_answered_does_not_open_another_tab(
    settings: Settings, store: Store, seeded: Seeded, recording_browser: Path
) -> None:
    async with _no_elicitation(settings, "auto") as client:
        first = await client.call_tool("decide_action", {"action_id": seeded.candidate, "proposed_owner": "dana"})
        await _opened(recording_browser)
        second = await client.call_tool("decide_action", {"action_id": seeded.candidate, "proposed_owner": "dana"})
        other = await client.call_tool("decide_action", {"action_id": seeded.candidate, "proposed_owner": "erin"})
    assert first.structured_content
    assert second.structured_content
    assert other.structured_content
    assert "already open" in second.structured_content["message"]
    import anyio

    with anyio.fail_after(10):  # a new proposal is a new question: it gets its own page
        while len(recording_browser.read_text().split()) < 2:
            await anyio.sleep(0.02)
    assert len(recording_browser.read_text().split()) == 2
