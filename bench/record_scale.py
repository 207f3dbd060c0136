"""record_candidates as candidates pile up: the cost of each call against the number already stored.

    python bench/record_scale.py [--items 40000] [--calls 50] [--batch 200]

Stores one large postmortem (an "Action items" list of ITEMS items, about 75 characters each) in a fresh
database, then records CALLS batches of BATCH candidates, each quoting an item of its own (items drawn in a
fixed shuffled order, so every batch quotes all over the document). Prints, as JSON lines: the document's
size and findings; every tenth call's seconds, reply size and coverage gap; then the first, second and last
call and the ratios of the last to them, measured in the same run (issue 10, finding 5: the last call took
15 times the first). The document is parsed before the first call; the first call also prepares the
document for quote look-ups, once per process, so the second call is the steady-state baseline.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from postmortem_actions.store import Actor, Category, Store
from postmortem_actions.tools.candidates import record_candidates
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.models import CandidateIn
from postmortem_actions.tools.postmortems import parse_postmortem

BY = Actor(actor="assistant", via="bench")
SUBJECTS = (
    "queue depth on the billing broker",
    "replica lag on the orders database",
    "5xx rate at the edge",
    "disk usage on the search nodes",
    "certificate expiry for the public API",
    "pool saturation in checkout",
)
CATEGORIES = (Category.DETECT, Category.PREVENT, Category.MITIGATE, Category.PROCESS)


def item(n: int) -> str:
    """The n-th action item of the document: distinct words, so each is a finding and quotes one place."""
    return f"Add an alert on {SUBJECTS[n % len(SUBJECTS)]} (shard {n}) that pages the owning team."


def document(items: int) -> str:
    return "# Platform outage\n\n## Action items\n\n" + "".join(f"- {item(n)}\n" for n in range(items))


def batch(items: list[int]) -> list[CandidateIn]:
    return [
        CandidateIn(
            text=f"Page the owning team on {SUBJECTS[n % len(SUBJECTS)]} for shard {n}",
            done_when=f"an alert for shard {n} pages the on-call",
            problem="nobody was paged",
            category=CATEGORIES[n % len(CATEGORIES)],
            quote=item(n),
        )
        for n in items
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=40_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    if args.calls * args.batch > args.items or args.calls < 2:
        parser.error(
            "at least 2 calls, and calls x batch must not exceed items: each candidate quotes an item of its own"
        )
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        text = document(args.items)
        started = time.perf_counter()
        parsed = parse_postmortem(store, BY, ReadPolicy(max_bytes=len(text.encode()) + 1), text=text)
        print(
            json.dumps(
                {
                    "document_mb": round(len(text.encode()) / 1e6, 2),
                    "findings": parsed.findings_total,
                    "parse_seconds": round(time.perf_counter() - started, 2),
                }
            ),
            flush=True,
        )
        order = list(range(args.items))
        random.Random(0).shuffle(order)
        times: list[float] = []
        sizes: list[int] = []
        for call in range(args.calls):
            candidates = batch(order[call * args.batch : (call + 1) * args.batch])
            started = time.perf_counter()
            result = record_candidates(store, BY, parsed.postmortem_id, candidates)
            times.append(time.perf_counter() - started)
            sizes.append(len(result.model_dump_json()))
            if result.rejected:
                raise RuntimeError(f"call {call}: {result.rejected[0].reason}")
            if call % 10 == 9 or call == 0:
                print(
                    json.dumps(
                        {
                            "call": call + 1,
                            "stored": (call + 1) * args.batch,
                            "seconds": round(times[-1], 3),
                            "reply_bytes": sizes[-1],
                            "gap": len(result.coverage_gap),
                        }
                    ),
                    flush=True,
                )
        print(
            json.dumps(
                {
                    "first_call_seconds": round(times[0], 3),
                    "second_call_seconds": round(times[1], 3),
                    "last_call_seconds": round(times[-1], 3),
                    "last_over_first": round(times[-1] / times[0], 2),
                    "last_over_second": round(times[-1] / times[1], 2),
                    "first_reply_bytes": sizes[0],
                    "last_reply_bytes": sizes[-1],
                }
            )
        )
        store.close()


if __name__ == "__main__":
    main()
