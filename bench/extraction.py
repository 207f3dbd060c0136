"""Extraction quality and speed: run the extractor over a corpus folder, score it, and time it.

usage: python bench/extraction.py [CORPUS_DIR] [--verbose] [--baseline]
  CORPUS_DIR defaults to ../shared/corpus/dev (next to the repository); its parent must hold score.py.
  --verbose passes through to score.py (misses and false positives on stderr).

Prints, as JSON lines: score.py's figures for our extractor; the same for the simple baseline measured
in the same run ("every list item under an action-like heading"); and throughput in MB/s on a 1 MB
document built from the corpus, against `str.splitlines` over the same text as the floor.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from postmortem_actions.tools.blocks import parse_blocks
from postmortem_actions.tools.extractor import extract

ROOT = Path(__file__).resolve().parents[1]
ACTION_HEADING = re.compile(r"action|follow|remediation|next step|future|improvement|corrective|prevent", re.I)


def ours(text: str) -> list[dict[str, object]]:
    return [{"text": f.text, "quote": f.quote, "category": f.category, "vague": f.vague} for f in extract(text)]


def baseline(text: str) -> list[dict[str, object]]:
    """Every list item under a heading that sounds like follow-ups: the approach the issue calls simple."""
    doc = parse_blocks(text)
    return [{"text": text[b.start:b.end], "quote": text[b.start:b.end]} for b in doc.blocks
            if b.kind == "item" and ACTION_HEADING.search(doc.sections[b.section].title)]


def score(corpus: Path, predictions: dict[str, list[dict[str, object]]], verbose: bool) -> dict[str, object]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(predictions, handle)
    args = [sys.executable, str(corpus.parent / "score.py"), str(corpus), handle.name] + (["--verbose"] * verbose)
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    if verbose:
        sys.stderr.write(done.stderr)
    Path(handle.name).unlink()
    result: dict[str, object] = json.loads(done.stdout)
    return result


def throughput(texts: list[str]) -> dict[str, object]:
    joined = "\n\n".join(texts)
    big = (joined * (1_000_000 // len(joined) + 1))[:1_000_000]
    size_mb = len(big.encode("utf-8")) / 1e6
    best = floor = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        found = extract.__wrapped__(big)  # not the cache: every round reads the document
        best = min(best, time.perf_counter() - t0)
        t0 = time.perf_counter()
        big.splitlines()
        floor = min(floor, time.perf_counter() - t0)
    # The worst realistic shape: a megabyte that is nothing but an action-item table (about 18,000 rows).
    rows = "".join(f"| Add an alert on queue {i} depth above 10k | @dana | 2026-0{1 + i % 9}-15 | TODO |\n"
                   for i in range(20_000))
    dense = ("## Action items\n\n| Action | Owner | Due date | Status |\n|---|---|---|---|\n" + rows)[:1_000_000]
    t0 = time.perf_counter()
    dense_found = extract.__wrapped__(dense)
    dense_s = time.perf_counter() - t0
    return {"document_mb": round(size_mb, 2), "seconds": round(best, 3), "mb_per_s": round(size_mb / best, 2),
            "findings": len(found), "splitlines_mb_per_s": round(size_mb / floor, 1),
            "ratio_vs_splitlines": round(best / floor, 1),
            "dense_table_seconds": round(dense_s, 2), "dense_table_findings": len(dense_found),
            "dense_table_findings_per_s": round(len(dense_found) / dense_s)}


def main() -> None:
    positional = [a for a in sys.argv[1:] if not a.startswith("--")]
    corpus = Path(positional[0]) if positional else ROOT.parent / "shared" / "corpus" / "dev"
    verbose = "--verbose" in sys.argv
    docs = {p.name[: -len(".md")]: p.read_bytes().decode("utf-8") for p in sorted(corpus.glob("*.md"))
            if p.name != "README.md"}
    print(json.dumps({"extractor": "ours", **score(corpus, {n: ours(t) for n, t in docs.items()}, verbose)}))
    print(json.dumps({"extractor": "baseline", **score(corpus, {n: baseline(t) for n, t in docs.items()}, False)}))
    print(json.dumps({"speed": throughput(list(docs.values()))}))


if __name__ == "__main__":
    main()
