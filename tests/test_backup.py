"""`postmortem-actions backup FILE`: a consistent, verifiable copy while another process keeps deciding, and
never a copy written over the database, its journal or its key."""

from __future__ import annotations

import queue
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from test_store_concurrency import DECIDER_SCRIPT, Child, _new_database, children

from postmortem_actions.server.cli.main import main
from postmortem_actions.server.cli.output import SQLITE_HEADER, write_database_copy
from postmortem_actions.server.settings import KEY_SUFFIX
from postmortem_actions.store import Store
from postmortem_actions.store.backup import is_postmortem_actions_database
from postmortem_actions.store.errors import OutputNotWritten, StoreError

BACKUPS = 3
ACKED_BEFORE_FIRST_BACKUP = 20


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with one postmortem and no actions."""
    path = tmp_path / "actions.db"
    _new_database(path)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    return status, capsys.readouterr().err


def drain(child: Child) -> int:
    """How many decisions the child acknowledged since the last call (lines already printed)."""
    count = 0
    while True:
        try:
            line = child._lines.get_nowait()
        except queue.Empty:
            return count
        assert line is not None, f"the decider stopped early; stderr:\n{child.stderr()}"
        count += 1


def decision_ids(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT id FROM decisions ORDER BY id")]


@pytest.mark.slow
def test_a_backup_taken_while_another_process_decides_is_consistent_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "actions.db"
    pm_id = _new_database(db)
    with children() as started:
        decider = Child(DECIDER_SCRIPT, [str(db), str(pm_id), "1000000"], tmp_path / "decider.err")
        started.append(decider)
        acked = 0
        while acked < ACKED_BEFORE_FIRST_BACKUP:
            assert decider.line() is not None, decider.stderr()
            acked += 1
        copies = []
        for n in range(BACKUPS):
            acked += drain(decider)
            copy = tmp_path / "backups" / f"actions-{n}.db"
            copy.parent.mkdir(exist_ok=True)
            status, err = run(capsys, "--db", str(db), "backup", str(copy))
            assert status == 0, err
            assert f"to {copy}" in err
            live = len(decision_ids(db))
            held = decision_ids(copy)
            # Every decision acknowledged before the copy started is in it, none from after it ended, and no
            # gap: the copy is the database as of one moment.
            assert acked <= len(held) <= live
            assert held == list(range(1, len(held) + 1))
            assert f"{len(held)} decision(s)" in err
            copies.append(held)
        assert drain(decider) + acked > len(copies[0]), "the decider kept writing while the backups ran"
        assert decider.proc.poll() is None
    # Each copy is one file: nothing of SQLite's, and no temporary file, is left beside it.
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [f"actions-{n}.db" for n in range(BACKUPS)]
    for n in range(BACKUPS):
        copy = tmp_path / "backups" / f"actions-{n}.db"
        status, err = run(capsys, "--db", str(copy), "verify")
        assert status == 0, err


def test_a_backup_replaces_an_earlier_one_and_holds_what_the_database_holds(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    assert run(capsys, "--db", str(db), "backup", str(copy))[0] == 0
    copy.chmod(0o600)
    status, err = run(capsys, "backup", str(copy), "--db", str(db))
    assert status == 0, err
    assert "1 postmortem(s), 0 action(s) and 0 decision(s)" in err
    assert copy.stat().st_mode & 0o777 == 0o600
    empty = tmp_path / "empty.db"
    empty.touch()
    assert run(capsys, "--db", str(db), "backup", str(empty))[0] == 0
    assert [p.title for p in Store(copy, create=False).list_postmortems()] == ["Queue outage"]
    with closing(sqlite3.connect(copy)) as restored:
        assert restored.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal", KEY_SUFFIX])
def test_a_backup_over_the_database_or_a_file_beside_it_is_refused_even_with_force(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    target = tmp_path / f"actions.db{suffix}"
    status, err = run(capsys, "--db", str(db), "backup", str(target), "--force")
    assert status == 2
    assert "is the database or a file kept beside it" in err
    assert "Nothing was written" in err
    store = Store(db, create=False)
    assert [p.title for p in store.list_postmortems()] == ["Queue outage"]
    assert store.verify().ok


def test_a_backup_through_a_link_to_the_database_is_refused(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "innocent.db"
    link.symlink_to(db)
    status, err = run(capsys, "--db", str(db), "backup", str(link))
    assert status == 2
    assert "is the database" in err


def test_another_kind_of_file_is_replaced_only_with_force(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("the review notes\n")
    status, err = run(capsys, "--db", str(db), "backup", str(notes))
    assert status == 2
    assert "already exists and is not a SQLite database" in err
    assert "use --force" in err
    assert notes.read_text() == "the review notes\n"
    assert run(capsys, "--db", str(db), "backup", str(notes), "--force")[0] == 0
    assert notes.read_bytes().startswith(SQLITE_HEADER)


def test_another_sqlite_database_is_not_taken_for_an_earlier_copy(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "inventory.db"
    with closing(sqlite3.connect(other)) as inventory, inventory:
        inventory.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, name TEXT)")
        inventory.execute("INSERT INTO parts (name) VALUES ('bolt')")
    status, err = run(capsys, "--db", str(db), "backup", str(other))
    assert status == 2
    assert "already exists and is not an earlier copy of this database" in err
    with closing(sqlite3.connect(other)) as inventory:
        assert inventory.execute("SELECT name FROM parts").fetchall() == [("bolt",)]
    assert run(capsys, "--db", str(db), "backup", str(other), "--force")[0] == 0
    assert is_postmortem_actions_database(other)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("folder", "is a folder. Nothing was written: give a file name, e.g."),
        ("missing/copy.db", "does not exist. Nothing was written: create it first"),
        ("/dev/null", "is not a regular file"),
    ],
)
def test_a_target_that_cannot_hold_a_copy_is_refused_readably(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    (tmp_path / "folder").mkdir()
    status, err = run(capsys, "--db", str(db), "backup", str(tmp_path / target))
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_backup_without_a_database_says_so_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = run(capsys, "--db", str(tmp_path / "none.db"), "backup", str(tmp_path / "copy.db"))
    assert status == 2
    assert "no database at" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_copy_that_fails_leaves_no_temporary_file_and_the_earlier_copy_intact(tmp_path: Path) -> None:
    earlier = tmp_path / "copy.db"
    earlier.write_bytes(SQLITE_HEADER + b"earlier")

    def fails(temporary: Path) -> None:
        temporary.with_name(temporary.name + "-journal").write_bytes(b"left by SQLite")
        raise StoreError("database error: database or disk is full")

    with pytest.raises(StoreError, match="disk is full"):
        write_database_copy(earlier, fails, force=False, protected=(), earlier_copy=lambda _: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db"]
    assert earlier.read_bytes() == SQLITE_HEADER + b"earlier"
    assert not is_postmortem_actions_database(earlier)
    with pytest.raises(OutputNotWritten, match="is a folder"):
        write_database_copy(tmp_path, fails, force=True, protected=(), earlier_copy=lambda _: True)


def test_a_copy_sqlite_cannot_write_is_a_store_error_that_says_why(tmp_path: Path, db: Path) -> None:
    (tmp_path / "folder").mkdir()
    with closing(Store(db, create=False)) as store, pytest.raises(StoreError, match="unable to open database file"):
        store.backup(tmp_path / "folder")
