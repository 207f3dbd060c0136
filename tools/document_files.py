"""Turning pasted text or a named file into postmortem text, under a read policy.

A file path is a way for the model to make the server read files, so the policy is narrow: regular
text files with a document extension, inside the allowed directories, no dot-files or dot-folders,
nothing that looks like key material, and nothing over the size limit.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from postmortem_actions.store.errors import DocumentTooLarge, NotText, PathNotAllowed
from postmortem_actions.tools.extraction.readers.docx import DOCX_SUFFIX, docx_to_text
from postmortem_actions.tools.extraction.readers.docx_package import ZIP_MAGIC

DEFAULT_MAX_BYTES: Final = 5 * 1024 * 1024
TEXT_SUFFIXES: Final = frozenset(
    {
        ".md",
        ".markdown",
        ".mdown",
        ".mkd",
        ".qmd",
        ".rmd",
        ".smd",
        ".txt",
        ".text",
        ".rst",
        ".adoc",
        ".asciidoc",
        ".org",
        ".mdx",
        ".wiki",
        ".mediawiki",
        ".html",
        ".htm",
    }
)
# Names that hint at secrets even with a text extension ("prod-credentials.txt", "id_rsa.txt"), matched
# as whole words: "token-expiry-outage.md" and "private-beta-outage.md" are ordinary postmortems.
_SECRET_NAME: Final = re.compile(
    r"(?:^|[-_. ])(?:secrets?|credentials?|passwords?|passwd|htpasswd|api[-_]?keys?|private[-_]?keys?|netrc|pgpass"
    r"|shadow|keystore|env)(?:[-_. ]|$)|^id_(?:rsa|dsa|ecdsa|ed25519)",
    re.IGNORECASE,
)
_KEY_MATERIAL: Final = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|-----BEGIN OPENSSH PRIVATE KEY-----|-----BEGIN PGP PRIVATE KEY BLOCK-----"
)
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")  # one C scan of a 5 MB text, not a Python test per character


@dataclass(frozen=True)
class ReadPolicy:
    """Which files `parse_postmortem` may read, and how large a document may be.

    `named_by_person`: the path was typed by the person on the command line (`add`, `extract`), not chosen by
    the model. The rules that keep the model away from files it should not read by name (dot-files, names that
    suggest secrets) then do not apply: a postmortem titled "webhook-secrets-incident.md" is read. What a file
    holds is checked either way (text, size, key material).
    """

    allowed_dirs: tuple[Path, ...] = field(default_factory=lambda: (Path.cwd(),))
    max_bytes: int = DEFAULT_MAX_BYTES
    named_by_person: bool = False


def check_text(text: str, max_bytes: int) -> str:
    """Return `text` without a byte-order mark if it is usable postmortem text.

    Raises:
        DocumentTooLarge: over `max_bytes` once encoded as UTF-8.
        NotText: empty, binary (NUL or other control characters), or key material.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise DocumentTooLarge(
            f"the document is {size:,} bytes; the limit is {max_bytes:,}. Split it, or paste only the postmortem itself"
        )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise NotText("the document is empty")
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > max(8, len(text) // 1000):
        raise NotText("this looks like binary data, not a postmortem; pass Markdown, plain text or HTML")
    if _SURROGATE.search(text):
        raise NotText("the text contains unpaired surrogates; it is not valid Unicode text")
    if _KEY_MATERIAL.search(text):
        raise NotText("the document contains private key material; it will not be stored")
    return text


def decode(data: bytes) -> str:
    """Decode document bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.

    Raises:
        NotText: the bytes are not text in those encodings.
    """
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotText(f"the file is not UTF-8 or UTF-16 text (byte {exc.start} is invalid)") from exc


def _root_of(resolved: Path, policy: ReadPolicy) -> Path | None:
    return next((d.resolve() for d in policy.allowed_dirs if resolved.is_relative_to(d.resolve())), None)


def resolve_allowed(path_text: str, policy: ReadPolicy) -> Path:
    """Resolve a path the model named and check it against the read policy.

    Raises:
        PathNotAllowed: outside the allowed directories, a dot-file or dot-folder, not a document
            extension, a name that suggests secrets, missing, or not a regular file.
    """
    if not policy.allowed_dirs:
        raise PathNotAllowed(
            "reading files is off: no folder is allowed (the user can set "
            "POSTMORTEM_ACTIONS_ALLOWED_DIRS or `serve --allow-dir`); paste the text instead"
        )
    allowed_list = ", ".join(str(d) for d in policy.allowed_dirs)
    raw = Path(path_text.strip())
    base = policy.allowed_dirs[0]
    candidate = raw if raw.is_absolute() else base / raw
    outside = PathNotAllowed(
        f"{path_text!r} is outside the allowed directories ({allowed_list}); "
        "paste the text instead, or ask the user to allow the folder"
    )
    # Containment is checked before existence, so the answer never tells whether a file outside exists.
    # ValueError: a NUL byte in the path.
    try:
        if _root_of(candidate.resolve(), policy) is None:
            raise outside
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        where = "" if policy.named_by_person or raw.is_absolute() else f" (relative paths start at {base})"
        raise PathNotAllowed(f"{path_text!r} does not exist{where}") from None
    root = _root_of(resolved, policy)
    if root is None:
        raise outside
    # Checked on the resolved path below the allowed folder: that folder itself may live under a dot-folder.
    by_model = not policy.named_by_person
    if by_model and any(part.startswith(".") for part in resolved.relative_to(root).parts):
        raise PathNotAllowed(f"{path_text!r}: dot-files and dot-folders are never read")
    if resolved.suffix.lower() not in TEXT_SUFFIXES and resolved.suffix.lower() != DOCX_SUFFIX:
        readable = ", ".join(sorted([*TEXT_SUFFIXES, DOCX_SUFFIX]))
        raise PathNotAllowed(f"{path_text!r}: only document files are read ({readable})")
    if by_model and _SECRET_NAME.search(resolved.stem):
        raise PathNotAllowed(f"{path_text!r}: the name suggests secrets or keys; it will not be read")
    return resolved


def read_document(path_text: str, policy: ReadPolicy) -> tuple[Path, str]:
    """Read an allowed document file as text.

    Raises:
        PathNotAllowed: see `resolve_allowed`; also for FIFOs, devices and folders.
        DocumentTooLarge: over the policy's size limit.
        NotText: binary, undecodable, or key material.
    """
    resolved = resolve_allowed(path_text, policy)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(resolved, flags)
    except OSError as exc:
        raise PathNotAllowed(f"{path_text!r} cannot be opened: {exc.strerror}") from None
    try:  # checked on the descriptor: os.fdopen raises IsADirectoryError on a folder
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PathNotAllowed(f"{path_text!r} is not a regular file")
        if info.st_size > policy.max_bytes:
            raise DocumentTooLarge(f"{path_text!r} is {info.st_size:,} bytes; the limit is {policy.max_bytes:,}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(policy.max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > policy.max_bytes:
        raise DocumentTooLarge(f"{path_text!r} is over the limit of {policy.max_bytes:,} bytes")
    return resolved, document_text(data, resolved.name, policy.max_bytes)


def origin_of(path: Path) -> str | None:
    """What the stored text was extracted from when it is not the file's own text ('docx:name.docx'), else None."""
    return f"docx:{path.name}" if path.suffix.lower() == DOCX_SUFFIX else None


def document_text(data: bytes, name: str, max_bytes: int) -> str:
    """The postmortem text of a file's bytes: a Word document's rendering as Markdown, or the decoded text.

    Raises:
        DocumentTooLarge: over `max_bytes`, or a Word package that unpacks to too much.
        NotText: binary, undecodable, key material, or a Word document that cannot be read.
    """
    if name.lower().endswith(DOCX_SUFFIX) or data.startswith(ZIP_MAGIC):
        return check_text(docx_to_text(data, name, max_bytes), max_bytes)
    return check_text(decode(data), max_bytes)
