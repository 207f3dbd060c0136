"""Startup and latency of postmortem-actions against a minimal MCP SDK server, measured in the same run.

    python bench/startup_and_latency.py [--quick]

1. stdio cold start (spawn -> first tools/list answer): our server on a fresh and on an existing database,
   vs `bench/minimal_server.py`; interleaved runs, medians, ratio ours/baseline (goal <= 1.15).
2. tools/call latency, median and p99: `list_actions` (defaults; state=accepted) on a seeded database of
   100,000 actions vs the minimal server's `echo`, in memory and over stdio (goal <= 1.5x).
3. the human CLI: `postmortem-actions list --limit 5` on that database vs `python -c pass` (goal < 0.3 s),
   and whether the CLI imports the MCP SDK (goal: it does not).

A script, not a test. Everything it writes lives in a TemporaryDirectory; it uses no network.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import anyio
import minimal_server  # bench/ is sys.path[0] when this file runs as a script
import page_server
from mcp import Client, StdioServerParameters
from seed_db import seed_database
from timing import Call, call_latencies, cold_starts, median, p99, stdio_client_for, wall_times

from postmortem_actions.server import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Config:
    """How much to measure."""

    cold_rounds: int
    postmortems: int
    actions: int
    calls: int
    warmup: int
    cli_runs: int


FULL = Config(cold_rounds=15, postmortems=2000, actions=100_000, calls=500, warmup=30, cli_runs=10)
QUICK = Config(cold_rounds=3, postmortems=400, actions=20_000, calls=40, warmup=5, cli_runs=3)


@dataclass(frozen=True)
class Figure:
    """One figure of the summary: ours, the baseline of the same run, and whether the goal is met."""

    name: str
    ours: float
    base: float | None
    unit: str
    goal: str
    ok: bool

    @property
    def ratio(self) -> float | None:
        """ours / baseline."""
        return self.ours / self.base if self.base else None


def fmt(value: float | None, unit: str) -> str:
    """A figure with its unit; seconds below one are shown in ms."""
    if value is None:
        return "-"
    if unit == "bool":
        return str(bool(value))
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.3f} s"


def show(figure: Figure) -> Figure:
    """Print one figure as it is measured and return it."""
    ratio = f"   ratio {figure.ratio:.2f}" if figure.ratio is not None else ""
    print(
        f"  {figure.name:<45} ours {fmt(figure.ours, figure.unit):>11}   "
        f"baseline {fmt(figure.base, figure.unit):>11}{ratio}"
    )
    return figure


def ratio_goal(
    name: str, ours: Sequence[float], base: Sequence[float], stat: Callable[[Sequence[float]], float], limit: float
) -> Figure:
    """A figure whose goal is ours/baseline <= limit."""
    a, b = stat(ours), stat(base)
    return show(Figure(name, a, b, "s", f"ratio <= {limit}", a / b <= limit))


def params_ours(db: Path, cwd: Path) -> StdioServerParameters:
    """Our server over stdio, as a host starts it (no POSTMORTEM_ACTIONS_USER: the git lookup runs)."""
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "postmortem_actions.server", "serve"],
        env={"POSTMORTEM_ACTIONS_DB": str(db)},
        cwd=str(cwd),
    )


def params_minimal(cwd: Path, script: str = "minimal_server.py") -> StdioServerParameters:
    """A baseline server over stdio."""
    return StdioServerParameters(command=sys.executable, args=[str(BENCH / script)], cwd=str(cwd))


async def bench_cold_start(cfg: Config, tmp: Path, db: Path, errlog: TextIO) -> list[Figure]:
    """Section 1."""
    print(f"\n1. stdio cold start, spawn -> first tools/list answer (median of {cfg.cold_rounds}, interleaved)")
    fresh = iter(range(1_000_000))

    def first_start() -> StdioServerParameters:
        folder = tmp / f"fresh-{next(fresh)}"
        folder.mkdir()
        return params_ours(folder / "actions.db", tmp)

    times = await cold_starts(
        {"first": first_start, "warm": params_ours(db, tmp), "base": params_minimal(tmp)}, cfg.cold_rounds, errlog
    )
    return [
        ratio_goal("cold start, new database (migrates)", times["first"], times["base"], median, 1.15),
        ratio_goal("cold start, existing database", times["warm"], times["base"], median, 1.15),
    ]


async def bench_latency(cfg: Config, db: Path, totals: dict[str, int], tmp: Path, errlog: TextIO) -> list[Figure]:
    """Section 2."""
    print(
        f"\n2. tools/call latency on {cfg.actions:,} actions ({cfg.calls} calls each after {cfg.warmup} "
        "warm-up, interleaved)"
    )
    settings = Settings.load({"POSTMORTEM_ACTIONS_DB": str(db), "POSTMORTEM_ACTIONS_USER": "bench"})
    clients: dict[str, Callable[[], tuple[Client, Client, Client]]] = {
        "in-memory": lambda: (Client(build_server(settings)), Client(minimal_server.mcp), Client(page_server.mcp)),
        "stdio": lambda: (
            stdio_client_for(params_ours(db, tmp), errlog),
            stdio_client_for(params_minimal(tmp), errlog),
            stdio_client_for(params_minimal(tmp, "page_server.py"), errlog),
        ),
    }
    figures: list[Figure] = []
    for transport, make in clients.items():
        ours_client, base_client, page_client = make()
        async with ours_client as ours, base_client as base, page_client as same_shape:
            for client in (ours, base, same_shape):
                await client.list_tools()
            times = await call_latencies(
                {
                    "default": Call(ours, "list_actions", {}, {"total": cfg.actions}),
                    "accepted": Call(ours, "list_actions", {"state": "accepted"}, {"total": totals["accepted"]}),
                    "echo": Call(base, "echo", {"x": 1}),
                    "page": Call(same_shape, "page", {}),
                },
                cfg.calls,
                cfg.warmup,
            )
        print(f"  [{transport}] echo: median {fmt(median(times['echo']), 's')}, p99 {fmt(p99(times['echo']), 's')}")
        for variant, label in (("default", "list_actions"), ("accepted", "list_actions state=accepted")):
            for stat_name, stat in (("median", median), ("p99", p99)):
                figures.append(ratio_goal(f"{transport} {label} {stat_name}", times[variant], times["echo"], stat, 1.5))
        # Not a goal of the issue: the same-shaped page from memory shows what the store adds per call.
        figures.append(
            ratio_goal(
                f"{transport} list_actions vs same page from memory, median",
                times["default"],
                times["page"],
                median,
                1.5,
            )
        )
    return figures


def bench_cli(cfg: Config, db: Path, tmp: Path) -> list[Figure]:
    """Section 3."""
    script = Path(sys.executable).parent / "postmortem-actions"
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "postmortem_actions.server"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    print(f"\n3. human CLI: `{Path(cli[-1]).name} list --limit 5` vs `python -c pass` (median of {cfg.cli_runs})")
    args = ["--db", str(db), "list", "--limit", "5"]
    times = wall_times({"cli": [*cli, *args], "pass": [sys.executable, "-c", "pass"]}, cfg.cli_runs, env, tmp)
    ours, base = median(times["cli"]), median(times["pass"])
    figures = [show(Figure("CLI list --limit 5, wall time", ours, base, "s", "< 0.3 s", ours < 0.3))]
    code = (
        "import sys; from postmortem_actions.server.cli.main import main; main(sys.argv[1:]); "
        "print('MCP_IMPORTED', 'mcp' in sys.modules)"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", code, *args], env=env, cwd=tmp, capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()
    )
    imported = out[-1] == "MCP_IMPORTED True"
    print(f"  CLI list imports the MCP SDK: {imported}")
    figures.append(Figure("CLI list imports mcp", float(imported), None, "bool", "False", not imported))
    return figures


def summary(figures: Sequence[Figure]) -> None:
    """The compact table."""
    print(f"\n{'figure':<44} {'ours':>11} {'baseline':>11} {'ratio':>6}  {'goal':<13} result")
    for f in figures:
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "-"
        print(
            f"{f.name:<44} {fmt(f.ours, f.unit):>11} {fmt(f.base, f.unit):>11} {ratio:>6}  {f.goal:<13} "
            f"{'PASS' if f.ok else 'MISS'}"
        )
    missed = sum(not f.ok for f in figures)
    print(f"{len(figures) - missed} PASS, {missed} MISS")


async def run(cfg: Config, tmp: Path) -> list[Figure]:
    """All three sections on one seeded database."""
    db = tmp / "big" / "actions.db"
    db.parent.mkdir()
    started = time.perf_counter()
    info = seed_database(db, postmortems=cfg.postmortems, actions=cfg.actions)
    print(
        f"seeded {info.postmortems:,} postmortems, {info.actions:,} actions, {info.decisions:,} decisions in "
        f"{time.perf_counter() - started:.1f} s ({db.stat().st_size / 1e6:.0f} MB); states {dict(info.states)}"
    )
    report = Store(db).verify()
    if not report.ok:
        raise RuntimeError(f"the seeded database fails verify: {report.problems[:5]}")
    with (tmp / "servers.log").open("w") as errlog:
        figures = await bench_cold_start(cfg, tmp, db, errlog)
        figures += await bench_latency(cfg, db, dict(info.states), tmp, errlog)
    figures += bench_cli(cfg, db, tmp)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 0 even when a goal is missed (it reports, it does not gate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small counts, for a CI smoke run (< 60 s)")
    cfg = QUICK if parser.parse_args(argv).quick else FULL
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPU(s); {'quick' if cfg is QUICK else 'full'} run")
    with tempfile.TemporaryDirectory(prefix="pm-bench-") as tmp:
        try:
            figures = anyio.run(run, cfg, Path(tmp))
        except BaseException:
            log = Path(tmp) / "servers.log"
            if log.exists():
                print("--- server stderr (tail) ---\n" + log.read_text()[-3000:], file=sys.stderr)
            raise
    summary(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
