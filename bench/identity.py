"""Whether this interpreter's extractor finds what another's finds: one hash over every finding of a fixed set of
documents, and how many of the extractor's modules are compiled.

usage: python bench/identity.py
Prints one JSON line: {"compiled_modules": N, "documents": D, "findings": F, "sha256": H}. packaging/release (which
.ci/run runs) prints it for the pure wheel and for the compiled one (setup.py, POSTMORTEM_ACTIONS_COMPILE=1) and
fails unless the hashes agree and the compiled wheel really runs compiled modules; .ci/run also asks it whether an
editable install asked to compile runs its sources. The documents: the bundled sample, every
markup document the tests read, the bench's realistic worst shapes and a document in each format it times.
"""

from __future__ import annotations

import hashlib
import json
import pkgutil
import sys
from importlib import import_module
from pathlib import Path

import postmortem_actions.tools.extraction as extraction_package
from postmortem_actions.tools.extraction.extractor import extract

ROOT = Path(__file__).resolve().parents[1]
SIZE = 300_000  # enough of each shape for every kind of item, owner, date and mark to come up many times


def compiled_modules() -> int:
    """How many of the extractor's modules Python loaded from a compiled extension rather than from source."""
    count = 0
    for found in pkgutil.walk_packages(extraction_package.__path__, "postmortem_actions.tools.extraction."):
        try:
            module = import_module(found.name)
        except ImportError:  # the optional .docx reader without its library
            continue
        count += not str(getattr(module, "__file__", "")).endswith(".py")
    return count


def documents() -> dict[str, tuple[str, str | None]]:
    """Each document by a label: its text, and the file name it is read under (None: the format is sniffed)."""
    # Here, not at import: bench/extraction.py imports this module for compiled_modules() alone.
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]
    import extraction as bench  # bench/extraction.py
    import markup_samples  # tests/markup_samples.py

    docs: dict[str, tuple[str, str | None]] = {}
    for path in sorted((ROOT / "server" / "samples").glob("*.md")):
        docs[f"sample:{path.name}"] = (path.read_text(encoding="utf-8"), path.name)
    for extension, text in markup_samples.BY_EXTENSION.items():
        docs[f"tests:{extension}"] = (text, f"incident{extension}")
        docs[f"tests:{extension}:sniffed"] = (text, None)
    for name, text in bench.shapes(SIZE).items():
        docs[f"shape:{name}"] = (text, None)
    for fmt, text in bench.formats(SIZE).items():
        docs[f"format:{fmt}"] = (text, "incident" + bench._EXTENSION[fmt])
    return docs


def main() -> None:
    digest = hashlib.sha256()
    findings = 0
    docs = documents()
    for label, (text, name) in docs.items():
        found = [finding.model_dump(mode="json") for finding in extract(text, name)]
        findings += len(found)
        digest.update(json.dumps([label, found], sort_keys=True).encode())
    print(
        json.dumps(
            {
                "compiled_modules": compiled_modules(),
                "documents": len(docs),
                "findings": findings,
                "sha256": digest.hexdigest(),
            }
        )
    )


if __name__ == "__main__":
    main()
