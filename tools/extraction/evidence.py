"""Locating an evidence quote in a postmortem, ignoring case, runs of whitespace and light markup.

The document is normalised once (typographic variants folded, lower-cased, emphasis and code marks
dropped, whitespace runs collapsed to one space) with a map back to original offsets; a quote is
normalised the same way and found with `str.find`, so matching stays linear in the document's size.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Final

from postmortem_actions.store.errors import QuoteNotFound

MIN_QUOTE_CHARS: Final = 10

# Typographic variants a model or an editor swaps freely; each side matches the other.
_VARIANTS: Final = ("'\u2018\u2019\u02bc", '"\u201c\u201d', "-\u2010\u2011\u2013\u2014")
_FOLD: Final = str.maketrans({ch: group[0] for group in _VARIANTS for ch in group[1:]})
# Markdown emphasis, strike-through and code marks are presentation, not words: "**Action:** add x" is
# quoted as "Action: add x". Both sides drop them, so "max_conns" still matches only "max_conns"/"maxconns".
_RUN: Final = re.compile(r"[\s*`_~]+")
_SPACE: Final = re.compile(r"\s")


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters (e.g. 'İ') lower-case to two; keep those as they are so offsets stay one-to-one.
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


class EvidenceIndex:
    """A document prepared for repeated quote look-ups."""

    def __init__(self, text: str) -> None:
        folded = _lower_same_length(text.translate(_FOLD))
        parts: list[str] = []
        self._norm_starts: list[int] = []
        self._orig_starts: list[int] = []
        size = pos = 0
        for run in _RUN.finditer(folded):
            if run.start() > pos:
                parts.append(folded[pos : run.start()])
                self._norm_starts.append(size)
                self._orig_starts.append(pos)
                size += run.start() - pos
            if _SPACE.search(run.group()):
                parts.append(" ")
                self._norm_starts.append(size)
                self._orig_starts.append(run.start())
                size += 1
            pos = run.end()
        if pos < len(folded):
            parts.append(folded[pos:])
            self._norm_starts.append(size)
            self._orig_starts.append(pos)
        self._normalised = "".join(parts)

    def _original(self, index: int) -> int:
        segment = bisect_right(self._norm_starts, index) - 1
        return self._orig_starts[segment] + index - self._norm_starts[segment]

    def locate(self, quote: str) -> tuple[int, int]:
        """Character offsets [start, end) of the first occurrence of `quote` in the document.

        Raises:
            QuoteNotFound: the quote does not occur in the text, or is too short to be evidence.
        """
        needle = normalise(quote)
        if len(needle.replace(" ", "")) < MIN_QUOTE_CHARS:
            raise QuoteNotFound(
                f"the quote {quote!r} is too short to be evidence; quote at least {MIN_QUOTE_CHARS} characters "
                "of the sentence the action comes from, copied from the postmortem"
            )
        found = self._normalised.find(needle)
        if found < 0:
            shown = quote if len(quote) <= 80 else quote[:77] + "..."
            raise QuoteNotFound(
                f"the quote {shown!r} does not occur in the postmortem; copy the supporting sentence "
                "verbatim from the document (case and spacing may differ, words may not)"
            )
        return self._original(found), self._original(found + len(needle) - 1) + 1


def normalise(text: str) -> str:
    """The matching form of a text: folded, lower-cased, marks dropped, single spaces, trimmed."""
    folded = _lower_same_length(text.translate(_FOLD))
    return _RUN.sub(lambda run: " " if _SPACE.search(run.group()) else "", folded).strip()


@lru_cache(maxsize=2)
def index_of(text: str) -> EvidenceIndex:
    """The prepared form of a document, kept for the last two documents: every record_candidates call on a
    postmortem looks quotes up in the same text, and preparing a 5 MB one takes about a second."""
    return EvidenceIndex(text)


def locate(text: str, quote: str) -> tuple[int, int]:
    """Character offsets [start, end) of the first occurrence of `quote` in `text`.

    Raises:
        QuoteNotFound: the quote does not occur in the text, or is too short.
    """
    return index_of(text).locate(quote)
