"""MediaWiki markup (Wikipedia, Fandom and company wikis) as Markdown-like text, with offsets back into the source.

`== H ==` headings, `*`/`#` lists (nested by their marks), `;term` lines (shown bold: wikis use them as small
headings), `'''bold'''` and `''italic''`, `[[Page|label]]` and `[https://... label]` links and `{| ... |}` tables
become the Markdown the extractor reads. Templates `{{...}}` (nested), comments, `<ref>` footnotes, code
(`<pre>`, `<syntaxhighlight>`, `<source>`, lines that start with a space), `<math>`, galleries and file or category
links are not text and are dropped. One pass to find what is hidden, one over the lines; both linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from postmortem_actions.tools.extraction.readers.offsets import OffsetMap
from postmortem_actions.tools.extraction.readers.rendering import Rendering, lines

_HIDDEN_TAGS: Final = ("ref", "pre", "syntaxhighlight", "source", "math", "gallery", "timeline", "score", "graph")
_HIDING: Final = re.compile(
    r"\{\{|\}\}|<!--|<(" + "|".join(_HIDDEN_TAGS) + r"|references)\b([^<>]{0,500})>|__[A-Z]{2,20}__", re.IGNORECASE
)
_CLOSING: Final = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _HIDDEN_TAGS}
_INLINE: Final = re.compile(
    r"'{2,}"
    r"|\[\[([^\[\]\n|]{1,500})(?:\|([^\[\]\n]{0,500}))?\]\]"
    r"|\[((?:https?|ftp)://[^\s\[\]<>]{1,2000})(?:[ \t]+([^\[\]\n]{0,500}))?\]"
    r"|</?[a-zA-Z][^<>\n]{0,200}>"
)
_INLINE_MARK: Final = re.compile(r"['\[<]")  # one of these is in every match of _INLINE
_NOT_TEXT_LINK: Final = re.compile(r"(?:file|image|media|category)\s*:", re.IGNORECASE)  # ":Category:X" is text
_QUOTE_TAG: Final = re.compile(r"<(/?)blockquote\b[^<>]{0,200}>", re.IGNORECASE)


def _hidden(source: str) -> list[tuple[int, int]]:
    """The spans that are not text, in order and not overlapping: templates, comments, footnotes, code."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[int, int]] = []  # open "{{": its offset, and how many spans were kept when it opened
    never: set[str] = set()  # closings searched for and not found: no later search can find them
    pos = 0
    while (m := _HIDING.search(source, pos)) is not None:
        mark, at = m.group(), m.start()
        pos = m.end()
        if mark == "{{":
            stack.append((at, len(spans)))
        elif mark == "}}":
            if stack:
                opened, kept = stack.pop()
                del spans[kept:]  # what closed inside it is inside it
                spans.append((opened, pos))
        elif mark == "<!--":
            pos = _closed_at(source, "-->", pos, never)
            spans.append((at, pos))
        elif mark.startswith("__") or m.group(2).rstrip().endswith("/"):
            spans.append((at, pos))  # a magic word, or <ref name=x /> and <references/>
        elif (name := m.group(1).lower()) != "references":
            pos = _tag_closed_at(source, name, pos, never)
            spans.append((at, pos))
    if stack:  # an unclosed template hides the rest of its line
        for opened, _ in stack:
            line_end = source.find("\n", opened)
            spans.append((opened, len(source) if line_end < 0 else line_end))
        spans = _merged(spans)
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted, with those that overlap joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _closed_at(source: str, closing: str, pos: int, never: set[str]) -> int:
    """Where a comment opened before `pos` ends (after "-->"); an unclosed one hides the rest of its line."""
    close = -1 if closing in never else source.find(closing, pos)
    if close < 0:
        never.add(closing)
        line_end = source.find("\n", pos)
        return len(source) if line_end < 0 else line_end
    return close + len(closing)


def _tag_closed_at(source: str, name: str, pos: int, never: set[str]) -> int:
    """Where `<name>` opened before `pos` ends (after its closing tag); an unclosed one hides the rest of its line."""
    found = None if name in never else _CLOSING[name].search(source, pos)
    if found is None:
        never.add(name)
        line_end = source.find("\n", pos)
        return len(source) if line_end < 0 else line_end
    return found.end()


@dataclass(slots=True)
class _Table:
    cells: int = 0  # cells written in the open row
    rows: int = 0
    row_open: bool = False


class _Reader:
    def __init__(self, source: str) -> None:
        self.src = source
        self.r = Rendering(source)
        self.hidden = _hidden(source)
        self.next_hidden = 0
        self.previous = ""  # what the last rendered line was: "item", "text", "" (blank or heading)
        self.table: _Table | None = None
        self.quote = self.quoting = False  # a <blockquote> is open; this line is inside one

    def segments(self, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of [start, end) outside hidden spans."""
        spans, k = self.hidden, self.next_hidden
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        self.next_hidden = k
        parts, pos = [], start
        while k < len(spans) and spans[k][0] < end:
            if spans[k][0] > pos:
                parts.append((pos, spans[k][0]))
            pos = max(pos, spans[k][1])
            k += 1
        if pos < end:
            parts.append((pos, end))
        return parts

    def inline(self, parts: list[tuple[int, int]]) -> None:
        """Copy text with its inline markup rendered: quotes as emphasis, links as their labels."""
        bold = italic = False
        last = parts[-1][1] if parts else 0
        for start, end in parts:
            if self.r.copied_plain(start, end, _INLINE_MARK):
                continue
            pos = start
            for m in _INLINE.finditer(self.src, start, end):
                self.r.copy(pos, m.start())
                pos = m.end()
                token = m.group()
                if token[0] == "'":
                    bold, italic = self._quotes(m.start(), len(token), bold, italic)
                elif token.startswith("[["):
                    self._wiki_link(m)
                elif token[0] == "[":
                    self._external_link(m)
                elif token[:2].lower() == "<b" and token[1:3].lower() == "br":
                    self.r.write(" ", m.start())
            self.r.copy(pos, end)
        self.r.write("*" * (2 * bold + italic), last)  # a wiki closes open emphasis at the line's end

    def _quotes(self, at: int, size: int, bold: bool, italic: bool) -> tuple[bool, bool]:
        if size == 4 or size > 5:  # the apostrophes beyond bold (or bold italic) are text
            extra = 1 if size == 4 else size - 5
            self.r.copy(at, at + extra)
            at, size = at + extra, size - extra
        if size == 2:
            italic = not italic
            self.r.write("*", at)
        elif size == 3:
            bold = not bold
            self.r.write("**", at)
        else:
            bold, italic = not bold, not italic
            self.r.write("***", at)
        return bold, italic

    def _wiki_link(self, m: re.Match[str]) -> None:
        target = m.group(1)
        if _NOT_TEXT_LINK.match(target):
            return  # an image, a file or the page's category: not text
        label = 2 if m.group(2) is not None and m.group(2).strip() else 1
        self.r.copy(m.start(label) + (label == 1 and target.startswith(":")), m.end(label))

    def _external_link(self, m: re.Match[str]) -> None:
        if m.group(4) is None or not m.group(4).strip():
            self.r.copy(m.start(3), m.end(3))  # [https://...]: the address is all there is
            return
        self.r.write("[", m.start())
        self.r.copy(m.start(4), m.end(4))
        self.r.write(f"]({m.group(3)})", m.end(4))

    def line(self, start: int, end: int, after: int) -> None:
        parts = self.segments(start, end)
        text = "".join(self.src[s:e] for s, e in parts)
        self.quoting = self.quote  # this line is quoted if a quote is open at its start or opens on it
        if "<" in text and (tags := list(_QUOTE_TAG.finditer(text))):
            self.quoting = self.quote or any(not tag.group(1) for tag in tags)
            self.quote = not tags[-1].group(1)
            text = _QUOTE_TAG.sub("", text)
        if not text.strip():
            if not self.src[start:end].strip():  # a blank line ends a paragraph or a list
                self.r.copy(end, after) if after > end else self.r.write("\n", start)
                self.previous = ""
            return  # a line of hidden markup only (a template, a comment) changes nothing
        first = parts[0][0]
        if self.table is not None or text.startswith("{|"):
            self.table_line(text, parts, first)  # a row's cells may be on several lines: it writes its own breaks
            return
        if text[0] in " \t" and first == start:
            return  # a line that starts with a space is preformatted code
        if text[0] == "=" and self.heading(text, parts):
            pass
        elif text[0] in "*#;:":
            self.list_line(text, parts)
        elif text.startswith("----"):
            self.r.write("\n", first)  # a horizontal rule ends a paragraph
            self.previous = ""
        else:
            if self.previous == "item":
                self.r.write("\n", first)  # a wiki list item is one line: the text after it is a paragraph
            self.r.write("> " if self.quoting else "", first)
            self.inline(parts)
            self.previous = "text"
        self.r.copy(end, after) if after > end else self.r.write("\n", end)

    def heading(self, text: str, parts: list[tuple[int, int]]) -> bool:
        body = text.rstrip()
        opening = len(body) - len(body.lstrip("="))
        closing = len(body) - len(body.rstrip("="))
        level = min(opening, closing, 6)
        if level == 0 or opening == len(body) or not body[level:-level].strip():
            return False
        first, last = parts[0][0], parts[-1][1]
        last -= len(self.src[first:last]) - len(self.src[first:last].rstrip())
        self.r.write("\n" * (self.previous != "") + "#" * level + " ", first)
        self.inline(_trimmed(parts, first + level, last - level, self.src))
        self.r.write("\n", last)
        self.previous = ""
        return True

    def list_line(self, text: str, parts: list[tuple[int, int]]) -> None:
        marks = len(text) - len(text.lstrip("*#;:"))
        first = parts[0][0]
        kind = text[marks - 1]
        body = _trimmed(parts, first + marks, parts[-1][1], self.src)
        if kind in "*#":
            bullet = "1. " if kind == "#" else "- "
            self.r.write(("> " if self.quoting else "") + "  " * min(marks - 1, 16) + bullet, first)
            self.previous = "item"
        else:  # ";term": a small heading; ":text": indented text, read as a paragraph of its own
            self.r.write("\n" * (self.previous != "") + ("**" if kind == ";" else ""), first)
            self.previous = "text"
        self.inline(body)
        if kind == ";":
            self.r.write("**\n", parts[-1][1])
            self.previous = ""

    def table_line(self, text: str, parts: list[tuple[int, int]], first: int) -> None:
        """A line of a `{| ... |}` table: rows become Markdown rows, the first one the header."""
        if text.startswith("{|"):
            self.r.write("\n", first)
            self.table, self.previous = _Table(), ""
            return
        table = self.table
        assert table is not None
        if text.startswith(("|-", "|}")):
            self.end_row(table, first)
            if text.startswith("|}"):
                self.table = None
                self.r.write("\n", first)
            return
        if text.startswith("|+"):
            return  # the caption
        if text[0] not in "|!":
            if table.row_open:  # a cell's text continues on this line
                self.r.write(" ", first)
                self.inline(parts)
            return
        if not table.row_open:
            self.r.write("|", first)
            table.row_open = True
        for cell in _cells(self.src, parts, "!!" if text[0] == "!" else "||"):
            self.r.write(" " if not table.cells else " | ", cell[0][0] if cell else first)
            self.inline(cell)
            table.cells += 1

    def end_row(self, table: _Table, pos: int) -> None:
        if not table.row_open:
            return
        self.r.write(" |\n", pos)
        table.rows += 1
        if table.rows == 1:  # the first row is the header, "!" cells or not
            self.r.write("|" + " --- |" * table.cells + "\n", pos)
        table.cells, table.row_open = 0, False

    def render(self) -> tuple[str, OffsetMap]:
        for start, end, after in lines(self.src):
            self.line(start, end, after)
        if self.table is not None:
            self.end_row(self.table, len(self.src))
        return self.r.done()


def _trimmed(parts: list[tuple[int, int]], start: int, end: int, src: str) -> list[tuple[int, int]]:
    """The parts clipped to [start, end), without the spaces at either end."""
    clipped = [(max(s, start), min(e, end)) for s, e in parts if min(e, end) > max(s, start)]
    while clipped and not src[clipped[0][0] : clipped[0][1]].strip():
        clipped.pop(0)
    while clipped and not src[clipped[-1][0] : clipped[-1][1]].strip():
        clipped.pop()
    if clipped:
        s, e = clipped[0]
        clipped[0] = (e - len(src[s:e].lstrip()), e)
        s, e = clipped[-1]
        clipped[-1] = (s, s + len(src[s:e].rstrip()))
    return clipped


def _cells(src: str, parts: list[tuple[int, int]], separator: str) -> list[list[tuple[int, int]]]:
    """A table line's cells (after its leading "|" or "!"), each without its attributes ('style="..." | text')."""
    cells: list[list[tuple[int, int]]] = [[]]
    for n, (s, e) in enumerate(parts):
        pos = s + 1 if n == 0 else s
        while (bar := src.find(separator, pos, e)) >= 0 or (separator == "!!" and (bar := src.find("||", pos, e)) >= 0):
            cells[-1].append((pos, bar))
            cells.append([])
            pos = bar + 2
        cells[-1].append((pos, e))
    result = []
    for cell in cells:
        flat = "".join(src[s:e] for s, e in cell)
        bar = flat.find("|")
        if bar > 0 and "=" in flat[:bar] and "[[" not in flat[:bar]:
            cell = _trimmed(cell, _offset_at(cell, bar) + 1, cell[-1][1], src)
        result.append(_trimmed(cell, cell[0][0], cell[-1][1], src) if cell else [])
    return result


def _offset_at(parts: list[tuple[int, int]], index: int) -> int:
    """The source offset of character `index` of the parts joined."""
    for s, e in parts:
        if index < e - s:
            return s + index
        index -= e - s
    return parts[-1][1]


def mediawiki_to_text(source: str) -> tuple[str, OffsetMap]:
    """Render MediaWiki markup as Markdown-like text, with each rendered character's offset in `source`.

    Raises nothing: unclosed markup degrades to its text (an unclosed template or comment hides only its line)."""
    return _Reader(source).render()
