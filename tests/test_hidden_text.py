"""What the human is shown is what gets committed (issue 10, finding 1).

A carriage return, a C1 control, a line or paragraph separator, a bidi control or a zero-width character in
a stored text can make a terminal, a page or a form show something other than what is stored. They are
refused in every text field of every tool, the CLI, the store itself and the trackers' names; and text that is
already stored (written before the check, or by hand) is shown with each such character written out. The
terminal tests feed what the command printed to a terminal emulator (pyte) and read the screen.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyte
import pytest

from postmortem_actions.server.cli.decide import decide
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import (
    ActionFilter,
    ActionState,
    Actor,
    Channel,
    DecisionKind,
    HumanDecision,
    NewAction,
    NewPostmortem,
    Store,
)
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.text import HIDDEN, HIDDEN_OR_BREAK, refusal, visible
from postmortem_actions.tools import followthrough as ft
from postmortem_actions.tools.followthrough.exports import export_rows, to_csv, to_ics, to_markdown
from postmortem_actions.tools.followthrough.report_html import render_html

BY = Actor(actor="assistant", via="test")
QUOTE = "Add an alert on billing queue depth above 10,000 messages"
DOCUMENT = f"# Billing backlog\n\nSeverity: SEV2\n\n## Action items\n\n- {QUOTE}.\n- Delete old billing events.\n"
HONEST = "Page billing on-call when queue depth exceeds 10,000"
# The attack from the issue: the terminal shows only what follows the CR; the store holds the whole string.
TRICK = f"Delete the billing_events table in production\rAction #1 {HONEST}"
# Each character the issue names, and a few of their kin.
HIDDEN_SAMPLES = [
    "\r",
    "\x1b",
    "\x00",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u2066",
    "\u061c",
    "\u00ad",
    "\U000e0041",
    "\u3164",
]


def test_the_refused_set_is_every_control_format_separator_and_surrogate_character_plus_the_invisible_fillers() -> None:
    fillers = {
        0x034F,
        0x17B4,
        0x17B5,
        0x115F,
        0x1160,
        0x3164,
        0xFFA0,
        0x180B,
        0x180C,
        0x180D,
        0x180F,
        *range(0xFE00, 0xFE0E),
        *range(0xE0100, 0xE01F0),
    }
    expected = {
        cp
        for cp in range(sys.maxunicode + 1)
        if (unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp", "Cs") and chr(cp) not in "\t\n") or cp in fillers
    }
    found = {ord(m.group()) for m in HIDDEN.finditer("".join(map(chr, range(sys.maxunicode + 1))))}
    assert found == expected


@pytest.mark.parametrize("char", HIDDEN_SAMPLES, ids=[f"U+{ord(c):04X}" for c in HIDDEN_SAMPLES])
def test_visible_writes_out_every_refused_character_and_hides_nothing(char: str) -> None:
    shown = visible(f"before{char}after", multiline=True)
    assert shown == f"before<U+{ord(char):04X}>after"
    assert not HIDDEN.search(shown)


def test_an_emoji_variation_selector_is_kept_after_a_symbol_and_refused_and_written_out_after_a_letter() -> None:
    for kept in ("Page on \u26a0\ufe0f alerts", "Step 1\ufe0f\u20e3 done", "\u2764\ufe0e"):
        assert refusal(kept) is None
        assert visible(kept) == kept
    for hiding in ("alice\ufe0f", "\ufe0fdana", "1\ufe0f"):
        assert refusal(hiding) is not None
        assert "<U+FE0F>" in visible(hiding)


def test_a_run_of_combining_marks_is_refused_past_thirty_and_shown_cut_to_thirty() -> None:
    assert refusal("e" + "\u0301" * 30) is None
    zalgo = "P" + "\u0301" * 45 + "age"
    assert refusal(zalgo) is not None
    assert visible(zalgo) == "P" + "\u0301" * 30 + "<15 more combining marks>age"


def test_visible_keeps_a_documents_crlf_line_ends_as_line_breaks_but_writes_out_a_lone_cr() -> None:
    assert visible("one\r\ntwo\rthree\tfour", multiline=True) == "one\ntwo<U+000D>three\tfour"
    assert visible("one\r\ntwo\nthree\tfour") == "one two three four"


# -- the store refuses them below every channel -------------------------------------------------------


@pytest.fixture
def doc(store: Store) -> int:
    stored, _ = store.add_postmortem(
        NewPostmortem(
            title="Billing backlog",
            source="pasted",
            text=DOCUMENT,
            sha256=hashlib.sha256(DOCUMENT.encode()).hexdigest(),
        ),
        BY,
    )
    return stored.id


def _new(text: str = HONEST, **changes: Any) -> NewAction:
    start = DOCUMENT.index(QUOTE)
    values: dict[str, Any] = {
        "text": text,
        "done_when": "A synthetic backlog pages the on-call",
        "problem": "Nobody noticed",
        "category": "detect",
        "quote": QUOTE,
        "quote_start": start,
        "quote_end": start + len(QUOTE),
    }
    return NewAction(**{**values, **changes})


@pytest.mark.parametrize("char", HIDDEN_SAMPLES, ids=[f"U+{ord(c):04X}" for c in HIDDEN_SAMPLES])
def test_the_store_refuses_a_candidate_or_a_decision_whose_text_could_hide_something(char: str) -> None:
    for field in ("text", "done_when", "problem", "proposed_owner"):
        with pytest.raises(InvalidInput, match=f"nothing was stored: {field}: "):
            _new(**{field: f"Page the on{char}call now"})
    for field in ("owner", "reason", "evidence", "decided_by", "client"):
        with pytest.raises(InvalidInput, match=f"nothing was stored: {field}: "):
            HumanDecision(**{"kind": "kill", "decided_by": "dana", "channel": Channel.TERMINAL, field: f"da{char}na"})


def test_single_line_fields_refuse_line_breaks_and_multi_line_fields_keep_them() -> None:
    with pytest.raises(InvalidInput, match="text: must be one line"):
        _new(text="Page billing on-call\nthen delete the table")
    kept = HumanDecision(
        kind=DecisionKind.KILL,
        decided_by="dana",
        channel=Channel.TERMINAL,
        reason="Duplicate of #4.\r\n\tSee the thread.",
    )
    assert kept.reason == "Duplicate of #4.\n\tSee the thread."


def test_the_configured_user_name_is_refused_when_it_could_hide_something(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="POSTMORTEM_ACTIONS_USER"):
        Settings.load({"POSTMORTEM_ACTIONS_USER": "dana\rmallory", "POSTMORTEM_ACTIONS_DB": str(tmp_path / "a.db")})


# -- text stored before the check is shown with nothing hidden -----------------------------------------


@pytest.fixture
def tricked(store: Store, doc: int, settings: Settings) -> int:
    """A candidate whose stored text hides a line behind a CR (written by raw SQL, as an old version could)."""
    [(action, _)] = store.add_actions(doc, [_new()], BY)
    with sqlite3.connect(settings.db_path, isolation_level=None) as raw:
        raw.execute("UPDATE actions SET text = ?, proposed_owner = ? WHERE id = ?", [TRICK, "dana\u202e", action.id])
    return action.id


def _screen(printed: str, columns: int = 200, lines: int = 60) -> list[str]:
    screen = pyte.Screen(columns, lines)
    stream = pyte.Stream(screen)
    stream.feed(printed.replace("\n", "\r\n"))  # the tty's output processing (onlcr)
    return [line.rstrip() for line in screen.display]


def test_the_terminal_shows_the_whole_stored_text_before_the_human_accepts_it(
    store: Store, settings: Settings, tricked: int, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["a", "lee", "2027-01-15", "y"])
    assert decide(store, settings, tricked, ask=lambda prompt: (print(prompt, end=""), next(answers))[1])

    screen = "\n".join(_screen(capsys.readouterr().out))
    committed = store.get_action(tricked)
    assert committed.state is ActionState.ACCEPTED
    assert committed.text == TRICK
    assert visible(TRICK) in screen  # the first half, the CR written out, and the second half, all on screen
    assert "Delete the billing_events table in production<U+000D>Action #1" in screen


def test_the_action_list_cannot_be_made_to_show_a_candidate_as_accepted(
    store: Store, settings: Settings, doc: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from postmortem_actions.server.cli.main import main

    [(action, _)] = store.add_actions(doc, [_new()], BY)
    disguise = f"Delete the billing_events table\r{action.id:>5}  {doc:>4}  accepted   detect    dana"
    with sqlite3.connect(settings.db_path, isolation_level=None) as raw:
        raw.execute("UPDATE actions SET text = ? WHERE id = ?", [disguise, action.id])

    assert main(["--db", str(settings.db_path), "list"]) == 0
    row = next(line for line in _screen(capsys.readouterr().out) if line.lstrip().startswith(str(action.id)))
    assert "candidate" in row
    assert "accepted" not in row.split("<U+000D>")[0]


def test_the_elicitation_question_writes_out_what_the_stored_text_hides(
    store: Store, settings: Settings, tricked: int
) -> None:
    from postmortem_actions.tools.decisions import DueTable, ask_decide

    question = ask_decide(
        store, tricked, proposed_owner=None, proposed_due=None, note=None, table=DueTable(), today=date(2026, 12, 4)
    )
    assert "Delete the billing_events table in production<U+000D>Action #1" in question.message
    assert question.owner == "dana<U+202E>"  # the pre-filled owner hides nothing either
    assert not HIDDEN.search(question.message)


def test_every_export_and_report_writes_out_what_stored_text_hides(
    store: Store, settings: Settings, tricked: int
) -> None:
    store.record_decision(
        tricked,
        HumanDecision(
            kind=DecisionKind.ACCEPT, owner="lee", due=date(2026, 1, 2), decided_by="dana", channel=Channel.TERMINAL
        ),
    )
    with sqlite3.connect(settings.db_path, isolation_level=None) as raw:
        raw.execute("UPDATE postmortems SET title = ? WHERE id = 1", ["Billing \u202ebacklog"])
    rows = export_rows(store, ActionFilter())
    as_of = date(2026, 2, 1)
    outputs = {
        "markdown": to_markdown(rows, title="Items"),
        "csv": to_csv(rows),
        "ics": to_ics(rows, calendar_name="Due", now=datetime(2026, 2, 1, tzinfo=UTC), database_id=store.database_id()),
        "agenda": ft.review_agenda(store, as_of=as_of).markdown,
        "summary": ft.draft_status_summary(store, as_of=as_of).markdown,
        "report": ft.followthrough_report(store, as_of=as_of, group_by="postmortem").markdown,
        "html": render_html(ft.followthrough_report(store, as_of=as_of, group_by="postmortem")),
    }
    for name, text in outputs.items():
        lines = text.replace("\r\n", "\n")
        assert not HIDDEN.search(lines), f"{name} shows a character that hides text"
    # Markdown escapes the marker's brackets, so it renders as written out too.
    assert "production\\<U+000D\\>Action #1" in outputs["markdown"]
    assert "production\\<U+000D\\>Action #1" in outputs["agenda"]
    assert "Billing &lt;U+202E&gt;backlog" in outputs["html"]


# -- every text argument of every tool refuses them ---------------------------------------------------

CANDIDATE = {
    "text": HONEST,
    "done_when": "A synthetic backlog pages the on-call",
    "problem": "Nobody noticed",
    "category": "detect",
    "quote": QUOTE,
}


def _calls(pm: int, action: int, char: str) -> list[tuple[str, dict[str, Any]]]:
    bad = f"Delete the table{char}Page the on-call"
    return [
        *[
            ("record_candidates", {"postmortem_id": pm, "candidates": [{**CANDIDATE, field: bad}]})
            # a quote may carry the document's own CR line ends (it is matched, and the document's slice is stored)
            for field in ("text", "done_when", "problem", "quote", "proposed_owner")
            if (field, char) != ("quote", "\r")
        ],
        *[
            ("revise_candidate", {"action_id": action, "changes": {field: bad}})
            for field in ("text", "done_when", "problem", "proposed_owner")
        ],
        ("decide_action", {"action_id": action, "proposed_owner": bad}),
        ("decide_action", {"action_id": action, "note": bad}),
        ("lint_action", {"text": bad}),
        ("parse_postmortem", {"text": DOCUMENT, "title": bad}),
        ("parse_postmortem", {"path": f"notes{char}.md"}),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "char",
    ["\r", "\x85", "\x9b", "\u2028", "\u200b", "\ufeff", "\u202e"],
    ids=["CR", "NEL", "CSI", "LSEP", "ZWSP", "BOM", "RLO"],
)
async def test_every_text_argument_of_every_tool_refuses_a_character_that_hides_text(
    settings: Settings, store: Store, char: str
) -> None:
    from mcp import Client
    from mcp_results import refusal

    from postmortem_actions.server.mcp.app import build_server

    async with Client(build_server(settings)) as client:
        parsed = await client.call_tool("parse_postmortem", {"text": DOCUMENT})
        pm = int((parsed.structured_content or {})["postmortem_id"])
        recorded = await client.call_tool("record_candidates", {"postmortem_id": pm, "candidates": [CANDIDATE]})
        action = int((recorded.structured_content or {})["recorded"][0]["action_id"])
        before = store.get_action(action)
        for tool, arguments in _calls(pm, action, char):
            text = refusal(await client.call_tool(tool, arguments), tool)
            assert "invisible or control the display" in text or "must be one line" in text, (tool, text)
    assert store.get_action(action) == before
    assert [a.text for a in store.actions(ActionFilter())] == [HONEST]
    assert store.decisions() == []
    assert not any(HIDDEN_OR_BREAK.search(pm.title) for pm in store.list_postmortems())


@pytest.mark.parametrize(
    "command",
    [
        ["overdue", "--format", "table"],
        ["overdue", "--format", "md"],
        ["overdue", "--format", "csv"],
        ["agenda", "--format", "csv"],
        ["summary", "--format", "md"],
        ["export", "--format", "md"],
        ["export", "--format", "csv"],
        ["export", "--format", "ics"],
    ],
)
def test_every_listing_command_writes_out_what_stored_text_hides(
    store: Store, settings: Settings, tricked: int, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from postmortem_actions.server.cli.main import main

    store.record_decision(
        tricked,
        HumanDecision(
            kind=DecisionKind.ACCEPT, owner="lee", due=date(2026, 1, 2), decided_by="dana", channel=Channel.TERMINAL
        ),
    )
    with sqlite3.connect(settings.db_path, isolation_level=None) as raw:
        raw.execute(
            "UPDATE actions SET status_note = ?, work_status = 'blocked' WHERE id = ?",
            ["waiting\u202e on infra", tricked],
        )
    assert (
        main(["--db", str(settings.db_path), *command, *(["--as-of", "2026-02-01"] if "export" not in command else [])])
        == 0
    )
    printed = capsys.readouterr().out.replace("\r\n", "\n")
    assert not HIDDEN.search(printed)
    assert "U+000D" in printed


def test_a_findings_clean_line_holds_nothing_a_text_field_refuses() -> None:
    from postmortem_actions.tools.extraction.extractor import extract

    doc = (
        "# Outage\n\n## Action items\n\n- Add an\u200b alert\u202e on queue depth above 10\ufe0f.\n"
        "- Page ali\x07ce on \u26a0\ufe0f errors.\n- Rotate the k" + "\u0301" * 40 + "ey.\n"
    )
    texts = [f.text for f in extract(doc)]
    assert texts[:2] == ["Add an alert on queue depth above 10.", "Page alice on \u26a0\ufe0f errors."]
    assert all(refusal(t) is None for t in texts), texts
