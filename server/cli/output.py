"""Writing a command's output file (`report --html`, `export --out`, `backup`) without ever destroying something.

- The database, its SQLite sidecars and the key beside it (`Settings.protected_paths`) are never written,
  whatever name or link reaches them, even with --force: a report over `actions.db` loses every decision.
- Another existing file is replaced only when it already holds the same kind of output (or is empty), or
  with --force. A SQLite file is never the same kind.
- The text goes to a temporary file in the same folder, which is then renamed over the target: a failure
  (full disk, quota, a signal) leaves the earlier file as it was and removes the temporary file.
- A pipe or character device (/dev/null, /dev/stdout, `>(…)`) has no file to replace: it is written directly.
  A database copy is a file SQLite writes itself, so it is refused there.

Issue 10, findings 3 and 4.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final, Literal

from postmortem_actions.store.errors import OutputNotWritten

Kind = Literal["html", "md", "csv", "json", "ics", "sqlite"]

SQLITE_HEADER: Final = b"SQLite format 3\x00"
_WHAT: Final[dict[Kind, str]] = {
    "html": "an HTML page",
    "md": "a Markdown export of action items",
    "csv": "a CSV export of action items",
    "json": "a JSON export of action items",
    "ics": "an iCalendar feed",
    "sqlite": "a SQLite database",
}
_SIDECARS: Final = ("-journal", "-wal", "-shm")
_EXAMPLE: Final[dict[Kind, str]] = {"html": "report.html", "sqlite": "actions-backup.db"}
_HEAD_BYTES: Final = 4096
# A JSON export is recognised by parsing it whole; a bigger file is not taken for one.
_JSON_BYTES: Final = 32 * 1024 * 1024
_NO_SPACE: Final = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_NO_RIGHT: Final = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def write_output(path: Path, text: str, kind: Kind, *, force: bool, protected: Iterable[Path]) -> None:
    """Write `text` to `path` as UTF-8, byte for byte (CRLF stays CRLF), all or nothing.

    A new file gets mode 0666 less the umask; a replaced file keeps its permission bits.

    Raises:
        OutputNotWritten: `path` is, or links to, one of `protected` (even with `force`); it is a folder or
            in a missing folder; it exists and holds something other than `kind` output (unless `force`);
            or the write failed. The message says which, that nothing was written, and what to do.
    """
    target = _unprotected(path, protected)
    existing = _stat(path)
    data = text.encode("utf-8")
    if existing is not None and (stat.S_ISFIFO(existing.st_mode) or stat.S_ISCHR(existing.st_mode)):
        _write_directly(path, data)
        return
    if existing is not None:
        _check_existing(path, target, existing, text, kind, force=force)
    _replace(path, target, lambda temporary: _write_bytes(temporary, data), _mode(existing))


def write_database_copy(
    path: Path,
    fill: Callable[[Path], None],
    *,
    force: bool,
    protected: Iterable[Path],
    earlier_copy: Callable[[Path], bool],
) -> None:
    """Have `fill` write a SQLite database into a new empty file beside `path`, then rename it over `path`.

    The same refusals as `write_output`: an existing file is replaced only when it is empty or `earlier_copy`
    recognises it, or with `force`; a pipe or device is refused. Whatever `fill` raises propagates, and the
    temporary file (and any journal SQLite left beside it) is removed.

    Raises:
        OutputNotWritten: `path` is refused or could not be written (the message says which, and what to do).
    """
    target = _unprotected(path, protected)
    existing = _stat(path)
    if existing is not None:
        _check_existing(path, target, existing, "", "sqlite", force=force)
        if not force and existing.st_size and not earlier_copy(target):
            raise OutputNotWritten(
                f"{path} already exists and is not an earlier copy of this database. Nothing was written: use "
                "--force to replace it, or choose another file."
            )
    _replace(path, target, fill, _mode(existing))


def _unprotected(path: Path, protected: Iterable[Path]) -> Path:
    """`path` resolved, unless it is one of `protected` (by any name or link)."""
    target = _resolved(path)
    if _is_protected(target, protected):
        raise OutputNotWritten(
            f"{path} is the database or a file kept beside it (its SQLite journal or its key); writing there "
            "would destroy the recorded decisions. Nothing was written: choose another file "
            "(--force does not change this)."
        )
    return target


def _mode(existing: os.stat_result | None) -> int | None:
    return None if existing is None else stat.S_IMODE(existing.st_mode) & 0o777


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11, 3.12)
        raise OutputNotWritten(
            f"Could not follow {path} to a file ({exc}). Nothing was written: choose another file."
        ) from exc


def _is_protected(target: Path, protected: Iterable[Path]) -> bool:
    """Whether `target` (resolved) is one of `protected`: the same path, or the same file by another name."""
    for guarded in protected:
        try:
            if target == guarded.resolve() or os.path.samefile(target, guarded):
                return True
        except (OSError, RuntimeError):
            continue  # one of the two does not exist (or loops): not the same existing file
    return False


def _stat(path: Path) -> os.stat_result | None:
    """The file `path` names, following links (the kernel's own, so /dev/stdout works); None if absent."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _failed(path, exc) from exc


def _check_existing(path: Path, target: Path, existing: os.stat_result, text: str, kind: Kind, *, force: bool) -> None:
    """Refuse to replace a folder, a non-file, a read-only file, or (unless `force`) another kind of file."""
    if stat.S_ISDIR(existing.st_mode):
        raise OutputNotWritten(
            f"{path} is a folder. Nothing was written: give a file name, e.g. "
            f"{path / _EXAMPLE.get(kind, f'actions.{kind}')}."
        )
    if not stat.S_ISREG(existing.st_mode):
        raise OutputNotWritten(f"{path} is not a regular file. Nothing was written: choose another file.")
    if not existing.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise OutputNotWritten(f"{path} is read-only. Nothing was written: make it writable, or choose another file.")
    if force:
        return
    problem = _kind_problem(target, text, kind)
    if problem:
        raise OutputNotWritten(
            f"{path} {problem}. Nothing was written: use --force to replace it, or choose another file."
        )


def _kind_problem(target: Path, text: str, kind: Kind) -> str | None:
    """Why the existing file is not an earlier output of `kind`, or None when it is (or is empty)."""
    limit = _JSON_BYTES if kind == "json" else _HEAD_BYTES
    try:
        with target.open("rb") as handle:
            head = handle.read(limit + 1)
    except OSError as exc:
        return f"already exists and could not be read to see what it holds ({exc.strerror})"
    if head.startswith(SQLITE_HEADER):
        return None if kind == "sqlite" else "is a SQLite database"
    if not head.strip() or _holds(head, text, kind, whole=len(head) <= limit):
        return None
    return f"already exists and is not {_WHAT[kind]}"


def _holds(head: bytes, text: str, kind: Kind, *, whole: bool) -> bool:
    """Whether `head` (the file's start, or all of it if `whole`) looks like what we write for `kind`."""
    content = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    match kind:
        case "sqlite":
            return False  # a SQLite file was recognised by its header before this
        case "json":
            return whole and _is_json_array(head)
        case "html":
            return content.lstrip().lower().startswith("<!doctype html")
        case _:
            # Markdown starts with our heading, CSV with our header row, iCalendar with BEGIN:VCALENDAR:
            # each is the first line of what is about to be written.
            return content.splitlines()[:1] == text.splitlines()[:1]


def _is_json_array(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), list)
    except (ValueError, RecursionError):
        return False


def _replace(path: Path, target: Path, fill: Callable[[Path], None], mode: int | None) -> None:
    """Have `fill` write a new empty temporary file beside `target`, make it durable, rename it over `target`."""
    temporary = target.with_name(f".{target.name[:100]}.{secrets.token_hex(4)}.tmp")
    renamed = False
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies
        if mode is not None:
            os.chmod(temporary, mode)
        fill(temporary)
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
        renamed = True
    except OSError as exc:
        raise _failed(path, exc) from exc
    finally:
        if not renamed:
            for name in (temporary, *(temporary.with_name(temporary.name + s) for s in _SIDECARS)):
                with contextlib.suppress(OSError):
                    name.unlink()


def _write_bytes(temporary: Path, data: bytes) -> None:
    with temporary.open("r+b") as handle:
        handle.write(data)


def _write_directly(path: Path, data: bytes) -> None:
    try:
        with path.open("wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputNotWritten(
            f"Could not write {path}: {exc.strerror}. It is a device or a pipe, written "
            "directly, so part of the output may have gone through."
        ) from exc


def _failed(path: Path, exc: OSError) -> OutputNotWritten:
    """The sentence for an operating-system error while writing `path`."""
    unchanged = "Nothing was written, and any earlier file there is as it was"
    if exc.errno == errno.ENOENT:
        return OutputNotWritten(
            f"The folder {path.parent} does not exist. Nothing was written: create it first, or choose another file."
        )
    if exc.errno == errno.ENOTDIR:
        return OutputNotWritten(
            f"Part of {path} before the file name is not a folder. Nothing was written: choose another file."
        )
    if exc.errno == errno.EISDIR:
        return OutputNotWritten(f"{path} is a folder. Nothing was written: give a file name.")
    if exc.errno in _NO_SPACE:
        return OutputNotWritten(
            f"Could not write {path}: {exc.strerror}. {unchanged}: free some space, or choose another place."
        )
    if exc.errno in _NO_RIGHT:
        return OutputNotWritten(
            f"Could not write {path}: {exc.strerror}. {unchanged}: choose a folder you may write to."
        )
    return OutputNotWritten(f"Could not write {path}: {exc.strerror}. {unchanged}.")
