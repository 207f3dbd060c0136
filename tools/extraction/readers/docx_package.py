"""The checks a .docx package passes before python-docx opens it, with the standard library alone: it is a zip, a
Word document, and does not unpack to more than the size limit allows (a zip bomb)."""

from __future__ import annotations

import io
import zipfile
from typing import Final

from postmortem_actions.store.errors import DocumentTooLarge, NotText

ZIP_MAGIC: Final = b"PK\x03\x04"
_MAX_PARTS: Final = 5000
_EXPANSION: Final = 20  # a package may unpack to this many times the document size limit, no more


def check_package(data: bytes, name: str, max_bytes: int) -> None:
    """Refuse what is not a Word package, or would unpack to too much, before any part is read.

    Raises:
        NotText: not a zip, damaged, or a zip that is not a Word document.
        DocumentTooLarge: too many parts, or parts that unpack to more than the limit allows (a zip bomb).
    """
    if not data.startswith(ZIP_MAGIC):
        raise NotText(f"{name!r} is not a Word document (a .docx is a zip package); nothing was read")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise NotText(f"{name!r} is damaged: its zip directory cannot be read; nothing was read") from None
    names = {info.filename for info in parts}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise NotText(f"{name!r} is a zip package but not a Word document (no word/document.xml); nothing was read")
    if len(parts) > _MAX_PARTS:
        raise DocumentTooLarge(f"{name!r} holds {len(parts):,} parts; a Word document has far fewer. Nothing was read")
    # zipfile never inflates a part past the size its directory declares, so the declared sizes bound the work.
    unpacked, limit = sum(info.file_size for info in parts), _EXPANSION * max_bytes
    if unpacked > limit:
        raise DocumentTooLarge(
            f"{name!r} unpacks to {unpacked:,} bytes, over the limit of {limit:,} (a zip bomb, or a document "
            "with very large pictures); nothing was read. Paste its text instead"
        )
