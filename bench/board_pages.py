"""The web board's pages at scale: server-side time to draw the board, a section, an item and a postmortem page on a
database of 1M actions, and the same pages over HTTP from a real board on loopback.

    python bench/board_pages.py [--actions 1000000] [--runs 9] [--keep DIR]

Seeds like bench/followthrough_scale.py (reused with --keep). Baseline, measured in the same run: `review_agenda`,
the MCP tool the board's first page draws from (the board adds filters, rendering and HTML escaping on top).
Goal: every page under 100 ms server-side at 1M actions.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Final

from followthrough_scale import AS_OF, seed  # bench/ is sys.path[0]

from postmortem_actions.server.settings import Settings
from postmortem_actions.server.web import pages
from postmortem_actions.server.web.item_pages import item_page
from postmortem_actions.server.web.launch import serving
from postmortem_actions.server.web.question_pages import postmortem_page
from postmortem_actions.server.web.security import COOKIE
from postmortem_actions.store import Store
from postmortem_actions.tools import board
from postmortem_actions.tools.decisions import DueTable
from postmortem_actions.tools.followthrough.review import review_agenda

GOAL: Final = 0.100
NONE: Final = board.BoardFilters()


def _get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> None:
    # The standard library's client: the lightest there is, so the figure is the board's, not a client's.
    connection.request("GET", path, headers=headers)
    reply = connection.getresponse()
    reply.read()
    if reply.status != 200:
        raise RuntimeError(f"GET {path}: {reply.status}")


def _median(case: Callable[[], object], runs: int) -> float:
    case()  # warm-up: caches, the extractor's patterns
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        case()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cases(store: Store, item_id: int, pm_id: int, owner: str) -> dict[str, Callable[[], object]]:
    """Each page as the board draws it, from the store to the HTML string."""
    table = DueTable()

    def home(filters: board.BoardFilters = NONE) -> str:
        return pages.board_page(board.board(store, as_of=AS_OF, filters=filters), user="bench")

    def section() -> str:
        part = board.section(store, "overdue", as_of=AS_OF, filters=NONE, limit=50, offset=500)
        return pages.section_page(part, NONE, AS_OF, offset=500, limit=50, user="bench")

    return {
        "baseline review_agenda": lambda: review_agenda(store, as_of=AS_OF),
        "board": home,
        "board, owner filter": lambda: home(board.BoardFilters(owner=owner)),
        "board, text search": lambda: home(board.BoardFilters(search="failover")),
        "section page 11": section,
        "item": lambda: item_page(board.item(store, item_id, table=table, today=date.today()), csrf="x", user="b"),
        "postmortem": lambda: postmortem_page(board.postmortem(store, pm_id), user="bench"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Seed (or reuse) the database, time each page server-side and over HTTP, print ratios and the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--actions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="seed into (or reuse the database in) this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="board-") as tmp:
        path = (args.keep or Path(tmp)) / f"followthrough-{args.actions}.db"
        if not path.exists():
            print(f"seeded {args.actions:,} actions in {seed(path, args.actions):.1f} s", flush=True)
        store = Store(path, create=False)
        with store._db() as db:
            item_id = db.execute("SELECT id FROM actions WHERE state = 'accepted' LIMIT 1 OFFSET 1000").fetchone()["id"]
            pm_id = store.get_action(item_id).postmortem_id
            owner = str(store.get_action(item_id).owner)
        timed = {name: _median(case, args.runs) for name, case in cases(store, item_id, pm_id, owner).items()}
        base = timed["baseline review_agenda"]
        print(f"\nserver-side, median of {args.runs} after a warm-up, {args.actions:,} actions (as_of {AS_OF}):")
        for name, took in timed.items():
            verdict = "" if name.startswith("baseline") else ("ok" if took < GOAL else "MISSED")
            print(f"  {name:<24} {took * 1000:8.1f} ms  {took / base:5.2f}x baseline  {verdict}")
        settings = Settings(db_path=path, allowed_dirs=(), max_bytes=1, user="bench")
        with serving(settings) as (_url, b):
            conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=30)
            cookie = {"Cookie": f"{COOKIE}={b.keys.cookie}"}
            paths = {
                "board": f"/?as_of={AS_OF}",
                "item": f"/actions/{item_id}",
                "postmortem": f"/postmortems/{pm_id}",
            }
            print("\nover HTTP from the board on loopback, one kept-alive connection (request to last byte):")
            for name, where in paths.items():
                took = _median(functools.partial(_get, conn, where, cookie), args.runs)
                print(f"  {name:<24} {took * 1000:8.1f} ms")
            conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
