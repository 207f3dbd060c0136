"""Extraction quality and speed: run the extractor over a corpus folder, score it, and time it.

usage: python bench/extraction.py [CORPUS_DIR] [--verbose] [--mb N]
  CORPUS_DIR defaults to shared/corpus/dev next to the repository (or next to a folder above it); its parent
  must hold score.py. --verbose passes through to score.py (misses and false positives on stderr).
  --mb sets the size of each timed document (default 1; 5 is the default size limit of a postmortem).

Prints, as JSON lines: score.py's figures for our extractor; the same for the simple baseline measured in the same
run ("every list item under an action-like heading"); throughput in MB/s on a document built from the corpus,
against `str.splitlines` over the same text as the floor; then findings/s and MB/s for each of the realistic worst
shapes (issue 10, finding 5; the goal, 20,000 findings per CPU-second, is met by the compiled build that setup.py
makes with POSTMORTEM_ACTIONS_COMPILE=1, and the "build" line says which one is timed): a document that is nothing
but an action-item table, a very long "Action items" list, long prose full of commitments, and an HTML export of a
list; then, for each markup the extractor reads (issue 15), MB/s on a document of prose, code, an action list, a
table and a quoted log line written in it, read through its file extension. The shapes and formats are timed in
wall-clock and in CPU seconds; on a machine other work shares, compare the CPU figures (the wall clock also counts
waits for a core).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Final

from identity import compiled_modules  # bench/identity.py

from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.readers.markdown import parse_blocks

ROOT = Path(__file__).resolve().parents[1]
ACTION_HEADING = re.compile(r"action|follow|remediation|next step|future|improvement|corrective|prevent", re.I)
# Varied wording, so categories, vagueness, owners, dates, links and done marks all take their turn.
ITEMS = (
    "Add an alert on queue {n} depth above 10k",
    "Investigate why replica {n} lags behind the primary",
    "Improve monitoring of the cache cluster {n} etc.",
    "Write a runbook for failing over database shard {n}",
    "**Rate limiting**: add per-tenant rate limits on API {n}. Ensure the limits are documented.",
    "Roll back deploy {n} automatically when the error rate exceeds 5% (owner: @dana, due 2026-03-{d})",
    "Fix the retry loop in worker {n} ([OPS-{n}](https://jira.example.com/browse/OPS-{n}))",
    "Make sure all services {n} have health checks",
    "Train the on-call rotation on incident {n} procedures (Done)",
    "Document the recovery steps for region {n}. Owner: SRE team",
    "Look into better logging for job {n}...",
    "Configure circuit breakers and backoff for client {n}, see #{n}",
    "Prioritise fixing the flaky test suite {n}",
)
PROSE = (
    "We will add an alert when queue {n} depth exceeds 10k messages.",
    "The database ran out of connections at 10:{d}.",
    "We need to improve the runbook for shard {n}, so that on-call can fail over faster.",
    "The longer-term fix is to move tenant {n} onto its own cluster.",
    "It was a stressful night for everyone.",
    "We are working on rate limits for API {n} and plan to ship them by March {d}.",
    "Should we add a canary stage for service {n} before every deploy?",
    "This is tracked in [issue {n}](https://github.com/example/repo/issues/{n}).",
    "We have already added a health check to worker {n}.",
    "Going forward, the team will review every config change to service {n}.",
)


def ours(text: str) -> list[dict[str, object]]:
    return [{"text": f.text, "quote": f.quote, "category": f.category, "vague": f.vague} for f in extract(text)]


def baseline(text: str) -> list[dict[str, object]]:
    """Every list item under a heading that sounds like follow-ups: the approach the issue calls simple."""
    doc = parse_blocks(text)
    return [
        {"text": text[b.start : b.end], "quote": text[b.start : b.end]}
        for b in doc.blocks
        if b.kind == "item" and ACTION_HEADING.search(doc.sections[b.section].title)
    ]


def score(corpus: Path, predictions: dict[str, list[dict[str, object]]], verbose: bool) -> dict[str, object]:
    """The corpus's score.py figures for `predictions`. Raises ValueError when the scorer fails (see `scored`)."""
    result: dict[str, object] = json.loads(scored(corpus.parent / "score.py", corpus, predictions, verbose))
    return result


def scored(scorer: Path, corpus: Path, predictions: dict[str, list[dict[str, object]]], verbose: bool) -> str:
    """The last line a scorer script prints for `predictions` over `corpus` (its JSON figures); with `verbose`, its
    misses and false positives go to stderr.

    Raises:
        ValueError: the scorer failed or printed nothing (its error output is in the message)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(predictions, handle)
    try:
        args = [sys.executable, str(scorer), str(corpus), handle.name] + ["--verbose"] * verbose
        done = subprocess.run(args, capture_output=True, text=True, check=False)
    finally:
        Path(handle.name).unlink()
    if done.returncode != 0 or not done.stdout.strip():
        raise ValueError(f"the scorer {scorer} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    if verbose:
        sys.stderr.write(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def _filled(template: str, n: int) -> str:
    return template.format(n=n, d=10 + n % 18)


def _grown(head: str, piece: Callable[[int], str], size: int, tail: str = "") -> str:
    parts, total, n = [head], len(head), 0
    while total < size:
        parts.append(piece(n))
        total += len(parts[-1])
        n += 1
    return "".join(parts) + tail


def shapes(size: int) -> dict[str, str]:
    """The realistic worst shapes, each about `size` characters."""

    def row(n: int) -> str:
        status = "DONE" if n % 7 == 0 else "TODO"
        return f"| {_filled(ITEMS[n % len(ITEMS)], n).replace('|', '/')} | @dana | 2026-0{1 + n % 9}-15 | {status} |\n"

    def item(n: int) -> str:
        mark = "- [ ] " if n % 5 == 0 else "1. " if n % 3 == 0 else "- "
        return mark + _filled(ITEMS[n % len(ITEMS)], n) + "\n" + ("  - Details: the read path only\n" * (n % 13 == 0))

    def paragraph(n: int) -> str:
        return " ".join(_filled(PROSE[(n * 4 + k) % len(PROSE)], n * 4 + k) for k in range(4)) + "\n\n"

    def html_item(n: int) -> str:
        text = _filled(ITEMS[n % len(ITEMS)], n).replace("&", "&amp;").replace("<", "&lt;")
        return f"<li><p>{text}</p></li>\n" if n % 4 else f"<li><strong>{text}</strong></li>\n"

    return {
        "action_item_table": _grown(
            "# Outage\n\n## Action items\n\n| Action | Owner | Due date | Status |\n|---|---|---|---|\n", row, size
        ),
        "action_item_list": _grown("# Outage\n\n## Action items\n\n", item, size),
        "prose_commitments": _grown("# Outage\n\n## What happened\n\n", paragraph, size),
        "html_list": _grown(
            "<!DOCTYPE html><html><head><title>Outage</title></head><body><h1>Outage</h1><h2>Action items</h2><ul>\n",
            html_item,
            size,
            "</ul></body></html>\n",
        ),
    }


# One section of a document in each markup: a heading, prose, code, an action list, a table, a quoted log line.
_MARKUP: Final = {
    "md": "## Incident {n}\n\n{prose}\n\n```\nwe will add code\n```\n\n## Action items\n\n{items}\n"
    "| Action | Owner | Due |\n|---|---|---|\n{rows}\n> 10:01 we will look into it\n\n",
    "mediawiki": "== Incident {n} ==\n{prose}<ref>footnote {n}</ref>\n\n{{{{Note|{n}}}}}\n<pre>we will add code</pre>\n"
    '== Action items ==\n{items}\n{{| class="wikitable"\n! Action !! Owner !! Due\n{rows}|}}\n'
    "<blockquote>10:01 we will look into it</blockquote>\n\n",
    "asciidoc": "== Incident {n}\n\n{prose}\n\n[source,sh]\n----\nwe will add code\n----\n\n== Action items\n\n"
    ".Follow-ups\n{items}\n|===\n|Action |Owner |Due\n\n{rows}|===\n\n____\n10:01 we will look into it\n____\n\n",
    "rst": "Incident {n}\n{u}\n\n{prose}\n\n.. code-block:: sh\n\n   we will add code\n\nAction items\n{u}\n\n"
    "{items}\n+---+---+---+\n| Action | Owner | Due |\n+===+===+===+\n{rows}+---+---+---+\n\n"
    "The on-call wrote:\n\n    10:01 we will look into it\n\n",
    "mdx": "import Chart from './chart'\n\n## Incident {n}\n\n<Callout type=\"info\">\n{prose}\n</Callout>\n\n"
    "<Chart values={{[1, 2]}} />\n\n## Action items\n\n{items}\n| Action | Owner | Due |\n|---|---|---|\n{rows}\n",
}
_LIST_MARK: Final = {"md": "- ", "mediawiki": "* ", "asciidoc": "* ", "rst": "- ", "mdx": "- "}
_EXTENSION: Final = {
    "md": ".md",
    "mediawiki": ".wiki",
    "asciidoc": ".adoc",
    "rst": ".rst",
    "mdx": ".mdx",
    "html": ".html",
}
# Each markup's own bold and link forms, from the Markdown ones the items are written with.
_BOLD: Final = re.compile(r"\*\*(.+?)\*\*")
_LINK: Final = re.compile(r"\[(.+?)\]\((.+?)\)")
_OWN_MARKUP: Final = {
    "mediawiki": (r"'''\1'''", r"[\2 \1]"),
    "asciidoc": (r"*\1*", r"\2[\1]"),
    "rst": (r"**\1**", r"`\1 <\2>`_"),
}


def _row(fmt: str, text: str, n: int) -> str:
    cells = (text, "@dana", f"2026-0{1 + n % 9}-15")
    if fmt == "mediawiki":
        return "|-\n| " + " || ".join(cells) + "\n"
    if fmt == "asciidoc":
        return "".join(f"|{c}\n" for c in cells) + "\n"
    return "| " + " | ".join(cells) + " |\n"


def _section(fmt: str, n: int) -> str:
    items = [_filled(ITEMS[(n * 5 + k) % len(ITEMS)], n * 5 + k) for k in range(5)]
    prose = " ".join(_filled(PROSE[(n * 3 + k) % len(PROSE)], n * 3 + k) for k in range(3))
    if fmt in _OWN_MARKUP:
        bold, link = _OWN_MARKUP[fmt]
        items = [_LINK.sub(link, _BOLD.sub(bold, i)) for i in items]
        prose = _LINK.sub(link, prose)
    rows = "".join(_row(fmt, _filled(ITEMS[(n + k) % len(ITEMS)], n + k).replace("|", "/"), n + k) for k in range(3))
    listed = "".join(_LIST_MARK[fmt] + i + "\n" for i in items)
    return _MARKUP[fmt].format(n=n, u="=" * 20, prose=prose, items=listed, rows=rows)


def formats(size: int) -> dict[str, str]:
    """A document of about `size` characters in each markup the extractor reads, by format name."""
    docs = {fmt: _grown("", partial(_section, fmt), size) for fmt in _MARKUP}
    docs["html"] = shapes(size)["html_list"]
    return docs


def format_speeds(size: int) -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = {}
    for fmt, text in formats(size).items():
        size_mb = len(text.encode("utf-8")) / 1e6
        seconds, cpu, found = _timed_both(text, 2, "postmortem" + _EXTENSION[fmt])
        result[fmt] = {
            "document_mb": round(size_mb, 2),
            "findings": found,
            "seconds": round(seconds, 2),
            "mb_per_s": round(size_mb / seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "mb_per_cpu_s": round(size_mb / cpu, 2),
        }
    return result


def timed(text: str, rounds: int, name: str | None = None) -> tuple[float, int]:
    """The best of `rounds` extractions of `text` (not the cache: every round reads the document)."""
    best, _, found = _timed_both(text, rounds, name)
    return best, found


def _timed_both(text: str, rounds: int, name: str | None = None) -> tuple[float, float, int]:
    """The best wall-clock and the best CPU seconds of `rounds` extractions of `text`, and the findings. On a machine
    other work shares, the CPU time is the figure to compare: the wall clock also counts the waits for a core."""
    best, best_cpu, found = float("inf"), float("inf"), 0
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = len(extract.__wrapped__(text, name))
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    return best, best_cpu, found


def throughput(texts: list[str], size: int) -> dict[str, object]:
    joined = "\n\n".join(texts)
    big = (joined * (size // len(joined) + 1))[:size]
    size_mb = len(big.encode("utf-8")) / 1e6
    best, found = timed(big, 3)
    floor = min(_timed_call(big.splitlines) for _ in range(3))
    return {
        "document_mb": round(size_mb, 2),
        "seconds": round(best, 3),
        "mb_per_s": round(size_mb / best, 2),
        "findings": found,
        "splitlines_mb_per_s": round(size_mb / floor, 1),
        "ratio_vs_splitlines": round(best / floor, 1),
    }


def _timed_call(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def shape_speeds(size: int) -> dict[str, dict[str, object]]:
    result: dict[str, dict[str, object]] = {}
    for name, text in shapes(size).items():
        size_mb = len(text.encode("utf-8")) / 1e6
        seconds, cpu, found = _timed_both(text, 2)
        result[name] = {
            "document_mb": round(size_mb, 2),
            "findings": found,
            "seconds": round(seconds, 2),
            "findings_per_s": round(found / seconds),
            "mb_per_s": round(size_mb / seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "findings_per_cpu_s": round(found / cpu),
        }
    return result


def _default_corpus() -> Path:
    for folder in ROOT.parents:
        if (folder / "shared" / "corpus" / "dev").is_dir():
            return folder / "shared" / "corpus" / "dev"
    return ROOT.parent / "shared" / "corpus" / "dev"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=None)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--mb", type=float, default=1.0)
    args = parser.parse_args()
    corpus: Path = args.corpus or _default_corpus()
    size = int(args.mb * 1_000_000)
    docs = {
        p.name[: -len(".md")]: p.read_bytes().decode("utf-8")
        for p in sorted(corpus.glob("*.md"))
        if p.name != "README.md"
    }
    print(json.dumps({"extractor": "ours", **score(corpus, {n: ours(t) for n, t in docs.items()}, args.verbose)}))
    print(json.dumps({"extractor": "baseline", **score(corpus, {n: baseline(t) for n, t in docs.items()}, False)}))
    # Which build is timed: the sources, or the compiled wheel (setup.py) that meets issue 10's 20k findings/s.
    print(json.dumps({"build": {"compiled_modules": compiled_modules()}}))
    print(json.dumps({"speed": throughput(list(docs.values()), size)}), flush=True)
    for name, figures in shape_speeds(size).items():
        print(json.dumps({"shape": name, **figures}), flush=True)
    for fmt, figures in format_speeds(size).items():
        print(json.dumps({"format": fmt, **figures}), flush=True)


if __name__ == "__main__":
    main()
