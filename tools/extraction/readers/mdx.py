"""MDX: Markdown with JSX elements, `{expressions}` and import/export lines, read as the Markdown it holds.

The rendering is the source with every JSX tag, expression and ESM (import/export) block replaced by spaces (line
breaks kept), so each character keeps its offset and the Markdown reader's offsets are the source's. Text between
an element's tags (`<Callout>We will add ...</Callout>`) is Markdown and is read. Fenced code and code spans are
left alone: a `{` or `<` inside them is code, not JSX. One forward pass, linear in the input: a blank line ends an
unclosed tag or expression, so a stray `<` or `{` cannot hide the rest of the document.
"""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.tools.extraction.readers.markdown import FENCE
from postmortem_actions.tools.extraction.readers.rendering import lines

_ESM: Final = re.compile(r"(?:import|export)(?=[\s{*]|$)")
_TEXT_STOP: Final = re.compile(r"[<{`]")
_TAG_START: Final = re.compile(r"</?(?:[A-Za-z_$][\w.:$-]*|>)")
_AUTOLINK: Final = re.compile(r"<[A-Za-z][\w.+-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>@]+>")
_IN_CODE: Final = re.compile(r"[>{}\"'`]")
_TICKS: Final = re.compile(r"`+")


class _Scanner:
    """Where the JSX and expressions of a run of lines are, as spans to blank out."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.blank: list[tuple[int, int]] = []
        self.mode = ""  # "": Markdown text; "tag": inside <...>; "expr": inside {...}
        self.depth = 0  # braces open inside a tag or an expression
        self.quote = ""  # the quote character of an open string inside a tag or an expression
        self.since = 0  # where the open tag or expression began

    def reset(self) -> None:
        """A blank line: what is still open was never closed; the text after it is Markdown again."""
        self.mode, self.depth, self.quote = "", 0, ""

    def line(self, start: int, end: int) -> None:
        pos = start
        if self.mode:
            self.since = start
        closes = _CodeSpans(self.source, start, end)
        while pos < end:
            pos = self._code(pos, end) if self.mode else self._text(pos, end, closes)
        if self.mode:
            self.blank.append((self.since, end))

    def _text(self, pos: int, end: int, closes: _CodeSpans) -> int:
        src = self.source
        stop = _TEXT_STOP.search(src, pos, end)
        if stop is None:
            return end
        at = stop.start()
        char = src[at]
        if char == "`":
            return closes.after(at)
        if char == "{":
            self.mode, self.depth, self.since = "expr", 1, at
            return at + 1
        if _AUTOLINK.match(src, at, end) is not None or _TAG_START.match(src, at, end) is None:
            return at + 1  # "<https://...>", "a < b": text
        self.mode, self.depth, self.since = "tag", 0, at
        return at + 1

    def _code(self, pos: int, end: int) -> int:
        """Inside a tag or an expression: find where it closes, minding strings and nested braces."""
        src = self.source
        if self.quote:
            close = src.find(self.quote, pos, end)
            if close < 0:
                return end
            self.quote = ""
            return close + 1
        stop = _IN_CODE.search(src, pos, end)
        if stop is None:
            return end
        at = stop.start()
        char = src[at]
        if char in "\"'`":
            self.quote = char
        elif char == "{":
            self.depth += 1
        elif char == "}":
            self.depth = max(0, self.depth - 1)
            if self.mode == "expr" and self.depth == 0:
                self._close(at + 1)
        elif self.depth == 0 and self.mode == "tag":  # ">" outside braces ends a tag (in an expression: a comparison)
            self._close(at + 1)
        return at + 1

    def _close(self, after: int) -> None:
        self.blank.append((self.since, after))
        self.mode = ""


class _CodeSpans:
    """The code spans of one line: a run of backticks closed by the next run of the same length."""

    def __init__(self, source: str, start: int, end: int) -> None:
        self.source, self.start, self.end = source, start, end
        self.closing: dict[int, int] | None = None  # opening run's start -> the end of its closing run

    def after(self, at: int) -> int:
        """Where the text resumes after the backtick run at `at` (after its code span when the run opens one)."""
        if self.closing is None:
            self.closing = {}
            waiting: dict[int, int] = {}
            runs = [(m.start(), m.end()) for m in _TICKS.finditer(self.source, self.start, self.end)]
            for run_start, run_end in reversed(runs):  # each run's partner: the next run of its length
                size = run_end - run_start
                if size in waiting:
                    self.closing[run_start] = waiting[size]
                waiting[size] = run_end
        run = _TICKS.match(self.source, at, self.end)
        run_end = run.end() if run is not None else at + 1
        return self.closing.get(at, run_end)


def mdx_to_text(source: str) -> str:
    """The Markdown an MDX document holds, as long as the source, with JSX, expressions and ESM blanked out."""
    scanner = _Scanner(source)
    fence = ""
    esm = False
    for start, end, _ in lines(source):
        line = source[start:end]
        stripped = line.strip()
        if fence:
            opener = FENCE.match(line)
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = ""
            continue
        if not stripped:
            scanner.reset()
            esm = False
            continue
        if esm or (not scanner.mode and _ESM.match(line)):
            esm = True  # an import or export runs to the next blank line
            scanner.blank.append((start, end))
            continue
        if not scanner.mode and (opener := FENCE.match(line)) is not None:
            fence = opener.group(1)
            continue
        scanner.line(start, end)
    parts: list[str] = []
    kept = 0
    for start, end in scanner.blank:
        if end > start:
            parts.append(source[kept:start])
            parts.append(re.sub(r"[^\r\n]", " ", source[start:end]))
            kept = end
    parts.append(source[kept:])
    return "".join(parts)
