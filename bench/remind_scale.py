"""Reminders at scale: `postmortem-actions remind --dry-run` on the 1M-action database, goal under 2 s.

    python bench/remind_scale.py [--size 1000000] [--runs 5] [--keep DIR]

Seeds (once; cached in DIR, default $TMPDIR/postmortem-actions-bench) the follow-through benchmark's database
(bench/followthrough_scale.py: ~25% accepted items due from 200 days ago to 120 ahead, ~45% undecided candidates,
300 owners, ~40k postmortems), adds 290 of the 300 owners to the people table (10 stay unknown), and configures Slack
and email (nothing is sent: a dry run). Then, in the same run:

- the command as cron runs it (a fresh process: interpreter, settings, planning, Markdown on stdout), median of RUNS,
  first with nothing delivered yet (every reminder due), then an hour after a run that recorded its deliveries;
- in process: `plan_reminders` alone, and the baseline `list_overdue` (the review's overdue page) on the same file,
  and `postmortem-actions overdue` as a fresh process; the ratios of the reminder figures to these baselines.

Each figure is the wall time and the CPU time (user + system, the child's for a process): on two cores other work
keeps busy the wall time grows with the load average, which the last line prints; the CPU time is what the run costs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from followthrough_scale import AS_OF, OWNERS, seed  # bench/ is sys.path[0]

from postmortem_actions.store import Store
from postmortem_actions.tools.followthrough.review import list_overdue
from postmortem_actions.tools.nudges.deliver import Senders, deliver
from postmortem_actions.tools.nudges.planner import Outgoing, plan_reminders
from postmortem_actions.tools.nudges.policy import CHANNELS, load_policy
from postmortem_actions.tools.people import add_person

GOAL_S = 2.0
UNKNOWN = 10  # owners left out of the people table: they are reported, never guessed


def _env(db: Path, folder: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    return {
        **inherited,
        "POSTMORTEM_ACTIONS_DB": str(db),
        "POSTMORTEM_ACTIONS_POLICY": str(folder / "no-policy.toml"),
        "POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/bench",
        "POSTMORTEM_ACTIONS_SMTP_HOST": "smtp.example.com",
        "POSTMORTEM_ACTIONS_SMTP_FROM": "reminders@example.com",
        "POSTMORTEM_ACTIONS_TEAM_EMAIL": "sre@example.com",
    }


def _nowhere(outgoing: Outgoing) -> None:
    """A channel that takes every message (the bench measures planning, not the network)."""


def _cpu() -> float:
    """CPU seconds (user + system) used so far by this process and the children it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _median(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """The median wall time and the median CPU time of `runs` calls, after a warm-up. On a machine other work
    keeps busy the wall time grows with the load; the CPU time is what the run itself costs."""
    fn()  # warm-up: the file's pages in the OS cache, as on an hourly cron
    walls, cpus = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), _cpu()
        fn()
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu() - used)
    return statistics.median(walls), statistics.median(cpus)


def _command(args: list[str], env: dict[str, str]) -> Callable[[], object]:
    script = Path(sys.executable).parent / "postmortem-actions"
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "postmortem_actions.server"]
    return lambda: subprocess.run([*program, *args], env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(folder: Path, size: int) -> Path:
    """The seeded database with its people, and no deliveries recorded."""
    db = folder / f"remind-{size}.db"
    if not db.exists():
        took = seed(db, size)
        print(f"seeded {size:,} actions in {took:.1f} s ({db.stat().st_size / 2**20:.0f} MiB)", flush=True)
    with Store(db) as store:
        with store._db() as conn:
            indexes = {row["name"] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        if "deliveries_by_recipient" not in indexes:  # seeded by an earlier state of migration 0008
            raise SystemExit(f"{db} was seeded before the reminder indexes changed: delete it and run again")
        known = {p.name for p in store.people()}
        for n, owner in enumerate(OWNERS[UNKNOWN:]):
            if owner not in known:
                add_person(store, owner, email=f"{owner}@example.com", slack_id=f"U{n:08d}")
        with store._db() as conn:  # a fresh start for every bench run: no reminder delivered yet
            conn.execute("DELETE FROM deliveries")
    return db


def main(argv: Sequence[str] | None = None) -> int:
    """Seed or reuse the database, measure, print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=1_000_000, help="actions in the database")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each case (after one warm-up)")
    parser.add_argument("--keep", type=Path, help="where the seeded database is cached")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.gettempdir()) / "postmortem-actions-bench"
    folder.mkdir(parents=True, exist_ok=True)
    db = prepare(folder, args.size)
    env = _env(db, folder)
    policy = load_policy(env)
    dry_run = _command(["remind", "--dry-run", "--as-of", AS_OF.isoformat()], env)
    overdue = _command(["overdue", "--as-of", AS_OF.isoformat(), "--format", "md"], env)
    with Store(db, create=False) as store:
        planned = plan_reminders(store, policy, as_of=AS_OF)
        plan = planned.plan
        covered = sum(len(o.nudges) for o in planned.outgoing)
        print(
            f"{args.size:,} actions, as of {AS_OF}: {len(plan.messages)} messages covering {covered:,} reminders, "
            f"{len(plan.unreachable)} owners/leads unreachable, Markdown {len(plan.markdown) / 1024:.0f} KiB",
            flush=True,
        )
        results = {
            "remind --dry-run (process), nothing delivered yet": _median(dry_run, args.runs),
            "plan_reminders (in process), nothing delivered yet": _median(
                lambda: plan_reminders(store, policy, as_of=AS_OF), args.runs
            ),
        }
        started = time.perf_counter()
        # An hourly cron: the run an hour ago sent (to nowhere) and recorded everything; this one finds it all done.
        report = deliver(store, plan_reminders(store, policy, as_of=AS_OF), Senders(dict.fromkeys(CHANNELS, _nowhere)))
        print(f"recorded an earlier run: {report.recorded:,} deliveries in {time.perf_counter() - started:.1f} s")
        results["remind --dry-run (process), an hour after a run"] = _median(dry_run, args.runs)
        results["plan_reminders (in process), an hour after a run"] = _median(
            lambda: plan_reminders(store, policy, as_of=AS_OF), args.runs
        )
        baseline_fn = _median(lambda: list_overdue(store, as_of=AS_OF), args.runs)
        baseline_cmd = _median(overdue, args.runs)
        with store._db() as conn:
            conn.execute("DELETE FROM deliveries")
    print(f"\nmedian of {args.runs} after a warm-up, wall time and CPU time; baselines in the same run:")
    load = os.getloadavg()[0]
    for name, (wall, cpu) in (
        ("list_overdue (in process)", baseline_fn),
        ("postmortem-actions overdue (process)", baseline_cmd),
    ):
        print(f"  {name:<55} {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms")
    for name, (wall, cpu) in results.items():
        base = baseline_cmd if "(process)" in name else baseline_fn
        print(
            f"  {name:<55} {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms"
            f"  = {wall / base[0]:5.1f}x / {cpu / base[1]:5.1f}x its baseline"
        )
    wall = max(v[0] for k, v in results.items() if "(process)" in k)
    cpu = max(v[1] for k, v in results.items() if "(process)" in k)
    print(
        f"\ngoal: remind --dry-run under {GOAL_S:.0f} s at 1M actions: {wall:.2f} s wall ({cpu:.2f} s of CPU; "
        f"load average {load:.1f} on {os.cpu_count()} cores), {'ok' if wall < GOAL_S else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
