"""Speed of the readers issue 15 added: a Word document (.docx) and HTML built from layout elements (soup).

usage: python bench/layout_formats.py [--mb N]
  --mb sets the size of each document's text (default 1).

Prints one JSON line per format: the document's size, the seconds to read it (the .docx rendered as Markdown, or
the HTML as the extractor renders it) and to extract its follow-ups, the findings, and MB/s over the whole.
The goal (issue 15) is 1 MB in each format in under a second. Needs python-docx (the `docx` extra).
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from typing import Any

import docx

from postmortem_actions.tools.extraction.extractor import extract
from postmortem_actions.tools.extraction.readers.docx import docx_to_text

ITEMS = (
    "Add an alert on queue {n} depth above 10k",
    "Investigate why replica {n} lags behind the primary",
    "Write a runbook for failing over database shard {n}",
    "Roll back deploy {n} automatically when the error rate exceeds 5% (owner: @dana, due 2026-03-15)",
    "Action point: Bob to review the capacity of cluster {n}.",
)
PROSE = (
    "The database ran out of connections at 10:{n} and the queue backed up for forty minutes before anyone noticed.",
    "We will add a canary stage for service {n} before every deploy.",
)


def _docx_bytes(size: int) -> tuple[bytes, int]:
    """A .docx of headings, bulleted and numbered items, prose and a table whose text is about `size` characters."""
    document = docx.Document()
    document.add_heading("Outage", 0)
    chars, n = 0, 0
    while chars < size:
        document.add_heading(f"Incident part {n}", 1)
        for k in range(6):
            line = PROSE[(n + k) % len(PROSE)].format(n=n)
            document.add_paragraph(line)
            chars += len(line)
        document.add_heading("Action items", 2)
        for k, item in enumerate(ITEMS):
            line = item.format(n=n * 10 + k)
            document.add_paragraph(line, style="List Number" if k % 2 else "List Bullet")
            chars += len(line)
        table = document.add_table(rows=2, cols=3)
        for cell, value in zip(table.rows[0].cells, ("Action", "Type", "Owner"), strict=True):
            cell.text = value
        for cell, value in zip(table.rows[1].cells, (f"Shard the queue {n}", "Prevent", "@sam"), strict=True):
            cell.text = value
        chars += 40
        n += 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), n


def _soup(size: int) -> str:
    """Layout HTML: div runs, bold spans as headings, text bullets, br-separated lines, a footer and scripts."""
    parts = ['<html><head><script>var TODO = "AI: no";</script></head><body><div class="nav">Home</div>']
    total, n = 0, 0
    while total < size:
        piece = (
            f'<div><span style="font-weight:bold">Part {n}</span></div>'
            f"<div>{PROSE[n % 2].format(n=n)}</div><div><br></div>"
            f'<div><span style="font-weight:700">Long-term improvements</span></div>'
            + "".join(f"<div>&bull; {item.format(n=n * 10 + k)}</div>" for k, item in enumerate(ITEMS))
            + f"<p>We will make the following changes:<br>· Move shard {n} behind a breaker.<br>· Drill {n}.</p>"
        )
        parts.append(piece)
        total += len(piece)
        n += 1
    parts.append('<div id="footer">Powered by OldCMS</div></body></html>')
    return "".join(parts)


def _best(call: Callable[[], Any], rounds: int = 2) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=1.0)
    size = int(parser.parse_args().mb * 1_000_000)

    data, _ = _docx_bytes(size)
    read, text = _best(lambda: docx_to_text(data, "bench.docx", 50 * size))
    found, findings = _best(lambda: extract.__wrapped__(text))
    text_mb = len(text.encode("utf-8")) / 1e6
    print(
        json.dumps(
            {
                "format": "docx",
                "file_mb": round(len(data) / 1e6, 2),
                "text_mb": round(text_mb, 2),
                "read_seconds": round(read, 3),
                "extract_seconds": round(found, 3),
                "seconds": round(read + found, 3),
                "mb_per_s": round(text_mb / (read + found), 2),
                "findings": len(findings),
            }
        ),
        flush=True,
    )
    soup = _soup(size)
    seconds, findings = _best(lambda: extract.__wrapped__(soup))
    soup_mb = len(soup.encode("utf-8")) / 1e6
    print(
        json.dumps(
            {
                "format": "html_soup",
                "document_mb": round(soup_mb, 2),
                "seconds": round(seconds, 3),
                "mb_per_s": round(soup_mb / seconds, 2),
                "findings": len(findings),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
