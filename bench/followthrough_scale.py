"""Follow-through at scale: server-side time of the review's queries on 10k, 100k and 1M actions.

    python bench/followthrough_scale.py [--sizes 10000,100000] [--runs 7] [--keep DIR] [--cpu]

Seeds a database per size (raw SQL, one transaction, through the guards, with a valid decision chain): ~45%
undecided candidates, ~15% killed, ~25% accepted (due 200 days ago to 120 ahead, some blocked or stale), ~15%
done (on time or late); ~25 actions per postmortem, 300 owners. Calls `list_overdue`, `review_agenda` (also
filtered by owner / postmortem) and `followthrough_report` (by postmortem, by owner) on a `Store`, fixed
`as_of`: median of N runs after a warm-up, growth between sizes, and the goals at 1M (overdue and agenda
< 50 ms, report < 2 s). Then `EXPLAIN QUERY PLAN` of every statement they ran, at the largest size.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from seed_db import CATEGORIES, CATEGORY_WEIGHTS, SEVERITIES, _sentence, _spread  # bench/ is sys.path[0]

from postmortem_actions.store import Store
from postmortem_actions.store.chain import decision_hash
from postmortem_actions.store.schema import GENESIS_HASH
from postmortem_actions.tools.followthrough.review import followthrough_report, list_overdue, review_agenda

AS_OF: Final = date(2025, 6, 2)
NOW: Final = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # seeded history ends before the review's as_of
FIRST = (
    "ana",
    "ben",
    "chen",
    "dana",
    "emeka",
    "farah",
    "gus",
    "hiro",
    "ines",
    "jon",
    "kofi",
    "lena",
    "mia",
    "noor",
    "omar",
    "pia",
    "raj",
    "sara",
    "tom",
    "yuki",
)
LAST = (
    "kim",
    "lopez",
    "ng",
    "okafor",
    "patel",
    "quinn",
    "rossi",
    "silva",
    "tan",
    "ueda",
    "vance",
    "wu",
    "xu",
    "young",
    "zhou",
)
OWNERS: Final = tuple(f"{first}.{last}" for first in FIRST for last in LAST)  # 300
BLOCKERS = (
    "waiting on vendor",
    "needs budget approval",
    "blocked by the platform migration",
    "waiting for security review",
    "owner on leave",
    "depends on the network team",
)
ACTION_SQL = (
    "INSERT INTO actions (id, postmortem_id, text, done_when, problem, category, size, quote, quote_start, "
    "quote_end, proposed_owner, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_SQL = (
    "UPDATE actions SET state = ?, owner = ?, due = ?, decision_id = ?, updated_at = ?, accepted_at = ?, "
    "completed_at = ?, work_status = ?, status_note = ?, status_at = ? WHERE id = ?"
)
Event = tuple[datetime, int, str, str, str]  # when, action id, kind, from state, to state


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _at(rng: random.Random, day: date) -> datetime:
    """A moment during working hours of `day`."""
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(seconds=rng.randrange(10 * 3600))


def _past(rng: random.Random, day: date, days: int = 30) -> date:
    """`day`, or a day of the last `days` when `day` is not before as_of (no pile-up on the eve of as_of)."""
    return day if day < AS_OF else AS_OF - timedelta(days=rng.randint(1, days))


def _plan(rng: random.Random, action_id: int, final: dict[int, tuple[Any, ...]], events: list[Event]) -> date:
    """Choose an action's fate and dates; record its decisions in `events`. Returns the day it was recorded."""
    r = rng.random()
    if r < 0.45:
        return AS_OF - timedelta(days=rng.randint(0, 540))
    owner = rng.choice(OWNERS)
    if r < 0.60:  # killed: mostly at triage, some after being accepted
        created = AS_OF - timedelta(days=rng.randint(5, 720))
        killed = _at(rng, max(created + timedelta(days=1), _past(rng, created + timedelta(days=rng.randint(1, 40)))))
        if rng.random() < 0.85:
            events.append((killed, action_id, "kill", "candidate", "killed"))
            final[action_id] = (None, None, None, None, None, None, None)
            return created
        accepted = killed - timedelta(days=rng.randint(1, 30))
        due = (accepted + timedelta(days=rng.randint(14, 120))).date().isoformat()
        events += [
            (accepted, action_id, "accept", "candidate", "accepted"),
            (killed, action_id, "kill", "accepted", "killed"),
        ]
        final[action_id] = (owner, due, _ts(accepted), None, None, None, None)
        return min(created, accepted.date() - timedelta(days=1))
    if r < 0.85:  # accepted, open
        due_day = AS_OF + timedelta(days=rng.randint(-200, 120))
        accepted = _at(rng, _past(rng, due_day - timedelta(days=rng.randint(14, 120)), 60))
        status, note, status_at = None, None, None
        if (s := rng.random()) < 0.63:
            status = "blocked" if s < 0.08 else "in_progress"
            note = rng.choice(BLOCKERS) if status == "blocked" else rng.choice((None, "on track", "half done"))
            span = max(1, (NOW - accepted).days)
            status_at = _ts(accepted + timedelta(days=rng.randint(0, span), seconds=rng.randrange(3600)))
        events.append((accepted, action_id, "accept", "candidate", "accepted"))
        final[action_id] = (owner, due_day.isoformat(), _ts(accepted), None, status, note, status_at)
        return accepted.date() - timedelta(days=rng.randint(1, 20))
    due_day = AS_OF + timedelta(days=rng.randint(-400, 60))  # done, on time or late
    accepted = _at(rng, _past(rng, due_day - timedelta(days=rng.randint(14, 120)), 60) - timedelta(days=7))
    done_day = max(accepted.date() + timedelta(days=1), _past(rng, due_day + timedelta(days=rng.randint(-45, 40))))
    completed = _at(rng, done_day)
    events += [
        (accepted, action_id, "accept", "candidate", "accepted"),
        (completed, action_id, "complete", "accepted", "done"),
    ]
    final[action_id] = (owner, due_day.isoformat(), _ts(accepted), _ts(completed), None, None, None)
    return accepted.date() - timedelta(days=rng.randint(1, 20))


def seed(path: Path, actions: int, seed: int = 20250602) -> float:
    """Write a database of `actions` actions at `path`; returns the seconds it took."""
    started = time.perf_counter()
    Store(path).close()  # schema, guards, migrations, exactly as the product creates them
    rng = random.Random(seed)
    pool = [_sentence(rng, 5, 25)[:500] for _ in range(5000)]
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys = ON", "journal_mode = OFF", "synchronous = OFF", "cache_size = -1000000"):
        conn.execute(f"PRAGMA {pragma}")  # a throwaway file; the schema and guards are unchanged
    conn.execute("BEGIN")
    # Rebuilt below from their own definitions (same schema): updating a dozen row by row made 1M seed 1.8x slower.
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'actions' AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    final: dict[int, tuple[Any, ...]] = {}
    events: list[Event] = []
    action_id, rows = 0, list[tuple[object, ...]]()
    for pm_id, n in enumerate(_spread(rng, actions, max(1, actions // 25)), start=1):
        text = f"# Incident {pm_id}\n\n" + "\n\n".join(rng.choices(pool, k=rng.randint(12, 40)))
        days: list[date] = []
        for _ in range(n):
            action_id += 1
            day = _plan(rng, action_id, final, events)
            days.append(day)
            made = _ts(_at(rng, day))
            start = rng.randrange(max(1, len(text) - 260))
            end = start + rng.randint(30, 250)
            problem = rng.choice(pool) + " " + rng.choice(pool)
            rows.append(
                (
                    action_id,
                    pm_id,
                    rng.choice(pool),
                    rng.choice(pool),
                    problem,
                    rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0],
                    rng.choice((None, "S", "M", "L")),
                    text[start:end],
                    start,
                    end,
                    rng.choice(OWNERS) if rng.random() < 0.4 else None,
                    made,
                    made,
                )
            )
        opened = min(days) - timedelta(days=1)
        conn.execute(
            "INSERT INTO postmortems (id, title, source, text, sha256, severity, incident_date, created_at, "
            "created_by) VALUES (?, ?, 'pasted', ?, ?, ?, ?, ?, ?)",
            (
                pm_id,
                f"Incident {pm_id}: {rng.choice(pool)}"[:300],
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                rng.choice(SEVERITIES),
                (opened - timedelta(days=rng.randint(0, 5))).isoformat(),
                _ts(_at(rng, opened)),
                rng.choice(OWNERS),
            ),
        )
        if len(rows) >= 20_000:
            conn.executemany(ACTION_SQL, rows)
            rows = []
    conn.executemany(ACTION_SQL, rows)
    events.sort()
    head = GENESIS_HASH
    for decision_id, (when, action, kind, from_state, to_state) in enumerate(events, start=1):
        owner, due, accepted_at, completed_at, status, note, status_at = final[action]
        keep = kind != "kill" or from_state == "accepted"  # a kill from accepted keeps owner and due
        row: dict[str, object] = {
            "id": decision_id,
            "action_id": action,
            "kind": kind,
            "from_state": from_state,
            "to_state": to_state,
            "owner": owner if keep else None,
            "due": due if keep else None,
            "reason": "not worth it" if kind == "kill" else None,
            "evidence": None,
            "decided_by": rng.choice(OWNERS),
            "channel": "terminal",
            "client": None,
            "decided_at": _ts(when),
        }
        row["prev_hash"] = head
        row["hash"] = head = decision_hash(head, row)
        conn.execute(f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)
        conn.execute(
            UPDATE_SQL,
            (
                to_state,
                row["owner"],
                row["due"],
                decision_id,
                row["decided_at"],
                accepted_at,
                completed_at if to_state == "done" else None,
                status,
                note,
                status_at,
                action,
            ),
        )
    for _, sql in indexes:
        conn.execute(sql)
    tickets = [
        (a, "jira", f"OPS-{a}", f"https://jira.example.com/browse/OPS-{a}", "open")
        for a, values in final.items()
        if values[0] is not None and rng.random() < 0.35
    ]
    conn.executemany("INSERT INTO tickets (action_id, tracker, ref, url, state) VALUES (?, ?, ?, ?, ?)", tickets)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return time.perf_counter() - started


CASES: Final[dict[str, Callable[[Store], object]]] = {
    "list_overdue": lambda s: list_overdue(s, as_of=AS_OF),
    "review_agenda": lambda s: review_agenda(s, as_of=AS_OF),
    "report/postmortem": lambda s: followthrough_report(s, as_of=AS_OF, group_by="postmortem"),
    "report/owner": lambda s: followthrough_report(s, as_of=AS_OF, group_by="owner"),
    "overdue owner=": lambda s: list_overdue(s, as_of=AS_OF, owner=OWNERS[0]),  # the filtered forms
    "agenda postmortem=": lambda s: review_agenda(s, as_of=AS_OF, postmortem_id=7),
}
GOALS: Final = dict(zip(CASES, (0.05, 0.05, 2.0, 2.0, 0.05, 0.05), strict=True))


def measure(store: Store, runs: int, clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Median seconds of each case over `runs` calls, after one warm-up call, on `clock`."""
    medians: dict[str, float] = {}
    for name, case in CASES.items():
        times = [0.0] * (runs + 1)
        for i in range(runs + 1):  # call 0 is the warm-up
            started = clock()
            case(store)
            times[i] = clock() - started
        medians[name] = statistics.median(times[1:])
    return medians


def plans(store: Store) -> None:
    """EXPLAIN QUERY PLAN and time (one run, rows fetched) of every statement the cases run on the store."""
    statements: list[str] = []
    with store._db() as db:
        db.set_trace_callback(statements.append)  # the store's own connection: the SQL exactly as it runs
        for case in CASES.values():
            case(store)
        db.set_trace_callback(None)
        for sql in dict.fromkeys(s for s in statements if s.lstrip().upper().startswith("SELECT")):
            flat = " ".join(sql.split())
            started = time.perf_counter()
            found = len(db.execute(sql).fetchall())
            took = (time.perf_counter() - started) * 1000
            print(f"\n-- {took:.1f} ms, {found:,} rows: {flat if len(flat) < 300 else flat[:300] + ' …'}")
            depth = {0: -1}
            for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"):
                depth[row["id"]] = depth.get(row["parent"], -1) + 1
                print(f"   {'  ' * depth[row['id']]}{row['detail']}")


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, measure, compare sizes, print the plans."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated action counts")
    parser.add_argument("--runs", type=int, default=7, help="timed calls per query (after one warm-up)")
    parser.add_argument("--keep", type=Path, help="seed into (or reuse databases from) this folder")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time on this process's CPU clock: what one free core takes (on a busy, shared machine wall time "
        "also counts the wait for a core)",
    )
    args = parser.parse_args(argv)
    clock, what = (time.process_time, "CPU time") if args.cpu else (time.perf_counter, "server-side time")
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="followthrough-") as tmp:
        folder = args.keep or Path(tmp)
        results: dict[int, dict[str, float]] = {}
        for size in sizes:
            path = folder / f"followthrough-{size}.db"
            if not path.exists():
                took = seed(path, size)
                print(f"seeded {size:,} actions in {took:.1f} s ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
            with Store(path, create=False) as store:
                overdue = list_overdue(store, as_of=AS_OF, limit=1).total
                print(f"{size:>9,} actions: {store.counts_by_state()}, {overdue:,} overdue on {AS_OF}", flush=True)
                results[size] = measure(store, args.runs, clock)
        print(
            f"\n{what} in ms, median of {args.runs} after a warm-up (as_of {AS_OF}); growth = time ratio / size ratio:"
        )
        print(f"{'actions':>10}" + "".join(f"{name:>20}" for name in CASES))
        for i, size in enumerate(sizes):
            print(f"{size:>10,}" + "".join(f"{results[size][n] * 1000:>20.1f}" for n in CASES))
            if i:
                prev = sizes[i - 1]
                print(
                    f"{'growth':>10}"
                    + "".join(f"{results[size][n] / results[prev][n]:>15.1f}x /{size / prev:.0f}x" for n in CASES)
                )
        largest = sizes[-1]
        print(f"\ngoals at 1M, checked at {largest:,} actions:")
        for n in CASES:
            verdict = "ok" if results[largest][n] < GOALS[n] else "MISSED"
            print(f"  {n:<20} {results[largest][n] * 1000:9.1f} ms  (goal < {GOALS[n] * 1000:.0f} ms) {verdict}")
        print(f"\nEXPLAIN QUERY PLAN at {largest:,} actions:")
        with Store(folder / f"followthrough-{largest}.db", create=False) as store:
            plans(store)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
