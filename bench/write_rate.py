"""How many writes one process gets through the single SQLite writer: where one node stops being enough.

    python bench/write_rate.py [--writes 2000] [--dir DIR]

In a fresh database (in DIR, default the system's temporary folder: put it on the disk the server would use,
since every commit is fsynced) holding postmortems of ten action items each, one process records WRITES
candidates one call at a time through `record_candidates` (the evidence check, the coverage gap and the store,
as the MCP tool runs them), then accepts each with `Store.record_decision` (the gate's checks, the hash chain,
the SQL guards: what a human's answer costs). Prints, as JSON lines, writes per second and p50/p99 milliseconds
for each, and how far that is above the demand of a large engineering organisation (10k actions a year, each
written about four times, and a review meeting deciding 60 items in ten minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from timing import p99  # bench/ is sys.path[0]

from postmortem_actions.store import Actor, Category, HumanDecision, Store
from postmortem_actions.tools.candidates import record_candidates
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.models import CandidateIn
from postmortem_actions.tools.postmortems import parse_postmortem

BY = Actor(actor="assistant", via="bench")
ACTIONS_PER_YEAR = 10_000
WRITES_PER_ACTION = 4  # recorded, then about three decisions (accept, a re-plan or status, complete)
MEETING_WRITES_PER_S = 60 / 600  # a review deciding 60 items in ten minutes


ITEMS_PER_POSTMORTEM = 10


def item(n: int) -> str:
    return f"Add an alert on replica lag for shard {n} that pages the owning team."


def document(first: int) -> str:
    items = range(first, first + ITEMS_PER_POSTMORTEM)
    return f"# Replica lag outage {first}\n\n## Action items\n\n" + "".join(f"- {item(n)}\n" for n in items)


def candidate(n: int) -> CandidateIn:
    return CandidateIn(
        text=f"Page the owning team when replica lag on shard {n} exceeds 30 s",
        done_when=f"a lag drill on shard {n} pages the on-call",
        problem="nobody was paged",
        category=Category.DETECT,
        quote=item(n),
    )


def filesystem(folder: Path) -> str:
    """The type of the filesystem holding `folder` (fsync costs differ by orders of magnitude)."""
    best, kind = "", "unknown"
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _, point, fs, *_ = line.split()
            if str(folder.resolve()).startswith(point) and len(point) > len(best):
                best, kind = point, fs
    return kind


def figures(name: str, seconds: list[float]) -> dict[str, object]:
    return {
        "write": name,
        "count": len(seconds),
        "per_second": round(len(seconds) / sum(seconds)),
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p99_ms": round(p99(seconds) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None, help="where the database goes (default: temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        store = Store(folder / "bench.db")
        postmortems = [
            parse_postmortem(store, BY, ReadPolicy(), text=document(first)).postmortem_id
            for first in range(0, args.writes, ITEMS_PER_POSTMORTEM)
        ]
        print(json.dumps({"filesystem": filesystem(folder), "cpus": os.cpu_count(), "writes": args.writes}))

        recorded: list[float] = []
        ids: list[int] = []
        for n in range(args.writes):
            started = time.perf_counter()
            result = record_candidates(store, BY, postmortems[n // ITEMS_PER_POSTMORTEM], [candidate(n)])
            recorded.append(time.perf_counter() - started)
            if result.rejected:
                raise RuntimeError(result.rejected[0].reason)
            ids.append(result.recorded[0].action_id)
        print(json.dumps(figures("record_candidates (one candidate a call)", recorded)), flush=True)

        decided: list[float] = []
        for n, action_id in enumerate(ids):
            answer = HumanDecision(
                kind="accept",
                owner=f"owner-{n % 300}",
                due=date(2031, 1, 1),
                decided_by="alice",
                channel="terminal",
            )
            started = time.perf_counter()
            store.record_decision(action_id, answer)
            decided.append(time.perf_counter() - started)
        print(json.dumps(figures("record_decision (accept)", decided)), flush=True)

        slowest = min(len(recorded) / sum(recorded), len(decided) / sum(decided))
        average_demand = ACTIONS_PER_YEAR * WRITES_PER_ACTION / (365 * 24 * 3600)
        print(
            json.dumps(
                {
                    "sustained_writes_per_second": round(slowest),
                    "writes_per_day_at_that_rate": round(slowest * 86_400),
                    "org_average_writes_per_second": round(average_demand, 5),
                    "headroom_over_org_average": round(slowest / average_demand),
                    "headroom_over_a_review_meeting": round(slowest / MEETING_WRITES_PER_S),
                    "ok": bool(store.verify().ok),
                }
            )
        )
        store.close()


if __name__ == "__main__":
    main()
