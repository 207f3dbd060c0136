"""The terminal's questions, every branch, in-process: what a person is asked, what they are told when an answer
does not fit, and what is recorded, on real database files.

The pseudo-terminal tests (test_terminal.py, test_cli_decisions.py, test_cli_triage.py, test_cli_flow.py) prove the
console script asks and records through a real terminal; here the same functions are answered by a scripted person
through their `ask` parameter (the one seam the terminal goes through), so every refusal and re-ask is cheap to
reach, and counted by the coverage run, which does not follow subprocesses.
"""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import termios
from datetime import date, timedelta
from pathlib import Path

import pytest
from cli_fixture import BY, Listed, listed_database

from postmortem_actions.server.cli.decide import decide
from postmortem_actions.server.cli.main import main
from postmortem_actions.server.cli.prompts import ask_here, require_terminal, say
from postmortem_actions.server.cli.triage import triage
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, ActionState, Channel, DecisionKind, Store
from postmortem_actions.store.errors import InvalidInput, NoHumanChannel, QuoteNotFound
from postmortem_actions.tools import decisions
from postmortem_actions.tools.candidates import MAX_TEXT, record_finding, uncovered_findings
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.postmortems import parse_postmortem

USER = "carol"
TODAY = date.today()


class Person:
    """Answers the questions in order: each answer is (a part of the question it expects, what it types)."""

    def __init__(self, *script: tuple[str, str]) -> None:
        self.script = list(script)
        self.asked: list[str] = []

    def __call__(self, prompt: str) -> str:
        assert self.script, f"asked {prompt!r} after the last scripted answer"
        expected, reply = self.script.pop(0)
        assert expected in prompt, f"expected a question with {expected!r}, was asked {prompt!r}"
        self.asked.append(prompt)
        return reply

    def done(self) -> None:
        assert not self.script, f"never asked: {self.script}"


@pytest.fixture
def listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Listed:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", USER)
    return listed_database(tmp_path)


@pytest.fixture
def settings(listed: Listed) -> Settings:
    return Settings.load({"POSTMORTEM_ACTIONS_USER": USER}, db=str(listed.db))


def told(capsys: pytest.CaptureFixture[str]) -> str:
    return " ".join(capsys.readouterr().out.split())


def test_accept_re_asks_every_answer_that_does_not_fit_and_a_no_records_nothing(
    listed: Listed, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, runbook = Store(listed.db, create=False), listed.ids["runbook"]
    far, past, due = TODAY + timedelta(days=365 * 20), TODAY - timedelta(days=3), TODAY + timedelta(days=14)
    person = Person(
        ("[a]ccept", "a"),
        ("Owner [alexandra.konstantinopoulou]", "\u202eevil"),  # a bidi control: asked again
        ("Owner", "dana"),
        ("Due date [", "next friday"),
        ("Due date [", far.isoformat()),
        ("Due date [", past.isoformat()),
        ("Use it anyway? [y/n] ", "n"),
        ("Due date [", due.isoformat()),
        (f"Accept #{runbook}: owner dana, due {due}? [y/n] ", "n"),
        ("[a]ccept", "x"),
        ("[a]ccept", "s"),
    )

    assert decide(store, settings, runbook, person, TODAY) is False
    person.done()
    shown = told(capsys)
    assert "That contains characters that are invisible or control the display (U+202E)" in shown
    assert "type it again." in shown
    assert f"'next friday' is not a date: write it as YYYY-MM-DD, e.g. {TODAY.replace(day=15)}." in shown
    assert f"{far} is not a plausible due date: it must fall between" in shown
    assert "Nothing recorded yet; choose again." in shown
    assert "Please answer one of: a, k, d, r, s" in shown
    assert "Skipped; nothing recorded." in shown
    assert store.decisions(runbook) == []
    assert store.get_action(runbook).state is ActionState.CANDIDATE


def test_a_past_due_date_confirmed_is_recorded_as_the_person_s_decision(
    listed: Listed, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, handover = Store(listed.db, create=False), listed.ids["handover"]
    past = TODAY - timedelta(days=2)
    person = Person(
        ("[a]ccept", "a"),
        ("Owner", "lee"),
        ("Due date [", past.isoformat()),
        ("Use it anyway?", "y"),
        ("? [y/n] ", "y"),
    )

    assert decide(store, settings, handover, person, TODAY) is True
    person.done()
    assert f"{USER} accepted action {handover} to lee, due {past}" in told(capsys)
    [decision] = store.decisions(handover)
    assert (decision.kind, decision.owner, decision.due) == (DecisionKind.ACCEPT, "lee", past)
    assert (decision.decided_by, decision.channel) == (USER, Channel.TERMINAL)


def test_a_reword_that_changes_nothing_or_is_refused_says_so_and_keeps_the_words(
    listed: Listed, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, handover, runbook = Store(listed.db, create=False), listed.ids["handover"], listed.ids["runbook"]
    before = store.get_action(handover)
    other = store.get_action(runbook)
    person = Person(
        ("[a]ccept", "r"),
        ("  Action [", ""),
        ("  Done when [", ""),
        ("[a]ccept", "r"),
        ("  Action [", "x" * (MAX_TEXT + 1)),
        ("  Action [", other.text),  # what a candidate of another postmortem says
        ("  Done when [", "Sure"),
        ("[a]ccept", "s"),
    )

    assert decide(store, settings, handover, person, TODAY) is False
    person.done()
    shown = told(capsys)
    assert "Unchanged." in shown
    assert f"That is {MAX_TEXT + 1} characters; say it in at most {MAX_TEXT}." in shown
    after = store.get_action(handover)
    assert (after.text, after.done_when) == (other.text, "Sure")  # another postmortem's words may be reused
    assert "it stays proposed by the extractor" in shown
    assert before.proposed_by == after.proposed_by == "extractor"


def test_a_reword_to_the_words_of_another_candidate_of_the_postmortem_is_refused(
    listed: Listed, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, runbook, drill = Store(listed.db, create=False), listed.ids["runbook"], listed.ids["drill"]
    person = Person(
        ("[a]ccept", "r"),
        ("  Action [", store.get_action(drill).text),
        ("  Done when [", ""),
        ("[a]ccept", "s"),
    )

    assert decide(store, settings, runbook, person, TODAY) is False
    person.done()
    assert "Not reworded:" in told(capsys)
    assert store.get_action(runbook).text.startswith("Write a runbook entry")


def test_an_accepted_item_is_re_planned_completed_or_killed_with_what_each_needs(
    listed: Listed, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, ids = Store(listed.db, create=False), listed.ids
    new_due = TODAY + timedelta(days=30)
    replan = Person(
        ("[r]e-plan", "r"),
        ("  New owner [dana]", ""),
        ("  New due date [", new_due.isoformat()),
        ("  Reason", ""),
        ("  Reason", "dana is on leave until next month"),
        (f"Re-plan #{ids['page']} to dana, due {new_due}? [y/n] ", "y"),
    )
    assert decide(store, settings, ids["page"], replan, TODAY) is True
    complete = Person(
        ("[r]e-plan", "c"),
        ("  Evidence it is done (PR, link)", "https://git.example.com/ci/pull/7"),
        (f"Mark #{ids['ci']} done (evidence: https://git.example.com/ci/pull/7)? [y/n] ", "y"),
    )
    assert decide(store, settings, ids["ci"], complete, TODAY) is True
    kill = Person(
        ("[r]e-plan", "k"),
        ("  Reason", "the queue is being retired"),
        (f'Kill #{ids["retries"]}, because "the queue is being retired"? [y/n] ', "y"),
    )
    assert decide(store, settings, ids["retries"], kill, TODAY) is True
    for person in (replan, complete, kill):
        person.done()

    shown = told(capsys)
    assert f"#{ids['ci']} is accepted: owner lee, due 2026-03-05, blocked" in shown
    assert "A re-plan needs a reason: say why the owner or the date changes." in shown
    assert store.get_action(ids["page"]).due == new_due
    assert store.get_action(ids["ci"]).state is ActionState.DONE
    assert store.get_action(ids["retries"]).state is ActionState.KILLED
    assert [d.kind for d in store.decisions(ids["ci"])][-1] is DecisionKind.COMPLETE


def test_a_done_item_is_reopened_and_a_killed_one_revived_each_with_a_reason(
    listed: Listed, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, ids = Store(listed.db, create=False), listed.ids
    reopen = Person(
        ("[r]eopen or [s]kip? ", "r"),
        ("  Reason", "the replay still fails for invoices over 1 MB"),
        (f'Reopen #{ids["replay"]}, because "the replay still fails for invoices over 1 MB"? [y/n] ', "y"),
    )
    revive = Person(
        ("[r]evive or [s]kip? ", "r"),
        ("  Reason", ""),
        ("  Reason", "the 5xx page missed a slow checkout"),
        ("Revive #", "n"),
        ("[r]evive or [s]kip? ", "r"),
        ("  Reason", "the 5xx page missed a slow checkout"),
        ("Revive #", "y"),
    )
    assert decide(store, settings, ids["replay"], reopen, TODAY) is True
    assert decide(store, settings, ids["dashboards"], revive, TODAY) is True
    reopen.done()
    revive.done()

    shown = told(capsys)
    assert "Reviving needs a reason: say why the item matters again." in shown
    assert "Nothing recorded yet; choose again." in shown
    assert store.get_action(ids["replay"]).state is ActionState.ACCEPTED
    revived = store.get_action(ids["dashboards"])
    assert (revived.state, revived.owner, revived.due) == (ActionState.CANDIDATE, None, None)


def test_a_deferred_candidate_shows_its_deferral_and_a_revisit_date_in_the_past_is_asked_again(
    listed: Listed, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store, drill = Store(listed.db, create=False), listed.ids["drill"]
    revisit = TODAY + timedelta(days=40)
    person = Person(
        ("[a]ccept", "d"),
        ("  Revisit on [optional]", (TODAY - timedelta(days=1)).isoformat()),
        ("  Revisit on [optional]", revisit.isoformat()),
        ("  Note (optional)", ""),
        (f"Defer #{drill} until {revisit}? [y/n] ", "y"),
    )

    assert decide(store, settings, drill, person, TODAY) is True
    person.done()
    shown = told(capsys)
    assert "Deferred until 2026-04-01 by carol on" in shown
    assert ": after the provider migration" in shown
    assert "is in the past (today is" in shown
    assert store.decisions(drill)[-1].revisit_on == revisit


def test_triage_records_the_findings_the_person_wants_and_decides_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", USER)
    db = tmp_path / "actions.db"
    store = Store(db)
    text = (
        "# Cache stampede\n\nSeverity: SEV3\n\n## Action items\n\n"
        "- Add request coalescing to the product cache service. Owner: kim\n"
        "- Alert when the cache hit ratio drops below 80% for 10 minutes.\n"
    )
    parse_postmortem(store, BY, ReadPolicy(allowed_dirs=(), max_bytes=64_000), text=text)
    settings = Settings.load({"POSTMORTEM_ACTIONS_USER": USER}, db=str(db))
    person = Person(
        ("[r]ecord or [s]kip? ", "r"),
        ("  Action [", "Coalesce concurrent misses per key in the product cache"),
        ("  Done when: ", "A load test shows one backend call per key"),
        ("  Problem it addresses: ", "y" * 1001),
        ("  Problem it addresses: ", "Misses stampeded the database"),
        ("Category", "p"),
        ("? [y/n] ", "y"),
        ("[r]ecord or [s]kip? ", "s"),
        ("[a]ccept", "k"),
        ("  Reason to kill it", "the cache is being replaced"),
        ("? [y/n] ", "y"),
    )

    assert triage(store, settings, 1, person, TODAY) == 1
    person.done()
    shown = told(capsys)
    assert "0 undecided candidate(s), and 2 follow-up(s) in the text that no candidate covers yet" in shown
    assert "That is 1001 characters; say it in at most 1000." in shown
    assert "Recorded candidate #1, proposed by the extractor" in shown
    assert "Decided 1 of 1. Recorded 1 new candidate(s) from the extractor's findings." in shown
    [action] = store.actions(ActionFilter())
    assert (action.text, action.category, action.proposed_owner, action.state) == (
        "Coalesce concurrent misses per key in the product cache",
        "prevent",
        "kim",
        ActionState.KILLED,
    )
    assert [f.text for f in uncovered_findings(store, 1)] == [
        "Alert when the cache hit ratio drops below 80% for 10 minutes."
    ]


def test_a_finding_is_recorded_only_as_the_stored_text_says_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "actions.db")
    long = "Add an alert on queue depth above ten thousand messages " + "for the billing consumers " * 30
    text = (
        "# Queue outage\n\n## Action items\n\n"
        "- Cap consumer retries at five. Owner: kim, due next friday\n"
        f"- {long.strip()}.\n"
    )
    parse_postmortem(store, BY, ReadPolicy(allowed_dirs=(), max_bytes=64_000), text=text)
    capped, wordy = uncovered_findings(store, 1)

    with pytest.raises(InvalidInput, match="the problem is 1001 characters, at most 1000; nothing was recorded"):
        record_finding(store, BY, 1, capped, done_when="It is capped", problem="p" * 1001)
    with pytest.raises(InvalidInput, match="the finish line is 501 characters, at most 500"):
        record_finding(store, BY, 1, capped, done_when="d" * 501, problem="Retries piled up")
    moved = capped.model_copy(update={"start": capped.start + 1})
    with pytest.raises(QuoteNotFound, match="nothing was recorded: run the extractor on the stored text again"):
        record_finding(store, BY, 1, moved, done_when="It is capped", problem="Retries piled up")
    assert store.actions(ActionFilter()) == []

    action, created = record_finding(store, BY, 1, capped, done_when="It is capped", problem="Retries piled up")
    again, created_again = record_finding(store, BY, 1, capped, done_when="It is capped", problem="Retries piled up")
    assert (created, created_again, again.id) == (True, False, action.id)
    assert (action.proposed_owner, action.proposed_due) == ("kim", None)  # "next friday" is no date to propose
    cut, _ = record_finding(store, BY, 1, wordy, done_when="It pages", problem="Nobody saw the backlog")
    assert len(cut.text) <= MAX_TEXT
    assert cut.text.endswith("…")
    assert wordy.text.startswith(cut.text.removesuffix("…"))


def test_the_decision_commands_refuse_without_a_terminal(
    listed: Listed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(NoHumanChannel, match="run only in an interactive terminal"):
        require_terminal()
    for command in (["decide", "1"], ["triage", "1"], ["defer", "4"], ["revive", "5"], ["reopen", "7"]):
        assert main(["--db", str(listed.db), *command]) == 2
        assert "a decision must be typed by a person" in capsys.readouterr().err
    assert len(Store(listed.db, create=False).decisions()) == 7  # the fixture's own


def _on_a_terminal(columns: int, monkeypatch: pytest.MonkeyPatch, show: object) -> list[str]:
    """What `show()` writes to standard output when that is a real terminal `columns` wide, line by line."""
    primary, secondary = pty.openpty()
    try:
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        with os.fdopen(os.dup(secondary), "w", encoding="utf-8") as terminal:
            monkeypatch.setattr("sys.stdout", terminal)
            assert callable(show)
            show()
            terminal.flush()
        shown = b""
        while select.select([primary], [], [], 0.5)[0]:  # the terminal hands it over in pieces; all is written
            shown += os.read(primary, 65536)
    finally:
        os.close(primary)
        os.close(secondary)
    return shown.decode("utf-8").replace("\r\n", "\n").split("\n")


def test_what_the_questions_show_wraps_at_spaces_to_the_terminal_s_width(monkeypatch: pytest.MonkeyPatch) -> None:
    evidence = '  Evidence: "Add an alert on webhook delivery failures above 5% for 10 minutes. Owner: dana"'
    url = "  Evidence offered: https://git.example.com/payments/checkout/pull/4242/files#diff-0123456789"
    lines = _on_a_terminal(40, monkeypatch, lambda: say(f"{evidence}\n{url}"))

    assert lines[-1] == ""
    assert all(len(line) < 40 for line in lines if "https" not in line)
    assert " ".join(" ".join(lines).split()) == " ".join(f"{evidence} {url}".split())  # every word whole
    assert all(line.startswith("    ") for line in lines[1:3])  # continued two spaces deeper than its first
    assert any(line.strip() == url.split()[-1] for line in lines)  # a word wider than the terminal is never cut


def test_a_long_question_keeps_its_last_words_with_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    question = (
        "  2026-01-01 is in the past (today is 2026-12-04): the item would be overdue from the start. "
        "Use it anyway? [y/n] "
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    answers: list[str] = []
    lines = _on_a_terminal(50, monkeypatch, lambda: answers.append(ask_here(question)))

    assert answers == ["n"]
    assert lines[-1].endswith("Use it anyway? [y/n] ")
    assert all(len(line) < 50 for line in lines)
    assert " ".join(" ".join(lines).split()) == " ".join(question.split())


def test_a_short_line_or_one_not_for_a_terminal_is_shown_as_it_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "  Vague (better): an improvement without a target has no finish line: any change counts"
    say(long)
    assert capsys.readouterr().out == long + "\n"  # a pipe: no width to wrap to
    assert _on_a_terminal(120, monkeypatch, lambda: say(long)) == [long, ""]


def test_a_blank_reason_offered_leaves_no_dangling_line_in_the_question(listed: Listed) -> None:
    store, page = Store(listed.db, create=False), listed.ids["page"]
    blank = decisions.ask_confirmation(store, DecisionKind.KILL, page, reason=" \t ", evidence="  ")
    given = decisions.ask_confirmation(store, DecisionKind.KILL, page, reason="covered by the 5xx page")

    assert "Reason given" not in blank.message
    assert "Evidence offered" not in blank.message
    assert "Reason given: covered by the 5xx page" in given.message
