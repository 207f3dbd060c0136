"""Issue 10, finding 5, end to end: a 5 MB postmortem through the commands a person runs, not only the extractor.

    python bench/commands_5mb.py [--mb N]

For each realistic worst shape of bench/extraction.py (an action-item table, a long "Action items" list, prose full
of commitments, an HTML export of a list), written to a file of N MB (default 5, the default size limit):
`postmortem-actions extract FILE --json` (output discarded) and `postmortem-actions add FILE` (into a new database),
each run as the installed console script, and the `parse_postmortem` tool in this process (the tool function the
MCP server calls, on a new database, its findings cache emptied first, the earlier shapes' findings still held as
a running server holds them), against the extractor alone in this process (`extract()` on the same text) as the
baseline. Prints one JSON line per shape: findings, the seconds of each, findings per second of each,
and each command's seconds as a ratio to the extractor's. The first line says which build is timed (compiled
modules, bench/identity.py). Wall-clock seconds, the best of two runs each; a command's figure includes the
interpreter's start, reading and checking the file, and writing the JSON or the database.

A script, not a test. Everything it writes lives in a TemporaryDirectory; it uses no network.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from extraction import shapes, timed  # bench/ is sys.path[0] when this file runs as a script
from identity import compiled_modules

from postmortem_actions.store import Actor, Store
from postmortem_actions.tools.document_files import ReadPolicy
from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.postmortems import parse_postmortem

RUNS = 2


def _command() -> str:
    """The console script of the interpreter running this bench (the build being timed)."""
    found = Path(sys.executable).with_name("postmortem-actions")
    return str(found) if found.exists() else shutil.which("postmortem-actions") or "postmortem-actions"


def _best_wall(run: list[str], folder: Path) -> float:
    """The best wall time of RUNS runs of a command, each on a fresh database; a failing command stops the bench."""
    best = float("inf")
    for attempt in range(RUNS):
        db = folder / f"bench-{attempt}-{time.monotonic_ns()}.db"
        started = time.perf_counter()
        subprocess.run([run[0], "--db", str(db), *run[1:]], check=True, stdout=subprocess.DEVNULL, timeout=600)
        best = min(best, time.perf_counter() - started)
    return best


def _best_parse(file: Path, folder: Path) -> float:
    """The best wall time of RUNS calls of the parse_postmortem tool on `file`, each into a new database."""
    best = float("inf")
    for attempt in range(RUNS):
        store = Store(folder / f"parse-{attempt}-{time.monotonic_ns()}.db")
        policy = ReadPolicy(allowed_dirs=(folder,), max_bytes=file.stat().st_size + 1)
        extract.cache_clear()
        started = time.perf_counter()
        parse_postmortem(store, Actor(actor="assistant", via="bench"), policy, path=str(file))
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0, help="size of each document in MB (default 5)")
    args = parser.parse_args()
    command = _command()
    print(json.dumps({"build": {"compiled_modules": compiled_modules(), "command": command}}))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for shape, text in shapes(int(args.mb * 1_000_000)).items():
            file = folder / (f"{shape}.html" if shape.startswith("html") else f"{shape}.md")
            file.write_text(text, encoding="utf-8")
            core, found = timed(text, RUNS, file.name)  # past the extractor's cache, as bench/extraction.py times
            extract_s = _best_wall([command, "extract", str(file), "--json"], folder)
            add_s = _best_wall([command, "add", str(file)], folder)
            parse_s = _best_parse(file, folder)
            figures = {
                "shape": shape,
                "document_mb": args.mb,
                "findings": found,
                "extractor_s": round(core, 2),
                "extract_json_s": round(extract_s, 2),
                "add_s": round(add_s, 2),
                "parse_postmortem_s": round(parse_s, 2),
                "findings_per_s": {
                    "extractor": round(found / core),
                    "extract_json": round(found / extract_s),
                    "add": round(found / add_s),
                    "parse_postmortem": round(found / parse_s),
                },
                "vs_extractor": {
                    "extract_json": round(extract_s / core, 2),
                    "add": round(add_s / core, 2),
                    "parse_postmortem": round(parse_s / core, 2),
                },
            }
            print(json.dumps(figures))


if __name__ == "__main__":
    main()
