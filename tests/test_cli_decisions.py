"""The single decisions a person types at a terminal: `defer ID --until DATE`, `revive ID`, `reopen ID`, and what every
decision does before it records: a confirmation that shows what will be recorded, answering n asks again, a due date
in the past is caught, a revisit date in the past is refused. Each runs the console script on a real pseudo-terminal.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_terminal import CHOICES, DUE, USER, Seeded, Terminal, by_the_person, seed_decision, seeded

from postmortem_actions.store import ActionState, DecisionKind

pytestmark = pytest.mark.slow
__all__ = ["seeded"]  # the fixture, shared with tests/test_terminal.py


def test_defer_with_until_records_the_revisit_date_and_the_note(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    revisit = date.today() + timedelta(days=30)
    with Terminal(["defer", str(action_id), "--until", revisit.isoformat()], seeded.env) as term:
        term.answer("Note (optional): ", "after the error-budget review")
        term.answer(f'Defer #{action_id} until {revisit}: "after the error-budget review"? [y/n] ', "y")
        term.expect(f"{USER} deferred action {action_id} until {revisit} (decision #1, via terminal).")
        assert term.exit_status() == 0
        assert "Revisit on" not in term.screen  # given on the command line

    [decision] = seeded.store.decisions()
    assert (decision.kind, decision.revisit_on, decision.reason) == (
        DecisionKind.DEFER,
        revisit,
        "after the error-budget review",
    )
    by_the_person(decision)
    assert seeded.store.get_action(action_id).state is ActionState.CANDIDATE


def test_answering_n_to_a_defer_asks_again_and_skip_records_nothing(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    with Terminal(["defer", str(action_id)], seeded.env) as term:
        term.answer("Revisit on [optional]: ", "")
        term.answer("Note (optional): ", "")
        term.answer(f"Defer #{action_id}? [y/n] ", "n")
        term.expect("Nothing recorded yet; choose again.")
        term.answer(CHOICES, "s")
        term.expect("Skipped; nothing recorded.")
        assert term.exit_status() == 0
    assert seeded.store.decisions() == []


def test_a_revisit_date_in_the_past_is_asked_again(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    yesterday = date.today() - timedelta(days=1)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "d")
        term.answer("Revisit on [optional]: ", yesterday.isoformat())
        term.expect(f"{yesterday} is in the past (today is {date.today()}); give a day to come, or none.")
        term.answer("Revisit on [optional]: ", "soon")
        term.expect("'soon' is not a date: write it as YYYY-MM-DD")
        term.answer("Revisit on [optional]: ", "")
        term.answer("Note (optional): ", "")
        term.answer(f"Defer #{action_id}? [y/n] ", "y")
        term.expect(f"{USER} deferred action {action_id} (decision #1")
        assert term.exit_status() == 0
    assert seeded.store.decisions()[0].revisit_on is None


@pytest.mark.parametrize("command", [["defer", "1", "--until", "2020-01-01"]])
def test_defer_until_a_past_day_is_refused_before_anything_is_asked(seeded: Seeded, command: list[str]) -> None:
    with Terminal(command, seeded.env) as term:
        term.expect("--until 2020-01-01 is in the past: give a day to come; nothing was recorded")
        assert term.exit_status() == 2
    assert seeded.store.decisions() == []


def test_answering_n_to_a_kill_asks_again(seeded: Seeded) -> None:
    action_id = seeded.action_ids[1]
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "k")
        term.answer("Reason to kill it: ", "typo")
        term.answer(f'Kill #{action_id}, because "typo"? [y/n] ', "n")
        term.expect("Nothing recorded yet; choose again.")
        term.answer(CHOICES, "k")
        term.answer("Reason to kill it: ", "the provider runs this drill")
        term.answer(f'Kill #{action_id}, because "the provider runs this drill"? [y/n] ', "y")
        term.expect(f"{USER} killed action {action_id} (decision #1, via terminal).")
        assert term.exit_status() == 0
    [decision] = seeded.store.decisions()
    assert decision.reason == "the provider runs this drill"


def test_a_due_date_in_the_past_is_confirmed_and_a_no_asks_for_the_date_again(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    last_year = DUE - timedelta(days=365)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "a")
        term.answer("Owner [dana]: ", "")
        term.answer("Due date [", last_year.isoformat())
        term.answer("the item would be overdue from the start. Use it anyway? [y/n] ", "n")
        term.answer("Due date [", "1970-01-01")
        term.expect("1970-01-01 is not a plausible due date")
        term.answer("Due date [", DUE.isoformat())
        term.answer(f"Accept #{action_id}: owner dana, due {DUE}? [y/n] ", "y")
        term.expect(f"{USER} accepted action {action_id} to dana, due {DUE}")
        assert term.exit_status() == 0
    assert seeded.store.get_action(action_id).due == DUE


def test_a_past_due_date_the_person_confirms_is_recorded(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    yesterday = date.today() - timedelta(days=1)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "a")
        term.answer("Owner [dana]: ", "")
        term.answer("Due date [", yesterday.isoformat())
        term.answer("Use it anyway? [y/n] ", "y")
        term.answer(f"Accept #{action_id}: owner dana, due {yesterday}? [y/n] ", "y")
        term.expect(f"accepted action {action_id} to dana, due {yesterday}")
        assert term.exit_status() == 0


def test_revive_brings_a_killed_item_back_as_an_undecided_candidate(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    seed_decision(seeded.store, action_id, DecisionKind.ACCEPT, owner="dana", due=DUE)
    seed_decision(seeded.store, action_id, DecisionKind.KILL, reason="descoped")
    with Terminal(["revive", str(action_id)], seeded.env) as term:
        shown = term.answer("Reason: ", "")
        assert f"Action #{action_id} from" in shown
        term.expect("Reviving needs a reason: say why the item matters again.")
        term.answer("Reason: ", "the alert fired wrongly twice since")
        term.answer(
            f'Revive #{action_id} as an undecided candidate, because "the alert fired wrongly twice since"? [y/n] ',
            "y",
        )
        term.expect(f"{USER} revived action {action_id} (decision #3, via terminal).")
        assert term.exit_status() == 0

    decision = seeded.store.decisions()[-1]
    assert (decision.kind, decision.from_state, decision.to_state, decision.reason) == (
        DecisionKind.REVIVE,
        ActionState.KILLED,
        ActionState.CANDIDATE,
        "the alert fired wrongly twice since",
    )
    by_the_person(decision)
    action = seeded.store.get_action(action_id)
    assert (action.state, action.owner, action.due) == (ActionState.CANDIDATE, None, None)


def test_decide_on_a_killed_item_offers_to_revive_it(seeded: Seeded) -> None:
    action_id = seeded.action_ids[1]
    seed_decision(seeded.store, action_id, DecisionKind.KILL, reason="duplicate")
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.expect(f"#{action_id} is killed")
        term.answer("[r]evive or [s]kip? ", "s")
        term.expect("Skipped; nothing recorded.")
        assert term.exit_status() == 0
    assert len(seeded.store.decisions()) == 1


def test_reopen_makes_a_done_item_accepted_again_with_a_reason(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    seed_decision(seeded.store, action_id, DecisionKind.ACCEPT, owner="dana", due=DUE)
    seed_decision(seeded.store, action_id, DecisionKind.COMPLETE, evidence="PR 42")
    with Terminal(["reopen", str(action_id)], seeded.env) as term:
        term.answer("Reason: ", "the alert did not fire in the drill")
        term.answer(f'Reopen #{action_id}, because "the alert did not fire in the drill"? [y/n] ', "y")
        term.expect(f"{USER} reopened action {action_id} (decision #3, via terminal).")
        assert term.exit_status() == 0
    decision = seeded.store.decisions()[-1]
    assert (decision.kind, decision.channel) == (DecisionKind.REOPEN, "terminal")
    assert seeded.store.get_action(action_id).state is ActionState.ACCEPTED


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("revive", "is candidate, so it cannot be revived: it awaits a decision"),
        ("reopen", "is candidate, so it cannot be reopened: it awaits a decision"),
    ],
)
def test_a_single_decision_that_does_not_fit_the_item_is_refused(seeded: Seeded, command: str, says: str) -> None:
    with Terminal([command, str(seeded.action_ids[0])], seeded.env) as term:
        term.expect(says)
        assert term.exit_status() == 2
    assert seeded.store.decisions() == []


def test_defer_of_an_accepted_item_is_refused(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    seed_decision(seeded.store, action_id, DecisionKind.ACCEPT, owner="dana", due=DUE)
    with Terminal(["defer", str(action_id)], seeded.env) as term:
        term.expect(f"action {action_id} is accepted, so it cannot be deferred: re-plan, complete or kill it instead")
        assert term.exit_status() == 2


def test_a_reword_in_decide_is_kept_in_the_history_and_the_question_shows_the_new_words(seeded: Seeded) -> None:
    action_id = seeded.action_ids[2]
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "r")
        term.answer("  Action [", "Write the refund procedure for double charges into the checkout runbook")
        term.answer("  Done when [", "A support engineer refunded a test double charge with it")
        term.expect(f"Reworded #{action_id} (the change is kept in its history).")
        shown = term.answer(CHOICES, "s")
        assert "): Write the refund procedure for double charges into the checkout runbook" in shown
        assert term.exit_status() == 0

    action = seeded.store.get_action(action_id)
    assert action.done_when == "A support engineer refunded a test double charge with it"
    [revise] = [e for e in seeded.store.audit_log("action", action_id) if e.op == "revise"]
    assert (revise.actor, revise.via, sorted(revise.changes)) == (USER, "cli reword", ["done_when", "text"])
    assert seeded.store.decisions() == []
