"""An HTML postmortem (a wiki or Confluence export) as Markdown-like text, with offsets back into the HTML.

The Markdown reader runs over the rendering and `origin` maps what it finds back, so quotes are cut from the HTML.
Not `html.parser` (line/column positions; its recovery from broken markup differs between Python versions): one
forward pass, linear in the input, never raising on malformed HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Final

from postmortem_actions.tools.extraction.readers.layout import (
    ATTR,
    FURNITURE_HINT,
    FURNITURE_TAGS,
    element_end,
    furniture,
    prose,
)
from postmortem_actions.tools.extraction.readers.offsets import OffsetMap

# The second form covers <!doctype>, <?xml ?> and <![CDATA[, which a browser reads as bogus comments.
_TAG: Final = re.compile(r"</?([a-zA-Z][^\s/>]*)([^>]*)>|<[!?][^>]*>")
_WS: Final = " \t\n\r\f\xa0"
_ENTITY: Final = r"&(?:#[0-9]{1,10}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]{0,31});?"
# Words with the spaces between them are one token, so prose costs one write per run rather than one per word.
_TEXT: Final = re.compile(rf"[^{_WS}&|][^\t\n\r\f\xa0&|]*|[{_WS}]+|{_ENTITY}|[&|]")
_RUN: Final = re.compile(rf"[^{_WS}&|][^\t\n\r\f\xa0&|]*")  # _TEXT's first form: words and the spaces between
_WORD: Final = re.compile(rf"[^{_WS}&]+")
_PRE: Final = re.compile(rf"\r\n?|\n|{_ENTITY}|[^\r\n&]+|&")
# Dropped with all they hold. A document may leave out </head>; its <body> ends the head all the same.
_SKIP: Final = {
    name: re.compile(rf"</{name}(?![\w:-])[^>]*>?" + (r"|(?=<body(?![\w:-]))" if name == "head" else ""), re.I)
    for name in ("script", "style", "head", "title", "noscript", "svg", "template")
}
_BLOCKS: Final = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "aside",
        "figure",
        "caption",
        "dl",
        "dt",
        "dd",
        "hr",
        "form",
        "details",
        "summary",
        "body",
        "blockquote",
    ]
)
_HEADINGS: Final = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_BOLD_STYLE: Final = re.compile(r"(?i)font-weight\s*:\s*(?:bold|[6-9]00)")
_MARKS: Final = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "del": "~~", "strike": "~~", "code": "`"}
_TRAILING_MARKUP: Final = re.compile(r"(?:\s*<[^<>]{0,500}>)+\s*$")
_LONGEST_TAG: Final = 502  # "<", up to 500 characters, ">"
_DEEPEST: Final = 16  # deeper nesting is not indented further, so hostile nesting cannot square the output


@dataclass(slots=True)
class _List:
    ordered: bool
    number: int
    task: bool
    in_item: bool = False


class _Renderer:
    def __init__(self, src: str) -> None:
        self.src, self.out, self.org = src, list[str](), OffsetMap()
        self.trail = self.need = self.quote = self.quoted = self.pre = self.rows = self.pending = 0
        self.space = self.cells = self.pre_body = -1  # offset of a pending space; cells in the open row (-1: none)
        self.marker: tuple[str, int] | None = None  # "# ", "- [ ] "... for the next line's first content
        self.inline = list[tuple[str, str, str, int]]()  # open inline tags; the top `pending` are not yet written
        self.lists, self.heading, self.gt = list[_List](), False, -2  # gt: the next ">" (-1: there is none)
        self.prose = False  # the open <pre> holds prose (a mail archive's message): text, not a code block

    def put(self, text: str, pos: int, exact: bool = False) -> None:
        """Append `text`: from `pos` on if `exact`, else all at `pos`; keep `trail`, the newlines ending `out`."""
        self.out.append(text)
        self.org.add(pos, len(text), exact)
        if text[-1:] == "\n":
            body = text.rstrip("\n")
            self.trail = len(text) - len(body) + (0 if body else self.trail)
        elif text:
            self.trail = 0

    def soft(self, pos: int) -> None:
        self.space = pos if self.space < 0 and self.out else self.space

    def block(self, pos: int, lines: int = 2) -> bool:
        """Break the line before the next content, or only space it if this line must stay whole; say which."""
        one_line = self.heading or self.cells >= 0 or bool(self.lists and self.lists[-1].in_item)
        self.space = pos if one_line and self.space < 0 and self.out else self.space
        self.need = self.need if one_line else max(self.need, lines)
        return one_line

    def flush(self, pos: int) -> None:
        quote = "> " * min(self.quote, _DEEPEST)
        for k in range(self.trail, self.need if self.out else 0):
            self.put(quote[: 2 * self.quoted].rstrip() + "\n" if k else "\n", pos)  # inside a quote, blank lines too
        if self.trail or not self.out:
            text, at = self.marker or ("  " * min(len(self.lists), _DEEPEST), pos)
            self.put(quote + text, at)
            self.quoted = len(quote) // 2
        elif self.space >= 0:
            self.put(" ", self.space)
        for _, opening, _, at in self.inline[len(self.inline) - self.pending :]:
            self.put(opening, at)
        self.need, self.marker, self.space, self.pending = 0, None, -1, 0

    def content(self, text: str, pos: int, exact: bool) -> None:
        self.flush(pos)
        self.put(text, pos, exact)

    def text(self, start: int, end: int) -> None:
        if not self.pre and (run := _RUN.match(self.src, start, end)) is not None and run.end() == end:
            self.words(run)  # the loop below, for text that is one token (most is)
            return
        if start == self.pre_body and self.pre:  # as a browser does, drop the newline that opens a <pre>
            start += 2 if self.src.startswith("\r\n", start) else self.src[start] in "\r\n"
        for m in (_PRE if self.pre else _TEXT).finditer(self.src, start, end):
            token, at = m.group(), m.start()
            value = html.unescape(token) if token[0] == "&" else "\n" if self.pre and token[0] == "\r" else token
            if self.cells >= 0 and not self.pre:  # a bare "|" would split the cell
                value = value.replace("|", "\\|")
            if self.pre or (token[0] in "&|" and value.strip(_WS)):
                self.content(value.replace("\xa0", " "), at, value == token)
            elif not value.strip(_WS):
                self.soft(at)
            else:
                self.words(m)

    def words(self, run: re.Match[str]) -> None:
        """A token of words and the single spaces between them: written as it is, a run of spaces as one."""
        token, at = run.group(), run.start()
        body = token.rstrip(" ")
        for word in _WORD.finditer(self.src, at, at + len(body)) if "  " in body else iter([run]):
            if word.start() > at:
                self.soft(word.start() - 1)
            self.content(word.group().rstrip(" "), word.start(), True)
        if len(body) < len(token):
            self.soft(at + len(body))

    def list_item(self, found: dict[str, str], pos: int) -> None:
        """An <li>: its marker (number or bullet, and a task box when the list or the item says it is one)."""
        current = self.lists[-1] if self.lists else _List(False, 0, False)
        current.number, current.in_item = current.number + 1, True
        checked = "checked" in found.get("class", "").split()
        status = (found.get("data-task-status") or found.get("data-inline-task-status") or "").lower()
        done = checked or status in ("complete", "completed", "done", "checked")
        task = current.task or checked or bool(status) or "data-inline-task-id" in found
        bullet = f"{current.number}. " if current.ordered else "- "
        indent = "  " * min(max(len(self.lists) - 1, 0), _DEEPEST)
        self.marker, self.need = (indent + bullet + ("[x] " if done else "[ ] ") * task, pos), max(self.need, 1)

    def checkbox(self, checked: bool, pos: int) -> None:
        """An <input type=checkbox>: a task box, before the item's text when an item is open."""
        box = "[x] " if checked else "[ ] "
        if self.marker and not self.heading:  # the box goes before the item's text
            self.marker = (self.marker[0].removesuffix("[ ] ").removesuffix("[x] ") + box, self.marker[1])
        else:
            self.content(box, pos, False)

    def table_part(self, name: str, pos: int) -> None:
        """A <table>, <tr>, <td> or <th>: rows become lines, cells pipes."""
        if name == "table":
            self.end("table", pos)
            self.rows = 0
            return
        if name == "tr" or self.cells < 0:
            self.end("tr", pos)
            self.cells = 0
        if name != "tr":
            if not self.cells:
                self.flush(pos)
            self.put(" |" if self.cells else "|", pos)
            self.cells, self.space = self.cells + 1, pos

    def start(self, name: str, attrs: str, pos: int, end: int) -> None:
        found = (
            {
                m.group(1).lower(): html.unescape(next((g for g in m.groups()[1:] if g is not None), ""))
                for m in reversed(list(ATTR.finditer(attrs)))
            }
            if attrs and (name in ("ul", "ol", "li", "input", "a") or (name == "span" and "style" in attrs))
            else {}
        )
        if name == "span" and not self.pre and len(self.inline) < 64:
            bold = bool(
                _BOLD_STYLE.search(found.get("style", ""))
            )  # layout HTML's bold: <span style="font-weight:700">
            self.inline.append(("span", "**" if bold else "", "**" if bold else "", pos))
            self.pending += 1
        elif name in _BLOCKS or name in _HEADINGS or (name in ("ul", "ol", "li") and self.cells >= 0):
            if not self.block(pos) and name in _HEADINGS:
                self.heading, self.marker = True, ("#" * int(name[1]) + " ", pos)
            self.quote += name == "blockquote"
        elif name == "br":
            self.block(pos, min(2, max(self.need, self.trail) + 1))
        elif name in ("ul", "ol"):
            number = int(found["start"]) - 1 if found.get("start", "").isdigit() else 0
            self.lists.append(_List(name == "ol", number, "task-list" in found.get("class", "")))
            self.need = max(self.need, 1 if len(self.lists) > 1 else 2)
        elif name == "li":
            self.list_item(found, pos)
        elif name == "input" and found.get("type", "").lower() == "checkbox":
            self.checkbox("checked" in found, pos)
        elif name in ("table", "tr", "td", "th"):
            self.table_part(name, pos)
        elif name == "pre" and not self.pre and prose(self.src, end):
            self.need, self.pre, self.pre_body, self.prose = max(self.need, 2), 1, end, True
        elif name == "pre":
            self.need = max(self.need, 2)
            self.flush(pos)
            self.put("```", pos)
            self.need, self.pre, self.pre_body = 1, self.pre + 1, end
        elif not self.pre and (name in _MARKS or name == "a") and len(self.inline) < 64:
            href = found.get("href") if name == "a" else None
            opening, closing = ("[", f"]({href})") if href else ("", "") if name == "a" else (_MARKS[name],) * 2
            self.inline.append((name, opening, closing, pos))
            self.pending += 1

    def end(self, name: str, pos: int) -> None:
        if name in _HEADINGS and self.heading:
            self.heading, self.marker, self.need = False, None, 2
        elif name in _BLOCKS or name in _HEADINGS:
            self.block(pos)
            self.quote -= name == "blockquote" and self.quote > 0
        elif name in ("ul", "ol", "li") and self.lists and self.cells < 0:
            if name == "li":
                self.lists[-1].in_item, self.marker = False, None
            else:
                self.lists.pop()
            self.need = max(self.need, 1 if self.lists else 2)
        elif name in ("tr", "table"):
            if self.cells > 0:
                self.put(" |", pos)
                self.rows += 1
                if self.rows == 1:  # the first row is the header, th cells or not
                    self.need = 1
                    self.flush(pos)
                    self.put("|" + " --- |" * self.cells, pos)
            self.cells, self.space, self.need = -1, -1, max(self.need, 2 if name == "table" else 1)
        elif name == "pre" and self.pre == 1 and self.prose:
            self.pre, self.prose, self.need = 0, False, 2
        elif name == "pre" and self.pre:
            self.pre, self.need = self.pre - 1, 1
            self.flush(pos)
            self.put("```", pos)
            self.need = 2
        elif name in (names := [entry[0] for entry in self.inline[-16:]]):
            depth = len(self.inline) - 1 - names[::-1].index(name)
            dropped = min(self.pending, len(self.inline) - depth)  # the innermost wrote nothing: drop those pairs
            written = self.inline[depth : len(self.inline) - dropped]
            self.put("".join(closing for _, _, closing, _ in reversed(written)), pos)
            self.pending -= dropped
            del self.inline[depth:]

    def markup(self, lt: int) -> int:
        """Handle the markup (or the lone "<") at `lt` and return where it ends."""
        src = self.src
        if src.startswith("<!--", lt):
            close = src.find("-->", lt + 2)
            return len(src) if close < 0 else close + 3
        if self.gt != -1 and self.gt < lt:  # kept, so that runs of "<a " without ">" cannot make the scan quadratic
            self.gt = src.find(">", lt)
        m = _TAG.match(src, lt, self.gt + 1) if self.gt > lt else None
        if m is None:  # a "<" that starts no tag is text, and with no ">" left, so is all that follows it
            self.text(lt, end := lt + 1 if self.gt >= 0 else len(src))
            return end
        name, attrs = m.groups()
        name, attrs, end = (name or "!").lower(), attrs or "", m.end()  # "!": a bogus comment, which start() ignores
        if src[lt + 1] == "/":
            self.end(name, lt)
        elif name in _SKIP and not attrs.endswith("/"):
            skip = _SKIP[name].search(src, end)
            return len(src) if skip is None else skip.end()
        elif (name in FURNITURE_TAGS or (attrs and FURNITURE_HINT.search(attrs) and furniture(attrs))) and not (
            attrs.endswith("/")
        ):
            self.block(lt)
            return element_end(src, name, end)
        else:
            self.start(name, attrs, lt, end)
        return end

    def render(self) -> tuple[str, OffsetMap]:
        src, i, size = self.src, 0, len(self.src)
        while i < size:
            lt = src.find("<", i)
            lt = size if lt < 0 else lt
            if lt > i:
                if src[i] in _WS and not self.pre and not src[i:lt].strip(_WS):
                    self.soft(i)  # what text() does with a run of spaces between tags, without tokenising it
                else:
                    self.text(i, lt)
            i = self.markup(lt) if lt < size else lt
        while self.pre:
            self.end("pre", len(src))
        self.end("table", len(src))
        self.org.close(len(src))
        return "".join(self.out), self.org


def html_to_text(source: str) -> tuple[str, OffsetMap]:
    """Render an HTML document as Markdown-like text, with each rendered character's offset in `source`.

    `origin[i]` is where `rendered[i]` came from: a text character's own offset, the "&" of an entity, the "<" of the
    tag that produced synthetic text ("- ", "**", newlines). Offsets never decrease; `origin[-1] == len(source)`.
    Raises nothing: malformed HTML degrades to its text.
    """
    return _Renderer(source).render()


def source_span(origin: OffsetMap, start: int, end: int) -> tuple[int, int]:
    """Map the rendered span [start, end) to a span of the source that holds all of its characters.

    The end reaches the next offset a later rendered character has, so an entity or tag behind the last character
    is included whole. Raises ValueError if the span is not within the rendering `origin` describes.
    """
    return origin.span(start, end)


def quote_span(source: str, rendered: str, origin: OffsetMap, start: int, end: int) -> tuple[int, int]:
    """Where the rendered span [start, end) lies in the HTML `source`, for a quote: as `source_span`, without the tags
    (and spaces) that follow the span's last character.

    Raises ValueError if the span is not within the rendering `origin` describes."""
    start, after = source_span(origin, start, end)
    last, char = (origin[end - 1], rendered[end - 1]) if end > 0 else (-1, "")
    # Most spans end with a character of text written as itself, followed by nothing but tags and spaces: the tags'
    # run then starts right after it (the character, neither a space nor a bracket, is in no tag).
    # Copied text is never followed by what the rendering left out (a footer, a script dropped whole): the quote ends
    # with its last character even when more than tags lies between it and the next rendered one.
    if char and source[last : last + 1] == char and char not in "&<>" and not char.isspace() and last + 1 <= after:
        return start, last + 1 if last + 1 > start else after
    tail = _TRAILING_MARKUP.search(source, _tags_before(source, max(start, after - 2000), after), after)
    if tail is not None and tail.start() > start:
        after = tail.start()  # the quote ends with the item's text, not with the next element's tags
    return start, after


def _tags_before(source: str, low: int, end: int) -> int:
    """A point in [low, end] before which no match of _TRAILING_MARKUP in source[low:end] starts: the start of the
    tags (and the spaces around them) that end the span, read backwards, so that the search does not try every
    position of the item's text."""
    at = end
    while True:
        k = at
        while k > low and source[k - 1].isspace():
            k -= 1
        if k == low or source[k - 1] != ">":
            return k
        lt = source.rfind("<", low, k - 1)
        if lt < 0 or k - lt > _LONGEST_TAG or source.find(">", lt, k - 1) >= 0:
            return k
        at = lt
