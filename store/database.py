"""One database file: per-thread connections, and bringing the schema up to date on open."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from .backup import BackupCopy, copy_database
from .connection import open_connection, reading, writing
from .errors import SchemaMismatch, StoreError
from .inputs import Actor
from .schema import KNOWN_MIGRATIONS
from .sql import now


class Database:
    """The file, its migrations and its connections; `Store` adds the records on top."""

    def __init__(self, path: Path | str, *, create: bool = True, lazy: bool = False) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"no database at {self.path}; check --db or POSTMORTEM_ACTIONS_DB")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the database folder {self.path.parent}: {exc.strerror}") from exc
        # One connection per thread, reused: opening one re-parses the schema and its guards every time.
        self._conns: dict[int, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        self._migrate_lock = threading.Lock()
        self._ready = False
        if not lazy:
            self._ensure_ready()

    # -- connections -------------------------------------------------------------------------------

    def _ensure_ready(self) -> None:
        # A server opened lazily answers tools/list before it touches the file; the first call migrates.
        if self._ready:
            return
        with self._migrate_lock:
            if not self._ready:
                with self._connection() as db:
                    self._migrate(db)
                self._ready = True

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self._ensure_ready()
        with self._connection() as conn:
            yield conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # A nested call (a read inside a write) gets the same connection and so sees the open transaction;
        # writing() and snapshot() end theirs on every exit, so none is ever left open between calls.
        ident = threading.get_ident()
        with self._lock:
            conn = self._conns.get(ident)
        if conn is None:
            conn = open_connection(self.path)
            with self._lock:
                # The SDK's worker threads retire when idle; close what they left behind.
                alive = {thread.ident for thread in threading.enumerate()}
                for gone in [i for i in self._conns if i not in alive]:
                    self._conns.pop(gone).close()
                self._conns[ident] = conn
        yield conn

    def open_connections(self) -> int:
        """How many connections this store holds (one per thread that used it, while that thread lives)."""
        with self._lock:
            return len(self._conns)

    def close(self) -> None:
        """Close every connection this store opened, in any thread; the store reopens on next use."""
        with self._lock:
            conns, self._conns = list(self._conns.values()), {}
        for conn in conns:
            conn.close()

    def backup(self, target: Path) -> BackupCopy:
        """Copy the whole database into `target` (a new or empty file) with SQLite's online backup API.

        Consistent while other connections and processes write: the copy is the database as of one moment.

        Raises:
            StoreError: the copy could not be written or fails SQLite's quick check.
        """
        with self._db() as db:
            return copy_database(db, target)

    def database_id(self) -> str:
        """This database's id: 32 hex digits, random, made once when the file was created or migrated.

        It is stored in the file, so a copy or a backup keeps it and two databases never share it.
        """
        with self._db() as db, reading(db):
            return str(db.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()["value"])

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, db: sqlite3.Connection) -> None:
        with reading(db):
            version = db.execute("PRAGMA user_version").fetchone()["user_version"]
            if version == len(KNOWN_MIGRATIONS):
                return
            if version > len(KNOWN_MIGRATIONS):
                raise SchemaMismatch(f"{self.path} was written by a newer postmortem-actions; upgrade")
            if db.execute("PRAGMA journal_mode").fetchone()["journal_mode"] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
        from . import migrations  # sqlite-utils is loaded only when a file needs migrating

        # A migration that rebuilds a table drops the old one while other tables still refer to it; the pragma is
        # ignored inside a transaction, so it is switched here, and each such migration checks the keys itself.
        db.execute("PRAGMA foreign_keys = OFF")
        try:
            with writing(db):
                unknown = set(migrations.applied(db)) - set(KNOWN_MIGRATIONS)
                if unknown:
                    raise SchemaMismatch(f"{self.path} has migrations this version does not know: {sorted(unknown)}")
                migrations.apply(db)
                db.execute(f"PRAGMA user_version = {len(KNOWN_MIGRATIONS)}")
        finally:
            db.execute("PRAGMA foreign_keys = ON")

    @staticmethod
    def _audit(
        db: sqlite3.Connection, entity: str, entity_id: int, op: str, changes: Mapping[str, list[object]], by: Actor
    ) -> None:
        db.execute(
            "INSERT INTO audit_log (entity, entity_id, op, changes, actor, via, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [entity, entity_id, op, json.dumps(changes, ensure_ascii=False, default=str), by.actor, by.via, now()],
        )
