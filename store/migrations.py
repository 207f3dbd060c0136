"""Named, ordered, recorded migrations (sqlite-utils), applied when a database is behind this version.

Imported only when a file needs migrating: opening an up-to-date database never loads sqlite-utils.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .schema import (
    DATABASE_ID_0007,
    DECISIONS_0005,
    FOLLOWTHROUGH,
    GUARDS,
    INITIAL_GUARDS,
    LIFECYCLE_GUARDS_0004,
    REPLACE_GUARDS,
    TABLES,
    TICKET_ORIGIN,
)

MIGRATION_SET: Final = "postmortem_actions"
migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    _run_script(db, TABLES)
    for sql in INITIAL_GUARDS.values():
        db.execute(sql)


@migrations(name="0002_replace_guards")
def _replace_guards(db: sqlite_utils.Database) -> None:
    for sql in REPLACE_GUARDS.values():
        db.execute(sql)


@migrations(name="0003_followthrough")
def _followthrough(db: sqlite_utils.Database) -> None:
    _run_script(db, FOLLOWTHROUGH)


@migrations(name="0004_lifecycle_and_origin")
def _lifecycle_and_origin(db: sqlite_utils.Database) -> None:
    _run_script(db, TICKET_ORIGIN)
    for name, sql in LIFECYCLE_GUARDS_0004.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(sql)


@migrations(name="0005_revive_revisit_channels")
def _revive_revisit_channels(db: sqlite_utils.Database) -> None:
    # Every guard goes first: renaming a table re-parses the triggers, and those naming `decisions` would fail
    # while it is gone. They come back as this version renders them.
    for name in GUARDS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    _run_script(db, DECISIONS_0005)
    for sql in GUARDS.values():
        db.execute(sql)
    broken = list(db.execute("PRAGMA foreign_key_check"))
    if broken:
        raise sqlite3.IntegrityError(f"the decision log's rebuild left {len(broken)} broken reference(s)")


@migrations(name="0007_database_id")
def _database_id(db: sqlite_utils.Database) -> None:
    _run_script(db, DATABASE_ID_0007)


def _run_script(db: sqlite_utils.Database, script: str) -> None:
    # executescript() would COMMIT the surrounding transaction; run statement by statement instead.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@contextmanager
def _tuple_rows(conn: sqlite3.Connection) -> Iterator[sqlite_utils.Database]:
    # sqlite-utils reads rows by position; the store's connections return dicts.
    factory, conn.row_factory = conn.row_factory, None
    try:
        yield sqlite_utils.Database(conn, execute_plugins=False)
    finally:
        conn.row_factory = factory


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in this file, in the order they were applied."""
    with _tuple_rows(conn) as db:
        return [m.name for m in migrations.applied(db)]


def apply(conn: sqlite3.Connection) -> None:
    """Apply every pending migration; the caller holds the write transaction."""
    with _tuple_rows(conn) as db:
        migrations.apply(db)
