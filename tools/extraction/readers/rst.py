"""reStructuredText as Markdown-like text, with offsets back into the source.

Underlined (and over- and underlined) section titles become headings, levels in the order their styles first
appear, as docutils assigns them; `-`/`*`/`+` and enumerated lists (`#.`, `1.`, `(a)`) become Markdown lists;
``literals``, `links <url>`_ and :roles:`text` become their Markdown or their text; field lists
(`:Owner: dana`) become "Owner: dana" lines; grid and simple tables become Markdown rows, the first row the header.
Directives are not text (`code-block`, `image`, `toctree`, `contents`, `include`...) except admonitions, whose body
is read, and `todo`, read as a "TODO:" line. Comments, targets, substitution definitions, footnotes, literal blocks
(after "::"), doctests and block quotes of other people's words (indented text outside a list: read as a quote)
are never items. One pass over the lines, linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from postmortem_actions.tools.extraction.readers.offsets import OffsetMap
from postmortem_actions.tools.extraction.readers.rendering import Rendering, lines

_ADORNMENT: Final = re.compile(r"([!-/:-@\[-`{-~])\1{2,}[ \t]*$")
_DIRECTIVE: Final = re.compile(r"([ \t]*)\.\.(?:[ \t]+([\w:+.-]{1,60})::(?:[ \t]+|$))?")
_READ_DIRECTIVES: Final = frozenset(
    [
        *("note", "warning", "tip", "important", "caution", "danger", "attention", "hint", "error", "admonition"),
        *("topic", "sidebar", "rubric", "todo", "container", "compound", "highlights", "pull-quote", "epigraph"),
    ]
)
_TITLED_DIRECTIVES: Final = frozenset(["admonition", "topic", "sidebar", "rubric"])
_ITEM: Final = re.compile(r"([ \t]*)([-*+•]|#\.|\(?(?:\d{1,9}|#|[a-zA-Z]|[ivxlcdmIVXLCDM]{1,8})[.)])[ \t]+(?=\S)")
_FIELD: Final = re.compile(r"([ \t]*):((?:[^:`\n\\]|\\.){1,80}):(?:[ \t]+|$)")
_GRID_BORDER: Final = re.compile(r"[ \t]*\+(?:[-=]+\+)+[ \t]*$")
_SIMPLE_BORDER: Final = re.compile(r"=+(?:[ \t]+=+)+[ \t]*$")
_INLINE: Final = re.compile(
    r"(?P<literal>``(?P<code>[^`\n](?:[^\n]{0,1000}?[^`\n])?)``)"
    r"|(?P<hidden>\[(?:#[\w-]{0,60}|\*|\d{1,9}|[A-Za-z][\w.-]{0,60})\]_)"
    r"|(?P<quoted>(?::[\w:+.-]{1,60}:)?`(?P<body>[^`\n]{1,1000})`(?P<ref>__?)?(?::[\w:+.-]{1,60}:)?)"
)
_BAR: Final = re.compile(r"\|")
_TARGET_URL: Final = re.compile(r"(.*?)\s*<([^<>\s]{1,2000})>$", re.DOTALL)


@dataclass(slots=True)
class _Skip:
    """A block being skipped (or read dedented): lines indented more than `indent`, and blank lines, belong to it."""

    indent: int
    read: bool = False  # an admonition's body: read, not skipped
    options: bool = True  # ":class: x" lines right after the directive are its options, not text
    to_blank: bool = False  # a doctest: it ends at the next blank line


class _Reader:
    def __init__(self, source: str) -> None:
        self.src = source
        self.r = Rendering(source)
        self.lines = lines(source)
        self.styles: list[tuple[str, bool]] = []  # heading adornments in order of first use
        self.block: _Skip | None = None
        self.literal_next = -1  # the indentation of a paragraph that ended with "::": an indented block follows
        self.item_column = -1  # where the open list item's text starts (-1: no list item is open)
        self.previous = ""  # "", "item", "text", "quote"
        self.table = -1  # rows of the open table, -1: none
        self.simple: list[tuple[int, int]] = []  # column spans of the open simple table

    def indent(self, n: int) -> int:
        start, end, _ = self.lines[n]
        text = self.src[start:end]
        return len(text) - len(text.lstrip(" \t"))

    def text(self, n: int) -> str:
        start, end, _ = self.lines[n]
        return self.src[start:end]

    def blank(self, n: int) -> bool:
        return n >= len(self.lines) or not self.text(n).strip()

    def render(self) -> tuple[str, OffsetMap]:
        n = 0
        while n < len(self.lines):
            n = self.line(n)
        return self.r.done()

    def newline(self, n: int) -> None:
        _, end, after = self.lines[n]
        self.r.copy(end, after) if after > end else self.r.write("\n", end)

    def line(self, n: int) -> int:
        """Render line n (and any lines it owns, such as a title's underline); return the next line to read."""
        text = self.text(n)
        start = self.lines[n][0]
        if not text.strip():
            self.newline(n)
            self.previous = ""
            if not self.simple or (not self.blank(n + 1) and not _SIMPLE_BORDER.match(self.text(n + 1))):
                self.table, self.simple = -1, []
            if self.block is not None:
                self.block.options = False
                self.block = None if self.block.to_blank else self.block
            return n + 1
        indent = len(text) - len(text.lstrip(" \t"))
        if self.block is not None:
            if indent > self.block.indent:
                if self.block.read and not (self.block.options and _FIELD.match(text)):
                    self.paragraph(n, start + indent, quote=False)
                    self.previous = "text"
                self.block.options = False
                return n + 1
            self.block = None
        if self.literal_next >= 0:
            base, self.literal_next = self.literal_next, -1
            if indent > base:
                self.block = _Skip(base)  # the literal block announced by "::"
                return n + 1
        if self.table >= 0 or _GRID_BORDER.match(text) or _SIMPLE_BORDER.match(text):
            return self.table_line(n, text, start)
        if (heading := self.heading(n, text)) is not None:
            return heading
        if text.lstrip().startswith(".."):
            return self.directive(n, text, start)
        return self.body(n, text, start, indent)

    def heading(self, n: int, text: str) -> int | None:
        """A section title (underlined, or over- and underlined) at line n; the next line to read, or None."""
        over = _ADORNMENT.match(text)
        if over is not None and not self.blank(n + 1) and n + 2 < len(self.lines):
            under = _ADORNMENT.match(self.text(n + 2))
            if under is not None and under.group(1) == over.group(1) and text[0] not in " \t":
                self.title(n + 1, (over.group(1), True), self.lines[n][0])
                return n + 3
        if over is not None and self.previous == "" and self.blank(n + 1):
            self.r.write("\n", self.lines[n][0])  # a transition: a line of punctuation between paragraphs
            return n + 1
        if text[0] in " \t" or self.previous != "" or n + 1 >= len(self.lines):
            return None
        under = _ADORNMENT.match(self.text(n + 1))
        if under is None or len(self.text(n + 1).rstrip()) < min(len(text.rstrip()), 4):
            return None
        self.title(n, (under.group(1), False), self.lines[n][0])
        return n + 2

    def title(self, n: int, style: tuple[str, bool], mark_at: int) -> None:
        """Line n is a section title in `style`; its heading mark goes at `mark_at`, where its adornment starts."""
        if style not in self.styles:
            self.styles.append(style)
        start, end, _ = self.lines[n]
        text = self.src[start:end]
        first = start + len(text) - len(text.lstrip())
        self.r.write("\n" + "#" * min(self.styles.index(style) + 1, 6) + " ", mark_at)
        self.inline(first, start + len(text.rstrip()))
        self.r.write("\n\n", end)
        self.previous, self.item_column = "", -1

    def directive(self, n: int, text: str, start: int) -> int:
        """An explicit markup block (".. "): a directive, comment, target, footnote or substitution."""
        m = _DIRECTIVE.match(text)
        assert m is not None
        indent, name = len(m.group(1)), (m.group(2) or "").lower()
        rest = text[m.end() :].strip() if name else ""
        if name and name in _READ_DIRECTIVES:
            self.r.write("\n" if self.previous else "", start)
            if name == "todo":
                self.r.write("TODO: ", start + m.end())
            if rest:
                bold = name in _TITLED_DIRECTIVES
                self.r.write("**" if bold else "", start + m.end())
                self.inline(start + m.end(), start + len(text.rstrip()))
                self.r.write("**\n\n" if bold else "\n", start + len(text))
            self.previous = "text" if rest and name == "todo" else ""
            self.block = _Skip(indent, read=True)
        else:
            self.block = _Skip(indent)
        self.item_column = -1
        return n + 1

    def body(self, n: int, text: str, start: int, indent: int) -> int:
        if (item := _ITEM.match(text)) is not None and (self.previous != "text" or self.item_column >= 0):
            marker = item.group(2)
            self.r.copy(start, start + item.start(2))
            self.r.write("- " if marker[0] in "-*+•" else "1. ", start + item.start(2))
            self.item_column = item.end() - item.start(1) + len(item.group(1))
            self.paragraph(n, start + item.end(), quote=False)
            self.previous = "item"
            return n + 1
        if self.item_column >= 0 and indent >= min(self.item_column, 2) and self.previous != "":
            self.paragraph(n, start + indent, quote=False)  # the item's text goes on
            return n + 1
        if self.item_column >= 0 and indent >= 2:
            self.r.copy(start, start + indent)
            self.paragraph(n, start + indent, quote=False)  # a paragraph of the item's details
            self.previous = "item"
            return n + 1
        self.item_column = -1
        if (field := _FIELD.match(text)) is not None and self.previous != "text":
            self.r.copy(start + field.start(2), start + field.end(2) + 1)  # ":Owner: dana" -> "Owner: dana"
            self.r.write(" ", start + field.end())
            self.paragraph(n, start + field.end(), quote=False)
            self.r.write("\n", start + len(text))
            return n + 1
        if text.lstrip().startswith(">>>") and self.previous == "":
            self.block = _Skip(indent - 1, to_blank=True)  # a doctest, to the next blank line
            return n + 1
        quote = indent > 0
        if text.lstrip().startswith("| "):
            self.paragraph(n, start + indent + 2, quote=quote)  # a line block
        else:
            self.paragraph(n, start + indent, quote=quote)
        self.previous = "quote" if quote else "text"
        return n + 1

    def paragraph(self, n: int, first: int, quote: bool) -> None:
        """Copy line n from `first`, inline markup rendered; a trailing "::" announces a literal block."""
        end = self.lines[n][1]
        text = self.src[first:end].rstrip()
        last = first + len(text)
        self.r.write("> " if quote else "", first)
        if text.endswith("::"):
            self.literal_next = self.indent(n)
            drop = 1 if text[-3:-2] not in ("", " ", "\t") else len(text) - len(text[:-2].rstrip())
            self.inline(first, last - drop)  # "Run this::" reads "Run this:", "Run this ::" reads "Run this"
        else:
            self.inline(first, last)
        self.newline(n)

    def inline(self, start: int, end: int) -> None:
        """Copy text with inline markup rendered: ``code`` as `code`, `label <url>`_ as a Markdown link, roles and
        references as their text, footnote references dropped."""
        pos = start
        for m in _INLINE.finditer(self.src, start, end):
            self.r.copy(pos, m.start())
            pos = m.end()
            kind = m.lastgroup
            if kind == "literal":
                self.r.write("`", m.start())
                self.r.copy(m.start("code"), m.end("code"))
                self.r.write("`", m.end("code"))
            elif kind == "quoted":
                self.quoted(m)
        self.r.copy(pos, end)

    def quoted(self, m: re.Match[str]) -> None:
        body, at = m.group("body"), m.start("body")
        target = _TARGET_URL.match(body)
        if target is None:
            self.r.copy(at, m.end("body"))
            return
        label, url = target.group(1), target.group(2)
        if not label:
            self.r.copy(at + 1, at + 1 + len(url))  # `<https://...>`_: the address is the text
            return
        if "://" in url and m.group("ref"):
            self.r.write("[", at)
            self.r.copy(at, at + len(label))
            self.r.write(f"]({url})", at + len(label))
        else:
            self.r.copy(at, at + len(label))

    def table_line(self, n: int, text: str, start: int) -> int:
        """A line of a grid table (`+---+`, `| a | b |`) or a simple table (`===  ===`)."""
        end = self.lines[n][1]
        if _GRID_BORDER.match(text) or _SIMPLE_BORDER.match(text):
            if self.table < 0:
                self.table = 0
                self.simple = [m.span() for m in re.finditer(r"=+", text)] if "=" in text and "+" not in text else []
                self.r.write("\n", start)
            elif self.simple and self.blank(n + 1):
                self.table, self.simple = -1, []
                self.r.write("\n", start)
            return n + 1
        if self.simple:
            cells = [
                (start + s, start + min(e if k + 1 < len(self.simple) else len(text), len(text)))
                for k, (s, e) in enumerate(self.simple)
                if s < len(text)
            ]
        else:
            bars = [m.start() for m in _BAR.finditer(self.src, start, end)]
            cells = [(a + 1, b) for a, b in pairwise(bars)]
        self.r.write("|", start)
        for k, (s, e) in enumerate(cells):
            cell = self.src[s:e]
            self.r.write(" " if not k else " | ", s)
            self.inline(s + len(cell) - len(cell.lstrip()), s + len(cell.rstrip()))
        self.r.write(" |\n", end)
        self.table += 1
        if self.table == 1:
            self.r.write("|" + " --- |" * len(cells) + "\n", end)
        return n + 1


def rst_to_text(source: str) -> tuple[str, OffsetMap]:
    """Render reStructuredText as Markdown-like text, with each rendered character's offset in `source`.

    Raises nothing: unknown markup is read as text."""
    return _Reader(source).render()
