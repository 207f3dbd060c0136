"""Cheap tests that let the extractor skip a costly regular expression when it cannot match.

A 5 MB postmortem holds tens of thousands of action items, and each item passes through dozens of patterns
(issue 10, finding 5). Most patterns need a word that most texts lack ("investigate", "etc", an "@"): a
substring test, done in C at memory speed, rules such a pattern out before the regex engine tries it at every
position of the text. The words are read from the pattern itself, so they cannot fall out of step with it,
and every test is implied by a match: skipping never changes a result.
"""

from __future__ import annotations

import contextlib
import importlib
import re
from typing import Any, Final

# Case-blind patterns (re.IGNORECASE) match these to ASCII letters as well as A-Z; `str.lower()` alone keeps "ſ"
# and "ı", and turns "İ" into two characters. Folding them keeps offsets and word boundaries where they were.
_FOLD: Final = str.maketrans(
    {
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
        "\u0130": "i",
        "\u0131": "i",
        "\u017f": "s",
        "\u212a": "k",
    }
)
CURLY_APOSTROPHE: Final = "\u2019"
_MAX_CLASS: Final = 4  # a character class of up to this many literals ("[\[(]") is a set of one-letter needles
_Needles = tuple[str, ...]


def folded(text: str) -> str:
    """The text as a case-blind pattern of ASCII letters sees it: same length, and each letter in lower case."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


def straight_apostrophes(text: str) -> str:
    """The text with the typographic apostrophe ("we’ll", as Word and Google Docs type it) as "'", which every
    pattern is written with: same length, so offsets stay where they were."""
    return text.replace(CURLY_APOSTROPHE, "'") if CURLY_APOSTROPHE in text else text


def any_in(text: str, needles: tuple[str, ...]) -> bool:
    """Whether any of `needles` occurs in `text`."""
    for needle in needles:  # noqa: SIM110 - a loop, not any(): a generator costs more than most of these tests
        if needle in text:
            return True
    return False


def alternation(words: set[str]) -> str:
    """An alternation over `words` as a trie: the engine reads each letter once, and the longest word wins."""
    ends = "" in words
    branches: dict[str, set[str]] = {}
    for word in words - {""}:
        branches.setdefault(word[0], set()).add(word[1:])
    body = "|".join(re.escape(letter) + alternation(rests) for letter, rests in sorted(branches.items()))
    if not body:
        return ""
    return f"(?:{body}|)" if ends else f"(?:{body})"


class Guarded:
    """A compiled pattern, literals of which each of its matches contains one (None: no such literals), and, for a
    case-blind pattern written in lower case, its case-sensitive twin over folded text (see `case_blind`)."""

    __slots__ = ("folded", "needles", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.needles = needles(pattern)
        self.folded: re.Pattern[str] | None = None
        if pattern.flags & ~re.UNICODE == re.IGNORECASE:
            with contextlib.suppress(ValueError):
                self.folded = case_blind(pattern.pattern)

    def possible(self, lowered: str) -> bool:
        """Whether the pattern may match a text whose `folded()` form is `lowered` (False: it cannot)."""
        return self.needles is None or any_in(lowered, self.needles)

    def search(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        """`pattern.search(text)`, skipped when the text lacks every needle; `lowered` is `folded(text)` if known.

        A case-blind pattern is first run over the folded text, which is faster; the pattern itself runs only
        when it will match, to give the match in the text's own letters."""
        lowered = folded(text) if lowered is None else lowered
        if self.needles is not None:
            for needle in self.needles:  # possible(), written out: this runs a few times for every action item
                if needle in lowered:
                    break
            else:
                return None
        if self.folded is not None and self.folded.search(lowered) is None:
            return None
        return self.pattern.search(text)

    def found(self, text: str, lowered: str | None = None) -> bool:
        """`bool(pattern.search(text))`, from the folded text alone when the pattern has a folded twin."""
        span = self.span(text, lowered)
        return span is not None

    def span(self, text: str, lowered: str | None = None) -> tuple[int, int] | None:
        """The span of `pattern.search(text)`, from the folded text alone when the pattern has a folded twin (it
        matches at the same offsets): slice `text` with it for the match in the text's own letters."""
        lowered = folded(text) if lowered is None else lowered
        if self.needles is not None:
            for needle in self.needles:
                if needle in lowered:
                    break
            else:
                return None
        match = self.pattern.search(text) if self.folded is None else self.folded.search(lowered)
        return None if match is None else match.span()

    def match(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        """`pattern.match(text)`, skipped like `search` when it cannot match."""
        lowered = folded(text) if lowered is None else lowered
        if not self.possible(lowered) or (self.folded is not None and self.folded.match(lowered) is None):
            return None
        return self.pattern.match(text)


def case_blind(source: str) -> re.Pattern[str]:
    """A case-sensitive pattern that finds in `folded(text)` what `re.compile(source, re.IGNORECASE)` finds in
    `text`, at the same offsets (take matched text from `text`): the engine compares literals without folding
    them, and skips alternatives on their first letter.

    Raises:
        ValueError: the source has an upper-case or non-ASCII letter outside an escape, or inline flags; such
            a pattern would not find the same matches.
    """
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2  # an escape keeps its meaning ("\\S" is not "\\s"), and no letter in it is a literal
            continue
        if char.isalpha() and not (char.isascii() and char.islower()):
            raise ValueError(f"{source[max(0, i - 20) : i + 20]!r}: a case-blind pattern must be written in lower case")
        if source.startswith("(?", i) and source[i + 2 : i + 3] in ("a", "i", "L", "m", "s", "u", "x", "-"):
            raise ValueError(f"{source[i : i + 20]!r}: inline flags would change what the pattern matches")
        i += 1
    return re.compile(source)


def needles(pattern: re.Pattern[str]) -> _Needles | None:
    """Lower-case literals one of which occurs in `folded()` of every text the pattern matches; None when the
    pattern has no such set (or the standard library's parser cannot be read)."""
    try:
        parser = importlib.import_module("re._parser")
        tree = parser.parse(pattern.pattern, pattern.flags)
        const = importlib.import_module("re._constants")
        return _sequence(list(tree.data), const)
    except (ImportError, AttributeError, TypeError, ValueError, re.error):
        return None


def _literal(code: int) -> str | None:
    char = chr(code)
    if char.isascii():
        return char.lower()
    return char if char.lower() == char.upper() else None  # a cased non-ASCII letter may match its other case


def _sequence(items: list[tuple[Any, Any]], const: Any) -> _Needles | None:
    """The best needle set among a sequence's parts: any one part's set holds for the whole sequence."""
    found: list[_Needles] = []
    run = ""
    for op, value in items:
        char = _literal(value) if op is const.LITERAL else None
        if char is not None:
            run += char
            continue
        if run:
            found.append((run,))
            run = ""
        part = _node(op, value, const)
        if part is not None:
            found.append(part)
    if run:
        found.append((run,))
    # Short needles let most texts through, and fewer needles test faster.
    return max(
        found, key=lambda n: (min(map(len, n)) > 2, min(map(len, n)) > 1, -len(n), min(map(len, n))), default=None
    )


def _node(op: Any, value: Any, const: Any) -> _Needles | None:
    if op is const.SUBPATTERN:
        return _sequence(list(value[3].data), const)
    if op is const.ATOMIC_GROUP:
        return _sequence(list(value.data), const)
    if op in (const.MAX_REPEAT, const.MIN_REPEAT, const.POSSESSIVE_REPEAT):
        return _sequence(list(value[2].data), const) if value[0] >= 1 else None
    if op is const.BRANCH:
        union: list[str] = []
        for alternative in value[1]:
            part = _sequence(list(alternative.data), const)
            if part is None:
                return None
            union.extend(part)
        # A needle that contains another adds nothing: a text with it has the shorter one too.
        return tuple(sorted({n for n in union if not any(o != n and o in n for o in union)}))
    if op is const.IN and len(value) <= _MAX_CLASS and all(o is const.LITERAL for o, _ in value):
        chars = [_literal(v) for _, v in value]
        return tuple(sorted({c for c in chars if c is not None})) if None not in chars else None
    return None
