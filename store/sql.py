"""Small helpers for writing SQL values and clauses; no connection handling here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from .inputs import ActionFilter


def text_key(text: str) -> str:
    """What makes two action texts the same item: case and runs of whitespace do not count."""
    return " ".join(text.casefold().split())


def now() -> str:
    """The current UTC time as stored: ISO 8601 with microseconds and a Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sql_value(value: object) -> object:
    """A Python value as SQLite stores it: dates as ISO text, enums as their value."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def where_clause(where: ActionFilter) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (or nothing) and parameters for an action filter."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for key, clause in (
        ("postmortem_id", "postmortem_id = :postmortem_id"),
        ("state", "state = :state"),
        ("owner", "owner = :owner COLLATE NOCASE"),
        ("category", "category = :category"),
        ("due_before", "due < :due_before"),
        ("due_after", "due > :due_after"),
    ):
        value = getattr(where, key)
        if value is not None:
            clauses.append(clause)
            params[key] = sql_value(value)
    # No "WHERE 1": a bare count(*) lets SQLite count the smallest index instead of visiting rows.
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params
