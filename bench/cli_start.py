"""Start time of the human's everyday commands: `list`, `overdue`, `show` and `extract`, each under 0.3 s.

    python bench/cli_start.py [--quick]

Each command runs as the installed console script, drawing a table 80 columns wide (`--format table`, output
discarded), on a seeded database of 2,000 postmortems and 20,000 actions; `extract` reads a postmortem file and
stores nothing. Runs are interleaved with `python -c pass` (the interpreter's own start, the floor), one untimed
warm-up each; the figure is the median wall time. It also says whether each command imported the MCP SDK (goal:
none does) and `rich` (drawn tables load it lazily; the figure includes it).

A script, not a test. Everything it writes lives in a TemporaryDirectory; it uses no network.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from seed_db import seed_database  # bench/ is sys.path[0] when this file runs as a script
from timing import median, wall_times

GOAL_S = 0.3
POSTMORTEM = """\
# Checkout outage

Severity: SEV1
Incident date: 2026-01-20

## Summary

Checkout returned 5xx for 40 minutes after a connection pool change exhausted the database's connections.

## Action items

- Page the payments on-call when the checkout 5xx rate exceeds 5% for 3 minutes. Owner: dana
- Add a CI check that fails when worker connections exceed 80% of max_connections.
- Write a runbook entry for connection exhaustion, including the rollback command.
- Rehearse the payment provider failover every quarter.
- Look into better dashboards for the checkout service.
"""


def commands(db: Path, document: Path) -> dict[str, list[str]]:
    """The command lines measured (after the console script)."""
    table = ["--format", "table"]
    return {
        "list": ["--db", str(db), "list", *table],
        "overdue": ["--db", str(db), "overdue", *table],
        "show": ["--db", str(db), "show", "1", *table],
        "extract": ["--db", str(db), "extract", str(document), *table],
    }


def imported(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[bool, bool]:
    """Whether running the command imported the MCP SDK, and rich."""
    code = (
        "import sys; from postmortem_actions.server.cli.main import main; main(sys.argv[1:]); "
        "print('\\nIMPORTED', 'mcp' in sys.modules, 'rich' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )
    _, mcp, rich = done.stdout.strip().splitlines()[-1].split()
    return mcp == "True", rich == "True"


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print one line per command and a PASS/MISS count; exit status 0 even when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 runs each on a smaller database (for a smoke run)")
    quick = parser.parse_args(argv).quick
    runs, postmortems, actions = (3, 200, 2_000) if quick else (15, 2_000, 20_000)
    script = Path(sys.executable).parent / "postmortem-actions"
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "postmortem_actions.server"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    env |= {"COLUMNS": "80", "POSTMORTEM_ACTIONS_USER": "bench"}
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPU(s); median of {runs} runs, interleaved")
    with tempfile.TemporaryDirectory(prefix="pm-cli-start-") as folder:
        tmp = Path(folder)
        db, document = tmp / "actions.db", tmp / "2026-01-20-checkout-outage.md"
        info = seed_database(db, postmortems=postmortems, actions=actions)
        document.write_text(POSTMORTEM, encoding="utf-8")
        print(f"database: {info.postmortems:,} postmortems, {info.actions:,} actions; states {dict(info.states)}")
        measured = commands(db, document)
        times = wall_times(
            {"python -c pass": [sys.executable, "-c", "pass"]} | {n: [*cli, *a] for n, a in measured.items()},
            runs,
            env,
            tmp,
        )
        floor = median(times["python -c pass"])
        print(f"\n{'command':<10} {'median':>8} {'max':>8} {'minus python':>13}  {'imports':<12} goal < {GOAL_S} s")
        print(f"{'python':<10} {floor:>7.3f}s {max(times['python -c pass']):>7.3f}s {'':>13}")
        missed = 0
        for name, args in measured.items():
            mid, worst = median(times[name]), max(times[name])
            mcp, rich = imported(args, env, tmp)
            ok = mid < GOAL_S and not mcp
            missed += not ok
            modules = ", ".join(m for m, yes in (("mcp", mcp), ("rich", rich)) if yes) or "-"
            print(
                f"{name:<10} {mid:>7.3f}s {worst:>7.3f}s {mid - floor:>12.3f}s  {modules:<12} "
                f"{'PASS' if ok else 'MISS'}"
            )
    print(f"{len(measured) - missed} PASS, {missed} MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
