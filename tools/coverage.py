"""The coverage check: which follow-ups of a document no recorded candidate covers.

A candidate covers a finding when their evidence overlaps by at least half of the shorter of the two
spans, so a candidate quoting one list item does not cover its neighbours, and a finding is not
covered by a candidate that merely shares a word with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import CoverageGap, Finding


def covers(span: tuple[int, int], finding: Finding) -> bool:
    """Whether evidence at `span` covers the finding."""
    start, end = span
    shared = min(end, finding.end) - max(start, finding.start)
    if shared <= 0:
        return False
    return shared * 2 >= min(end - start, finding.end - finding.start)


def coverage_gap(findings: Iterable[Finding], spans: list[tuple[int, int]]) -> list[CoverageGap]:
    """The findings that no evidence span covers, in document order."""
    return [CoverageGap(text=f.text, quote=f.quote, start=f.start, end=f.end, category=f.category,
                        in_section=f.in_section, done=f.done)
            for f in findings if not any(covers(span, f) for span in spans)]
