"""The team server under load: N concurrent MCP clients (the SDK's real client over Streamable HTTP, half on each
protocol era) for D seconds on a 100k-action database, mixing list_actions, list_overdue, review_agenda,
record_candidates and decide_action (answered by each client's elicitation handler). Then SIGKILL the server mid-run
and restart it: nothing acknowledged may be lost.

    python bench/team_load.py [--clients 50] [--duration 60] [--kill-after 10] [--actions 100000] [--keep DIR]

Prints throughput, p50/p99 per tool, errors, "database is locked" errors, whether every acknowledged decision is
in the store and whether `verify` is clean, for the steady run and for the run killed mid-way. Not run by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ElicitRequestFormParams, ElicitRequestParams, ElicitResult

sys.path.insert(0, str(Path(__file__).parent))
from seed_db import seed_database

from postmortem_actions.store import Store
from postmortem_actions.tools import people, tokens

MIX = (("list_actions", 30), ("list_overdue", 20), ("review_agenda", 10), ("record_candidates", 15), ("decide", 25))
PYTHON = sys.executable


@dataclass
class Tally:
    """What the clients saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    locked: int = 0
    acknowledged: dict[int, str] = field(default_factory=dict)  # action id -> owner the human gave
    calls: int = 0


@dataclass
class Plan:
    """Per client: its token, its protocol era, the candidates it decides, its postmortem and a quote from it."""

    token: str
    mode: str
    candidates: list[int]
    postmortem: int
    quote: str
    current: int = 0  # the item being decided (one call at a time per client)


def prepare(db: Path, actions: int, clients: int) -> list[Plan]:
    """Seed the database if it is new; a person and a member token per client; each client's candidates."""
    if not db.exists():
        started = time.perf_counter()
        seed_database(db, postmortems=max(1, actions // 20), actions=actions)
        print(f"seeded {actions:,} actions in {time.perf_counter() - started:.0f} s")
    store = Store(db)
    conn = sqlite3.connect(db)
    candidates = [r[0] for r in conn.execute("SELECT id FROM actions WHERE state = 'candidate' ORDER BY id DESC")]
    plans = []
    for n in range(clients):
        name = f"load-{n:02d}-{time.time_ns() % 10**8}"
        people.add_person(store, name)
        secret, _ = tokens.create_token(store, name, "member", "bench")
        postmortem = n + 1
        text = conn.execute("SELECT text FROM postmortems WHERE id = ?", [postmortem]).fetchone()[0]
        start = text.index("## Action items") + len("## Action items") + 2
        mine = candidates[n::clients][:2000]
        plans.append(Plan(secret, "auto" if n % 2 == 0 else "legacy", mine, postmortem, text[start : start + 60]))
    conn.close()
    store.close()
    return plans


def start_server(db: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """The team server as `serve --http` runs it, and its base URL once it listens."""
    env = {**os.environ, "POSTMORTEM_ACTIONS_USER": "bench-operator", "POSTMORTEM_ACTIONS_LOG_LEVEL": "WARNING"}
    command = [PYTHON, "-m", "postmortem_actions.server", "--db", str(db), "serve", "--http", "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "MCP: " in line:
            base = line.split("MCP: ")[1].split("/mcp")[0]
            anyio.run(_wait_ready, base)
            return process, base
        if not line and process.poll() is not None:
            break
    raise SystemExit(f"the server did not start: {process.stderr.read()[-2000:]}")


async def _wait_ready(base: str) -> None:
    async with httpx2.AsyncClient() as http:
        for _ in range(600):
            try:
                if (await http.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            await anyio.sleep(0.1)


def _owner(action_id: int) -> str:
    return f"owner-{action_id % 97}"


def _answering(plan: Plan) -> Any:
    """The client's elicitation handler: the human accepts the item being decided, with an owner and a date."""

    async def elicit(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        assert isinstance(params, ElicitRequestFormParams)
        properties = params.requested_schema["properties"]
        content = {k: v["default"] for k, v in properties.items() if "default" in v}
        answer = {"decision": "accept", "owner": _owner(plan.current), "due_date": "2031-01-15"}
        return ElicitResult(action="accept", content={**content, **answer})

    return elicit


async def _one_call(client: Client, plan: Plan, op: str, serial: int, tally: Tally) -> None:
    if op == "decide":
        if not plan.candidates:
            op = "list_actions"
        else:
            action_id = plan.current = plan.candidates.pop()
            result = await client.call_tool("decide_action", {"action_id": action_id})
            if not result.is_error and (result.structured_content or {}).get("committed"):
                tally.acknowledged[action_id] = _owner(action_id)
            return _check(result, "decide_action", tally)
    arguments: dict[str, Any] = {}
    if op == "list_actions":
        arguments = {"state": random.choice(["accepted", "candidate", "done"]), "limit": 20}
    elif op == "record_candidates":
        text = f"Load test action {serial} from client for postmortem {plan.postmortem}"
        candidate = {"text": text, "done_when": "the load test sees it", "problem": "load", "category": "process"}
        arguments = {"postmortem_id": plan.postmortem, "candidates": [{**candidate, "quote": plan.quote}]}
    result = await client.call_tool(op, arguments)
    return _check(result, op, tally)


def _check(result: Any, op: str, tally: Tally) -> None:
    if result.is_error:
        text = " ".join(getattr(c, "text", "") for c in result.content)
        tally.errors[f"{op}: {text[:120]}"] += 1
        tally.locked += "locked" in text


async def _client(base: str, plan: Plan, until: float, tally: Tally) -> None:
    ops = [op for op, _ in MIX]
    weights = [weight for _, weight in MIX]
    serial = 0
    try:
        headers = {"Authorization": f"Bearer {plan.token}"}
        async with httpx2.AsyncClient(headers=headers, timeout=120) as http:
            transport = streamable_http_client(f"{base}/mcp", http_client=http)
            async with Client(transport, mode=plan.mode, elicitation_callback=_answering(plan)) as client:
                while time.monotonic() < until:
                    op = random.choices(ops, weights)[0]
                    serial += 1
                    started = time.perf_counter()
                    try:
                        await _one_call(client, plan, op, serial, tally)
                    except Exception as exc:
                        tally.errors[f"{op}: {type(exc).__name__}: {str(exc)[:100]}"] += 1
                        tally.locked += "locked" in str(exc)
                        if time.monotonic() >= until:
                            return
                        continue
                    tally.latencies["decide_action" if op == "decide" else op].append(time.perf_counter() - started)
                    tally.calls += 1
    except Exception as exc:
        tally.errors[f"session: {type(exc).__name__}: {str(exc)[:100]}"] += 1


async def run_load(
    base: str, plans: list[Plan], seconds: float, kill: subprocess.Popen[str] | None = None, kill_after: float = 0
) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    until = started + seconds
    async with anyio.create_task_group() as group:
        for plan in plans:
            group.start_soon(_client, base, plan, until, tally)
        if kill is not None:
            await anyio.sleep(kill_after)
            kill.send_signal(signal.SIGKILL)
            print(f"  SIGKILL sent to the server after {kill_after:.0f} s")
    return tally, time.monotonic() - started


def report(title: str, tally: Tally, elapsed: float) -> None:
    print(f"\n{title}: {tally.calls:,} calls in {elapsed:.1f} s = {tally.calls / elapsed:.0f} calls/s")
    print(f"  {'tool':<18} {'calls':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for tool, values in sorted(tally.latencies.items()):
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"  {tool:<18} {len(values):>7} {statistics.median(values) * 1000:>8.1f} {p99 * 1000:>8.1f}")
    print(f"  errors: {sum(tally.errors.values())}   'database is locked': {tally.locked}")
    for what, n in tally.errors.most_common(8):
        print(f"    {n} x {what}")
    print(f"  decisions acknowledged to clients: {len(tally.acknowledged)}")


def check_store(db: Path, acknowledged: dict[int, str]) -> bool:
    """Every acknowledged decision is in the store (accepted, with the owner the human gave), and verify is clean."""
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT id, owner FROM actions WHERE state = 'accepted'").fetchall())
    conn.close()
    missing = [a for a, owner in acknowledged.items() if rows.get(a) != owner]
    verify = subprocess.run(
        [PYTHON, "-m", "postmortem_actions.server", "--db", str(db), "verify"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        found = json.loads(verify.stdout)
        said = f"ok={found['ok']}, {found['decisions']:,} decisions, {len(found['problems'])} problems"
    except (ValueError, KeyError):
        said = verify.stderr.strip()[:200]
    print(f"  acknowledged decisions missing from the store: {len(missing)}; verify (exit {verify.returncode}): {said}")
    return not missing and verify.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--kill-after", type=float, default=10.0, help="seconds into the second run to SIGKILL")
    parser.add_argument("--kill-run", type=float, default=20.0, help="length of the run that is killed")
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--keep", type=Path, help="folder for the database (reused if it holds one)")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="team-load-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"load-{args.actions}.db"
    plans = prepare(db, args.actions, args.clients)
    print(
        f"{args.clients} clients ({sum(p.mode == 'auto' for p in plans)} on 2026-07-28, the rest on 2025-11-25), "
        f"{args.duration:.0f} s, database {db} ({os.path.getsize(db) / 1e6:.0f} MB)"
    )

    server, base = start_server(db, args.port)
    tally, elapsed = anyio.run(run_load, base, plans, args.duration)
    server.send_signal(signal.SIGINT)
    server.wait(timeout=60)
    report("steady run", tally, elapsed)
    steady_ok = check_store(db, tally.acknowledged)

    print(f"\nkill run: {args.kill_run:.0f} s, the server SIGKILLed after {args.kill_after:.0f} s, then restarted")
    server, base = start_server(db, args.port)
    killed, elapsed = anyio.run(run_load, base, plans, args.kill_run, server, args.kill_after)
    server.wait(timeout=60)
    report("killed run (errors after the kill are expected)", killed, elapsed)
    server, base = start_server(db, args.port)  # the restart: recovery of the WAL happens on open
    server.send_signal(signal.SIGINT)
    server.wait(timeout=60)
    kill_ok = check_store(db, killed.acknowledged)
    print(
        f"\nsteady run clean: {steady_ok and not steady_errors(tally)}; nothing acknowledged lost after SIGKILL: "
        f"{kill_ok}"
    )
    return 0 if steady_ok and kill_ok else 1


def steady_errors(tally: Tally) -> int:
    return sum(tally.errors.values()) + tally.locked


if __name__ == "__main__":
    sys.exit(main())
