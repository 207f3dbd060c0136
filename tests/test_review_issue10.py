"""A hostile review of the issue-10 fixes: what the human is shown, who a tracker close is credited to, what a
command may write over, and what the stdio relay answers.

Each `xfail(strict=True)` test is a finding: it states the behaviour the promise needs and fails today (the
reason says how, and how bad). The plain tests are attacks that were tried and held, where no other test pins
them. Real SQLite files under `tmp_path`, the SDK's in-memory `Client`, the real CLI `main([...])`, the
vendor-like tracker fakes and a stdio subprocess; no mocks of our own code, every wait bounded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from fake_github import FakeGitHub
from fake_jira import FakeJira
from fake_linear import FakeLinear
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestFormParams, ElicitRequestParams, ElicitResult, Implementation
from pydantic import ValidationError
from test_stdio import _reply, console_script, server_env
from test_sync_closes import BY, CANDIDATES, DOC, GITHUB_TOKEN, REPO, exported, linear_adapter

from postmortem_actions.server.cli.main import main
from postmortem_actions.server.keys import state_key
from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Channel, DecisionKind, HumanDecision, Store
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.text import HIDDEN, HIDDEN_OR_BREAK, refusal, visible
from postmortem_actions.tools import followthrough as ft
from postmortem_actions.tools import trackers as ex
from postmortem_actions.tools.candidates import record_candidates
from postmortem_actions.tools.decisions import DueTable, ask_decide
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.models import CandidateIn
from postmortem_actions.tools.postmortems import parse_postmortem
from postmortem_actions.tools.trackers.base import TrackerConfig
from postmortem_actions.tools.trackers.drafts import draft_tickets

WAIT_S = 20.0
# Default-ignorable code points (Unicode DerivedCoreProperties) that render as nothing and are outside the
# refused set: the combining grapheme joiner, the Khmer inherent vowels and the variation selectors VS1-VS16.
ZERO_WIDTH_ACCEPTED = ["\u034f", "\u17b4", "\u17b5", "\ufe00", "\ufe0f"]


@pytest.fixture(autouse=True)
def _user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")


def decided(
    tmp_path: Path, *changes: dict[str, Any], accept: bool = True, owner: str = "Priya Raman"
) -> tuple[Store, list[int]]:
    """A store with DOC and one candidate per entry of `changes` (CANDIDATES[i] with those fields replaced),
    each accepted by a human at the terminal (`owner`, due 2026-12-15) when `accept`."""
    store = Store(tmp_path / "actions.db")
    pm = parse_postmortem(store, BY, ReadPolicy(allowed_dirs=()), text=DOC)
    wanted = [CANDIDATES[i].model_copy(update=change) for i, change in enumerate(changes)]
    result = record_candidates(store, BY, pm.postmortem_id, [CandidateIn(**c.model_dump()) for c in wanted])
    assert result.rejected == [], result.rejected
    ids = [r.action_id for r in result.recorded]
    for action_id in ids if accept else []:
        store.record_decision(
            action_id,
            HumanDecision(
                kind=DecisionKind.ACCEPT,
                owner=owner,
                due=date(2026, 12, 15),
                decided_by="Dana",
                channel=Channel.TERMINAL,
            ),
        )
    return store, ids


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class PrefilledHuman:
    """An elicitation callback that submits the form exactly as it was pre-filled, with `typed` over it."""

    def __init__(self, **typed: Any) -> None:
        self.typed = typed
        self.asked: list[ElicitRequestFormParams] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestFormParams), params
        self.asked.append(params)
        properties: dict[str, dict[str, Any]] = params.requested_schema["properties"]
        defaults = {name: spec["default"] for name, spec in properties.items() if "default" in spec}
        return ElicitResult(action="accept", content={**defaults, **self.typed})


# == Findings =====================================================================================================

# -- F1 (medium): characters that render as nothing pass every text check -------------------------------------


@pytest.mark.parametrize("char", ZERO_WIDTH_ACCEPTED, ids=[f"U+{ord(c):04X}" for c in ZERO_WIDTH_ACCEPTED])
def test_every_character_that_renders_as_nothing_is_refused_and_written_out(char: str) -> None:
    assert refusal(f"alice{char}") is not None
    assert visible(f"alice{char}") == f"alice<U+{ord(char):04X}>"


@pytest.mark.anyio
async def test_a_proposed_owner_ending_in_a_variation_selector_is_not_committed_as_the_name_the_human_read(
    settings: Settings, store: Store, record_sample: Any
) -> None:
    server = build_server(settings)
    async with Client(server) as plain:
        _, ids = await record_sample(plain)
    human = PrefilledHuman(decision="accept")
    with anyio.fail_after(WAIT_S):
        async with Client(server, elicitation_callback=human) as client:
            await client.call_tool(
                "decide_action", {"action_id": ids[0], "proposed_owner": "alice\ufe0f", "proposed_due": "2027-01-15"}
            )
    owner = store.get_action(ids[0]).owner
    assert owner is None or not set(owner) & set(ZERO_WIDTH_ACCEPTED), repr(owner)


# -- F2 (medium): Markdown outputs pass stored text through as Markdown ------------------------------------------


def test_a_markdown_problem_cannot_forge_or_hide_the_tickets_acceptance_criteria(tmp_path: Path) -> None:
    problem = "Nobody noticed the backlog\n\n## Acceptance criteria\n\n- [ ] Nothing to do\n\n<!--"
    store, ids = decided(tmp_path, {"problem": problem})
    record_and_leave(store, {"text": "Run a quarterly failover drill <!-- hide the rest"})

    [draft] = draft_tickets(store, "github", action_ids=ids).drafts
    agenda = ft.review_agenda(store, as_of=date.today()).markdown

    # Rendered, an escaped mark is plain text: only an unescaped one at a line's start makes a heading, and only an
    # unescaped "<!--" opens a comment.
    headings = [line for line in draft.description.splitlines() if line.startswith("## Acceptance criteria")]
    assert len(headings) == 1, draft.description
    assert "<!--" not in draft.description.replace("\\<!--", "")
    assert "<!--" not in agenda.replace("\\<!--", "")


def record_and_leave(store: Store, change: dict[str, Any]) -> None:
    """Record CANDIDATES[1] with `change` on the stored DOC and leave it undecided."""
    pm = store.list_postmortems()[0].id
    result = record_candidates(store, BY, pm, [CandidateIn(**CANDIDATES[1].model_copy(update=change).model_dump())])
    assert result.rejected == [], result.rejected


# -- F3 (low-medium): the elicitation question leaves out part of what is decided ---------------------------------


def test_the_decide_question_shows_the_problem_that_will_be_filed_with_the_item(tmp_path: Path) -> None:
    problem = "Replace the pager vendor and move every team to the new rota"
    store, ids = decided(tmp_path, {"problem": problem}, accept=False)
    question = ask_decide(
        store, ids[0], proposed_owner=None, proposed_due=None, note=None, table=DueTable(), today=date.today()
    )
    assert problem in question.message


# -- F4 (low-medium): a GitHub base URL with an explicit port defeats the transfer check --------------------------


def test_a_transferred_issue_decides_nothing_whatever_the_spelling_of_the_api_base_url(tmp_path: Path) -> None:
    store, ids = decided(tmp_path, {})
    fake = FakeGitHub(token=GITHUB_TOKEN, repos=[REPO, "acme/platform"])
    config = TrackerConfig(tracker="github", base_url="https://api.github.com:443", target=REPO, token=GITHUB_TOKEN)
    with closing(ex.connect(config, transport=httpx2.MockTransport(fake), sleep=lambda _: None)) as adapter:
        [ref] = exported(store, adapter, ids)
        moved = fake.transfer(ref, "acme/platform")
        fake.close(moved, by="outsider")
        [change] = ex.sync_tickets(store, adapter, BY).checked

    assert change.recorded == "none", change
    assert store.get_action(ids[0]).state is ActionState.ACCEPTED


# -- F5 (low-medium): a brace in the owner crashes the Jira export -------------------------------------------------


def test_an_owner_with_braces_is_filed_unassigned_with_a_warning_not_a_crash(tmp_path: Path) -> None:
    store, ids = decided(tmp_path, {}, owner="Dana {SRE}")
    jira = FakeJira()
    with closing(ex.connect(jira.config(), transport=jira.transport, sleep=lambda _: None)) as adapter:
        result = ex.export_tickets(store, adapter, BY, action_ids=ids)
    [item] = result.exported
    assert item.status == "created"
    assert any("Dana {SRE}" in w for w in item.warnings)


# -- F6 (low): the review's CSV lacks the formula guard the export's CSV has --------------------------------------


def test_review_csv_cells_never_start_a_spreadsheet_formula(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    formula = '=HYPERLINK("https://evil.example/x","Page billing on-call")'
    _, ids = decided(tmp_path, {"text": formula})
    status, out, _ = run(capsys, tmp_path / "actions.db", "agenda", "--format", "csv", "--as-of", "2027-01-15")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["text"] for r in rows if r["id"] == str(ids[0])], out
    assert not any(r["text"].startswith(("=", "+", "-", "@")) for r in rows), out


# -- F7 (low): the list table cuts a proposed owner's '?' --------------------------------------------------------


def test_a_long_proposed_owner_keeps_its_question_mark_in_the_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, ids = decided(tmp_path, {"proposed_owner": "platform-oncall-team"}, accept=False)
    status, out, _ = run(capsys, tmp_path / "actions.db", "list")
    assert status == 0
    [row] = [line for line in out.splitlines() if line.lstrip().startswith(f"{ids[0]} ")]
    assert "?" in row, row


# -- F8 (low): unbounded runs of combining marks ----------------------------------------------------------------


def test_a_text_with_a_run_of_combining_marks_longer_than_stream_safe_text_allows_is_refused() -> None:
    zalgo = "P" + "\u0300\u0301\u0302\u0303" * 50 + "age billing on-call when queue depth exceeds 10,000"
    with pytest.raises(ValidationError):
        CandidateIn(**{**CANDIDATES[0].model_dump(), "text": zalgo})


# -- F9 (low): the stdio relay is silent for requests with an id that is not a string or integer -----------------


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason=(
        'F9: the SDK parses {"jsonrpc":"2.0","id":true,"method":"ping"} (or id null / an object) as a '
        "notification and drops it; the relay never sees an exception, so the client waits for a reply that never "
        "comes, which the relay was added to prevent (-32600 is due)"
    ),
)
def test_a_request_whose_id_is_not_a_string_or_integer_gets_an_invalid_request_error(settings: Settings) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}, **server_env(settings)}
    with subprocess.Popen(
        [*console_script(), "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    ) as process:
        try:
            assert process.stdin is not None
            # The ping after it shows whether the first line was answered: replies come in order.
            process.stdin.write(
                b'{"jsonrpc": "2.0", "id": true, "method": "ping"}\n{"jsonrpc": "2.0", "id": 2, "method": "ping"}\n'
            )
            process.stdin.flush()
            first = _reply(process, time.monotonic() + WAIT_S)
            assert (first["id"], first.get("error", {}).get("code")) == (None, -32600), first
        finally:
            process.kill()


# -- F10 (low): through a symlinked --db, the key beside the real database is not protected ----------------------


def test_through_a_symlinked_db_the_key_beside_the_real_database_is_never_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    decided(tmp_path, {})
    real = tmp_path / "actions.db"
    key = Settings(db_path=real, allowed_dirs=(), max_bytes=1, user="t").state_key_path
    before = state_key(key)
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(real)

    status, _, err = run(capsys, link, "report", "--format", "json", "--html", str(key), "--force")

    assert key.read_bytes() == before
    assert status == 2, err


# -- F11 (low): a tracker decision keeps only the closer's display name --------------------------------------------


def test_two_different_tracker_accounts_with_one_display_name_are_told_apart_in_the_decision_log(
    tmp_path: Path,
) -> None:
    store, ids = decided(tmp_path, {}, {})
    jira = FakeJira()
    one, other = jira.add_user("Dana Scully"), jira.add_user("Dana Scully")
    with closing(ex.connect(jira.config(), transport=jira.transport, sleep=lambda _: None)) as adapter:
        refs = exported(store, adapter, ids)
        jira.finish(refs[0], by=one)
        jira.finish(refs[1], by=other)
        assert [c.recorded for c in ex.sync_tickets(store, adapter, BY).checked] == ["complete", "complete"]
    first, second = (store.decisions(i)[-1] for i in ids)
    # The display name is what people recognise; the decision's client names the account, which tells them apart.
    assert first.decided_by == second.decided_by == "Dana Scully"
    assert first.client == f"jira {refs[0]}, closed by account {one}"
    assert second.client == f"jira {refs[1]}, closed by account {other}"


# -- F12 (nit): `add --date` kept the old date parsing -----------------------------------------------------------


def test_add_names_the_date_form_and_refuses_a_day_outside_the_range(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = tmp_path / "pm.md"
    doc.write_text(DOC, encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "a.db"), "add", str(doc), "--date", "2026-13-01"])
    assert "YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--db", str(tmp_path / "a.db"), "add", str(doc), "--date", "0001-01-01"])


# -- F13 (low): the extract listing cuts a follow-up at the terminal's width without a mark ------------------------


def test_the_extract_listing_wraps_a_long_follow_up_at_spaces_keeping_every_word(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    follow_up = (
        "Rotate every production API key within 90 days of issue, except the payment gateway keys which "
        "stay as they are until the vendor migration"
    )
    doc = tmp_path / "pm.md"
    doc.write_text(f"# Key leak\n\n## Action items\n\n- {follow_up}.\n", encoding="utf-8")
    status, out, _ = run(capsys, tmp_path / "a.db", "extract", str(doc))
    assert status == 0
    assert follow_up in " ".join(out.split())  # issue 13: wrapped at spaces, nothing cut, no word split
    assert max(len(line) for line in out.splitlines()) <= 80


# -- F14 (low): the severity table can propose dates the gate refuses, or crash it ---------------------------------


@pytest.mark.parametrize("days", ["4000", "99999999"])
def test_a_due_table_beyond_the_due_window_is_refused_when_the_settings_load(tmp_path: Path, days: str) -> None:
    with pytest.raises(InvalidInput):
        Settings.load(
            {
                "POSTMORTEM_ACTIONS_DB": str(tmp_path / "a.db"),
                "POSTMORTEM_ACTIONS_USER": "tester",
                "POSTMORTEM_ACTIONS_DUE_DAYS": f"SEV2={days}",
            }
        )


# == Attacks that held =============================================================================================


@pytest.mark.parametrize(
    "document",
    [
        '---\ntitle: "Checkout \x1b[2J\x1b[Houtage"\n---\n\n## Action items\n\n- Add an alert.\n',
        "# Checkout \u202etuo\u2066age\u200b\r\n\n## Action items\n\n- Add an alert.\n",
        "<html><head><title>Postmortem</title></head><body><h1>Checkout &#27;[31m&#x202E;outage&#13;&#8233;</h1>"
        "<h2>Action items</h2><ul><li>Add an alert.</li></ul></body></html>",
    ],
    ids=["front-matter-ansi", "heading-bidi", "html-entities"],
)
def test_a_title_found_in_the_document_holds_nothing_that_hides_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: str
) -> None:
    store = Store(tmp_path / "actions.db")
    parsed = parse_postmortem(store, BY, ReadPolicy(allowed_dirs=()), text=document)
    assert not HIDDEN_OR_BREAK.search(parsed.title), repr(parsed.title)
    assert parsed.title.startswith("Checkout")

    path = tmp_path / "pm.html"
    path.write_text(document.replace("Add an alert", "Add a page"), encoding="utf-8")
    status, out, _ = run(capsys, tmp_path / "actions.db", "add", str(path))
    assert status == 0
    assert not HIDDEN.search(out)


@pytest.mark.anyio
async def test_a_document_reached_through_a_link_whose_real_name_hides_text_is_refused_and_nothing_is_stored(
    settings: Settings, store: Store, docs_dir: Path
) -> None:
    from mcp_results import refusal as tool_refusal

    (docs_dir / "incident\x1b[2J\u202e.md").write_text(DOC, encoding="utf-8")
    (docs_dir / "incident.md").symlink_to(docs_dir / "incident\x1b[2J\u202e.md")
    async with Client(build_server(settings)) as client:
        text = tool_refusal(await client.call_tool("parse_postmortem", {"path": "incident.md"}), "parse_postmortem")
    assert "source" in text
    assert "invisible or control the display" in text
    assert not HIDDEN.search(text)
    assert store.list_postmortems() == []


def test_a_tracker_state_name_that_hides_text_is_written_out_and_a_persons_close_still_counts(tmp_path: Path) -> None:
    store, ids = decided(tmp_path, {})
    linear = FakeLinear()
    done = next(s for s in linear.teams["ENG"].states if s.type == "completed")
    done.name = "Done\x1b[2J\u202e\r"
    with closing(linear_adapter(linear)) as adapter:
        [ref] = exported(store, adapter, ids)
        linear.move(ref, done.name, by="Dana Scully")
        [change] = ex.sync_tickets(store, adapter, BY).checked
    assert change.recorded == "complete"
    assert not HIDDEN_OR_BREAK.search(change.tracker_state + change.note + change.ref)
    assert "Done<U+001B>[2J<U+202E><U+000D>" in change.tracker_state


@pytest.mark.parametrize("spelling", ["proc-fd", "dot-dot", "dangling-link-to-journal"])
def test_the_database_reached_through_proc_self_fd_a_dot_dot_spelling_or_a_dangling_link_is_never_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    store, _ = decided(tmp_path, {})
    store.close()
    db = tmp_path / "actions.db"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "out.json").symlink_to(tmp_path / "actions.db-journal")  # not there (yet)
    monkeypatch.chdir(tmp_path)
    before = digest(db)
    with open(db, "rb") as held:
        target = {
            "proc-fd": f"/proc/self/fd/{held.fileno()}",
            "dot-dot": "sub/../actions.db",
            "dangling-link-to-journal": "sub/out.json",
        }[spelling]
        status, _, err = run(capsys, Path("actions.db"), "export", "--format", "json", "--out", target, "--force")
    assert status == 2
    assert "is the database or a file kept beside it" in err
    assert digest(db) == before
    # A -journal written beside the database would be taken by SQLite for a hot journal.
    assert not (tmp_path / "actions.db-journal").exists()
    assert Store(db).verify().ok


@pytest.mark.slow
def test_whitespace_batches_invalid_utf8_and_a_huge_line_get_answers_and_the_server_keeps_serving(
    settings: Settings,
) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}, **server_env(settings)}
    huge = b'{"jsonrpc": "2.0", "id": 3, "method": "ping", "params": {"x": "' + b"a" * 20_000_000 + b'"}}'
    lines: list[tuple[bytes, Callable[[dict[str, Any]], bool]]] = [
        (b"   \t ", lambda r: r["error"]["code"] == -32700),
        (b'[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]', lambda r: r["error"]["code"] == -32600),
        (b"[]", lambda r: r["error"]["code"] == -32600),
        (
            b'{"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"x": "\xff\xfe"}}',
            lambda r: r["id"] == 2 and "result" in r,
        ),
        (huge, lambda r: r["id"] == 3 and "result" in r),
    ]
    with subprocess.Popen(
        [*console_script(), "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    ) as process:
        try:
            assert process.stdin is not None
            deadline = time.monotonic() + 60
            for line, expected in lines:
                process.stdin.write(line + b"\n")
                process.stdin.flush()
                reply = _reply(process, deadline)
                assert expected(reply), (line[:60], reply)
            hello = {
                "jsonrpc": "2.0",
                "id": 4,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "raw", "version": "1"},
                },
            }
            process.stdin.write(json.dumps(hello).encode() + b"\n")
            process.stdin.flush()
            assert _reply(process, deadline)["result"]["serverInfo"]["name"] == "postmortem-actions"
        finally:
            process.kill()


@pytest.mark.anyio
async def test_a_client_name_that_hides_text_is_recorded_written_out_on_the_decision_and_the_audit(
    settings: Settings, store: Store, record_sample: Any
) -> None:
    server = build_server(settings)
    async with Client(server) as plain:
        _, ids = await record_sample(plain)
    liar = Implementation(name="claude\x1b[2K\rtrusted-cli\u202e", version="1\u200b0")
    human = PrefilledHuman(decision="accept", owner="dana", due_date="2027-01-15")
    with anyio.fail_after(WAIT_S):
        async with Client(server, elicitation_callback=human, client_info=liar) as client:
            assert not (await client.call_tool("decide_action", {"action_id": ids[0]})).is_error
            status = {"action_id": ids[0], "status": "in_progress"}
            assert not (await client.call_tool("report_status", status)).is_error
    [decision] = store.decisions(ids[0])
    assert decision.client == "claude<U+001B>[2K<U+000D>trusted-cli<U+202E>/1<U+200B>0"
    assert not any(HIDDEN_OR_BREAK.search(entry.via) for entry in store.audit_log("action", ids[0]))


def test_verify_prints_no_raw_control_character_of_a_hostile_trigger_or_a_forged_owner(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, ids = decided(tmp_path, {})
    store.close()
    db = tmp_path / "actions.db"
    with closing(sqlite3.connect(db, isolation_level=None)) as raw:
        raw.execute(
            'CREATE TRIGGER "ok\x1b[1A\x1b[2K\rverify: 0 problems\u202e" AFTER INSERT ON tickets BEGIN SELECT 1; END'
        )
        for (guard,) in raw.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'actions'"
        ).fetchall():
            raw.execute(f'DROP TRIGGER "{guard}"')
        raw.execute("UPDATE actions SET owner = ? WHERE id = ?", ["mallory\x1b[8m\u202e", ids[0]])

    status, out, err = run(capsys, db, "verify")

    assert status == 1
    assert not HIDDEN.search(out + err)
    report = json.loads(out)
    assert any("not one of ours" in p for p in report["problems"])
    assert any(f"action {ids[0]}:" in p for p in report["problems"])
