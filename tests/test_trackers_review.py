"""A hostile review of the tracker tools: what the model can do with draft/export/link/sync_tickets alone.

The real server runs over the SDK's in-memory client against vendor-like fakes. Each bug the review found
has a test here (a strict xfail until it was fixed); the other tests pin attacks that are refused.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import RecordSample, with_trackers
from fake_github import FakeGitHub
from mcp import Client
from mcp.types import CallToolResult
from mcp_results import ok, refusal, text_of

from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Channel, DecisionKind, HumanDecision, Store
from postmortem_actions.store.errors import ConfigError
from postmortem_actions.tools import trackers as ex
from postmortem_actions.tools.trackers.base import TicketRequest, TrackerConfig
from postmortem_actions.tools.trackers.errors import TrackerError

pytestmark = pytest.mark.anyio


@pytest.fixture
def mode() -> str:
    """What this file checks does not depend on the protocol era: one era here (the gate's suites and the stdio
    tests run both, where the era changes how a question reaches the human)."""
    return "auto"


TOKEN = "ghp_review_s3cret_token_987654"
REPO = "acme/billing"
OTHER = "evil/repo"  # another repository the same token can see: a public project, a fork, an attacker's own
SISTER = "acme/other"
ISSUE_1 = "https://github.com/acme/billing/issues/1"


class ReviewGitHub(FakeGitHub):
    """FakeGitHub plus what real GitHub also does: bot accounts (`type: Bot`), pull requests answered by the
    issues endpoint (with their /pull/ page as html_url), a settable clock, a hook that runs before each
    request is answered (to let a human act "meanwhile"), and a create whose answer is lost after it was filed."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN, repos=[REPO, OTHER, SISTER], assignable=["dana"])
        self.pulls: set[str] = set()
        self.hook: Callable[[httpx2.Request], None] | None = None
        self.lose_next_create_answer = False

    def _user(self, login: str) -> dict[str, Any]:
        user = super()._user(login)
        if login.endswith("[bot]"):
            user["type"] = "Bot"
        return user

    def _get(self, repo: str, number: int, api: str) -> httpx2.Response:
        response = super()._get(repo, number, api)
        if response.status_code == 200 and f"{repo}#{number}".lower() in self.pulls:
            issue = response.json()
            issue["html_url"] = f"https://github.com/{repo}/pull/{number}"
            issue["pull_request"] = {
                "url": f"{api}/repos/{repo}/pulls/{number}",
                "merged_at": None,
                "html_url": issue["html_url"],
            }
            return httpx2.Response(200, json=issue)
        return response

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if self.hook is not None:
            self.hook(request)
        response = super().__call__(request)
        if request.method == "POST" and self.lose_next_create_answer:
            self.lose_next_create_answer = False
            raise httpx2.ReadTimeout("The read operation timed out", request=request)  # filed, answer lost
        return response

    def open_issue(self, repo: str, title: str = "Existing issue") -> str:
        """File an issue as a person would in GitHub's UI (not recorded in `received`); returns its ref."""
        request = httpx2.Request(
            "POST",
            f"https://api.github.com/repos/{repo}/issues",
            json={"title": title},
            headers={"authorization": f"Bearer {TOKEN}", "user-agent": "browser"},
        )
        number = FakeGitHub.__call__(self, request).json()["number"]
        self.received.pop()
        return f"{repo}#{number}"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ReviewGitHub:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_GITHUB_REPO", REPO)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "no-trackers.toml"))
    return ReviewGitHub()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
async def tracked(settings: Settings, mode: str, github: ReviewGitHub, waits: list[float]) -> AsyncIterator[Client]:
    server = build_server(
        with_trackers(settings), tracker_transport=httpx2.MockTransport(github), tracker_sleep=waits.append
    )
    async with Client(server, mode=mode) as connected:
        yield connected


def accept(store: Store, action_id: int, owner: str = "dana") -> None:
    store.record_decision(
        action_id,
        HumanDecision(
            kind=DecisionKind.ACCEPT, owner=owner, due=date(2026, 12, 15), decided_by="Dana", channel=Channel.TERMINAL
        ),
    )


def human(store: Store, action_id: int, kind: DecisionKind, **values: Any) -> None:
    store.record_decision(action_id, HumanDecision(kind=kind, decided_by="Lee", channel=Channel.TERMINAL, **values))


async def export_one(client: Client, action_id: int) -> dict[str, Any]:
    result = ok(await client.call_tool("export_tickets", {"tracker": "github", "action_ids": [action_id]}))
    [exported] = result["exported"]
    assert isinstance(exported, dict)
    return exported


async def link(client: Client, action_id: int, url: str, tracker: str = "github") -> CallToolResult:
    return await client.call_tool("link_ticket", {"action_id": action_id, "tracker": tracker, "url": url})


async def sync(client: Client, tracker: str = "github") -> dict[str, Any]:
    return ok(await client.call_tool("sync_tickets", {"tracker": tracker}))


def page_url(ref: str) -> str:
    repo, _, number = ref.partition("#")
    return f"https://github.com/{repo}/issues/{number}"


def kinds(store: Store, action_id: int) -> list[DecisionKind]:
    return [d.kind for d in store.decisions(action_id)]


# -- 1. Linking: which tickets the model can attach to an item -------------------------------------------------

REFUSED_URLS = {
    "pull request page": "https://github.com/acme/billing/pull/1",
    "userinfo to another host": "https://github.com@evil.example/acme/billing/issues/1",
    "userinfo on github": "https://evil.example@github.com/acme/billing/issues/1",
    "lookalike host": "https://github.com.evil.example/acme/billing/issues/1",
    "other host": "https://evil.example/acme/billing/issues/1",
    "explicit port": "https://github.com:8443/acme/billing/issues/1",
    "api url": "https://api.github.com/repos/acme/billing/issues/1",
    "encoded number": "https://github.com/acme/billing/issues/%31",
    "encoded slash": "https://github.com/acme%2Fbilling/issues/1",
    "trailing path": "https://github.com/acme/billing/issues/1/comments",
    "dot segments": "https://github.com/acme/billing/issues/2/../1",
    "leading zero": "https://github.com/acme/billing/issues/01",
    "non-ascii digit": "https://github.com/acme/billing/issues/\u0661",
    "nul byte": "https://github.com/acme/billing/issues/1\x00",
    "escape sequence": "https://github.com/acme/billing/issues/1\x1b[2J",
    "header injection": "https://github.com/acme/billing/issues/1\r\nX-Injected: yes",
    "ftp scheme": "ftp://github.com/acme/billing/issues/1",
    "javascript scheme": "javascript://github.com/acme/billing/issues/1",
}


@pytest.mark.parametrize("url", REFUSED_URLS.values(), ids=REFUSED_URLS.keys())
async def test_link_refuses_urls_that_are_not_an_issue_page_of_the_site_and_sends_nothing(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample, url: str
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    github.open_issue(REPO)

    result = await link(tracked, ids[0], url)

    assert "is not a github ticket of the configured repository" in refusal(result, "link_ticket")
    assert github.received == []
    assert store.tickets() == []


HARMLESS_URLS = {
    "uppercase host": "https://GITHUB.COM/acme/billing/issues/1",
    "www host": "https://www.github.com/acme/billing/issues/1",
    "trailing slash": "https://github.com/acme/billing/issues/1/",
    "query and fragment": "https://github.com/acme/billing/issues/1?x=1#issuecomment-9",
    "surrounding whitespace": "  https://github.com/acme/billing/issues/1\n",
    "other case of the repo": "https://github.com/ACME/Billing/issues/1",
    "tab inside (dropped by urlsplit)": "https://github.com/acme/bil\tling/issues/1",
}


@pytest.mark.parametrize("url", HARMLESS_URLS.values(), ids=HARMLESS_URLS.keys())
async def test_url_spellings_that_are_accepted_only_ever_read_the_configured_api_and_store_the_canonical_ref(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample, url: str
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    github.open_issue(REPO)

    result = ok(await link(tracked, ids[0], url))

    assert [e["ref"] for e in result["exported"]] == [f"{REPO}#1"]
    assert [t.ref for t in store.tickets()] == [f"{REPO}#1"]
    assert {r.url.split("?")[0].lower() for r in github.received} == {
        "https://api.github.com/repos/acme/billing/issues/1"
    }
    assert kinds(store, ids[0]) == [DecisionKind.ACCEPT]


async def test_an_exported_ticket_cannot_be_linked_to_a_second_item_by_any_spelling_of_its_url(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    accept(store, ids[1])
    ref = (await export_one(tracked, ids[0]))["ref"]

    for url in (
        page_url(ref),
        page_url(ref).replace("github.com", "GitHub.COM"),
        page_url(ref) + "/",
        page_url(ref).replace("acme/billing", "Acme/BILLING"),
    ):
        assert "already linked to action" in refusal(await link(tracked, ids[1], url), "link_ticket"), url
    assert store.tickets(action_id=ids[1]) == []
    again = ok(await link(tracked, ids[0], page_url(ref)))  # the same link again is reported, not duplicated
    assert [e["status"] for e in again["exported"]] == ["existing"]
    assert len(store.tickets()) == 1


async def test_an_issue_of_another_repository_cannot_decide_an_item(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    foreign = github.open_issue(OTHER, "Unrelated issue in a repository the team does not own")

    await link(tracked, ids[0], page_url(foreign))  # the model's only act
    github.close(foreign, by="mallory")  # a stranger closes their own issue
    await sync(tracked)

    assert store.get_action(ids[0]).state is ActionState.ACCEPTED
    assert kinds(store, ids[0]) == [DecisionKind.ACCEPT]


async def test_a_pull_request_reached_by_its_issues_url_is_not_linked(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    pull = github.open_issue(REPO, "Bump a dependency")
    github.pulls.add(pull.lower())

    result = await link(tracked, ids[0], page_url(pull))

    assert result.is_error, result.structured_content
    assert store.tickets() == []


async def test_one_issue_reached_under_its_post_transfer_ref_does_not_complete_a_second_item(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    accept(store, ids[1])
    ref = (await export_one(tracked, ids[0]))["ref"]
    moved = github.transfer(ref, SISTER)

    await link(tracked, ids[1], page_url(moved))
    github.close(moved, by="dana")  # Dana closes the ticket filed for the first item
    synced = await sync(tracked)

    # Outside the configured repository anyone with rights there could have closed it (issue 10, finding 2):
    # the close is reported for a person to confirm, for the first item too.
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED
    assert "outside acme/billing" in synced["checked"][0]["note"]
    assert store.get_action(ids[1]).state is ActionState.ACCEPTED


async def test_jira_link_reads_only_the_configured_site(
    settings: Settings,
    mode: str,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    record_sample: RecordSample,
) -> None:
    jira = jira_site(monkeypatch, tmp_path)
    key = jira.add_issue()
    async with Client(build_server(with_trackers(settings), tracker_transport=jira.transport), mode=mode) as client:
        _, ids = await record_sample(client)
        accept(store, ids[0])
        for url in (
            f"https://evil.example/browse/{key}",
            f"https://acme.atlassian.net.evil.example/browse/{key}",
            f"https://acme.atlassian.net:444/browse/{key}",
            f"https://acme.atlassian.net/browse/{key}/../X-1",
            f"https://acme.atlassian.net/jira/browse/{key}",
        ):
            refused = refusal(await link(client, ids[0], url, "jira"), "link_ticket")
            assert "is not a jira ticket of the configured" in refused, url
        assert jira.requests == []
        # userinfo is ignored, but only the key is used and only the configured site is asked
        ok(await link(client, ids[0], f"https://evil.example@acme.atlassian.net/browse/{key.lower()}", "jira"))
    assert {r.url.host for r in jira.requests} == {"acme.atlassian.net"}
    assert [t.ref for t in store.tickets()] == [key]


async def test_jira_issue_of_another_project_cannot_decide_an_item(
    settings: Settings,
    mode: str,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    record_sample: RecordSample,
) -> None:
    jira = jira_site(monkeypatch, tmp_path)
    jira.add_project("HR")
    key = jira.add_issue("Onboard the new hire", project="HR")
    mallory = jira.add_user("Mallory")
    async with Client(build_server(with_trackers(settings), tracker_transport=jira.transport), mode=mode) as client:
        _, ids = await record_sample(client)
        accept(store, ids[0])
        await link(client, ids[0], f"https://acme.atlassian.net/browse/{key}", "jira")
        jira.finish(key, by=mallory)
        await sync(client, "jira")
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


# -- 2. Who closed it: only a person's close is their decision ------------------------------------------------


async def test_a_ticket_closed_by_a_bot_account_decides_nothing(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    ref = (await export_one(tracked, ids[0]))["ref"]
    github.close(ref, by="github-actions[bot]", reason="not_planned")  # the stale workflow's close
    assert github.issue(ref)["closed_by"]["type"] == "Bot"

    synced = await sync(tracked)

    assert synced["checked"][0]["recorded"] == "none"
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


async def test_a_jira_ticket_closed_by_an_app_account_decides_nothing(
    settings: Settings,
    mode: str,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    record_sample: RecordSample,
) -> None:
    jira = jira_site(monkeypatch, tmp_path)
    robot = jira.add_user("Automation for Jira", account_type="app")
    async with Client(build_server(with_trackers(settings), tracker_transport=jira.transport), mode=mode) as client:
        pm_id, ids = await record_sample(client)
        accept(store, ids[0], owner="Priya Raman")
        exported = ok(await client.call_tool("export_tickets", {"tracker": "jira", "postmortem_id": pm_id}))
        jira.finish(exported["exported"][0]["ref"], by=robot)
        synced = await sync(client, "jira")
    assert synced["checked"][0]["recorded"] == "none"
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


async def test_a_ticket_closed_by_nobody_named_decides_nothing(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    ref = (await export_one(tracked, ids[0]))["ref"]
    github.close(ref, by="dana")
    anonymous = github.issue(ref) | {"closed_by": None}
    github.fail_next(httpx2.Response(200, json=anonymous))

    synced = await sync(tracked)

    assert synced["checked"][0]["recorded"] == "none"
    assert "complete_action" in synced["checked"][0]["note"]
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


# -- 3. Races and reopenings ------------------------------------------------------------------------------------


def on_first(method: str, path: str, act: Callable[[], None]) -> Callable[[httpx2.Request], None]:
    """A hook that runs `act` (a human deciding meanwhile) before the first METHOD request to `path`."""
    done: list[bool] = []

    def hook(request: httpx2.Request) -> None:
        if not done and request.method == method and request.url.path == path:
            done.append(True)
            act()

    return hook


async def test_a_human_kill_while_sync_reads_the_ticket_is_not_overruled(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    ref = (await export_one(tracked, ids[0]))["ref"]
    github.close(ref, by="dana")
    github.hook = on_first(
        "GET",
        "/repos/acme/billing/issues/1",
        lambda: human(store, ids[0], DecisionKind.KILL, reason="superseded by the queue rewrite"),
    )

    synced = await sync(tracked)

    assert synced["checked"][0]["recorded"] == "none"
    assert store.get_action(ids[0]).state is ActionState.KILLED
    assert kinds(store, ids[0]) == [DecisionKind.ACCEPT, DecisionKind.KILL]


async def test_a_close_that_lost_a_race_to_a_human_decision_is_reported_not_recorded(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    ref = (await export_one(tracked, ids[0]))["ref"]
    github._clock, github.clock_lag = datetime.now(UTC) - timedelta(hours=1), timedelta(hours=1)  # an hour ago
    github.close(ref, by="dana")
    github.hook = on_first(
        "GET",
        "/repos/acme/billing/issues/1",
        lambda: human(store, ids[0], DecisionKind.REPLAN, owner="dana", due=date(2027, 1, 15), reason="moved a month"),
    )

    first = await sync(tracked)
    assert first["checked"][0]["recorded"] == "none"
    assert "nothing was recorded" in first["checked"][0]["note"]
    second = await sync(tracked)

    # The human's re-plan came after Dana's close: the later human act stands, the close is reported.
    assert second["checked"][0]["recorded"] == "none"
    assert "before the latest decision here (replan by" in first["checked"][0]["note"]
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


async def test_an_older_tracker_close_does_not_overrule_a_later_human_reopen(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    ref = (await export_one(tracked, ids[0]))["ref"]
    human(store, ids[0], DecisionKind.COMPLETE, evidence="deploy 4411")
    github._clock, github.clock_lag = datetime.now(UTC) - timedelta(hours=1), timedelta(hours=1)  # an hour ago
    github.close(ref, by="dana")
    human(store, ids[0], DecisionKind.REOPEN, reason="the alert never fired in the drill")

    synced = await sync(tracked)

    assert synced["checked"][0]["recorded"] == "none"
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


async def test_a_ticket_created_for_an_item_killed_meanwhile_is_reported_not_lost(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    github.hook = on_first(
        "POST",
        "/repos/acme/billing/issues",
        lambda: human(store, ids[0], DecisionKind.KILL, reason="dropped in review"),
    )

    result = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]}))

    assert result["exported"] == []
    [failed] = result["failed"]
    assert f"{REPO}#1" in failed["error"]
    assert ISSUE_1 in failed["error"]
    assert "link_ticket, or close it" in failed["error"]
    assert store.tickets() == []
    assert store.get_action(ids[0]).state is ActionState.KILLED


# -- 4. Idempotency and partial failure -------------------------------------------------------------------------


async def test_a_create_whose_answer_was_lost_is_not_filed_twice(
    tracked: Client, store: Store, github: ReviewGitHub, waits: list[float], record_sample: RecordSample
) -> None:
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    github.lose_next_create_answer = True

    await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [ids[0]]})

    with pytest.raises(KeyError):
        github.issue(f"{REPO}#2")  # no duplicate filed


async def test_export_again_after_a_half_failed_batch_files_only_the_rest(
    tracked: Client, store: Store, github: ReviewGitHub, record_sample: RecordSample
) -> None:
    from fake_github import github_error

    _, ids = await record_sample(tracked)
    for i in ids[:3]:
        accept(store, i, owner="Priya Raman")
    github.fail_next(
        httpx2.Response(
            201,
            json={
                "number": 41,
                "html_url": f"https://github.com/{REPO}/issues/41",
                "state": "open",
                "labels": [],
                "assignees": [],
            },
        ),
        github_error(401, "Bad credentials"),
    )
    ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": ids[:3]}))

    again = ok(await tracked.call_tool("export_tickets", {"tracker": "github", "action_ids": [*ids[:3]] * 50}))

    assert [(e["action_id"], e["status"]) for e in again["exported"]] == [
        (ids[0], "existing"),
        (ids[1], "created"),
        (ids[2], "created"),
    ]
    assert sum(r.method == "POST" for r in github.received) == 4  # 2 in the first batch, 2 now
    assert len({t.ref for t in store.tickets()}) == 3


# -- 5. Secrets -------------------------------------------------------------------------------------------------


def test_an_unreadable_trackers_file_names_its_path_but_not_its_contents(tmp_path: Path) -> None:
    # The trackers file is read with the other settings, when the server or a command starts.
    secret = "ghp_from_the_file_SECRET_42"
    broken = tmp_path / "trackers.toml"
    broken.write_text(f'[github]\ntoken = "{secret}"\ntarget = = "acme/billing"\n', encoding="utf-8")
    for unreadable in (broken, tmp_path):  # a TOML error, and a directory (OSError)
        with pytest.raises(ConfigError, match="cannot be read") as caught:
            Settings.load(
                {
                    "POSTMORTEM_ACTIONS_TRACKERS": str(unreadable),
                    "POSTMORTEM_ACTIONS_USER": "t",
                    "POSTMORTEM_ACTIONS_DB": str(tmp_path / "a.db"),
                }
            )
        assert str(unreadable) in str(caught.value)
        assert secret not in str(caught.value)
        assert TOKEN not in str(caught.value)


def connected(tracker: str, waits: list[float]) -> tuple[Any, Callable[..., None], list[str], str]:
    """A fresh adapter on a fake of `tracker`: (adapter, the fake's queue knob, the secrets, a ref to read)."""
    from fake_jira import EMAIL, FakeJira
    from fake_linear import API_KEY, FakeLinear

    if tracker == "github":
        hub = FakeGitHub(token=TOKEN, repos=[REPO])
        config = TrackerConfig(tracker="github", base_url="https://api.github.com", target=REPO, token=TOKEN)
        return (
            ex.connect(config, transport=httpx2.MockTransport(hub), sleep=waits.append),
            hub.fail_next,
            [TOKEN],
            f"{REPO}#1",
        )
    if tracker == "jira":
        jira = FakeJira()
        basic = base64.b64encode(f"{EMAIL}:{jira.token}".encode()).decode()
        return (
            ex.connect(jira.config(), transport=jira.transport, sleep=waits.append),
            jira.queue,
            [jira.token, basic],
            "OPS-1",
        )
    linear = FakeLinear()
    config = TrackerConfig(tracker="linear", base_url="https://api.linear.app", target="ENG", token=API_KEY)
    return ex.connect(config, transport=linear.transport(), sleep=waits.append), linear.queue, [API_KEY], "ENG-1"


FAILURES: dict[str, Callable[[], list[Any]]] = {
    "5xx": lambda: [httpx2.Response(503, text="upstream down")] * 4,
    "unreachable": lambda: [httpx2.ConnectError("connection refused") for _ in range(4)],
    "bad credentials": lambda: [httpx2.Response(401, json={"message": "Bad credentials"})],
}


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("tracker", ["github", "jira", "linear"])
def test_no_credential_in_error_text_repr_args_or_logs(
    tracker: str, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    waits: list[float] = []
    request = TicketRequest(
        title="t", body="b", body_adf={"type": "doc", "version": 1, "content": []}, labels=[], assignee=None, due=None
    )
    seen: list[str] = []
    for operation in ("create", "fetch"):
        adapter, queue, secrets, ref = connected(tracker, waits)
        seen += [repr(adapter), str(adapter)]
        queue(*FAILURES[failure]())
        with pytest.raises(TrackerError) as caught:
            adapter.create(request) if operation == "create" else adapter.fetch(ref)
        seen += [str(caught.value), repr(caught.value), repr(caught.value.args)]
    seen += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    assert waits or failure == "bad credentials"  # the retries ran, without waiting
    for secret in secrets:
        assert not [s for s in seen if secret in s]


async def test_a_linear_error_that_echoes_the_api_key_is_blanked_on_every_status(
    settings: Settings,
    mode: str,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    record_sample: RecordSample,
) -> None:
    from fake_linear import API_KEY, FakeLinear

    linear = FakeLinear()
    monkeypatch.setenv("POSTMORTEM_ACTIONS_LINEAR_API_KEY", API_KEY)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_LINEAR_TEAM", "ENG")
    monkeypatch.setenv("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "no-trackers.toml"))
    linear.queue(
        httpx2.Response(
            401,
            json={
                "errors": [{"message": f"Invalid API key: {API_KEY}", "extensions": {"code": "AUTHENTICATION_ERROR"}}]
            },
        )
    )
    async with Client(build_server(with_trackers(settings), tracker_transport=linear.transport()), mode=mode) as client:
        pm_id, ids = await record_sample(client)
        accept(store, ids[0])
        result = await client.call_tool("export_tickets", {"tracker": "linear", "postmortem_id": pm_id})
    assert API_KEY not in text_of(result) + str(result.structured_content)


# -- 6. What the model sends: validation, before anything is sent ------------------------------------------------


def bad_calls(action_id: int) -> dict[str, tuple[str, dict[str, Any]]]:
    url = ISSUE_1
    return {
        "tracker case": ("export_tickets", {"tracker": "GitHub", "action_ids": [action_id]}),
        "tracker unknown": ("export_tickets", {"tracker": "gitlab", "action_ids": [action_id]}),
        "tracker padded": ("sync_tickets", {"tracker": "github "}),
        "tracker empty": ("draft_tickets", {"tracker": "", "action_ids": [action_id]}),
        "tracker list": ("sync_tickets", {"tracker": ["github"]}),
        "10k ids": ("export_tickets", {"tracker": "github", "action_ids": list(range(1, 10_001))}),
        "201 ids": ("export_tickets", {"tracker": "github", "action_ids": [action_id] * 201}),
        "no ids": ("export_tickets", {"tracker": "github", "action_ids": []}),
        "no selector": ("export_tickets", {"tracker": "github"}),
        "both selectors": ("export_tickets", {"tracker": "github", "action_ids": [action_id], "postmortem_id": 1}),
        "negative id": ("export_tickets", {"tracker": "github", "action_ids": [action_id, -1]}),
        "zero id": ("draft_tickets", {"tracker": "github", "action_ids": [0]}),
        "float id": ("export_tickets", {"tracker": "github", "action_ids": [1.5]}),
        "sql id": ("export_tickets", {"tracker": "github", "action_ids": ["1 OR 1=1"]}),
        "null id": ("export_tickets", {"tracker": "github", "action_ids": [None]}),
        "nested id": ("export_tickets", {"tracker": "github", "action_ids": [[action_id]]}),
        "huge id": ("export_tickets", {"tracker": "github", "action_ids": [action_id, 2**63]}),
        "huge postmortem": ("export_tickets", {"tracker": "github", "postmortem_id": 2**63}),
        "unknown id in batch": ("export_tickets", {"tracker": "github", "action_ids": [action_id, 999_999]}),
        "link negative": ("link_ticket", {"action_id": -1, "tracker": "github", "url": url}),
        "link huge": ("link_ticket", {"action_id": 2**63, "tracker": "github", "url": url}),
        "link 10 kB url": ("link_ticket", {"action_id": action_id, "tracker": "github", "url": url + "0" * 10_000}),
        "link short url": ("link_ticket", {"action_id": action_id, "tracker": "github", "url": "x"}),
        "link url list": ("link_ticket", {"action_id": action_id, "tracker": "github", "url": [url]}),
        "link wrong tracker": ("link_ticket", {"action_id": action_id, "tracker": "jira", "url": url}),
        "sync with ids": ("sync_tickets", {"tracker": "github", "action_ids": [action_id]}),
        "export with state": ("export_tickets", {"tracker": "github", "action_ids": [action_id], "state": "done"}),
        "link with closed_by": (
            "link_ticket",
            {"action_id": action_id, "tracker": "github", "url": url, "closed_by": "dana"},
        ),
    }


@pytest.mark.parametrize("case", list(bad_calls(1)))
async def test_bad_arguments_are_refused_readably_before_anything_is_sent_or_changed(
    tracked: Client,
    store: Store,
    github: ReviewGitHub,
    record_sample: RecordSample,
    case: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fake_jira import BASE_URL, EMAIL
    from fake_jira import TOKEN as JIRA_TOKEN

    for name, value in {"URL": BASE_URL, "EMAIL": EMAIL, "TOKEN": JIRA_TOKEN, "PROJECT": "OPS"}.items():
        monkeypatch.setenv(f"POSTMORTEM_ACTIONS_JIRA_{name}", value)
    _, ids = await record_sample(tracked)
    accept(store, ids[0])
    github.open_issue(REPO)
    before = [store.get_action(i) for i in ids]
    tool, arguments = bad_calls(ids[0])[case]

    result = await tracked.call_tool(tool, arguments)

    refusal(result, tool)
    assert TOKEN not in text_of(result)
    assert github.received == []
    assert store.tickets() == []
    assert [store.get_action(i) for i in ids] == before


# -- helpers for Jira --------------------------------------------------------------------------------------------


def jira_site(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from fake_jira import BASE_URL, EMAIL, TOKEN, FakeJira

    jira = FakeJira()
    for name, value in {"URL": BASE_URL, "EMAIL": EMAIL, "TOKEN": TOKEN, "PROJECT": "OPS"}.items():
        monkeypatch.setenv(f"POSTMORTEM_ACTIONS_JIRA_{name}", value)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "no-trackers.toml"))
    return jira
