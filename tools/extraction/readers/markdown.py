"""A postmortem's Markdown (or plain text) as blocks with offsets: headings, list items, table rows, paragraphs.

This is not a full CommonMark parser. It reads what postmortems use, line by line in one pass (linear in
the document's size), and keeps every block's exact character offsets in the original text so quotes
can be cut from it. Fenced code, front matter (YAML or TOML), HTML comments and link definitions are
skipped; block quotes are kept but marked, because they quote someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, Literal

FENCE: Final = re.compile(r"^ {0,3}(`{3,}|~{3,})")
SETEXT: Final = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# Only CR/LF end lines: str.splitlines() also splits at U+2028, U+0085 and form feeds.
LINES: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def without_closing_hashes(title: str) -> str:
    """An ATX heading's text without its closing hashes ("Setup ##" -> "Setup", "C#" stays "C#")."""
    # CommonMark: a closing run of '#' is dropped only when a space precedes it ("C#" keeps its '#').
    title = title.rstrip(" \t")
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        title = bare.rstrip(" \t")
    return title


BlockKind = Literal["heading", "item", "row", "para", "quote"]

_ATX: Final = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
# Besides Markdown's marks, the bullets text exports write ("•", "·", "▪", "◦", "‣"): mail archives and old CMSes.
_ITEM: Final = re.compile(r"^([ \t]*)([-+*•·▪◦‣]|\d{1,9}[.)]|[a-zA-Z][.)](?=[ \t]))[ \t]+(?:\[([ xX✓✔])\][ \t]*)?")
_RULE: Final = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_QUOTE: Final = re.compile(r"^ {0,3}>")
# A short line that is all bold, with no sentence ending: where layout HTML has no heading tags, its headings.
_BOLD_HEADING: Final = re.compile(r"^ {0,3}(\*\*|__)(?=[^\s*_])([^*_\n]{1,100}?)(?<=[^\s*_])\1[ \t]*$")
# A link definition; a footnote ("[^1]: text") is text and stays a paragraph.
_DEFINITION: Final = re.compile(r"^ {0,3}\[(?!\^)([^\]\n]{1,200})\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$")
_DELIMITER_CELL: Final = re.compile(r"[ \t]*:?-+:?[ \t]*")  # GFM accepts a single hyphen ("| :- |")
_CELL_SPLIT: Final = re.compile(r"\|(?<!\\\|)")  # a "|" not escaped; the mark first, so the engine skips to it
_NOT_IN_DELIMITER: Final = re.compile(r"[^\s|:-]")


@dataclass(slots=True)
class Block:
    """A run of the document: its kind, its offsets, and what the extractor needs to know about it."""

    kind: BlockKind
    start: int  # first character of the content (after any list marker and checkbox)
    end: int  # end of the content, trailing whitespace excluded
    section: int  # index into `Document.sections`
    indent: int = 0  # list items: columns before the marker
    checked: bool | None = None  # list items: a checkbox, ticked or not
    header: bool = False  # table rows: the header row
    cells: list[tuple[int, int]] = field(default_factory=list)  # table rows: cell spans
    table: int = -1  # table rows: which table (its first row's index in `Document.blocks`)
    parent: int = -1  # list items: index of the enclosing item in `Document.blocks`
    children: list[int] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)  # paragraphs: each line's span


@dataclass(slots=True)
class Heading:
    """A section heading (index 0 is the text before the first heading, with an empty title)."""

    title: str
    level: int
    start: int
    end: int
    parent: int = -1  # enclosing section by heading level


@dataclass(slots=True)
class Document:
    """The blocks of a document, its sections, and its link reference definitions."""

    text: str
    blocks: list[Block]
    sections: list[Heading]
    definitions: dict[str, str]


def _front_matter_end(text: str) -> int:
    for mark in ("---", "+++"):
        if text.startswith(mark) and text[3:4] in ("\n", "\r"):
            close = re.search(rf"^{re.escape(mark)}[ \t]*$", text[3:], re.MULTILINE)
            if close is not None:
                nl = text.find("\n", 3 + close.end())
                return len(text) if nl < 0 else nl + 1
    return 0


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """text[start:end] without spaces and tabs at its start, nor spaces, tabs and line ends at its end."""
    kept = text[start:end].rstrip(" \t\r\n")
    end = start + len(kept)
    return end - len(kept.lstrip(" \t")), end


def _is_delimiter(line: str) -> bool:
    if _NOT_IN_DELIMITER.search(line):
        return False  # a character no delimiter cell holds: most table rows are text
    cells = [c for c in _CELL_SPLIT.split(line.strip()) if c.strip()]
    return bool(cells) and "|" in line and all(_DELIMITER_CELL.fullmatch(c) for c in cells)


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    for bar in _CELL_SPLIT.finditer(text, start, end):
        spans.append(_trimmed(text, pos, bar.start()))
        pos = bar.end()
    spans.append(_trimmed(text, pos, end))
    # A leading and a trailing pipe produce empty edge cells that are not columns.
    if spans and spans[0][0] == spans[0][1] and text[start:end].lstrip().startswith("|"):
        spans = spans[1:]
    if spans and spans[-1][0] == spans[-1][1] and text[start:end].rstrip().endswith("|"):
        spans = spans[:-1]
    return spans


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks: list[Block] = []
        self.sections = [Heading("", 0, 0, 0)]
        self.definitions: dict[str, str] = {}
        self.open: Block | None = None  # the paragraph or list item that a following line may continue
        self.items: list[int] = []  # stack of open list items, by indent
        self.table = -1
        self.level = 0  # the last real heading's level: a bold line is a heading one level below it

    def close(self) -> None:
        self.open = None

    def heading(self, title: str, level: int, start: int, end: int) -> None:
        self.close()
        self.items.clear()
        self.table = -1
        parent = len(self.sections) - 1
        while parent > 0 and self.sections[parent].level >= level:
            parent = self.sections[parent].parent
        self.sections.append(
            Heading(" ".join(without_closing_hashes(title.strip()).split()), level, start, end, parent)
        )
        self.blocks.append(Block("heading", start, end, len(self.sections) - 1))

    def add(self, block: Block) -> int:
        self.blocks.append(block)
        return len(self.blocks) - 1

    def item(self, match: re.Match[str], start: int, end: int) -> None:
        indent = len(match.group(1).expandtabs(4))
        while self.items and self.blocks[self.items[-1]].indent >= indent:
            self.items.pop()
        tick = match.group(3)
        content_start, content_end = _trimmed(self.text, start + match.end(), end)
        block = Block(
            "item",
            content_start,
            content_end,
            len(self.sections) - 1,
            indent=indent,
            checked=None if tick is None else tick != " ",
            parent=self.items[-1] if self.items else -1,
        )
        index = self.add(block)
        if block.parent >= 0:
            self.blocks[block.parent].children.append(index)
        self.items.append(index)
        self.open = block
        self.table = -1

    def row(self, start: int, end: int, header: bool) -> None:
        self.close()
        s, e = _trimmed(self.text, start, end)
        block = Block("row", s, e, len(self.sections) - 1, header=header, cells=_cells(self.text, s, e))
        index = self.add(block)
        if header or self.table < 0:
            self.table = index
        block.table = self.table

    def line(self, start: int, end: int, quote: bool) -> None:
        s, e = _trimmed(self.text, start, end)
        kind: BlockKind = "quote" if quote else "para"
        if self.open is not None and (self.open.kind == kind or (self.open.kind == "item" and not quote)):
            self.open.end = e
            self.open.lines.append((s, e))
            return
        indent = len(self.text[start:s].expandtabs(4))
        parent = self.items[-1] if self.items and indent > self.blocks[self.items[-1]].indent else -1
        if parent < 0:
            self.items.clear()
        # An indented paragraph after a blank line belongs to the list item above it (its details).
        block = Block(kind, s, e, len(self.sections) - 1, lines=[(s, e)], parent=parent)
        self.add(block)
        self.open = block
        self.table = -1


def _bold_heading(b: _Builder, line: str, start: int, end: int) -> bool:
    """A paragraph's first line that is all bold, short and no sentence, read as a heading (layout HTML's)."""
    bold = _BOLD_HEADING.match(line) if b.open is None else None
    if bold is None:
        return False
    title = bold.group(2).rstrip(":").strip()
    if not title or title[-1] in ".!?,;" or len(title.split()) > 10:
        return False
    inner = start + bold.start(2)
    b.heading(title, min(b.level + 1, 6), inner, inner + len(bold.group(2)))
    return True


def _read_line(b: _Builder, lines: list[str], n: int, start: int, end: int, first: str, bold: bool = False) -> None:
    """Add line n (text[start:end], whose first non-blank character is `first`) to the blocks being built;
    `bold`: a bold line opening a paragraph is a heading."""
    line = b.text[start:end]
    if first == "#" and (atx := _ATX.match(line)) is not None:
        b.level = len(atx.group(1))
        b.heading(line[atx.end() :], b.level, start, end)
        return
    if bold and first in "*_" and _bold_heading(b, line, start, end):
        return
    if first in "=-" and SETEXT.match(line) and b.open is not None and b.open.kind == "para" and len(b.open.lines) == 1:
        para = b.blocks.pop()
        b.open = None
        b.level = 1 if first == "=" else 2
        b.heading(b.text[para.start : para.end], b.level, para.start, para.end)
        return
    rule = first in "*-_" and bool(_RULE.match(line))
    if rule:
        b.close()
        return
    if first == "[" and (definition := _DEFINITION.match(line)) is not None:
        b.definitions.setdefault(definition.group(1).strip().lower(), definition.group(2))
        b.close()
        return
    if "|" in line:
        following = lines[n + 1] if n + 1 < len(lines) else ""
        if _is_delimiter(line):
            b.close()
            return
        if _is_delimiter(following.rstrip("\r\n")):
            b.row(start, end, header=True)
            return
        if b.table >= 0 and b.blocks and b.blocks[-1].kind == "row":
            b.row(start, end, header=False)
            return
    if (item := _ITEM.match(line)) is not None:
        b.item(item, start, end)
        return
    b.line(start, end, quote=first == ">" and bool(_QUOTE.match(line)))


def parse_blocks(text: str, bold_headings: bool = False) -> Document:
    """Split Markdown or plain text into blocks and sections, keeping exact offsets into `text`.

    `bold_headings`: a short all-bold line that opens a paragraph is a heading one level below the last real one
    (for HTML built from layout elements, where bold lines are the headings)."""
    b = _Builder(text)
    offset = _front_matter_end(text)
    lines = LINES.findall(text, offset)
    fence: str | None = None
    in_comment = False
    for n, raw in enumerate(lines):
        start, end = offset, offset + len(raw.rstrip("\r\n"))
        offset += len(raw)
        line = text[start:end]
        if in_comment:
            in_comment = "-->" not in line
            continue
        # Each line pattern needs its mark as the line's first character after up to three spaces: a pattern
        # runs only when that character is its mark, so most lines are tried against one or two patterns.
        opener = FENCE.match(line) if line.lstrip()[:1] in ("`", "~") else None
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            b.close()
            continue
        stripped = line.strip()
        if not stripped:
            b.close()
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        _read_line(b, lines, n, start, end, stripped[0], bold_headings)
    return Document(text=text, blocks=b.blocks, sections=b.sections, definitions=b.definitions)


@lru_cache(maxsize=1)
def parsed(text: str, bold_headings: bool = False) -> Document:
    """`parse_blocks` of the document being read: storing a postmortem reads its headings (facts.py) and its
    findings from one parse (`extract`, the last reader, lets it go). Nothing may change the Document it returns
    (nothing does: the extractor only reads it)."""
    return parse_blocks(text, bold_headings)
