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

from .later_tables import ACTION_SEARCH, DECISION_REQUESTS, DECISIONS_0005
from .schema import (
    DATABASE_ID_0007,
    FOLLOWTHROUGH,
    GUARDS_0005,
    INITIAL_GUARDS,
    LIFECYCLE_GUARDS_0004,
    POSTMORTEM_ORIGIN,
    REPLACE_GUARDS,
    REQUEST_GUARDS,
    SEARCH_SYNC,
    TABLES,
    TICKET_ORIGIN,
)
from .schema_people import PEOPLE_AND_DELIVERIES
from .schema_tokens import TOKENS

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
    for name in GUARDS_0005:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    _run_script(db, DECISIONS_0005)
    for sql in GUARDS_0005.values():
        db.execute(sql)
    broken = list(db.execute("PRAGMA foreign_key_check"))
    if broken:
        raise sqlite3.IntegrityError(f"the decision log's rebuild left {len(broken)} broken reference(s)")


@migrations(name="0006_decision_requests_and_search")
def _decision_requests(db: sqlite_utils.Database) -> None:
    _run_script(db, DECISION_REQUESTS)
    _run_script(db, ACTION_SEARCH)
    for name, sql in {**REQUEST_GUARDS, **SEARCH_SYNC}.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(sql)


@migrations(name="0007_database_id")
def _database_id(db: sqlite_utils.Database) -> None:
    _run_script(db, DATABASE_ID_0007)


@migrations(name="0008_people_and_deliveries")
def _people_and_deliveries(db: sqlite_utils.Database) -> None:
    _run_script(db, PEOPLE_AND_DELIVERIES)


@migrations(name="0009_postmortem_origin")
def _postmortem_origin(db: sqlite_utils.Database) -> None:
    _run_script(db, POSTMORTEM_ORIGIN)


@migrations(name="0010_tokens")
def _tokens(db: sqlite_utils.Database) -> None:
    _run_script(db, TOKENS)


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
