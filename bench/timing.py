"""Measurement helpers: stdio cold starts, interleaved tools/call latencies, process wall times, statistics."""

from __future__ import annotations

import math
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def p99(values: Sequence[float]) -> float:
    """The 99th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def stdio_client_for(params: StdioServerParameters, errlog: TextIO) -> Client:
    """`Client(params)`, with the server's stderr sent to `errlog` instead of ours (same transport code)."""
    return Client(stdio_client(params, errlog=errlog))


async def cold_start(params: StdioServerParameters, errlog: TextIO) -> float:
    """Seconds from spawning the server to the answer of the first `tools/list` (the process exit is not timed)."""
    started = time.perf_counter()
    async with stdio_client_for(params, errlog) as client:
        tools = await client.list_tools()
        elapsed = time.perf_counter() - started
        if not tools.tools:
            raise RuntimeError(f"{params.args}: tools/list returned no tools")
    return elapsed


async def cold_starts(
    variants: Mapping[str, StdioServerParameters | Callable[[], StdioServerParameters]], rounds: int, errlog: TextIO
) -> dict[str, list[float]]:
    """Interleaved cold starts: each round starts every variant once, in an order rotated every round.

    A variant is a `StdioServerParameters` or a zero-argument callable returning one (e.g. a fresh database).
    """
    names = list(variants)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            variant = variants[name]
            params = variant if isinstance(variant, StdioServerParameters) else variant()
            times[name].append(await cold_start(params, errlog))
    return times


@dataclass(frozen=True)
class Call:
    """One tool call to time: which client, which tool, with which arguments, and a check of its result."""

    client: Client
    tool: str
    arguments: dict[str, Any]
    expect: Mapping[str, Any] | None = None  # keys that must equal these values in structured_content


async def _call(call: Call) -> float:
    started = time.perf_counter()
    result = await call.client.call_tool(call.tool, call.arguments)
    elapsed = time.perf_counter() - started
    if result.is_error:
        raise RuntimeError(f"{call.tool}{call.arguments}: {result.content}")
    return elapsed


async def call_latencies(calls: Mapping[str, Call], n: int, warmup: int) -> dict[str, list[float]]:
    """Per-call seconds, `n` each after `warmup` each, calls interleaved (a, b, c, a, b, c, ...)."""
    for name, call in calls.items():
        result = await call.client.call_tool(call.tool, call.arguments)
        content = result.structured_content or {}
        for key, value in (call.expect or {}).items():
            if content.get(key) != value:
                raise RuntimeError(f"{name}: {key}={content.get(key)!r}, expected {value!r}")
    for _ in range(warmup):
        for call in calls.values():
            await _call(call)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            times[name].append(await _call(call))
    return times


def wall_times(
    commands: Mapping[str, Sequence[str]], runs: int, env: Mapping[str, str], cwd: Path
) -> dict[str, list[float]]:
    """Wall seconds of each command (output discarded), interleaved, after one untimed warm-up run each."""

    def run(cmd: Sequence[str]) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            cmd, env=dict(env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{list(cmd)} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
        return elapsed

    for cmd in commands.values():
        run(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(run(cmd))
    return times
