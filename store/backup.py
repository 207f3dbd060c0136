"""A consistent copy of the database while it is in use: SQLite's online backup API.

The copy is made in one step, inside one read transaction on the source: in WAL mode writers go on while it
runs, and the copy is the database as of that transaction's start, never half of a later write. The caller
names a new (or empty) file; writing it safely beside the real target and renaming it is the caller's part.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .connection import DB_ERRORS, translate
from .errors import StoreError


@dataclass(frozen=True, slots=True)
class BackupCopy:
    """What a backup holds: enough for a person to see it is the database they meant."""

    postmortems: int
    actions: int
    decisions: int
    size_bytes: int


def is_postmortem_actions_database(path: Path) -> bool:
    """Whether `path` is a SQLite file holding our tables (an earlier copy), read without changing it."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except (*DB_ERRORS, OSError, ValueError):
        return False
    return {"postmortems", "actions", "decisions"} <= names


def copy_database(source: sqlite3.Connection, target: Path) -> BackupCopy:
    """Copy the database `source` is connected to into `target`, and check the copy.

    The copy keeps the source's WAL journal mode (a restored file serves a team as the original did) and is
    left as one self-contained file: no -wal or -shm beside it once this returns.

    Raises:
        StoreError: the copy could not be written (full disk, no right) or fails SQLite's quick check.
    """
    try:
        copy = sqlite3.connect(target, isolation_level=None)
        try:
            # pages=-1: every page in one step, so the copy never restarts because a writer changed the source.
            source.backup(copy, pages=-1)
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StoreError(f"the copy failed SQLite's quick check ({'; '.join(problems[:3])})")
            postmortems, actions, decisions = (
                int(copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - fixed table names
                for table in ("postmortems", "actions", "decisions")
            )
            # Fold any WAL frames into the file itself, so the copy is complete on its own.
            copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            copy.close()
    except DB_ERRORS as exc:
        raise translate(exc) from exc
    return BackupCopy(postmortems, actions, decisions, size_bytes=target.stat().st_size)
