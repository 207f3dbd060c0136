"""A Word document (.docx: Word, Google Docs, LibreOffice and Confluence exports) as Markdown text.

The stored postmortem is this rendering, so every offset and quote refers to it: headings (by paragraph style or
outline level) become `#` lines, numbered and bulleted paragraphs (by their numbering or list style) become `1.` and
`-` items indented by level, ticked and unticked boxes (content-control checkboxes, ☐/☒ glyphs) become `[ ]`/`[x]`,
tables become pipe tables, code styles fenced blocks and quote styles `>` lines. The Markdown reader then finds the
same blocks it finds in a Markdown postmortem.

python-docx (an optional extra: it brings lxml) opens the package. The zip is checked first with the standard
library, so a zip bomb, a huge part or a zip that is not a Word document is refused with a sentence before anything
is unpacked; python-docx's parser resolves no entities, and lxml refuses nesting deeper than its limit.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from postmortem_actions.store.errors import DocumentTooLarge, NotText
from postmortem_actions.tools.extraction.readers.docx_package import check_package

DOCX_SUFFIX: Final = ".docx"
INSTALL_HINT: Final = "pip install 'postmortem-actions[docx]'"

_W: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_W14: Final = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_MC_FALLBACK: Final = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIPPED: Final = frozenset([_MC_FALLBACK, f"{_W}del", f"{_W}moveFrom", f"{_W}instrText", f"{_W}delText"])
_HEADING_STYLE: Final = re.compile(r"(?i)^(?:heading|titre|überschrift|título|titolo)\s*([1-9])$")
_LIST_STYLE: Final = re.compile(r"(?i)^list\s*(bullet|number|paragraph|continue)?\s*([2-9])?$")
_CODE_STYLE: Final = re.compile(r"(?i)code|preformatted|source|macro|verbatim|console")
_QUOTE_STYLE: Final = re.compile(r"(?i)^(?:intense\s+)?quote$|^block\s*text$")
_OPEN_BOX: Final = frozenset("☐□❑❒◻⬜")
_TICKED_BOX: Final = frozenset("☑☒✓✔✅")
_DEEPEST: Final = 8
_BLANK_RUN: Final = re.compile(r"\n{3,}")


@dataclass(slots=True)
class _Style:
    name: str = ""
    based_on: str = ""
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None


@dataclass(slots=True)
class _Context:
    styles: dict[str, _Style]
    formats: dict[tuple[str, int], tuple[str, str]]  # (numId, level) -> (numFmt, lvlText)
    shift: int = 0  # 1 when a Title paragraph is the document's "#": its Heading 1s are then "##"
    level: int = 0  # the last heading's level: a bold line is a heading one level below it
    counters: dict[str, list[int]] = field(default_factory=dict)
    resolved: dict[str, _Style] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # relationship id -> web address, for hyperlinks
    lines: list[str] = field(default_factory=list)
    code: bool = False
    columns: list[int] = field(default_factory=list)  # where each open list level's item text starts


def docx_to_text(data: bytes, name: str, max_bytes: int) -> str:
    """Render the Word document `data` (the bytes of a file named `name`) as Markdown text.

    Raises:
        DocumentTooLarge: the package unpacks to more than the limit allows (a zip bomb), or has too many parts.
        NotText: not a zip, not a Word document, damaged, or python-docx is not installed.
    """
    check_package(data, name, max_bytes)
    try:
        import docx
    except ImportError:
        raise NotText(
            f"{name!r} is a Word document, and reading .docx needs the optional python-docx library: "
            f"{INSTALL_HINT}; nothing was read. Or paste the document's text"
        ) from None
    try:
        document = docx.Document(io.BytesIO(data))
        context = _Context(_styles(document), _numbering(document))
        context.shift = int(_has_title(document.element.body, context.styles))
        context.links = {
            key: rel.target_ref
            for key, rel in document.part.rels.items()
            if rel.is_external and str(rel.target_ref).startswith(("http://", "https://"))
        }
        _drop_hidden(document.element.body)
        _render_body(document.element.body, context)
    except (DocumentTooLarge, NotText):
        raise
    except Exception as exc:  # a damaged package fails in zipfile, lxml or python-docx, each in its own way
        raise NotText(
            f"{name!r} could not be read as a Word document ({type(exc).__name__}); nothing was stored. "
            "Open and save it again as .docx, or paste its text"
        ) from None
    if context.code:
        context.lines.append("```")
    return _BLANK_RUN.sub("\n\n", "\n".join(context.lines)).strip("\n") + "\n"


def _drop_hidden(body: Any) -> None:
    """Remove the runs Word does not show (`w:vanish`): nobody reading the document in Word read their words."""
    for mark in list(body.iter(f"{_W}vanish")):
        run = mark.getparent().getparent()  # w:r > w:rPr > w:vanish; under w:pPr it hides only the paragraph mark
        if run.tag == f"{_W}r" and mark.get(f"{_W}val") not in ("0", "false", "off"):
            run.getparent().remove(run)


def _has_title(body: Any, styles: dict[str, _Style]) -> bool:
    titles = {key for key, style in styles.items() if style.name.lower() == "title"}
    return bool(titles) and any(_val(p.find(f"{_W}pPr"), "pStyle") in titles for p in body.iterchildren(f"{_W}p"))


def _val(element: Any, tag: str) -> str | None:
    found = element.find(f"{_W}{tag}") if element is not None else None
    return None if found is None else found.get(f"{_W}val")


def _styles(document: Any) -> dict[str, _Style]:
    """Paragraph styles by id: name, parent, outline level and numbering."""
    found: dict[str, _Style] = {}
    for element in document.styles.element.iterchildren(f"{_W}style"):
        if element.get(f"{_W}type") != "paragraph":
            continue
        ppr = element.find(f"{_W}pPr")
        num = ppr.find(f"{_W}numPr") if ppr is not None else None
        outline, ilvl = _val(ppr, "outlineLvl"), _val(num, "ilvl")
        found[element.get(f"{_W}styleId") or ""] = _Style(
            name=_val(element, "name") or "",
            based_on=_val(element, "basedOn") or "",
            outline=int(outline) if outline and outline.isdigit() else None,
            num_id=_val(num, "numId"),
            ilvl=int(ilvl) if ilvl and ilvl.isdigit() else None,
        )
    return found


def _numbering(document: Any) -> dict[tuple[str, int], tuple[str, str]]:
    """(numId, level) -> (number format, level text), read once from the numbering part."""
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstract: dict[str, dict[int, tuple[str, str]]] = {}
    for element in root.iterchildren(f"{_W}abstractNum"):
        levels = abstract.setdefault(element.get(f"{_W}abstractNumId") or "", {})
        for lvl in element.iterchildren(f"{_W}lvl"):
            level = lvl.get(f"{_W}ilvl") or "0"
            if level.isdigit():
                levels[int(level)] = (_val(lvl, "numFmt") or "", _val(lvl, "lvlText") or "")
    formats: dict[tuple[str, int], tuple[str, str]] = {}
    for element in root.iterchildren(f"{_W}num"):
        levels = abstract.get(_val(element, "abstractNumId") or "", {})
        for level, fmt in levels.items():
            formats[(element.get(f"{_W}numId") or "", level)] = fmt
    return formats


def _render_body(body: Any, context: _Context) -> None:
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            _paragraph(child, context)
        elif child.tag == f"{_W}tbl":
            _table(child, context)
        elif child.tag == f"{_W}sdt":  # a block content control (a table of contents, a checklist) holds blocks
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                _render_body(content, context)


def _walk(element: Any) -> Iterator[Any]:
    """The element's descendants in document order, without deleted text, field codes and duplicate fallbacks."""
    stack = [iter(element)]
    while stack:
        for child in stack[-1]:
            if child.tag not in _SKIPPED and child.tag != f"{_W}pPr":
                yield child
                stack.append(iter(child))
            break
        else:
            stack.pop()


_READ: Final = (
    f"{_W}t",
    f"{_W}tab",
    f"{_W}br",
    f"{_W}cr",
    f"{_W}noBreakHyphen",
    f"{_W14}checked",
    f"{_W14}checkbox",
    f"{_W}r",
)


def _text(element: Any, links: dict[str, str]) -> tuple[str, bool | None, list[Any]]:
    """A paragraph's text, its content-control checkbox (ticked or not, None: none) and its runs (for `_all_bold`,
    asked only of a short paragraph that is not a heading or a list item).
    A hyperlink to a web address is written as a Markdown link, so a ticket behind "this issue" is not lost."""
    parts: list[str] = []
    box: bool | None = None
    runs: list[Any] = []
    # lxml's own filtered walk where nothing needs skipping (nearly every paragraph); ours where something does.
    plain = next(element.iter(*_SKIPPED), None) is None
    for child in element.iter(*_READ) if plain else _walk(element):
        tag = child.tag
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}r":
            runs.append(child)
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            parts.append(" ")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif tag == f"{_W14}checked":
            box = child.get(f"{_W14}val") in ("1", "true", "on")
        elif tag == f"{_W14}checkbox" and box is None:
            box = False
    text = " ".join("".join(parts).split())
    if links:
        text = _linked(element, text, links)
    if box is not None:  # the box's own glyph is text in the control
        text = text.lstrip("".join(_OPEN_BOX | _TICKED_BOX) + " ")
    return text, box, runs


def _linked(element: Any, text: str, links: dict[str, str]) -> str:
    """`text` with each hyperlink's words, in order, written as `[words](address)`."""
    cursor, out = 0, []
    for link in element.iterchildren(f"{_W}hyperlink"):
        target = links.get(link.get(f"{_R}id") or "")
        words = " ".join("".join(t.text or "" for t in link.iter(f"{_W}t")).split())
        at = text.find(words, cursor) if target and words else -1
        if at < 0:
            continue
        address = target.replace(" ", "%20").replace("(", "%28").replace(")", "%29")  # type: ignore[union-attr]
        out.append(f"{text[cursor:at]}[{words}]({address})")
        cursor = at + len(words)
    return "".join(out) + text[cursor:]


def _all_bold(runs: list[Any]) -> bool:
    """Whether every run that holds text is bold (a short paragraph's test for a heading written as a bold line)."""
    written = False
    for run in runs:  # the first run that is not bold settles it: most paragraphs are not bold lines
        if run.find(f"{_W}t") is None:
            continue
        rpr = run.find(f"{_W}rPr")
        mark = rpr.find(f"{_W}b") if rpr is not None else None
        if mark is None or mark.get(f"{_W}val") in ("0", "false", "off"):
            return False
        written = True
    return written


def _resolved(style_id: str, styles: dict[str, _Style]) -> _Style:
    """The style with its outline level and numbering inherited along `basedOn`."""
    style = styles.get(style_id, _Style())
    merged = _Style(style.name, style.based_on, style.outline, style.num_id, style.ilvl)
    parent, seen = style.based_on, {style_id}
    while parent and parent not in seen and len(seen) < 16:
        seen.add(parent)
        base = styles.get(parent, _Style())
        merged.outline = base.outline if merged.outline is None else merged.outline
        merged.num_id = base.num_id if merged.num_id is None else merged.num_id
        parent = base.based_on
    return merged


def _heading_level(style: _Style, ppr: Any, shift: int) -> int:
    named = _HEADING_STYLE.match(style.name)
    if style.name.lower() == "title":
        return 1
    own = _val(ppr, "outlineLvl")
    outline = int(named.group(1)) - 1 if named else int(own) if own and own.isdigit() else style.outline
    return min(outline + 1 + shift, 6) if outline is not None and outline < 6 else 0


def _list_marker(style: _Style, ppr: Any, context: _Context) -> tuple[int, str] | None:
    """(level, marker) of a list paragraph: '- ', '1. ', with '[ ] '/'[x] ' for a checklist's glyph; None if not one."""
    num = ppr.find(f"{_W}numPr") if ppr is not None else None
    num_id, ilvl = (_val(num, "numId"), _val(num, "ilvl")) if num is not None else (None, None)
    num_id = num_id if num_id is not None else style.num_id
    named = _LIST_STYLE.match(style.name)
    if num_id in (None, "0") and not named:
        return None
    level = int(ilvl) if ilvl and ilvl.isdigit() else style.ilvl
    if level is None:
        level = int(named.group(2)) - 1 if named and named.group(2) else 0
    level = min(level, _DEEPEST)
    fmt, glyph = context.formats.get((num_id or "", level), ("", ""))
    numbered_style = named is not None and (named.group(1) or "").lower() == "number"
    ordered = fmt not in ("", "bullet", "none") or (not fmt and numbered_style)
    box = "[ ] " if glyph in _OPEN_BOX else "[x] " if glyph in _TICKED_BOX else ""
    if not ordered:
        return level, "- " + box
    counters = context.counters.setdefault(num_id or "", [])
    del counters[level + 1 :]
    counters.extend([0] * (level + 1 - len(counters)))
    counters[level] += 1
    return level, f"{counters[level]}. "


def _paragraph(element: Any, context: _Context) -> None:
    ppr = element.find(f"{_W}pPr")
    style_id = _val(ppr, "pStyle") or ""
    style = context.resolved.get(style_id)
    if style is None:
        style = context.resolved[style_id] = _resolved(style_id, context.styles)
    text, box, runs = _text(element, context.links)
    if _CODE_STYLE.search(style.name) and text:
        context.lines.extend([] if context.code else ["", "```"])
        context.lines.append(text)
        context.code = True
        return
    if context.code:
        context.lines.extend(["```", ""])
        context.code = False
    if not text:
        return
    if text[0] in _OPEN_BOX | _TICKED_BOX and box is None:
        box, text = text[0] in _TICKED_BOX, text[1:].lstrip()
    level = _heading_level(style, ppr, context.shift)
    marker = _list_marker(style, ppr, context) if not level else None
    if marker is None and box is None:
        context.columns.clear()  # a list ends at anything that is no item of it
    if level:
        context.level = level
        context.lines.extend(["", "#" * level + " " + text, ""])
    elif marker is not None or box is not None:
        depth, mark = marker or (0, "- ")
        if box is not None:
            mark = mark.replace("[ ] ", "").replace("[x] ", "") + ("[x] " if box else "[ ] ")
        _list_line(context, depth, mark, text)
    elif _QUOTE_STYLE.match(style.name):
        context.lines.extend(["", "> " + text, ""])
    elif (
        len(text) <= 100
        and len(text.split()) <= 10
        and text[-1] not in ".!?,;"
        and ":" not in text[:-1]
        and _all_bold(runs)
    ):
        # A short bold line is how many Word and Google Docs authors write a sub-heading.
        context.lines.extend(["", "#" * min(context.level + 1, 6) + " " + text.rstrip(":"), ""])
    else:
        context.lines.extend(["", text, ""])


def _list_line(context: _Context, depth: int, mark: str, text: str) -> None:
    """Add a list item at `depth`. A nested item starts where its parent's text does ("7. " is three wide), or
    Markdown reads it as a sibling; one that skips a level goes at least as deep as any item above it."""
    columns = context.columns
    if depth == 0:
        indent = 0
    elif depth <= len(columns):
        indent = columns[depth - 1]
    else:
        indent = max(columns[-1] if columns else 0, 2 * depth)
    del columns[depth:]
    columns.extend([indent] * (depth - len(columns)))
    columns.append(indent + len(mark))
    context.lines.append(" " * indent + mark + text)


def _cell_text(cell: Any, links: dict[str, str]) -> str:
    words = " ".join(_text(p, links)[0] for p in cell.iter(f"{_W}p"))
    return " ".join(words.split()).replace("|", "\\|")


def _table(element: Any, context: _Context) -> None:
    context.columns.clear()
    rows = [list(row.iterchildren(f"{_W}tc")) for row in element.iterchildren(f"{_W}tr")]
    if len(rows) == 1 and len(rows[0]) == 1:  # a one-cell table is a box around ordinary blocks
        _render_body(rows[0][0], context)
        return
    context.lines.append("")
    for index, cells in enumerate(rows):
        context.lines.append("| " + " | ".join(_cell_text(cell, context.links) for cell in cells) + " |")
        if index == 0:
            context.lines.append("|" + " --- |" * len(cells))
    context.lines.append("")
