"""A postmortem's shape: its sections, title, severity and incident date, and its identity (sha256)."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date
from functools import lru_cache
from typing import Final

from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.tools.extraction.collector import collector_paused
from postmortem_actions.tools.models import Section

# Every pattern here runs on text a model or a hostile document supplies: no nested or adjacent
# unbounded repeats that can backtrack (each of the earlier forms took minutes on 4 kB of spaces).
_HEADING_TAG: Final = re.compile(r"<h[1-6]\b", re.IGNORECASE)
# Emphasis around words in a heading ("Checkout *outage*"): shown as plain words in a section's name.
_EMPHASIS: Final = re.compile(r"(?<![\w*_])[*_]{1,2}([^*_\n]+?)[*_]{1,2}(?![\w*_])")
_HTML_HEADING: Final = re.compile(r"<h([1-6])\b[^>]*>([^<]*(?:<(?!/?h[1-6]\b)[^<]*)*)</h\1\s*>", re.IGNORECASE)
_TAG: Final = re.compile(r"<[^>]+>")
_FRONT_MATTER: Final = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)
# "Severity: SEV2", "**Severity:** 2", "sev-1", "SEV 3", "severity level 4".
_SEVERITY: Final = re.compile(
    r"\bsev(?:erity)?[ \t*_]*(?:level[ \t*_]*)?(?:[:=#-][ \t*_]*)?(?:sev[ \t-]?)?([0-5])\b", re.IGNORECASE
)
_MONTHS: Final = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_MONTH: Final = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATES: Final = (
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
    re.compile(rf"\b{_MONTH}[ \t]+(\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(\d{{4}})\b", re.IGNORECASE),
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?[ \t]+{_MONTH},?[ \t]+(\d{{4}})\b", re.IGNORECASE),
)
# At the start of a line (after list, quote, table or emphasis marks): "due date:" is not the incident's.
_DATE_LABEL: Final = re.compile(
    r"^[ \t>*_|-]{0,8}(?:incident[ \t]+date|date(?:[ \t]+of[ \t]+(?:the[ \t]+)?incident)?|occurred(?:[ \t]+on)?)"
    r"[*_]{0,4}[ \t]{0,4}[:|][*_]{0,4}[ \t]*([^\n]*)",
    re.IGNORECASE | re.MULTILINE,
)
SECTION_TEXT_BUDGET: Final = 60_000


def fingerprint(text: str) -> str:
    """sha256 of the text with line endings normalised, so a re-saved file is the same document."""
    return hashlib.sha256(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")).hexdigest()


def is_html(text: str) -> bool:
    """Whether the document is an HTML page (a wiki export) rather than Markdown or plain text."""
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or len(_HTML_HEADING.findall(text[:20000])) >= 2


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def headings(text: str, name: str | None = None) -> list[tuple[int, int, str]]:
    """(offset, level, heading) for every heading, in order, read by the extractor's own reader: one parse gives the
    sections a tool returns and the sections findings name, with the same clean titles. Fenced code, comments and
    front matter hold no headings. A rendered document's headings (HTML, wiki markup) are placed at their markup,
    an HTML heading at its tag; `name` is the file's name, whose extension may say the format. Kept for the last
    two texts: the title, the incident date and the sections of one document are read from one parse."""
    return list(_headings(text, name))


@lru_cache(maxsize=2)
def _headings(text: str, name: str | None) -> tuple[tuple[int, int, str], ...]:
    from postmortem_actions.tools.extraction.readers.detect import detect_format, rendering
    from postmortem_actions.tools.extraction.readers.markdown import parsed

    fmt = detect_format(text, name)
    with collector_paused():  # the rendering and parse the extractor reads next: see extractor.extract
        source, place = rendering(fmt, text)
        doc = parsed(source, fmt == "html")
    found = []
    for heading in doc.sections[1:]:
        start = source.rfind("\n", 0, heading.start) + 1  # the heading's line, with its marks
        tagged = source.startswith("#", start)  # not a bold line read as a heading: no <h1>-<h6> holds it
        if place is not None:  # the section starts at the heading's markup, before its text
            start = place(start, heading.end)[0]
        if fmt == "html":
            tags = _HEADING_TAG.finditer(text, max(0, start - 2000), start + 1) if tagged else iter(())
            start = max((tag.start() for tag in tags), default=start)
        found.append((start, heading.level, section_title(heading.title, doc.definitions)))
    return tuple(found)


def section_title(title: str, definitions: dict[str, str]) -> str:
    """A heading as a section's name: clean text (no links, tickets' brackets or emphasis marks), one line."""
    from postmortem_actions.tools.extraction.fields import clean

    return " ".join(_EMPHASIS.sub(r"\1", clean(title, definitions)).split())


def sections(text: str, budget: int = SECTION_TEXT_BUDGET, name: str | None = None) -> list[Section]:
    """Split a document at its headings; section texts share `budget` characters and are cut beyond it. `name` is
    the file's name, whose extension may say the format."""
    marks = headings(text, name)
    bounds: list[tuple[int, int, int, str]] = []
    if not marks or text[: marks[0][0]].strip():
        first = marks[0][0] if marks else len(text)
        bounds.append((0, first, 0, ""))
    for i, (start, level, heading) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        bounds.append((start, end, level, heading))
    result: list[Section] = []
    left = budget
    for start, end, level, heading in bounds:
        body = text[start:end]
        shown = body[: max(left, 0)]
        left -= len(shown)
        result.append(
            Section(heading=heading, level=level, start=start, end=end, text=shown, truncated=len(shown) < len(body))
        )
    return result


def _front_matter(text: str) -> dict[str, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}
    fields: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            fields[key.strip().lower()] = value.strip().strip("'\"")
    return fields


def find_title(text: str, name: str | None = None) -> str:
    """The document's title: front matter, the first heading, an HTML title, or the first line. `name` is the
    file's name, whose extension may say the format."""
    fields = _front_matter(text)
    if fields.get("title"):
        return fields["title"][:300]
    marks = headings(text, name)
    top = min(marks, key=lambda m: (m[1], m[0])) if marks else None
    if top and top[2]:
        return top[2][:300]
    title_tag = re.search(r"<title[^>]*>(.*?)</title>", text[:5000], re.IGNORECASE | re.DOTALL)
    if title_tag and _plain(title_tag.group(1)):
        return _plain(title_tag.group(1))[:300]
    front = _FRONT_MATTER.match(text)
    body = text[front.end() :] if front else text
    first = next((ln for ln in (_plain(x) for x in body.splitlines()) if ln), "Untitled postmortem")
    return first[:300]


def normalise_severity(value: str) -> str:
    """'sev-1', 'SEV 1', '1' → 'SEV1'.

    Raises:
        InvalidInput: not a severity from SEV0 to SEV5.
    """
    match = re.fullmatch(r"\s*(?:sev(?:erity)?[\s:_-]*)?([0-5])\s*", value, re.IGNORECASE)
    if not match:
        raise InvalidInput(f"severity {value!r} is not one of SEV0..SEV5 (e.g. 'SEV2')")
    return f"SEV{match.group(1)}"


def find_severity(text: str) -> str | None:
    """A severity stated in the document's front matter or opening, if any."""
    fields = _front_matter(text)
    if fields.get("severity"):
        try:
            return normalise_severity(fields["severity"])
        except InvalidInput:
            pass
    match = _SEVERITY.search(text[:20_000])
    return f"SEV{match.group(1)}" if match else None


def parse_date(value: str) -> date | None:
    """The first date written as 2020-10-28, October 28, 2020 or 28 Oct 2020 in `value`, if any."""
    found: list[tuple[int, date]] = []
    for n, pattern in enumerate(_DATES):
        for m in pattern.finditer(value):
            if n == 0:
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            elif n == 1:
                y, mo, d = int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2))
            else:
                y, mo, d = int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1))
            try:
                found.append((m.start(), date(y, mo, d)))
            except ValueError:
                continue
            break
    return min(found)[1] if found else None


def find_incident_date(text: str, source: str) -> date | None:
    """The incident date from front matter, a 'Date:' line, the title, or a dated file name."""
    fields = _front_matter(text)
    for key in ("incident_date", "date"):
        if fields.get(key) and (found := parse_date(fields[key])):
            return found
    head = text[:20_000]
    for match in _DATE_LABEL.finditer(head):
        if found := parse_date(match.group(1)):
            return found
    if found := parse_date(find_title(text, source)):
        return found
    return parse_date(source.rsplit("/", 1)[-1])
