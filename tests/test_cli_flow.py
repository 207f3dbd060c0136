"""The human-only flow, as a new SRE without an assistant runs it on a real pseudo-terminal 80 columns wide:
`add` a postmortem file, `triage` it (record the extractor's findings as candidates, reword one, accept, kill and
defer), report a `status`, `show` an item, read the `agenda`. Every command is the installed console script; every
wait is bounded (tests/test_terminal.py); what the person sees is drawn by a terminal emulator (pyte).
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_terminal import Terminal

from postmortem_actions.store import ActionState, Channel, DecisionKind, Store

pytestmark = pytest.mark.slow

USER = "carol"
COLUMNS = 80
POSTMORTEM = """\
# Webhook secrets incident

Severity: SEV2
Incident date: 2026-03-04

## Summary

A rotated webhook secret was not propagated; deliveries failed for two hours.

## Action items

- Add an alert on webhook delivery failures above 5% for 10 minutes. Owner: dana
- Rotate webhook secrets through the deploy pipeline instead of by hand.
- Look into better monitoring for the secret store.
"""
ALERT = "Page the on-call when webhook delivery failures exceed 5% for 10 minutes"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def flat(text: str) -> str:
    """The words shown, one space between each, whatever the line breaks and indents."""
    return " ".join(text.split())


def run(env: dict[str, str], *args: str) -> tuple[int, list[str], str]:
    """One command in its own terminal: exit status, the screen as drawn, and the raw text shown."""
    with Terminal(list(args), env, columns=COLUMNS) as term:
        status = term.exit_status()
        return status, term.drawn(), term.screen


def test_a_person_goes_from_a_postmortem_file_to_decided_items_with_no_assistant(tmp_path: Path) -> None:
    # The file's name says "secrets": a path the person typed is read (the name rule is for paths the model picks).
    document = tmp_path / "webhook-secrets-incident.md"
    document.write_text(POSTMORTEM, encoding="utf-8")
    db = tmp_path / "actions.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_") and k not in ("COLUMNS",)}
    env |= {"POSTMORTEM_ACTIONS_DB": str(db), "POSTMORTEM_ACTIONS_USER": USER}
    today = date.today()
    due, revisit = today + timedelta(days=20), today + timedelta(days=60)

    status, screen, _ = run(env, "add", str(document))
    assert status == 0
    assert screen[0] == "postmortem 1 stored: Webhook secrets incident"

    with Terminal(["triage", "1"], env, columns=COLUMNS) as term:
        # Wrapped at spaces to the terminal's 80 columns: read as the words, whatever the line breaks.
        opening = flat(term.expect("--- finding 1 of 3 ---"))
        assert "0 undecided candidate(s), and 3 follow-up(s) in the text that no candidate covers yet" in opening
        for done_when, problem in (
            ("A synthetic 10% failure burst pages the on-call within 12 minutes", "Failures paged no one"),
            ("A rotation in staging goes through the pipeline with no manual step", "A secret was rotated by hand"),
            ("A written recommendation for the secret store's alerts", "Nobody watched the secret store"),
        ):
            shown = term.answer("[r]ecord or [s]kip? ", "r")
            assert 'Evidence: "' in shown  # the exact quote
            term.answer("  Action [", "")
            term.answer("  Done when: ", done_when)
            term.answer("  Problem it addresses: ", problem)
            term.answer("]: ", "")  # the category the extractor suggests
            term.answer("? [y/n] ", "y")
            term.expect("proposed by the extractor; you decide on it below.")
        # 1: reworded, then accepted after a due date in the past is caught
        term.answer("[s]kip? ", "r")
        term.answer("  Action [", ALERT)
        term.answer("  Done when [", "")
        assert "Reworded #1 (the change is kept in its history; it stays proposed by the extractor)." in flat(
            term.answer("[s]kip? ", "a")
        )
        term.answer("Owner [dana]: ", "")
        term.answer("Due date [", (due - timedelta(days=365)).isoformat())
        term.answer("Use it anyway? [y/n] ", "n")
        term.answer("Due date [", due.isoformat())
        term.answer(f"Accept #1: owner dana, due {due}? [y/n] ", "y")
        term.expect(f"{USER} accepted action 1 to dana, due {due}")
        # 2: killed
        term.answer("[s]kip? ", "k")
        term.answer("Reason to kill it: ", "the pipeline work already covers it")
        term.answer("? [y/n] ", "y")
        term.expect(f"{USER} killed action 2")
        # 3: deferred, with a revisit date and a note
        term.answer("[s]kip? ", "d")
        term.answer("Revisit on [optional]: ", revisit.isoformat())
        term.answer("Note (optional): ", "after the secret store migration")
        term.answer(f'Defer #3 until {revisit}: "after the secret store migration"? [y/n] ', "y")
        term.expect("Decided 3 of 3. Recorded 3 new candidate(s) from the extractor's findings.")
        assert term.exit_status() == 0
        assert max(len(line) for line in term.drawn()) <= COLUMNS

    status, screen, _ = run(env, "status", "1", "in_progress", "alert", "rule", "in", "review")
    assert (status, screen[0]) == (0, "#1 is in progress: alert rule in review")

    status, screen, raw = run(env, "show", "3")
    assert status == 0
    text = " ".join(" ".join(screen).split())
    assert "Look into better monitoring for the secret store." in text
    assert f"deferred until {revisit}: after the secret store migration ({USER}" in text
    assert "proposed by the extractor" in text
    assert "vague Look into: it names an activity, not a result" in text
    assert ANSI.search(raw), "a terminal gets colour"

    status, screen, _ = run(env, "agenda")
    assert status == 0
    agenda = " ".join(" ".join(screen).split())
    assert f"Action-item review, {today}" in agenda
    assert "Candidates still undecided (1)" in agenda
    assert f"Deferred until {revisit} (after the secret store migration): nothing to decide before then." in agenda
    assert "No status report" in agenda
    assert not any(line.startswith(("#", "|", "- #")) for line in screen), "a table, not Markdown"
    assert max(len(line) for line in screen) <= COLUMNS

    store = Store(db, create=False)
    actions = [store.get_action(i) for i in (1, 2, 3)]
    assert [a.state for a in actions] == [ActionState.ACCEPTED, ActionState.KILLED, ActionState.CANDIDATE]
    assert {a.proposed_by for a in actions} == {"extractor"}
    assert actions[0].text == ALERT
    assert (actions[0].owner, actions[0].due, actions[0].work_status) == ("dana", due, "in_progress")
    decisions = store.decisions()
    assert [(d.action_id, d.kind) for d in decisions] == [
        (1, DecisionKind.ACCEPT),
        (2, DecisionKind.KILL),
        (3, DecisionKind.DEFER),
    ]
    assert {(d.decided_by, d.channel) for d in decisions} == {(USER, Channel.TERMINAL)}
    assert (decisions[2].revisit_on, decisions[2].reason) == (revisit, "after the secret store migration")
    reworded = [e for e in store.audit_log("action", 1) if e.op == "revise"]
    assert [(e.actor, e.changes["text"][1]) for e in reworded] == [(USER, ALERT)]
    assert store.verify().ok
