"""Reading decisions by id in bulk: the latest decision of many actions at once (exports carry each item's why)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .connection import snapshot
from .database import Database
from .records import Decision

_CHUNK: Final = 500  # well under SQLite's limit on bound parameters


class DecisionReads(Database):
    """Bulk reads of the decision log."""

    def decisions_by_id(self, ids: Iterable[int]) -> dict[int, Decision]:
        """The decisions with these ids (ids naming none are left out), read on one snapshot."""
        wanted = sorted(set(ids))
        found: dict[int, Decision] = {}
        with self._db() as db, snapshot(db):
            for at in range(0, len(wanted), _CHUNK):
                chunk = wanted[at : at + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                for row in db.execute(f"SELECT * FROM decisions WHERE id IN ({marks})", chunk):  # noqa: S608
                    decision = Decision.model_validate(row)
                    found[decision.id] = decision
        return found
