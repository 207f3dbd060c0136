"""Seed a large postmortem-actions database quickly: raw SQL in one transaction, through the store's guards.

The schema comes from `Store` (its migration). Actions are inserted as the guards demand (undecided
candidates, no owner or due date); a share of them is then decided by hash-chained decision rows
computed with the store's own `decision_hash`, so the guards accept them and `Store.verify()` passes.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from postmortem_actions.store import Store
from postmortem_actions.store.chain import decision_hash
from postmortem_actions.store.schema import GENESIS_HASH

WORDS = (
    "database",
    "replica",
    "failover",
    "latency",
    "queue",
    "consumer",
    "backlog",
    "deploy",
    "rollback",
    "canary",
    "alert",
    "pager",
    "on-call",
    "runbook",
    "timeout",
    "retry",
    "circuit",
    "breaker",
    "cache",
    "eviction",
    "DNS",
    "certificate",
    "expiry",
    "load",
    "balancer",
    "health",
    "check",
    "disk",
    "pressure",
    "memory",
    "leak",
    "connection",
    "pool",
    "saturation",
    "region",
    "outage",
    "config",
    "flag",
    "migration",
    "index",
    "lock",
    "contention",
    "dashboard",
    "threshold",
    "escalation",
    "customer",
    "impact",
    "error",
    "budget",
    "SLO",
    "throttling",
    "quota",
    "scheduler",
    "cron",
    "job",
    "partition",
    "leader",
    "election",
    "heartbeat",
    "kernel",
    "upgrade",
    "network",
    "partition",
    "packet",
    "loss",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "for",
    "with",
    "on",
    "was",
    "were",
    "not",
    "when",
    "after",
    "before",
    "during",
    "because",
    "which",
    "while",
    "we",
    "our",
    "their",
    "it",
)
CATEGORIES = ("prevent", "detect", "mitigate", "process")
CATEGORY_WEIGHTS = (35, 25, 25, 15)
PEOPLE = ("alice", "bob", "chen", "dana", "emeka", "farah", "gus", "hiro", "ines", "jon", "kofi", "lena")
SEVERITIES = ("SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3", "SEV4")
# Share of actions that a human decided: accept, kill, accept then complete, defer (stays a candidate).
DECIDED = (("accept", 0.08), ("kill", 0.03), ("done", 0.02), ("defer", 0.01))


@dataclass
class SeedInfo:
    """What was written."""

    postmortems: int
    actions: int
    decisions: int
    states: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    text = " ".join(rng.choices(WORDS, k=rng.randint(low, high)))
    return text[:1].upper() + text[1:] + "."


def _postmortem_text(rng: random.Random, n: int) -> str:
    parts = [f"# Incident {n}: {_sentence(rng, 4, 9)}"]
    for heading in ("Summary", "Impact", "Timeline", "Root cause", "What went well", "Action items"):
        parts.append(f"## {heading}")
        parts.extend(_sentence(rng, 8, 30) for _ in range(rng.randint(3, 25)))
    return "\n\n".join(parts)


def _spread(rng: random.Random, total: int, buckets: int) -> list[int]:
    """`buckets` counts between 1 and about twice the mean, summing to exactly `total`."""
    mean = total / buckets
    counts = [rng.randint(max(1, int(mean * 0.2)), max(1, int(mean * 1.8))) for _ in range(buckets)]
    while (diff := total - sum(counts)) != 0:
        i = rng.randrange(buckets)
        if diff > 0:
            counts[i] += 1
        elif counts[i] > 1:
            counts[i] -= 1
    return counts


def seed_database(path: Path, *, postmortems: int, actions: int, seed: int = 20240601) -> SeedInfo:
    """Create the database at `path` (it must not exist) with these many postmortems and actions."""
    Store(path)  # schema, guards and WAL mode, exactly as the product creates them
    rng = random.Random(seed)
    info = SeedInfo(postmortems=postmortems, actions=actions, decisions=0)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = OFF")  # a throwaway file; the schema and guards are unchanged
    with conn:  # one transaction
        counts = _spread(rng, actions, postmortems)
        action_id = 0
        for pm_id, n_actions in enumerate(counts, start=1):
            text = _postmortem_text(rng, pm_id)
            day = date(2022, 1, 1) + timedelta(days=rng.randrange(1400))
            conn.execute(
                "INSERT INTO postmortems (id, title, source, text, sha256, severity, incident_date, created_by) "
                "VALUES (?, ?, 'pasted', ?, ?, ?, ?, ?)",
                (
                    pm_id,
                    f"Incident {pm_id}: {_sentence(rng, 3, 8)}"[:300],
                    text,
                    hashlib.sha256(text.encode()).hexdigest(),
                    rng.choice(SEVERITIES),
                    day.isoformat(),
                    rng.choice(PEOPLE),
                ),
            )
            rows, audits = [], []
            for _ in range(n_actions):
                action_id += 1
                start = rng.randrange(max(1, len(text) - 400))
                end = start + rng.randint(30, 250)
                category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
                values = {
                    "text": _sentence(rng, 5, 25)[:500],
                    "done_when": _sentence(rng, 4, 15)[:500],
                    "problem": _sentence(rng, 8, 40)[:1000],
                    "category": category,
                    "size": rng.choice((None, "S", "M", "L")),
                    "quote": text[start:end],
                    "quote_start": start,
                    "quote_end": end,
                    "proposed_owner": rng.choice(PEOPLE) if rng.random() < 0.4 else None,
                    "proposed_due": (day + timedelta(days=rng.randint(7, 120))).isoformat()
                    if rng.random() < 0.3
                    else None,
                }
                rows.append({"id": action_id, "pm": pm_id, **values})
                changes = {k: [None, v] for k, v in values.items() if v is not None}
                audits.append(("action", action_id, "create", json.dumps(changes), "assistant", "mcp:bench"))
            conn.executemany(
                "INSERT INTO actions (id, postmortem_id, text, done_when, problem, category, size, quote, "
                "quote_start, quote_end, proposed_owner, proposed_due) VALUES (:id, :pm, :text, :done_when, "
                ":problem, :category, :size, :quote, :quote_start, :quote_end, :proposed_owner, :proposed_due)",
                rows,
            )
            conn.executemany(
                "INSERT INTO audit_log (entity, entity_id, op, changes, actor, via) VALUES (?, ?, ?, ?, ?, ?)", audits
            )
        info.decisions = _decide(conn, rng, actions)
    for column, counter in (("state", info.states), ("category", info.categories)):
        counter.update(dict(conn.execute(f"SELECT {column}, count(*) FROM actions GROUP BY 1").fetchall()))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return info


Step = tuple[str, str, str, str | None, str | None, str | None]  # kind, from, to, owner, due, reason


def _steps(kind: str, owner: str, due: str) -> list[Step]:
    """The decision rows that take a candidate to the planned outcome."""
    accept: Step = ("accept", "candidate", "accepted", owner, due, None)
    plans: dict[str, list[Step]] = {
        "accept": [accept],
        "kill": [("kill", "candidate", "killed", None, None, "not worth it")],
        "defer": [("defer", "candidate", "candidate", None, None, "next quarter")],
        "done": [accept, ("complete", "accepted", "done", owner, due, None)],
    }
    return plans[kind]


def _decide(conn: sqlite3.Connection, rng: random.Random, actions: int) -> int:
    """Decide a share of the actions in random order; return the number of decision rows."""
    ids = list(range(1, actions + 1))
    rng.shuffle(ids)
    plan: list[tuple[int, str]] = []
    taken = 0
    for kind, share in DECIDED:
        n = int(actions * share)
        plan.extend((i, kind) for i in ids[taken : taken + n])
        taken += n
    rng.shuffle(plan)
    head, next_id = GENESIS_HASH, 1
    clock = datetime(2025, 1, 1, tzinfo=UTC)
    for action_id, kind in plan:
        owner, due = rng.choice(PEOPLE), (date(2025, 2, 1) + timedelta(days=rng.randrange(365))).isoformat()
        for d_kind, from_state, to_state, d_owner, d_due, reason in _steps(kind, owner, due):
            clock += timedelta(seconds=rng.randint(1, 600))
            row: dict[str, object] = {
                "id": next_id,
                "action_id": action_id,
                "kind": d_kind,
                "from_state": from_state,
                "to_state": to_state,
                "owner": d_owner,
                "due": d_due,
                "reason": reason,
                "evidence": None,
                "decided_by": rng.choice(PEOPLE),
                "channel": "terminal",
                "client": None,
                "decided_at": clock.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
            row["prev_hash"] = head
            row["hash"] = head = decision_hash(head, row)
            conn.execute(f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)
            conn.execute(
                "UPDATE actions SET state = ?, owner = ?, due = ?, decision_id = ?, updated_at = ? WHERE id = ?",
                (to_state, d_owner, d_due, next_id, row["decided_at"], action_id),
            )
            next_id += 1
    return next_id - 1
