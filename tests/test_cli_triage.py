"""`triage` offers the follow-ups the extractor found that no candidate covers, each with its exact quote, and records
the ones the person wants as candidates proposed by the extractor, before the decisions. On a real pseudo-terminal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_terminal import USER, Terminal

from postmortem_actions.store import ActionFilter, Actor, Store
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.postmortems import parse_postmortem

pytestmark = pytest.mark.slow

DOCUMENT = """\
# Cache stampede

Severity: SEV3

## Action items

- Add request coalescing to the product cache service. Owner: kim, due 2027-06-30
- Alert when the cache hit ratio drops below 80% for 10 minutes.
"""


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Store, dict[str, str]]:
    db = tmp_path / "actions.db"
    store = Store(db)
    parse_postmortem(store, Actor(actor="t", via="t"), ReadPolicy(allowed_dirs=(), max_bytes=64_000), text=DOCUMENT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    return store, {**env, "POSTMORTEM_ACTIONS_DB": str(db), "POSTMORTEM_ACTIONS_USER": USER}


def record(term: Terminal, done_when: str, problem: str, *, text: str = "", category: str = "") -> None:
    """Record the finding on offer: its text (Enter keeps the extractor's), finish line, problem and category."""
    term.answer("[r]ecord or [s]kip? ", "r")
    term.answer("  Action [", text)
    term.answer("  Done when: ", done_when)
    term.answer("  Problem it addresses: ", problem)
    term.answer("]: ", category)
    term.answer("? [y/n] ", "y")


def test_a_finding_is_recorded_with_its_stated_owner_and_due_date_as_proposals(
    stored: tuple[Store, dict[str, str]],
) -> None:
    store, env = stored
    with Terminal(["triage", "1"], env) as term:
        shown = term.answer("[r]ecord or [s]kip? ", "r")
        assert '  Evidence: "Add request coalescing to the product cache service. Owner: kim, due 2027-06-30"' in shown
        assert "  The document states: owner kim, due 2027-06-30" in shown
        term.answer("  Action [", "Coalesce concurrent misses for the same key in the product cache")
        term.answer("  Done when: ", "")
        term.expect("A candidate needs a finish line: what shows it is done.")
        term.answer("  Done when: ", "A load test with 1,000 concurrent misses makes one backend call per key")
        term.answer("  Problem it addresses: ", "A stampede of misses overloaded the database")
        term.answer("]: ", "x")
        term.expect("Please answer one of:")
        term.answer("]: ", "m")
        term.answer("? [y/n] ", "n")
        term.expect("Not recorded yet.")
        term.answer("[r]ecord or [s]kip? ", "s")
        term.answer("[r]ecord or [s]kip? ", "s")
        term.expect("Decided 0 of 0. Recorded 0 new candidate(s) from the extractor's findings.")
        assert term.exit_status() == 0
    assert Store(store.path, create=False).actions(ActionFilter()) == []  # said no, then skipped: nothing recorded

    with Terminal(["triage", "1"], env) as term:
        record(
            term,
            "A load test with 1,000 concurrent misses makes one backend call per key",
            "A stampede of misses overloaded the database",
            category="mitigate",
        )
        term.expect("Recorded candidate #1, proposed by the extractor")
        term.answer("[r]ecord or [s]kip? ", "s")
        shown = term.answer("[s]kip? ", "s")
        assert "Proposed: owner kim, due 2027-06-30." in shown
        assert "Proposed by the extractor." in shown
        term.expect("Decided 0 of 1. Recorded 1 new candidate(s)")
        assert term.exit_status() == 0

    action = Store(store.path, create=False).get_action(1)
    assert (action.proposed_owner, str(action.proposed_due), action.proposed_by, action.category) == (
        "kim",
        "2027-06-30",
        "extractor",
        "mitigate",
    )
    assert action.quote == "Add request coalescing to the product cache service. Owner: kim, due 2027-06-30"
    [created] = Store(store.path, create=False).audit_log("action", 1)
    assert (created.actor, created.via) == (USER, "cli triage")


def test_what_a_finding_cannot_be_recorded_with_is_asked_again_or_said(stored: tuple[Store, dict[str, str]]) -> None:
    store, env = stored
    with Terminal(["triage", "1"], env) as term:
        term.answer("[r]ecord or [s]kip? ", "r")
        term.answer("  Action [", "Coalesce cache misses")
        term.answer("  Done when: ", "x" * 600)
        term.expect("That is 600 characters; say it in at most 500.")
        term.answer("  Done when: ", "It is in place")
        term.answer("  Problem it addresses: ", "A stampede")
        term.answer("]: ", "")
        term.answer("? [y/n] ", "y")
        term.expect("Recorded candidate #1")
        record(term, "It alerts", "Nobody saw the hit ratio drop", text="Coalesce cache misses")  # #1's words
        term.expect("Recorded candidate #2")
        term.expect("It keeps the extractor's words: action 1 of this postmortem already says that")
        for _ in range(2):
            term.answer("[s]kip? ", "s")
        term.expect("Decided 0 of 2.")
        assert term.exit_status() == 0
    assert Store(store.path, create=False).get_action(2).text.startswith("Alert when the cache hit ratio drops")


def test_findings_a_candidate_already_covers_are_not_offered(stored: tuple[Store, dict[str, str]]) -> None:
    _, env = stored
    with Terminal(["triage", "1"], env) as term:
        for _ in range(2):
            record(term, "It is in place and was tested once", "A stampede")
        for _ in range(2):
            term.answer("[s]kip? ", "s")
        assert term.exit_status() == 0
    with Terminal(["triage", "1"], env) as term:
        shown = term.expect("--- 1 of 2 ---")
        assert "Cache stampede: 2 undecided candidate(s). Ctrl-D stops" in shown
        assert "finding" not in shown
        for _ in range(2):
            term.answer("[s]kip? ", "s")
        assert term.exit_status() == 0
