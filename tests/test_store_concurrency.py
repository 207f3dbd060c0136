"""Several OS processes on one database file: every acknowledged write lands, nobody sees "locked",
and a process killed mid-write leaves a consistent, verifiable database behind.

Children are real interpreters (`sys.executable -c SCRIPT`) talking to the parent over pipes; every wait
is bounded and there are no sleeps: the parent waits on lines the children print.
"""

from __future__ import annotations

import hashlib
import json
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import IO

import pytest

from postmortem_actions.store import ActionFilter, ActionState, Actor, DecisionKind, NewPostmortem, Store

pytestmark = pytest.mark.slow

WRITERS = 4
WRITES_PER_WRITER = 250
LINE_TIMEOUT_S = 60.0
FINISH_TIMEOUT_S = 240.0

POSTMORTEM_TEXT = (
    "During the outage the queue backed up for forty minutes before anyone noticed. "
    "We will add an alert on queue depth. We should rehearse the failover runbook every quarter."
)

# Shared by the child scripts: one candidate action whose evidence quote really occurs in the text.
_CHILD_PRELUDE = f"""
import json, os, sys, time
from datetime import date
from postmortem_actions.store import Actor, HumanDecision, NewAction, Store

TEXT = {POSTMORTEM_TEXT!r}
QUOTE = "add an alert on queue depth"
START = TEXT.index(QUOTE)
BY = Actor(actor="assistant", via="test")

def candidate(text):
    return NewAction(text=text, done_when="an alert pages on-call when depth exceeds 10k",
                     problem="slow detection", category="detect", quote=QUOTE,
                     quote_start=START, quote_end=START + len(QUOTE))

def human(kind, **values):
    return HumanDecision(kind=kind, decided_by="alice", channel="terminal", client="test", **values)
"""

# A writer: opens the store, reports ready, waits for "go" on stdin, then writes. Even iterations add a
# candidate, odd ones decide the oldest undecided candidate it added (accept and defer alternate).
WRITER_SCRIPT = (
    _CHILD_PRELUDE
    + """
path, worker, pm_id, writes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = Store(path)
print("ready", flush=True)
assert sys.stdin.readline().strip() == "go"
added, decided, pending = [], [], []
first = time.monotonic()
for i in range(writes):
    if i % 2 == 0:
        [(action, _)] = store.add_actions(pm_id, [candidate(f"worker {worker} item {i}")], BY)
        added.append(action.id)
        pending.append(action.id)
    else:
        action_id = pending.pop(0)
        if (i // 2) % 2 == 0:
            decision, action = store.record_decision(
                action_id, human("accept", owner=f"owner-{worker}", due=date(2031, 1, 1 + worker)))
        else:
            decision, action = store.record_decision(action_id, human("defer", reason="later"))
        decided.append([decision.id, action_id, str(decision.kind), str(action.state)])
last = time.monotonic()
print(json.dumps({"added": added, "decided": decided, "first": first, "last": last}), flush=True)
"""
)

# A reader: until stdin closes, checks that what it reads is consistent while the writers write.
READER_SCRIPT = """
import json, sys, threading
from postmortem_actions.store import ActionFilter, ActionState, Store

path = sys.argv[1]
store = Store(path)
stop = threading.Event()

def wait_for_eof():
    sys.stdin.read()
    stop.set()

print("ready", flush=True)
assert sys.stdin.readline().strip() == "go"
threading.Thread(target=wait_for_eof, daemon=True).start()
reads, problems = 0, []
while not stop.is_set() or reads == 0:
    report = store.verify()
    problems.extend(report.problems)
    accepted, total = store.list_actions(ActionFilter(state=ActionState.ACCEPTED), limit=1000, offset=0)
    if len(accepted) != total:
        problems.append(f"list_actions returned {len(accepted)} rows but a total of {total}")
    problems.extend(f"accepted action {a.id} has no owner or due date"
                    for a in accepted if a.owner is None or a.due is None or a.decision_id is None)
    reads += 1
print(json.dumps({"reads": reads, "problems": sorted(set(problems))}), flush=True)
"""

# A decider for the crash test: loops through whole lifecycles and acknowledges every recorded
# decision on stdout only after record_decision returned. It stops by itself after `limit` decisions.
DECIDER_SCRIPT = (
    _CHILD_PRELUDE
    + """
path, pm_id, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = Store(path)
steps = [
    ("accept", {"owner": "bob", "due": date(2031, 5, 1)}),
    ("replan", {"owner": "carol", "due": date(2031, 6, 1), "reason": "bob moved teams"}),
    ("complete", {}),
    ("reopen", {"reason": "the alert never fired in the drill"}),
    ("kill", {"reason": "superseded by the new queue"}),
]
recorded = 0
while recorded < limit:
    [(action, _)] = store.add_actions(pm_id, [candidate(f"lifecycle {os.getpid()} {recorded}")], BY)
    for kind, values in steps:
        decision, _ = store.record_decision(action.id, human(kind, **values))
        print(decision.id, flush=True)
        recorded += 1
"""
)


class Child:
    """One child interpreter: stdout is pumped into a queue by a thread so every read can time out."""

    def __init__(self, script: str, args: list[str], stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        with stderr_path.open("w") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", script, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._pump = threading.Thread(target=self._read_stdout, daemon=True)
        self._pump.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def line(self, timeout: float = LINE_TIMEOUT_S) -> str | None:
        """The next line the child printed, or None once it closed stdout (exited)."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"child printed nothing for {timeout} s; stderr:\n{self.stderr()}") from None

    def expect(self, text: str) -> None:
        got = self.line()
        assert got == text, f"child said {got!r} instead of {text!r}; stderr:\n{self.stderr()}"

    def send(self, text: str) -> None:
        stdin = self._stdin()
        stdin.write(text)
        stdin.flush()

    def close_stdin(self) -> None:
        self._stdin().close()

    def _stdin(self) -> IO[str]:
        assert self.proc.stdin is not None
        return self.proc.stdin

    def wait(self, timeout: float = FINISH_TIMEOUT_S) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"child still running after {timeout} s; stderr:\n{self.stderr()}") from None

    def remaining_lines(self) -> list[str]:
        """Every line not read yet, up to the child's exit (call after it exited)."""
        lines: list[str] = []
        while (line := self.line()) is not None:
            lines.append(line)
        return lines

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def cleanup(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._pump.join(timeout=30)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                with suppress(BrokenPipeError):  # a killed child cannot take what is left in stdin
                    stream.close()


@contextmanager
def children() -> Iterator[list[Child]]:
    """Collects children and kills and reaps every one of them however the test ends."""
    started: list[Child] = []
    try:
        yield started
    finally:
        for child in started:
            child.cleanup()


def _new_database(path: Path) -> int:
    store = Store(path)
    postmortem, _ = store.add_postmortem(
        NewPostmortem(
            title="Queue outage",
            source="pasted",
            text=POSTMORTEM_TEXT,
            sha256=hashlib.sha256(POSTMORTEM_TEXT.encode()).hexdigest(),
            severity="SEV2",
        ),
        Actor(actor="alice", via="test"),
    )
    return postmortem.id


def test_four_processes_writing_at_once_all_succeed_and_every_write_lands(tmp_path: Path) -> None:
    path = tmp_path / "actions.db"
    pm_id = _new_database(path)
    with children() as started:
        writers = []
        for worker in range(WRITERS):
            child = Child(
                WRITER_SCRIPT,
                [str(path), str(worker), str(pm_id), str(WRITES_PER_WRITER)],
                tmp_path / f"writer-{worker}.err",
            )
            started.append(child)
            writers.append(child)
        reader = Child(READER_SCRIPT, [str(path)], tmp_path / "reader.err")
        started.append(reader)
        for child in started:  # the barrier: every process has opened the store before anyone writes
            child.expect("ready")
        for child in started:
            child.send("go\n")
        for child in writers:
            child.close_stdin()

        summaries = []
        for worker, child in enumerate(writers):
            code = child.wait()
            lines = child.remaining_lines()
            stderr = child.stderr()
            assert code == 0, f"writer {worker} exited {code}:\n{stderr}"
            assert "locked" not in stderr.lower(), stderr
            assert stderr == "", stderr
            assert len(lines) == 1, lines
            summaries.append(json.loads(lines[0]))
        reader.close_stdin()
        assert reader.wait() == 0, reader.stderr()
        reader_lines = reader.remaining_lines()
        assert "locked" not in reader.stderr().lower(), reader.stderr()
        assert reader.stderr() == ""

    # The writers really overlapped: each one started before every other one had finished.
    assert max(s["first"] for s in summaries) < min(s["last"] for s in summaries)

    store = Store(path)
    added = [a for s in summaries for a in s["added"]]
    decided = [d for s in summaries for d in s["decided"]]
    assert len(added) + len(decided) == WRITERS * WRITES_PER_WRITER
    assert len(set(added)) == len(added)

    with closing(sqlite3.connect(path)) as conn:
        actions = conn.execute("SELECT count(*) FROM actions").fetchone()[0]
        decisions = conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
    assert actions + decisions == WRITERS * WRITES_PER_WRITER
    assert (actions, decisions) == (len(added), len(decided))

    by_id = {d.id: d for d in store.decisions()}
    assert set(by_id) == {d[0] for d in decided}
    for decision_id, action_id, kind, state in decided:
        assert (by_id[decision_id].action_id, str(by_id[decision_id].kind)) == (action_id, kind)
        assert store.get_action(action_id).state == ActionState(state)
    accepts = sum(1 for d in decided if d[2] == DecisionKind.ACCEPT)
    assert store.list_actions(ActionFilter(state=ActionState.ACCEPTED), limit=1, offset=0)[1] == accepts
    assert len(store.audit_log("postmortem", pm_id)) == 1

    report = store.verify()
    assert report.ok, report.problems
    assert report.decisions == len(decided)

    assert len(reader_lines) == 1, reader_lines
    reader_summary = json.loads(reader_lines[0])
    assert reader_summary["reads"] > 0
    assert reader_summary["problems"] == []


def test_decisions_acknowledged_before_a_sigkill_survive_and_the_file_stays_consistent(tmp_path: Path) -> None:
    path = tmp_path / "actions.db"
    pm_id = _new_database(path)
    acknowledged: list[int] = []
    rounds = 8
    for round_ in range(rounds):
        wanted = 3 + 2 * round_  # kill at a different point of the lifecycle each round
        with children() as started:
            child = Child(DECIDER_SCRIPT, [str(path), str(pm_id), "100000"], tmp_path / f"decider-{round_}.err")
            started.append(child)
            for _ in range(wanted):
                line = child.line()
                assert line is not None, f"decider exited early:\n{child.stderr()}"
                acknowledged.append(int(line))
            child.proc.kill()
            assert child.wait(timeout=30) == -signal.SIGKILL
            # Lines already in the pipe when the kill landed were acknowledged too.
            acknowledged.extend(int(line) for line in child.remaining_lines())
            assert "locked" not in child.stderr().lower(), child.stderr()

    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {row[0] for row in conn.execute("SELECT id FROM decisions")}
    assert len(set(acknowledged)) == len(acknowledged)
    missing = set(acknowledged) - stored
    assert not missing, f"acknowledged decisions lost after SIGKILL: {sorted(missing)}"
    # At most the one decision committed between its COMMIT and its print per kill is unacknowledged.
    assert len(stored) - len(acknowledged) <= rounds

    store = Store(path)
    report = store.verify()
    assert report.ok, report.problems
    assert report.decisions == len(stored)
