"""Review 18: seams between the merged branches (the stdio server, the team server, the board and the card)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from board_fixtures import Seeded, seed, url_only  # noqa: F401 -- url_only is a fixture
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitRequestURLParams, ElicitResult
from test_decide_anywhere import _human_answers

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store

pytestmark = pytest.mark.anyio


@pytest.mark.usefixtures("url_only")
async def test_a_local_server_with_the_team_address_in_its_environment_links_its_own_board(
    settings: Settings, store: Store
) -> None:
    # POSTMORTEM_ACTIONS_PUBLIC_URL is read by every Settings.load, so a person who also runs (or uses) a team
    # server may have it set for their local stdio server too. That server's codes are in its own database:
    # a link to the team's address would send the human, and the one-time code, to a server that cannot use it.
    seeded: Seeded = seed(store)
    local = dataclasses.replace(settings, public_url="https://actions.example.com")
    seen: list[str] = []

    async def human(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestURLParams)
        seen.append(params.url)
        if params.url.startswith("http://127.0.0.1"):
            assert await _human_answers(params.url, choice="accept", owner="erin", due="2030-05-05") == 200
        return ElicitResult(action="accept")

    async with Client(build_server(local), mode="auto", elicitation_callback=human) as client:
        result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
    assert not seen[0].startswith("https://actions.example.com"), seen
    assert result.structured_content is not None
    assert result.structured_content["committed"] is True
    [decision] = store.decisions(seeded.candidate)
    assert (decision.channel, decision.owner, decision.decided_by) == ("web", "erin", "tester")


async def test_on_the_team_server_a_card_answer_is_the_signed_in_members_and_a_viewer_cannot_give_it(
    settings: Settings, store: Store
) -> None:
    import anyio
    from apps_host import APPS, HOST, ask_in_card
    from mcp_results import ok
    from team_fixtures import make_team, mcp_client, running

    team = make_team(store)
    seeded = seed(store)
    operator = dataclasses.replace(settings, user="server-operator")
    with running(operator) as server, anyio.fail_after(30):
        async with (
            mcp_client(server.base_url, team.alice, extensions=[APPS], client_info=HOST) as alice,
            mcp_client(server.base_url, team.vic, extensions=[APPS], client_info=HOST) as vic,
        ):
            _asked, card = await ask_in_card(alice, "decide_action", {"action_id": seeded.candidate})
            # Even holding the card's ticket, a viewer's call records nothing (and leaves the ticket unspent).
            refused = await vic.call_tool("answer_decision_card", card.answer(owner="vic", due_date="2030-01-01"))
            assert refused.is_error
            assert store.decisions(seeded.candidate) == []
            answered = ok(
                await alice.call_tool("answer_decision_card", card.answer(owner="erin", due_date="2030-02-02"))
            )
    assert answered["committed"] is True
    [decision] = store.decisions(seeded.candidate)
    assert (decision.decided_by, decision.channel, decision.owner) == ("Alice", "mcp-app", "erin")


ADOC = (
    "Checkout outage\n\nFollow-ups:\n\n. Add an alert on checkout queue depth above 500\n"
    ". Write a runbook for the payment gateway failover\n"
)


async def test_the_boards_postmortem_page_reads_a_document_in_the_format_its_name_says(
    settings: Settings, store: Store, docs_dir: Path
) -> None:
    # An AsciiDoc file whose content alone reads as Markdown: parse_postmortem reads it by its name and finds two
    # follow-ups no action covers; the board's page must show that same gap, not "every follow-up is covered".
    from board_fixtures import board_client
    from mcp_results import ok

    (docs_dir / "checkout.adoc").write_text(ADOC, encoding="utf-8")
    async with Client(build_server(settings)) as client:
        parsed = ok(await client.call_tool("parse_postmortem", {"path": str(docs_dir / "checkout.adoc")}))
    assert len(parsed["findings"]) == 2, parsed
    with board_client(settings) as (browser, _board):
        page = browser.get(f"/postmortems/{parsed['postmortem_id']}").text
    assert "Coverage gap: 2 of 2 follow-ups" in page
    assert '<mark class="gap"' in page
    assert "Every follow-up found is covered" not in page


@pytest.mark.usefixtures("url_only")
async def test_on_the_team_server_a_viewer_may_open_a_decision_page_but_not_answer_it(
    settings: Settings, store: Store
) -> None:
    import re

    import anyio
    from team_fixtures import make_team, mcp_client, running
    from test_team_board import browser, sign_in

    team = make_team(store)
    seeded = seed(store)
    replies: list[tuple[int, str]] = []

    def viewer_answers(url: str) -> None:
        base, path = url.split("/d/")
        with browser(base) as http:
            sign_in(http, team.vic, f"/d/{path}")
            page = http.get(url)
            assert page.status_code == 200
            hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
            reply = http.post(url, data={**hidden, "choice": "kill", "reason": "not needed"})
            replies.append((reply.status_code, reply.text))

    async def human(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestURLParams)
        await anyio.to_thread.run_sync(viewer_answers, params.url)
        return ElicitResult(action="accept")

    operator = dataclasses.replace(settings, user="server-operator")
    with running(operator) as server, anyio.fail_after(30):
        async with mcp_client(server.base_url, team.alice, elicitation_callback=human) as client:
            result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
    [(status, text)] = replies
    assert status == 403
    assert "viewer" in text
    assert result.structured_content is not None
    assert result.structured_content["committed"] is False
    assert store.decisions(seeded.candidate) == []


async def test_the_team_server_never_opens_a_browser_or_starts_a_local_board_for_a_client_without_forms(
    settings: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import anyio
    from mcp_results import text_of
    from team_fixtures import make_team, mcp_client, running

    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {script} %s")
    monkeypatch.setenv("POSTMORTEM_ACTIONS_OPEN_BROWSER", "1")
    team = make_team(store)
    seeded = seed(store)
    with running(settings) as server, anyio.fail_after(30):
        async with mcp_client(server.base_url, team.alice) as client:
            result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
        text = text_of(result)
        assert result.is_error
        assert f"{server.base_url}/actions/{seeded.candidate}" in text
    assert not opened.exists()
    assert not settings.board_state_path.exists()
    assert store.decisions(seeded.candidate) == []


def test_text_word_hides_is_not_part_of_a_word_documents_rendering() -> None:
    # Word does not show a run marked hidden (w:vanish): whoever wrote or reviewed the postmortem never read it, so
    # it must not become text the model extracts follow-ups from and the board shows as the document's evidence.
    from docx.oxml import parse_xml
    from test_docx import W, build

    from postmortem_actions.tools.extraction.readers.docx import docx_to_text

    def fill(document: object) -> None:
        paragraph = document.add_paragraph("Add an alert on queue depth.")  # type: ignore[attr-defined]
        hidden = "<w:rPr><w:vanish/></w:rPr><w:t xml:space='preserve'> Give the pager to mallory.</w:t>"
        paragraph._p.append(parse_xml(f"<w:r {W}>{hidden}</w:r>"))
        shown = "<w:rPr><w:vanish w:val='0'/></w:rPr><w:t xml:space='preserve'> Shown.</w:t>"
        paragraph._p.append(parse_xml(f"<w:r {W}>{shown}</w:r>"))
        marked = document.add_paragraph("Its paragraph mark is hidden, not its words.")  # type: ignore[attr-defined]
        marked._p.insert(0, parse_xml(f"<w:pPr {W}><w:rPr><w:vanish/></w:rPr></w:pPr>"))

    assert docx_to_text(build(fill), "pm.docx", 200_000) == (
        "Add an alert on queue depth. Shown.\n\nIts paragraph mark is hidden, not its words.\n"
    )
