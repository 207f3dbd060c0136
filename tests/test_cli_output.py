"""What `report --html FILE` and `export --out FILE` may write over, and what a person reads when a file
cannot be written (issue 10, findings 3 and 4).

Everything runs through the real CLI on real files under `tmp_path`. The database, its SQLite sidecars and
the key beside it are never written, even with --force; another existing file is replaced only when it
holds the same kind of output or --force is given; a failed write leaves no half file and no temp file.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from test_tickets import seeded

from postmortem_actions.server.cli.main import main
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Actor, NewAction, NewPostmortem, Store

# (command line without --db, the file it writes last): one per kind of output.
WRITERS = {
    "html": ["report", "--format", "json", "--html"],
    "md": ["export", "--format", "md", "--out"],
    "csv": ["export", "--format", "csv", "--out"],
    "json": ["export", "--format", "json", "--out"],
    "ics": ["export", "--format", "ics", "--out"],
}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with three actions (one accepted), closed so only the CLI holds it open."""
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")
    store, _, _ = seeded(tmp_path)
    store.close()
    return tmp_path / "actions.db"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def states(capsys: pytest.CaptureFixture[str], db: Path) -> list[str]:
    """The states of every action, read back through the CLI (the decisions are still there)."""
    status, out, _ = run(capsys, db, "list", "--format", "json")
    assert status == 0
    return [item["state"] for item in json.loads(out)["items"]]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the database and the files beside it (finding 3) ----------------------------------------------------


@pytest.mark.parametrize("kind", ["html", "json"])
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_the_database_itself_is_never_written_even_with_force(
    capsys: pytest.CaptureFixture[str], db: Path, kind: str, force: list[str]
) -> None:
    before = digest(db)
    status, out, err = run(capsys, db, *WRITERS[kind], str(db), *force)

    assert status == 2
    assert out == ""
    assert "is the database or a file kept beside it" in err
    assert "Nothing was written" in err
    assert "--force does not change this" in err
    assert digest(db) == before
    assert sorted(states(capsys, db)) == ["accepted", "candidate", "killed"]


@pytest.mark.parametrize("name", ["actions.db-wal", "actions.db-shm", "actions.db-journal"])
def test_the_sqlite_files_beside_the_database_are_never_written_even_with_force(
    capsys: pytest.CaptureFixture[str], db: Path, name: str
) -> None:
    target = db.parent / name
    status, _, err = run(capsys, db, *WRITERS["md"], str(target), "--force")

    assert status == 2
    assert "is the database or a file kept beside it" in err
    assert "Nothing was written" in err
    # A stray -journal would be taken by SQLite for a hot journal and "rolled back" into the database.
    assert not (db.parent / "actions.db-journal").exists()
    assert sorted(states(capsys, db)) == ["accepted", "candidate", "killed"]


def test_the_key_beside_the_database_is_never_written_even_with_force(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    key = Settings.load(db=str(db)).state_key_path
    key.write_bytes(b"k" * 32)
    status, _, err = run(capsys, db, *WRITERS["html"], str(key), "--force")

    assert status == 2
    assert "is the database or a file kept beside it" in err
    assert key.read_bytes() == b"k" * 32


def test_settings_protect_the_database_its_sidecars_and_the_key_in_one_place(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "a.db", allowed_dirs=(), max_bytes=1, user="t")
    assert set(settings.protected_paths) >= {
        tmp_path / "a.db",
        tmp_path / "a.db-wal",
        tmp_path / "a.db-shm",
        tmp_path / "a.db-journal",
        settings.state_key_path,
    }


def test_through_a_symlinked_db_the_sidecars_beside_the_real_file_are_protected(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    # SQLite follows a symlinked database name and keeps -wal, -shm and -journal beside the real file.
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(db)
    status, _, err = run(capsys, link, *WRITERS["md"], str(db.parent / "actions.db-journal"), "--force")

    assert status == 2
    assert "is the database or a file kept beside it" in err
    assert not (db.parent / "actions.db-journal").exists()


@pytest.mark.parametrize("link", [os.symlink, os.link])
def test_a_link_to_the_database_is_the_database(
    capsys: pytest.CaptureFixture[str], db: Path, link: Callable[[Path, Path], None], tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    alias = other / "report.html"
    link(db, alias)
    before = digest(db)
    status, _, err = run(capsys, db, *WRITERS["html"], str(alias), "--force")

    assert status == 2
    assert "is the database" in err
    assert digest(db) == before


# -- other existing files (finding 3) -------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(WRITERS))
def test_an_existing_file_of_another_kind_is_kept_unless_force_is_given(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, kind: str
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("My own notes, not written by postmortem-actions.\n")
    status, out, err = run(capsys, db, *WRITERS[kind], str(notes))

    assert status == 2
    assert out == ""
    assert "already exists and is not" in err
    assert "Nothing was written" in err
    assert "use --force to replace it, or choose another file" in err
    assert notes.read_text() == "My own notes, not written by postmortem-actions.\n"

    status, _, err = run(capsys, db, *WRITERS[kind], str(notes), "--force")
    assert status == 0
    assert f"wrote {notes}" in err or f"to {notes}" in err
    assert "My own notes" not in notes.read_text()


@pytest.mark.parametrize("kind", ["html", "json"])
def test_another_sqlite_database_is_never_taken_for_an_output(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, kind: str
) -> None:
    other = tmp_path / "other.json"  # a name that looks like an output does not matter: the content does
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE t (x)")
    raw.close()
    before = digest(other)
    status, _, err = run(capsys, db, *WRITERS[kind], str(other))

    assert status == 2
    assert "is a SQLite database" in err
    assert digest(other) == before


def test_a_json_object_is_not_a_json_export(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    package.write_text('{"name": "web", "version": "1.0.0"}\n')
    status, _, err = run(capsys, db, *WRITERS["json"], str(package))

    assert status == 2
    assert "is not a JSON export" in err
    assert package.read_text() == '{"name": "web", "version": "1.0.0"}\n'


@pytest.mark.parametrize("kind", list(WRITERS))
def test_an_earlier_output_of_the_same_kind_or_an_empty_file_is_replaced_without_force(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / f"out.{kind}"
    target.touch()
    assert run(capsys, db, *WRITERS[kind], str(target))[0] == 0
    first = target.read_bytes()
    assert first

    status, _, err = run(capsys, db, *WRITERS[kind], str(target))
    assert status == 0, err
    assert target.read_bytes().splitlines()[0] == first.splitlines()[0]


@pytest.mark.parametrize("kind", ["md", "csv", "json"])
def test_the_file_holds_exactly_the_bytes_standard_output_would(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / f"out.{kind}"
    assert run(capsys, db, *WRITERS[kind], str(target))[0] == 0
    status, out, _ = run(capsys, db, *WRITERS[kind][:-1])

    assert status == 0
    assert target.read_bytes() == out.encode("utf-8")  # CSV keeps its CRLF line ends
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_new_file_follows_the_umask_and_a_replaced_file_keeps_its_mode(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    fresh, private = tmp_path / "fresh.ics", tmp_path / "private.ics"
    private.touch()
    private.chmod(0o600)
    old = os.umask(0o022)
    try:
        assert run(capsys, db, *WRITERS["ics"], str(fresh))[0] == 0
        assert run(capsys, db, *WRITERS["ics"], str(private))[0] == 0
    finally:
        os.umask(old)

    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_read_only_file_is_left_alone_even_with_force(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, force: list[str]
) -> None:
    # Renaming over a file needs only the folder's permission; a file made read-only says "leave me".
    target = tmp_path / "due.ics"
    assert run(capsys, db, *WRITERS["ics"], str(target))[0] == 0
    target.chmod(0o444)
    before = digest(target)
    status, _, err = run(capsys, db, *WRITERS["ics"], str(target), *force)

    assert status == 2
    assert f"{target} is read-only. Nothing was written" in err
    assert digest(target) == before


# -- files that cannot be written (finding 4) -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["html", "csv"])
def test_a_folder_as_the_output_is_refused_with_a_sentence(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    status, out, err = run(capsys, db, *WRITERS[kind], str(folder))

    assert status == 2
    assert out == ""
    assert f"{folder} is a folder" in err
    assert "Nothing was written" in err
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", ["html", "ics"])
def test_a_missing_folder_is_named_and_not_created(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "no-such-folder" / "out.txt"
    status, _, err = run(capsys, db, *WRITERS[kind], str(target))

    assert status == 2
    assert f"The folder {target.parent} does not exist" in err
    assert "Nothing was written" in err
    assert not target.parent.exists()


def _many_actions(path: Path, count: int) -> None:
    """A database whose JSON export is about 60 KB: `count` candidates on one postmortem."""
    store = Store(path)
    text = "# Queue outage\n\n- Add an alert on queue depth above 10,000 messages.\n"
    by = Actor(actor="t", via="t")
    pm, _ = store.add_postmortem(
        NewPostmortem(
            title="Queue outage", source="pasted", text=text, sha256=hashlib.sha256(text.encode()).hexdigest()
        ),
        by,
    )
    quote = "Add an alert on queue depth"
    start = text.index(quote)
    store.add_actions(
        pm.id,
        [
            NewAction(
                text=f"Alert on queue depth above 10,000 messages, variant {n}",
                done_when="A synthetic backlog pages",
                problem="Nobody noticed the backlog",
                category="detect",
                quote=quote,
                quote_start=start,
                quote_end=start + len(quote),
            )
            for n in range(count)
        ],
        by,
    )
    store.close()


@pytest.mark.slow
def test_a_write_the_file_system_refuses_midway_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    # A full disk without root: RLIMIT_FSIZE makes the kernel refuse any write past 40 KB in the child
    # (EFBIG, the same failure path as ENOSPC: an OSError from write()). 40 KB leaves room for SQLite's
    # 32 KB shared-memory file, and the export is larger than that.
    db, out = tmp_path / "actions.db", tmp_path / "actions.json"
    _many_actions(db, 100)
    out.write_text("[]\n")
    limit = 40_000

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "postmortem_actions.server",
            "--db",
            str(db),
            "export",
            "--format",
            "json",
            "--out",
            str(out),
        ],
        preexec_fn=small_disk,
        capture_output=True,
        text=True,
        timeout=60,
        # Without coverage's variables: a measured child would fail to save its own data on the small disk.
        env={**{k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}, "POSTMORTEM_ACTIONS_USER": "t"},
        check=False,
    )

    assert child.returncode == 2, child.stderr
    assert "Traceback" not in child.stderr
    assert f"Could not write {out}: File too large" in child.stderr
    assert "Nothing was written" in child.stderr
    assert out.read_text() == "[]\n"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("actions.db")) == ["actions.json"]
    # the same export without the limit is indeed larger than it
    check = subprocess.run(
        [sys.executable, "-m", "postmortem_actions.server", "--db", str(db), "export", "--format", "json"],
        capture_output=True,
        timeout=60,
        check=True,
        env={**os.environ, "POSTMORTEM_ACTIONS_USER": "t"},
    )
    assert len(check.stdout) > limit


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's always-full device")
def test_a_full_device_is_reported_as_a_sentence(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    # /dev/full answers every write with ENOSPC; a device is written directly (there is no file to replace).
    status, _, err = run(capsys, db, *WRITERS["csv"], "/dev/full")

    assert status == 2
    assert "Could not write /dev/full: No space left on device" in err


def test_a_device_such_as_dev_null_is_written_without_force(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    status, _, err = run(capsys, db, *WRITERS["md"], os.devnull)

    assert status == 0, err
    assert Path(os.devnull).exists()
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)


def test_force_is_offered_by_both_commands(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("report", "export"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--force" in capsys.readouterr().out
