"""Repeats among the follow-ups found: the same text twice, and prose that restates a listed item.

A prose statement ("We need to add an alert on ...") that says most of what an item of the document's
follow-up list says is the same follow-up: the list is the record, and the statement is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from itertools import chain
from typing import Final

from postmortem_actions.tools.extraction.lint import deliverable
from postmortem_actions.tools.extraction.prefilter import Guarded
from postmortem_actions.tools.extraction.raw_items import MAX_JUDGED, RawItem

_LEAD_IN: Final = Guarded(re.compile(r"^.*?\b(?:need|needs|have|has|plan|want|going)\s+to\s+"))
_WORD: Final = re.compile(r"[a-z0-9]+")
_STOP: Final = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "of",
        "and",
        "or",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "is",
        "are",
        "be",
        "we",
        "will",
        "our",
        "this",
        "that",
        "it",
        "as",
        "need",
        "needs",
        "should",
        "must",
        "would",
        "have",
        "has",
        "add",
        "set",
        "up",
        "setup",
        "make",
        "sure",
        "so",
        "when",
        "all",
        "also",
        "more",
    ]
)
_MAX_POSTINGS: Final = 200


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _STOP}


def deduplicated(raws: list[RawItem]) -> Iterator[RawItem]:
    """The raws in order, without repeated texts and prose statements that repeat a listed item.

    A generator, so each kept item is finished right after this judged it: its deliverable is still in
    `deliverable`'s cache when its category and vagueness are judged."""
    postings: dict[str, list[int]] = {}  # each word: the listed items (numbered in order) that hold it
    prose = any(not raw.in_section for raw in raws)  # listed items are compared only with prose statements
    listed = 0
    for raw in raws:
        if prose and raw.in_section:
            for word in _words(raw.lint_text[:MAX_JUDGED]):
                postings.setdefault(word, []).append(listed)
            listed += 1
    seen: set[str] = set()
    for raw in raws:
        key = " ".join(raw.text.lower().split())
        if key in seen:
            continue
        if (
            not raw.in_section
            and postings
            and _repeats_listed(_words(statements_core(raw.text[:MAX_JUDGED])), postings)
        ):
            continue  # the prose repeats an item of the follow-up list: the list is the record
        seen.add(key)
        yield raw


def _repeats_listed(mine: set[str], postings: dict[str, list[int]]) -> bool:
    # Counted by Counter's C loop: a long document's prose against thousands of listed items (issue 15's speed).
    shared = Counter(chain.from_iterable(postings.get(word, ())[:_MAX_POSTINGS] for word in mine))
    # Repeats a listed item when most of the prose statement's words are in it (not merely some of the item's).
    most = max(shared.values(), default=0)
    return most >= 2 and most >= 0.6 * len(mine)


def statements_core(text: str) -> str:
    """The deliverable of a prose statement, without its lead-in ('We need to add X, so ...' -> 'add X')."""
    lead_in = _LEAD_IN.match(text)
    return deliverable(text[lead_in.end() :] if lead_in else text)
