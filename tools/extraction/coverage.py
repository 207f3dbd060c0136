"""The coverage check: which follow-ups of a document no recorded candidate covers.

A candidate covers a finding when their evidence overlaps by at least half of the shorter of the two
spans, so a candidate quoting one list item does not cover its neighbours, and a finding is not
covered by a candidate that merely shares a word with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from postmortem_actions.tools.extraction.models import CoverageGap, Finding


def covers(span: tuple[int, int], finding: Finding) -> bool:
    """Whether evidence at `span` covers the finding."""
    start, end = span
    shared = min(end, finding.end) - max(start, finding.start)
    if shared <= 0:
        return False
    return shared * 2 >= min(end - start, finding.end - finding.start)


def uncovered(findings: Sequence[Finding], spans: list[tuple[int, int]]) -> list[Finding]:
    """The findings that no evidence span covers, in the order given.

    One sweep over findings and spans sorted by start (issue 10, finding 5: testing every finding against
    every span made each call slower than the last). Only the spans that start before a finding ends and
    end after it starts can overlap it, so only those are tested, with `covers`.
    """
    ordered = sorted(spans)
    active: list[tuple[int, int]] = []  # spans already started that may still overlap the findings to come
    added = 0
    missed: set[int] = set()
    for index in sorted(range(len(findings)), key=lambda i: findings[i].start):
        finding = findings[index]
        while added < len(ordered) and ordered[added][0] < finding.end:
            active.append(ordered[added])
            added += 1
        # A span that ends by this finding's start ends before every later finding's start too.
        active = [span for span in active if span[1] > finding.start]
        if not any(covers(span, finding) for span in active):
            missed.add(index)
    return [f for i, f in enumerate(findings) if i in missed]


def gap_entry(finding: Finding) -> CoverageGap:
    """A finding as a coverage gap entry."""
    return CoverageGap(
        text=finding.text,
        quote=finding.quote,
        start=finding.start,
        end=finding.end,
        category=finding.category,
        in_section=finding.in_section,
        done=finding.done,
    )


def coverage_gap(findings: Sequence[Finding], spans: list[tuple[int, int]]) -> list[CoverageGap]:
    """The findings that no evidence span covers, in document order, as gap entries."""
    return [gap_entry(f) for f in uncovered(findings, spans)]
