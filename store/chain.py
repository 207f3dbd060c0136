"""The decision log's hash chain and the check that reports any break in it or in the guards."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel, ConfigDict

from .schema import GENESIS_HASH, GUARDS

# The fields a decision's hash covers, in the order they are written; never reorder (old hashes would break).
HASHED_FIELDS: Final = (
    "id",
    "action_id",
    "kind",
    "from_state",
    "to_state",
    "owner",
    "due",
    "reason",
    "evidence",
    "decided_by",
    "channel",
    "client",
    "decided_at",
)
# Fields added later: hashed only when set, so every decision recorded before they existed keeps its hash.
OPTIONAL_HASHED_FIELDS: Final = ("revisit_on",)


def decision_hash(prev_hash: str, row: Mapping[str, object]) -> str:
    """The sha256 linking a decision's content to the previous decision's hash."""
    content = {k: row.get(k) for k in HASHED_FIELDS}
    content |= {k: row[k] for k in OPTIONAL_HASHED_FIELDS if row.get(k) is not None}
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


class VerifyReport(BaseModel):
    """What `verify` found: a clean chain, or every break it saw."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    ok: bool
    decisions: int
    head_hash: str
    problems: list[str]


def _normalise_sql(sql: str) -> str:
    return " ".join(sql.split())


def verify_database(db: sqlite3.Connection) -> VerifyReport:
    """Check the hash chain, that each action matches its latest decision, and that every guard is intact."""
    problems, count, head, latest = _chain(db)
    problems += _actions_against(db, latest) + _guards(db)
    problems += [
        f"sqlite quick_check: {row['quick_check']}"
        for row in db.execute("PRAGMA quick_check")
        if row["quick_check"] != "ok"
    ]
    return VerifyReport(ok=not problems, decisions=count, head_hash=head, problems=problems)


def _chain(db: sqlite3.Connection) -> tuple[list[str], int, str, dict[int, Mapping[str, object]]]:
    """Breaks in the decision chain, how many decisions there are, the head hash, and each action's latest."""
    problems: list[str] = []
    prev = GENESIS_HASH
    count = 0
    latest: dict[int, Mapping[str, object]] = {}
    for row in db.execute("SELECT * FROM decisions ORDER BY id"):
        count += 1
        if row["prev_hash"] != prev:
            problems.append(f"decision {row['id']}: does not link to the previous decision (chain broken)")
        if decision_hash(str(row["prev_hash"]), row) != row["hash"]:
            problems.append(f"decision {row['id']}: content does not match its hash (altered or forged)")
        prev = str(row["hash"])
        latest[int(row["action_id"])] = row
    return problems, count, prev, latest


def _actions_against(db: sqlite3.Connection, latest: Mapping[int, Mapping[str, object]]) -> list[str]:
    """Every action whose state, owner or due date its latest decision did not set."""
    problems: list[str] = []
    for action in db.execute("SELECT id, state, owner, due, decision_id FROM actions ORDER BY id"):
        decision = latest.get(int(action["id"]))
        if decision is None:
            expected: tuple[object, ...] = ("candidate", None, None, None)
        else:
            expected = (decision["to_state"], decision["owner"], decision["due"], decision["id"])
        actual = (action["state"], action["owner"], action["due"], action["decision_id"])
        if actual != expected:
            problems.append(f"action {action['id']}: state/owner/due {actual[:3]} not set by its latest decision")
    return problems


def _guards(db: sqlite3.Connection) -> list[str]:
    """Every guard dropped or altered, and every trigger that is not ours."""
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    present = {r["name"]: str(r["sql"]) for r in triggers}
    problems = [
        f"trigger {name} is not one of ours (added outside the store; it can hide or undo changes)"
        for name in sorted(present.keys() - GUARDS.keys())
    ]
    for name, sql in GUARDS.items():
        if name not in present:
            problems.append(f"guard {name} is missing (dropped outside the store)")
        elif _normalise_sql(present[name]) != _normalise_sql(sql):
            problems.append(f"guard {name} was altered outside the store")
    return problems
