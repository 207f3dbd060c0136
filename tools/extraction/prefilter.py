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
    case-blind pattern written in lower case, its case-sensitive twin over folded text (see `case_blind`).

    A pattern made of alternatives ("a|b|c", "\\b(?:a|b|c)\\b") also keeps each alternative alone, with its own
    needles: where a text holds the needles of only one alternative, no other can match in it, and the alternative
    alone finds the same span as the whole pattern while the engine tries one branch, not all, at each position.
    """

    __slots__ = ("alone", "folded", "needles", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.needles = needles(pattern)
        self.folded: re.Pattern[str] | None = None
        if pattern.flags & ~re.UNICODE == re.IGNORECASE:
            with contextlib.suppress(ValueError):
                self.folded = case_blind(pattern.pattern)
        self.alone = _alone(pattern, self.folded is not None) if self.needles is not None else ()

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
        pattern, subject = (self.pattern, text) if self.folded is None else (self.folded, lowered)
        if self.alone:  # its alternatives run over the same text as it does
            pattern = _the_one_possible(self.alone, lowered) or pattern
        match = pattern.search(subject)
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


# An alternative alone, with its needles (None: it may match any text) and the pattern to search with.
_Alone = tuple[tuple[_Needles | None, re.Pattern[str]], ...]


def _alone(pattern: re.Pattern[str], fold: bool) -> _Alone:
    """Each top-level alternative of `pattern` as a pattern of its own (run over folded text when `fold`), with its
    needles; empty when the pattern has one alternative, or groups that refer to each other."""
    source = pattern.pattern
    wrapped = re.fullmatch(r"(\\b)?\(\?:(.*)\)(\\b)?", source, re.DOTALL)
    body, before, after = source, "", ""
    if wrapped is not None and _top_level(wrapped.group(2)) is not None:
        body, before, after = wrapped.group(2), wrapped.group(1) or "", wrapped.group(3) or ""
    parts = _top_level(body)
    if parts is None or len(parts) < 2 or re.search(r"\\[1-9]|\(\?P=|\(\?\(", source):
        return ()
    # "\b(?:a|b)\b" tries a then b at each position, each followed by "\b": so does "\b(?:a)\b|\b(?:b)\b".
    sources = [f"{before}(?:{part}){after}" for part in parts]
    try:
        own = [re.compile(s, pattern.flags) for s in sources]
        return tuple(
            (needles(p), case_blind(_letter_first(before, part, after)) if fold else p)
            for p, part in zip(own, parts, strict=True)
        )
    except (re.error, ValueError):
        return ()


def _letter_first(before: str, part: str, after: str) -> str:
    """`before(?:part)after`, with a leading "\\b" before a letter or digit moved behind it as a look back: "c(?<!\\w.)"
    is "\\bc" for a word character c, and a pattern that opens with a literal is searched by skipping from one "c" to
    the next, where one that opens with "\\b" is tried at every position."""
    if before == r"\b" and re.match(r"[a-z0-9](?![?*+{])", part):
        return rf"{part[0]}(?<!\w.)(?:{part[1:]}){after}"
    if not before and re.match(r"\\b[a-z0-9](?![?*+{])", part):
        return rf"{part[2]}(?<!\w.)(?:{part[3:]}){after}"
    return f"{before}(?:{part}){after}"


def _the_one_possible(alone: _Alone, lowered: str) -> re.Pattern[str] | None:
    """The one alternative whose needles `lowered` holds, or None when more than one (or none) may match."""
    found = None
    for needles_of, pattern in alone:
        if needles_of is None or any_in(lowered, needles_of):
            if found is not None:
                return None
            found = pattern
    return found


def _top_level(source: str) -> list[str] | None:
    """`source` split at each "|" outside groups and character classes; None when its parentheses do not balance."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(source, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts if depth == 0 else None


def _class_end(source: str, i: int) -> int:
    """Where the character class opening at `i` ends: just after its "]", or at the end of a source that does not
    close it (no compiled pattern's source does)."""
    i += 1
    if source[i : i + 1] == "^":
        i += 1
    if source[i : i + 1] == "]":
        i += 1  # a "]" first in a class is a literal
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "]":
            return i + 1
        i += 1
    return i
