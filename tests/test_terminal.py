"""The human's terminal channel, `postmortem-actions decide ID` and `triage POSTMORTEM`, driven as a person
drives it: the installed console script on a real pseudo-terminal, answers typed line by line.

Every test checks what the person sees and what the store holds afterwards. Every read is bounded by
`select` against one deadline per run, nothing sleeps, and each child is killed and reaped in a finally.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal

import pyte
import pytest

from postmortem_actions.store import (
    ActionFilter,
    ActionState,
    Actor,
    Channel,
    Decision,
    DecisionKind,
    HumanDecision,
    NewAction,
    Store,
)
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.postmortems import parse_postmortem

pytestmark = pytest.mark.slow

CHOICES = "[a]ccept, [k]ill, [d]efer, [r]eword or [s]kip? "
RUN_BUDGET_S = 20.0  # one deadline for everything a single run of the command may take
USER = "carol"
CLIENT_PREFIX = "postmortem-actions-cli/"
DUE = date.today() + timedelta(days=40)  # always ahead: a past due date is confirmed first (issue 13)
LATER = DUE + timedelta(days=45)
EOT = b"\x04"  # what Ctrl-D sends at the start of a line

POSTMORTEM = """\
# Checkout outage

Severity: SEV2

## Action items

- Add an alert on checkout error rate above 2%.
- Rehearse the payment provider failover every quarter.
- Document the manual refund procedure for double charges.
"""

# (text, quote, proposed owner): three candidates whose quotes occur in POSTMORTEM, in id order.
CANDIDATES: tuple[tuple[str, str, str | None], ...] = (
    (
        "Page checkout on-call when the error rate exceeds 2% for 5 minutes",
        "Add an alert on checkout error rate above 2%",
        "dana",
    ),
    ("Run a quarterly payment provider failover drill", "Rehearse the payment provider failover every quarter", "erin"),
    (
        "Write the manual refund procedure into the checkout runbook",
        "Document the manual refund procedure for double charges",
        None,
    ),
)


def console_script() -> list[str]:
    """The installed `postmortem-actions` script, else the module run by this interpreter."""
    beside = Path(sys.executable).parent / "postmortem-actions"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("postmortem-actions")
    return [found] if found else [sys.executable, "-m", "postmortem_actions.server"]


@dataclass(frozen=True)
class Seeded:
    """A database with one postmortem and three candidates, and the environment the command runs with."""

    store: Store
    postmortem_id: int
    action_ids: tuple[int, ...]
    env: dict[str, str]


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    db = tmp_path / "actions.db"
    store = Store(db)
    by = Actor(actor="assistant", via="test")
    parsed = parse_postmortem(store, by, ReadPolicy(allowed_dirs=(), max_bytes=64_000), text=POSTMORTEM)
    text = store.get_postmortem(parsed.postmortem_id).text
    new = []
    for wording, quote, owner in CANDIDATES:
        start = text.index(quote)
        new.append(
            NewAction(
                text=wording,
                done_when="Reviewed and merged",
                problem="Customers saw it first",
                category="detect",
                quote=quote,
                quote_start=start,
                quote_end=start + len(quote),
                proposed_owner=owner,
            )
        )
    ids = tuple(action.id for action, _ in store.add_actions(parsed.postmortem_id, new, by))
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    env = {**inherited, "POSTMORTEM_ACTIONS_DB": str(db), "POSTMORTEM_ACTIONS_USER": USER}
    return Seeded(store=store, postmortem_id=parsed.postmortem_id, action_ids=ids, env=env)


def seed_decision(store: Store, action_id: int, kind: DecisionKind, **values: object) -> None:
    """A decision recorded before the test (by someone else, through another channel)."""
    store.record_decision(
        action_id,
        HumanDecision.model_validate(
            {"kind": kind, "decided_by": "alice", "channel": Channel.ELICITATION, "client": "seed", **values}
        ),
    )


def by_the_person(decision: Decision) -> None:
    """The decision names the configured human and the terminal channel, as the CLI's client."""
    assert decision.decided_by == USER
    assert decision.channel is Channel.TERMINAL
    assert decision.client is not None
    assert decision.client.startswith(CLIENT_PREFIX)


class Terminal:
    """One run of the console script on a fresh pseudo-terminal: stdin, stdout and stderr are its other end.

    `expect` reads (bounded by `select` and the run's deadline) until a text appears after everything
    matched before, so prompts asked twice are told apart. Leaving the `with` block kills and reaps the child.
    """

    def __init__(
        self, args: Sequence[str], env: Mapping[str, str], *, stderr: int | None = None, columns: int = 0
    ) -> None:
        self.deadline = time.monotonic() + RUN_BUDGET_S
        self.columns = columns
        self._raw = b""
        self._seen = 0
        self._eof = False
        self._fd, secondary = pty.openpty()
        if columns:  # the terminal's size, as a terminal window of this width tells the program it runs in
            fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        try:
            self.proc = subprocess.Popen(
                [*console_script(), *args],
                stdin=secondary,
                stdout=secondary,
                stderr=secondary if stderr is None else stderr,
                env=dict(env),
                start_new_session=True,
                close_fds=True,
            )
        except BaseException:
            os.close(self._fd)
            raise
        finally:
            os.close(secondary)  # the child holds its copies; EOF on ours means the child is gone

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session, so its own process group
            self.proc.wait(timeout=10)
        finally:
            os.close(self._fd)

    @property
    def screen(self) -> str:
        """Everything the terminal showed so far (typed answers are echoed), with plain newlines."""
        return self._raw.decode("utf-8", "replace").replace("\r\n", "\n")

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    def _pump(self) -> None:
        ready, _, _ = select.select([self._fd], [], [], max(0.0, min(self._left(), 1.0)))
        if not ready:
            return
        try:
            chunk = os.read(self._fd, 4096)
        except OSError:  # EIO: every other end of the terminal is closed
            chunk = b""
        if chunk:
            self._raw += chunk
        else:
            self._eof = True

    def expect(self, text: str) -> str:
        """Read until `text` shows up after the last match; returns what was shown up to and including it."""
        while True:
            screen = self.screen
            found = screen.find(text, self._seen)
            if found >= 0:
                shown, self._seen = screen[self._seen : found + len(text)], found + len(text)
                return shown
            if self._eof or self._left() <= 0:
                why = "the command ended" if self._eof else f"{RUN_BUDGET_S:.0f} s passed"
                raise AssertionError(f"{why} before the terminal showed {text!r}; it showed:\n{screen}")
            self._pump()

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            _, writable, _ = select.select([], [self._fd], [], max(0.0, self._left()))
            assert writable, f"the terminal took no input for {RUN_BUDGET_S:.0f} s"
            view = view[os.write(self._fd, view) :]

    def answer(self, prompt: str, reply: str) -> str:
        """Wait for `prompt`, then type `reply` and Enter; returns what was shown up to the prompt."""
        shown = self.expect(prompt)
        self.send(reply.encode() + b"\n")
        return shown

    def exit_status(self) -> int:
        """Read the rest of what it shows until it exits; its exit status."""
        while not self._eof and self._left() > 0:
            self._pump()
        assert self._eof, f"still running after {RUN_BUDGET_S:.0f} s; it showed:\n{self.screen}"
        return self.proc.wait(timeout=max(0.1, self._left()))

    def drawn(self) -> list[str]:
        """What the person sees: everything shown, drawn by a terminal emulator `columns` wide (colours applied, not
        shown as codes), without the blank lines at the end."""
        screen = pyte.Screen(self.columns or 80, 2000)
        pyte.ByteStream(screen).feed(self._raw)
        lines = [line.rstrip() for line in screen.display]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def rest(self) -> str:
        """What was shown after the last match (call after `exit_status`)."""
        return self.screen[self._seen :]


def decisions_after(store: Store, before: int) -> list[Decision]:
    return store.decisions()[before:]


# -- candidates --------------------------------------------------------------------------------------------


def test_triage_accepts_a_candidate_with_the_proposed_owner_and_an_edited_due_date_re_asking_a_malformed_date(
    seeded: Seeded,
) -> None:
    first, second, third = seeded.action_ids
    with Terminal(["triage", str(seeded.postmortem_id)], seeded.env) as term:
        term.expect("Checkout outage: 3 undecided candidate(s)")
        shown = term.expect(CHOICES)
        assert "--- 1 of 3 ---" in shown
        assert f'Action #{first} from "Checkout outage" (SEV2): {CANDIDATES[0][0]}' in shown
        assert f'Evidence: "{CANDIDATES[0][1]}"' in shown
        assert "Proposed: owner dana, due " in shown
        term.send(b"a\n")
        term.answer("Owner [dana]: ", "")
        term.answer("Due date [", "2027-02-30")
        term.expect("'2027-02-30' is not a date: write it as YYYY-MM-DD")
        term.answer("Due date [", str(DUE))
        term.answer(f"Accept #{first}: owner dana, due {DUE}? [y/n] ", "y")
        term.expect(f"{USER} accepted action {first} to dana, due {DUE} (decision #1, via terminal).")
        term.answer(CHOICES, "s")
        term.answer(CHOICES, "s")
        term.expect("Decided 1 of 3.")
        assert term.exit_status() == 0

    [decision] = seeded.store.decisions()
    assert (decision.action_id, decision.kind, decision.owner, decision.due) == (
        first,
        DecisionKind.ACCEPT,
        "dana",
        DUE,
    )
    by_the_person(decision)
    action = seeded.store.get_action(first)
    assert (action.state, action.owner, action.due, action.decision_id) == (
        ActionState.ACCEPTED,
        "dana",
        DUE,
        decision.id,
    )
    assert {seeded.store.get_action(i).state for i in (second, third)} == {ActionState.CANDIDATE}


def test_decide_kills_a_candidate_with_a_confirmed_reason_and_re_asks_an_empty_one_saying_what_is_needed(
    seeded: Seeded,
) -> None:
    action_id = seeded.action_ids[1]
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "k")
        term.answer("Reason to kill it: ", "   ")
        term.expect("A kill needs a reason: say why it will not be done")
        term.answer("Reason to kill it: ", "covered by the provider's own drills")
        term.answer(f'Kill #{action_id}, because "covered by the provider\'s own drills"? [y/n] ', "y")
        term.expect(f"{USER} killed action {action_id} (decision #1, via terminal).")
        assert term.exit_status() == 0

    [decision] = seeded.store.decisions()
    assert (decision.action_id, decision.kind, decision.reason) == (
        action_id,
        DecisionKind.KILL,
        "covered by the provider's own drills",
    )
    assert (decision.owner, decision.due) == (None, None)
    by_the_person(decision)
    action = seeded.store.get_action(action_id)
    assert (action.state, action.owner, action.due) == (ActionState.KILLED, None, None)


def test_defer_records_a_defer_decision_and_the_item_stays_a_candidate(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "d")
        term.answer("Revisit on [optional]: ", "")
        term.answer("Note (optional): ", "wait for the error-budget review")
        term.answer(f'Defer #{action_id}: "wait for the error-budget review"? [y/n] ', "y")
        term.expect(f"{USER} deferred action {action_id} (decision #1, via terminal).")
        assert term.exit_status() == 0

    [decision] = seeded.store.decisions()
    assert (decision.action_id, decision.kind, decision.owner, decision.due) == (
        action_id,
        DecisionKind.DEFER,
        None,
        None,
    )
    assert decision.reason == "wait for the error-budget review"
    by_the_person(decision)
    action = seeded.store.get_action(action_id)
    assert (action.state, action.owner, action.due) == (ActionState.CANDIDATE, None, None)
    still_open = seeded.store.actions(ActionFilter(postmortem_id=seeded.postmortem_id, state=ActionState.CANDIDATE))
    assert action_id in [a.id for a in still_open]


def test_skip_records_nothing(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    before = seeded.store.get_action(action_id)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "s")
        term.expect("Skipped; nothing recorded.")
        assert term.exit_status() == 0

    assert seeded.store.decisions() == []
    assert seeded.store.get_action(action_id) == before


def test_answering_no_at_the_accept_confirmation_asks_again_and_records_nothing(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    before = seeded.store.get_action(action_id)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer(CHOICES, "a")
        term.answer("Owner [dana]: ", "frank")
        term.answer("Due date [", str(DUE))
        term.answer(f"Accept #{action_id}: owner frank, due {DUE}? [y/n] ", "n")
        term.expect("Nothing recorded yet; choose again.")
        shown = term.answer(CHOICES, "s")  # asked again about the same item, skip among the choices
        assert f"Action #{action_id} from" in shown
        term.expect("Skipped; nothing recorded.")
        assert term.exit_status() == 0
        assert "accepted action" not in term.screen

    assert seeded.store.decisions() == []
    after = seeded.store.get_action(action_id)
    assert after == before
    assert (after.state, after.owner, after.due) == (ActionState.CANDIDATE, None, None)


# -- accepted and done items -------------------------------------------------------------------------------


def test_decide_on_an_accepted_item_re_plans_it_to_a_new_owner_and_date_with_a_reason(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    seed_decision(seeded.store, action_id, DecisionKind.ACCEPT, owner="dana", due=DUE)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        shown = term.answer("[r]e-plan, [c]omplete, [k]ill or [s]kip? ", "r")
        assert f"#{action_id} is accepted: owner dana, due {DUE}" in shown
        term.answer("New owner [dana]: ", "erin")
        term.answer(f"New due date [{DUE}]: ", str(LATER))
        term.answer("Reason: ", "dana moved to the payments team")
        term.answer(f"Re-plan #{action_id} to erin, due {LATER}? [y/n] ", "y")
        term.expect(f"{USER} replanned action {action_id} to erin, due {LATER} (decision #2, via terminal).")
        assert term.exit_status() == 0

    [decision] = decisions_after(seeded.store, 1)
    assert (decision.kind, decision.owner, decision.due) == (DecisionKind.REPLAN, "erin", LATER)
    assert decision.reason == "dana moved to the payments team"
    by_the_person(decision)
    action = seeded.store.get_action(action_id)
    assert (action.state, action.owner, action.due) == (ActionState.ACCEPTED, "erin", LATER)


def test_decide_on_an_accepted_item_completes_it_with_evidence(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    seed_decision(seeded.store, action_id, DecisionKind.ACCEPT, owner="dana", due=DUE)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer("[r]e-plan, [c]omplete, [k]ill or [s]kip? ", "c")
        term.answer("Evidence it is done (PR, link): ", "https://git.example.com/checkout/pull/42")
        term.answer(f"Mark #{action_id} done (evidence: https://git.example.com/checkout/pull/42)? [y/n] ", "y")
        term.expect(f"{USER} completed action {action_id} (decision #2, via terminal).")
        assert term.exit_status() == 0

    [decision] = decisions_after(seeded.store, 1)
    assert (decision.kind, decision.evidence) == (DecisionKind.COMPLETE, "https://git.example.com/checkout/pull/42")
    assert (decision.owner, decision.due) == ("dana", DUE)  # completing keeps who and when
    by_the_person(decision)
    action = seeded.store.get_action(action_id)
    assert (action.state, action.owner, action.due) == (ActionState.DONE, "dana", DUE)


def test_decide_on_an_accepted_item_kills_it_with_a_reason(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    seed_decision(seeded.store, action_id, DecisionKind.ACCEPT, owner="dana", due=DUE)
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.answer("[r]e-plan, [c]omplete, [k]ill or [s]kip? ", "k")
        term.answer("Reason: ", "superseded by the new alerting stack")
        term.answer(f'Kill #{action_id}, because "superseded by the new alerting stack"? [y/n] ', "y")
        term.expect(f"{USER} killed action {action_id} (decision #2, via terminal).")
        assert term.exit_status() == 0

    [decision] = decisions_after(seeded.store, 1)
    assert (decision.kind, decision.from_state, decision.to_state) == (
        DecisionKind.KILL,
        ActionState.ACCEPTED,
        ActionState.KILLED,
    )
    assert decision.reason == "superseded by the new alerting stack"
    by_the_person(decision)
    assert seeded.store.get_action(action_id).state is ActionState.KILLED


def test_decide_on_a_done_item_reopens_it_with_a_reason(seeded: Seeded) -> None:
    action_id = seeded.action_ids[0]
    seed_decision(seeded.store, action_id, DecisionKind.ACCEPT, owner="dana", due=DUE)
    seed_decision(seeded.store, action_id, DecisionKind.COMPLETE, evidence="PR 42")
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.expect(f"#{action_id} is done: owner dana, due {DUE}")
        term.answer("[r]eopen or [s]kip? ", "r")
        term.answer("Reason: ", "")
        term.expect("Reopening needs a reason: say what is not done after all.")
        term.answer("Reason: ", "the alert did not fire in the drill")
        term.answer(f'Reopen #{action_id}, because "the alert did not fire in the drill"? [y/n] ', "y")
        term.expect(f"{USER} reopened action {action_id} (decision #3, via terminal).")
        assert term.exit_status() == 0

    [decision] = decisions_after(seeded.store, 2)
    assert (decision.kind, decision.from_state, decision.to_state) == (
        DecisionKind.REOPEN,
        ActionState.DONE,
        ActionState.ACCEPTED,
    )
    assert (decision.owner, decision.due, decision.reason) == ("dana", DUE, "the alert did not fire in the drill")
    by_the_person(decision)
    action = seeded.store.get_action(action_id)
    assert (action.state, action.owner, action.due) == (ActionState.ACCEPTED, "dana", DUE)


# -- walking a postmortem ----------------------------------------------------------------------------------


def test_triage_walks_the_candidates_in_order_and_reports_how_many_were_decided(seeded: Seeded) -> None:
    first, second, _ = seeded.action_ids
    with Terminal(["triage", str(seeded.postmortem_id)], seeded.env) as term:
        for number, (action_id, (wording, _, _)) in enumerate(zip(seeded.action_ids, CANDIDATES, strict=True), 1):
            shown = term.expect(CHOICES)
            assert f"--- {number} of 3 ---" in shown
            assert f'Action #{action_id} from "Checkout outage" (SEV2): {wording}' in shown
            if action_id == first:
                term.send(b"a\n")
                term.answer("Owner [dana]: ", "")
                term.answer("Due date [", str(DUE))
                term.answer("? [y/n] ", "y")
                term.expect(f"{USER} accepted action {first}")
            elif action_id == second:
                term.send(b"k\n")
                term.answer("Reason to kill it: ", "the provider runs this drill")
                term.answer("? [y/n] ", "y")
                term.expect(f"{USER} killed action {second}")
            else:
                term.send(b"s\n")
                term.expect("Skipped; nothing recorded.")
        term.expect("Decided 2 of 3.")
        assert term.exit_status() == 0

    log = seeded.store.decisions()
    assert [(d.action_id, d.kind) for d in log] == [(first, DecisionKind.ACCEPT), (second, DecisionKind.KILL)]
    for decision in log:
        by_the_person(decision)
    assert [seeded.store.get_action(i).state for i in seeded.action_ids] == [
        ActionState.ACCEPTED,
        ActionState.KILLED,
        ActionState.CANDIDATE,
    ]


def test_ctrl_d_in_the_middle_stops_with_130_keeping_earlier_decisions_and_recording_nothing_for_the_current_item(
    seeded: Seeded,
) -> None:
    first, second, _ = seeded.action_ids
    with Terminal(["triage", str(seeded.postmortem_id)], seeded.env) as term:
        term.answer(CHOICES, "a")
        term.answer("Owner [dana]: ", "")
        term.answer("Due date [", str(DUE))
        term.answer("? [y/n] ", "y")
        term.expect(f"{USER} accepted action {first}")
        term.expect("--- 2 of 3 ---")
        term.answer(CHOICES, "a")
        term.answer("Owner [erin]: ", "")
        term.expect("Due date [")
        term.send(EOT)
        term.expect("stopped; what was decided before stays recorded, nothing else.")
        assert term.exit_status() == 130
        assert "Decided" not in term.screen

    [decision] = seeded.store.decisions()
    assert (decision.action_id, decision.kind, decision.owner, decision.due) == (
        first,
        DecisionKind.ACCEPT,
        "dana",
        DUE,
    )
    by_the_person(decision)
    interrupted = seeded.store.get_action(second)
    assert (interrupted.state, interrupted.owner, interrupted.due) == (ActionState.CANDIDATE, None, None)


def test_the_questions_show_on_the_terminal_even_when_stderr_is_redirected(seeded: Seeded) -> None:
    # `decide 1 2>errors.log`: stdin and stdout are the terminal, so it runs; every prompt, above all the
    # confirmation naming the owner and due date, must be on that terminal, not in the log.
    action_id = seeded.action_ids[0]
    with Terminal(["decide", str(action_id)], seeded.env, stderr=subprocess.DEVNULL) as term:
        term.answer(CHOICES, "a")
        term.answer("Owner [dana]: ", "")
        term.answer("Due date [", str(DUE))
        term.answer(f"Accept #{action_id}: owner dana, due {DUE}? [y/n] ", "y")
        term.expect(f"{USER} accepted action {action_id} to dana, due {DUE}")
        assert term.exit_status() == 0

    [decision] = seeded.store.decisions()
    assert (decision.kind, decision.owner, decision.due) == (DecisionKind.ACCEPT, "dana", DUE)
    by_the_person(decision)


# -- refusals ----------------------------------------------------------------------------------------------

Stdin = Literal["devnull", "pipe", "tty"]
Stdout = Literal["pipe", "tty"]
SCRIPTED_ANSWERS = f"a\n\n{DUE}\ny\n".encode()


@pytest.mark.parametrize("command", ["decide", "triage"])
@pytest.mark.parametrize(
    ("stdin", "stdout"),
    [
        ("devnull", "pipe"),  # run from a script or an assistant's shell tool
        ("pipe", "pipe"),  # answers piped in, output captured
        ("tty", "pipe"),  # a terminal to type on, but the output goes somewhere the person does not see
        ("pipe", "tty"),  # answers piped in, output on a terminal
    ],
)
def test_without_an_interactive_terminal_decide_and_triage_refuse_and_record_nothing(
    seeded: Seeded, command: str, stdin: Stdin, stdout: Stdout
) -> None:
    target = str(seeded.action_ids[0] if command == "decide" else seeded.postmortem_id)
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*console_script(), command, target],
            stdin={"devnull": subprocess.DEVNULL, "pipe": subprocess.PIPE, "tty": secondary}[stdin],
            stdout=subprocess.PIPE if stdout == "pipe" else secondary,
            stderr=subprocess.PIPE,
            env=seeded.env,
            start_new_session=True,
            close_fds=True,
        )
        try:
            out, err = proc.communicate(SCRIPTED_ANSWERS if stdin == "pipe" else None, timeout=RUN_BUDGET_S)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    finally:
        os.close(primary)
        os.close(secondary)

    assert proc.returncode == 2
    message = err.decode()
    assert "run only in an interactive terminal" in message
    assert "typed by a person" in message
    assert "[a]ccept" not in (out or b"").decode() + message
    assert seeded.store.decisions() == []
    assert {seeded.store.get_action(i).state for i in seeded.action_ids} == {ActionState.CANDIDATE}


@pytest.mark.parametrize(
    "bypass", [["--yes"], ["--force"], ["-y"], ["--yes", "--force", "-y"]], ids=["--yes", "--force", "-y", "all-three"]
)
def test_there_is_no_flag_that_skips_the_questions(seeded: Seeded, bypass: list[str]) -> None:
    with Terminal(["decide", str(seeded.action_ids[0]), *bypass], seeded.env) as term:
        term.expect("unrecognized arguments: " + " ".join(bypass))
        assert term.exit_status() == 2
        assert "usage: postmortem-actions" in term.screen
        assert "[a]ccept" not in term.screen

    assert seeded.store.decisions() == []
    assert seeded.store.get_action(seeded.action_ids[0]).state is ActionState.CANDIDATE


@pytest.mark.parametrize(
    ("command", "says"), [("decide", "no action has id 999"), ("triage", "no postmortem has id 999")]
)
def test_an_unknown_id_exits_2_and_says_so(seeded: Seeded, command: str, says: str) -> None:
    with Terminal([command, "999"], seeded.env) as term:
        term.expect(f"postmortem-actions: {says}")
        assert term.exit_status() == 2
        assert "Traceback" not in term.screen

    assert seeded.store.decisions() == []


@pytest.mark.parametrize("command", ["decide", "triage"])
def test_an_item_that_changed_while_the_person_was_answering_is_not_decided_on_the_stale_question(
    seeded: Seeded, command: str
) -> None:
    action_id = seeded.action_ids[0]
    target = str(action_id if command == "decide" else seeded.postmortem_id)
    with Terminal([command, target], seeded.env) as term:
        shown = term.expect(CHOICES)
        assert "Proposed: owner dana" in shown
        # The assistant revises the candidate while the question is on the person's screen.
        changed = seeded.store.revise_candidate(
            action_id, {"proposed_owner": "mallory"}, Actor(actor="assistant", via="test")
        )
        term.send(b"a\n")
        term.answer("Owner [dana]: ", "")
        term.answer("Due date [", str(DUE))
        term.answer(f"Accept #{action_id}: owner dana, due {DUE}? [y/n] ", "y")
        said = term.expect("nothing was recorded, ask again")
        assert f"action {action_id} changed after the human was asked" in said
        if command == "triage":
            term.answer(CHOICES, "s")
            term.answer(CHOICES, "s")
            term.expect("Decided 0 of 3.")
        assert term.exit_status() == (2 if command == "decide" else 0)
        assert "accepted action" not in term.screen

    assert seeded.store.decisions() == []
    after = seeded.store.get_action(action_id)
    assert after == changed
    assert (after.state, after.owner, after.due, after.proposed_owner) == (ActionState.CANDIDATE, None, None, "mallory")


def test_a_vague_candidate_shows_why_it_is_vague_before_the_human_commits_to_it(seeded: Seeded) -> None:
    action_id = seeded.action_ids[1]
    seeded.store.revise_candidate(
        action_id, {"text": "Look into the payment provider failover"}, Actor(actor="assistant", via="test")
    )
    with Terminal(["decide", str(action_id)], seeded.env) as term:
        term.expect("Vague (Look into): it names an activity, not a result")
        term.answer(CHOICES, "s")
        assert term.exit_status() == 0
    assert seeded.store.decisions() == []


def test_a_concrete_candidate_shows_no_vagueness_warning(seeded: Seeded) -> None:
    with Terminal(["decide", str(seeded.action_ids[0])], seeded.env) as term:
        term.answer(CHOICES, "s")
        assert term.exit_status() == 0
        assert "Vague" not in term.screen
