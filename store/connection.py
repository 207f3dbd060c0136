"""Opening the database file, transactions that wait instead of failing, and sqlite3 errors as domain errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from .errors import (
    HumanDecisionRequired,
    IllegalTransition,
    InvalidInput,
    NotEditable,
    PostmortemActionsError,
    SchemaMismatch,
    StoreBusy,
    StoreError,
)

# What talking to SQLite raises: its own errors, and what binding a huge integer or a lone surrogate raises.
DB_ERRORS: Final = (sqlite3.Error, OverflowError, UnicodeEncodeError)
# A human CLI and an editor's server may write at once; waiting 30 s is far better than failing.
BUSY_TIMEOUT_MS: Final = 30_000


def translate(exc: sqlite3.Error | OverflowError | UnicodeEncodeError) -> PostmortemActionsError:
    """Map a sqlite3 exception (or what binding a huge integer or a lone surrogate raises) to a domain error."""
    message = str(exc)
    if isinstance(exc, UnicodeEncodeError):
        return InvalidInput("the text contains unpaired surrogates; it is not valid Unicode text")
    if isinstance(exc, OverflowError):
        return InvalidInput("a number is beyond the database's 64-bit integer range; no record has such an id")
    if isinstance(exc, sqlite3.IntegrityError):
        if message.startswith("gate: only candidates"):
            return NotEditable(message.removeprefix("gate: "))
        if message.startswith("gate: decision "):  # "gate: decisions are append-only" is not a transition
            return IllegalTransition(message.removeprefix("gate: "))
        if message.startswith("gate:"):
            return HumanDecisionRequired(message.removeprefix("gate: "))
        return InvalidInput(f"rejected by the database: {message}")
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message):
        return StoreBusy(f"the database stayed locked by another writer for {BUSY_TIMEOUT_MS // 1000} s; retry")
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in message:
        return SchemaMismatch(f"the file is not a postmortem-actions database ({message})")
    return StoreError(f"database error: {message}")


def _row(cursor: sqlite3.Cursor, row: tuple[object, ...]) -> dict[str, object]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def open_connection(path: Path) -> sqlite3.Connection:
    """Open a connection with the pragmas every connection needs; rows come back as dicts.

    Transactions are explicit (`reading`, `snapshot`, `writing`); the connection may be closed from
    another thread than the one that uses it, which is the only cross-thread use it gets.

    Raises:
        StoreError: the file cannot be opened.
    """
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.row_factory = _row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # REPLACE deletes conflicting rows; with recursive triggers on, that deletion fires the DELETE guards.
        conn.execute("PRAGMA recursive_triggers = ON")
        # FULL: a decision acknowledged to the human survives power loss, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        return conn
    except DB_ERRORS as exc:
        raise translate(exc) from exc


@contextmanager
def reading(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run reads, turning sqlite3 errors into domain errors."""
    try:
        yield db
    except DB_ERRORS as exc:
        raise translate(exc) from exc


@contextmanager
def snapshot(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run several reads on one consistent snapshot of the file, turning sqlite3 errors into domain errors.

    Without a transaction each SELECT sees the latest commit, so reads that must agree with each other
    (the decision chain and the actions it set) can straddle another process's write.
    """
    try:
        db.execute("BEGIN")
        try:
            yield db
        finally:
            if db.in_transaction:
                db.execute("ROLLBACK")
    except DB_ERRORS as exc:
        raise translate(exc) from exc


@contextmanager
def writing(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction that takes the write lock up front.

    BEGIN IMMEDIATE makes a second writer wait on the busy timeout; a deferred BEGIN that later upgrades
    to a write lock fails at once with "database is locked" when another process got there first.

    Raises:
        StoreBusy: another writer held the lock past the busy timeout.
        GateError / InvalidInput: a guard or constraint refused the change; nothing was written.
    """
    try:
        db.execute("BEGIN IMMEDIATE")
    except DB_ERRORS as exc:
        raise translate(exc) from exc
    try:
        yield db
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, DB_ERRORS):
            raise translate(exc) from exc
        raise
