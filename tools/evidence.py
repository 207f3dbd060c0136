"""Locating an evidence quote in a postmortem, ignoring case, runs of whitespace and light markup."""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.store.errors import QuoteNotFound

MIN_QUOTE_CHARS: Final = 10

# Typographic variants a model or an editor swaps freely; each side matches the other.
_VARIANTS: Final = ("'\u2018\u2019\u02bc", '"\u201c\u201d', "-\u2010\u2011\u2013\u2014")
_EQUIVALENT: Final = {ch: group for group in _VARIANTS for ch in group}
# Markdown emphasis and code marks are presentation, not words: "**Action:** add x" is quoted as "Action: add x".
_MARKUP: Final = "*`"
_GAP: Final = r"[\s*`]+"


def _char_pattern(ch: str) -> str:
    variants = _EQUIVALENT.get(ch)
    return f"[{re.escape(variants)}]" if variants else re.escape(ch)


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A pattern that finds `quote` in a text regardless of case, whitespace runs and emphasis marks.

    Raises:
        QuoteNotFound: the quote is too short to show where an action comes from.
    """
    words = [w.strip(_MARKUP) for w in quote.split()]
    words = [w for w in words if w]
    if sum(len(w) for w in words) < MIN_QUOTE_CHARS:
        raise QuoteNotFound(
            f"the quote {quote!r} is too short to be evidence; quote at least {MIN_QUOTE_CHARS} characters "
            "of the sentence the action comes from, copied from the postmortem")
    body = _GAP.join("".join(_char_pattern(c) for c in w) for w in words)
    return re.compile(body, re.IGNORECASE)


def locate(text: str, quote: str) -> tuple[int, int]:
    """Character offsets [start, end) of the first occurrence of `quote` in `text`.

    Raises:
        QuoteNotFound: the quote does not occur in the text, or is too short.
    """
    match = quote_pattern(quote).search(text)
    if match is None:
        shown = quote if len(quote) <= 80 else quote[:77] + "..."
        raise QuoteNotFound(
            f"the quote {shown!r} does not occur in the postmortem; copy the supporting sentence "
            "verbatim from the document (case and spacing may differ, words may not)")
    return match.start(), match.end()
