"""Access tokens for the team server: one person and one role each, stored only as a hash.

The secret itself is made and hashed by the caller (`tools/tokens.py`); the store keeps the SHA-256 hex digest and
answers "whose is this hash, with which role, still valid?" with one indexed read, on every request.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Final, Literal

from .connection import reading, writing
from .database import Database
from .errors import InvalidInput, NotFound
from .sql import now

Role = Literal["viewer", "member", "admin"]
ROLES: Final[tuple[Role, ...]] = ("viewer", "member", "admin")
_JOINED: Final = "tokens t JOIN people p ON p.id = t.person_id"  # the WHERE clauses below are fixed strings


@dataclass(frozen=True)
class TokenRecord:
    """A token as `token list` shows it (never its secret, which is not stored)."""

    id: int
    person: str
    role: Role
    label: str | None
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token speaks for: the person's id and name as the people table has it, and the role."""

    token_id: int
    person_id: int
    person: str
    role: Role


def _role(value: object) -> Role:
    for role in ROLES:
        if role == value:
            return role
    raise InvalidInput(f"{str(value)[:20]!r} is not a role (viewer, member or admin)")


class Tokens(Database):
    """Reading and writing `tokens`."""

    def add_token(self, person_id: int, role: Role, digest: str, label: str | None) -> TokenRecord:
        """Store a new token's hash for a person.

        Raises:
            InvalidInput: the role is unknown or the label too long.
        """
        with self._db() as db, writing(db):
            cursor = db.execute(
                "INSERT INTO tokens (person_id, role, hash, label) VALUES (?, ?, ?, ?)",
                [person_id, _role(role), digest, label],
            )
            return self._tokens(db, "t.id = ?", [int(cursor.lastrowid or 0)])[0]

    def tokens(self, *, include_revoked: bool = False) -> list[TokenRecord]:
        """Every token (valid ones only unless asked), oldest first."""
        with self._db() as db, reading(db):
            return self._tokens(db, "1" if include_revoked else "t.revoked_at IS NULL", [])

    def revoke_token(self, token_id: int) -> TokenRecord:
        """Revoke a token: it is refused from now on (a board session signed in with it ends too).

        Raises:
            NotFound: no valid token has this id.
        """
        with self._db() as db, writing(db):
            changed = db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now(), token_id]
            ).rowcount
            if not changed:
                raise NotFound(f"no valid token has id {token_id}; `token list` shows them")
            return self._tokens(db, "t.id = ?", [token_id])[0]

    def token_holder(self, digest: str) -> TokenHolder | None:
        """Whose valid token has this hash, or None (unknown or revoked): one indexed read."""
        return self._holder("t.hash = ?", digest)

    def _holder(self, where: str, value: object) -> TokenHolder | None:
        sql = f"SELECT t.id, t.role, p.id AS person_id, p.name FROM {_JOINED} WHERE {where} AND t.revoked_at IS NULL"  # noqa: S608
        with self._db() as db, reading(db):
            row = db.execute(sql, [value]).fetchone()
        if row is None:
            return None
        return TokenHolder(int(row["id"]), int(row["person_id"]), str(row["name"]), _role(row["role"]))

    def token_holder_by_id(self, token_id: int) -> TokenHolder | None:
        """Whose valid token has this id, or None (a board session checks it on every request)."""
        return self._holder("t.id = ?", token_id)

    def count_tokens(self) -> int:
        """How many valid tokens there are (the HTTP server refuses to start with none and no sign-on)."""
        with self._db() as db, reading(db):
            return int(db.execute("SELECT count(*) AS n FROM tokens WHERE revoked_at IS NULL").fetchone()["n"])

    @staticmethod
    def _tokens(db: sqlite3.Connection, where: str, params: list[object]) -> list[TokenRecord]:
        columns = "t.id, p.name, t.role, t.label, t.created_at, t.revoked_at"
        rows = db.execute(f"SELECT {columns} FROM {_JOINED} WHERE {where} ORDER BY t.id", params)  # noqa: S608
        return [
            TokenRecord(
                int(r["id"]), str(r["name"]), _role(r["role"]), r["label"], str(r["created_at"]), r["revoked_at"]
            )
            for r in rows
        ]
