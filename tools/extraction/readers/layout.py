"""What layout HTML holds besides its text: page furniture to drop (navigation, breadcrumbs, footers, page metadata,
Confluence's attachments section) and <pre> blocks of prose (a mail archive's message) to read as text (issue 15)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

# An attribute and its value in a start tag; a run of tags with the spaces around them.
ATTR: Final = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
TAG_RUN: Final = re.compile(r"(?:\s*<[^<>]{0,500}>)+\s*")
# Page furniture a wiki, CMS or Confluence export wraps around the document: dropped with all it holds. Elements by
# name, and containers by an id, class or role that names navigation, breadcrumbs, footers, page metadata or the
# attachments/comments sections (Confluence: #breadcrumb-section, .page-metadata, #footer, .pageSection).
FURNITURE_TAGS: Final = frozenset(["nav", "footer"])
FURNITURE_HINT: Final = re.compile(r"(?i)breadcrumb|footer|metadata|\bnav|sidebar|menu|\btoc\b|pagesection|navigation")
_FURNITURE: Final = re.compile(
    r"(?i)^(?:breadcrumbs?(?:-section)?|footer(?:-\w+)?|page-metadata|nav(?:bar|igation)?|sidebar|menu|toc|"
    r"pagesection|site-header|skip-link|comments?-section)$"
)
# A <pre> of prose (a mail archive's message body) is text, not code: most of its lines read as sentences or list
# items and almost none as code, a shell session or a log.
_PRE_END: Final = re.compile(r"</pre(?![\w:-])", re.IGNORECASE)
_PRE_SAMPLE: Final = 20_000
_CODE_LINE: Final = re.compile(
    r"[;{}]\s*$|^\s*(?:def|class|import|from\s+\S+\s+import|return|function|var|let|const|public|private|#include|"
    r"SELECT|UPDATE|INSERT)\b|^\s*(?:\$|>>>|#|//)\s|=>|::|==|!=|&&|\w\s*=\s*[\w\"'\[{(]|^\s*\d{1,4}[-:/]\d\d[-:/]\d\d",
)
_PROSE_LINE: Final = re.compile(r"\s{0,6}(?:[-*•>]\s+|\d{1,2}[.)]\s+)?[A-Za-z\"'(]")


def prose(src: str, after: int) -> bool:
    """Whether the <pre> whose start tag ends at `after` holds prose: three or more lines, at least half reading as
    sentences or list items, at most one in ten as code, a shell or a log. Reads at most its first 20,000 characters,
    and only for a <pre> that is not inside another, so every character is sampled at most once."""
    close = _PRE_END.search(src, after, after + _PRE_SAMPLE)
    sample = TAG_RUN.sub(" ", src[after : close.start() if close else after + _PRE_SAMPLE])
    lines = [line for line in sample.splitlines() if line.strip()]
    if len(lines) < 3:
        return False
    code = sum(1 for line in lines if _CODE_LINE.search(line))
    prose = sum(1 for line in lines if len(line.split()) >= 4 and _PROSE_LINE.match(line))
    return code * 10 <= len(lines) and prose * 2 >= len(lines)


def furniture(attrs: str) -> bool:
    """Whether an element's id, class or role names page furniture (navigation, breadcrumbs, footer, metadata)."""
    for m in ATTR.finditer(attrs):
        if m.group(1).lower() in ("id", "class", "role"):
            value = next((g for g in m.groups()[1:] if g is not None), "")
            if any(_FURNITURE.match(word) for word in value.split()):
                return True
    return False


@lru_cache(maxsize=32)
def _same_name(name: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){re.escape(name)}(?![\w:-])[^>]*>", re.IGNORECASE)


def element_end(src: str, name: str, after: int) -> int:
    """Where the element whose start tag ends at `after` ends: after its matching end tag, counting nested elements
    of the same name (one forward scan); the document's end when it is never closed."""
    depth = 1
    for tag in _same_name(name).finditer(src, after):
        depth += -1 if tag.group(1) else 0 if tag.group().endswith("/>") else 1
        if depth == 0:
            return tag.end()
    return len(src)
