"""Which markup a postmortem is written in, and the Markdown rendering the extractor reads for it.

The file's extension decides where it names a format (`.rst`, `.adoc`, `.wiki`, `.mdx`, `.html`...). Without one
(`extract -`, pasted text, `.txt`), the content decides: a few lines only a format writes (`== H ==` for MediaWiki,
`== H` for AsciiDoc, `.. directive::` and punctuation underlines for reStructuredText, `import ... from` and
`<Component` for MDX). Anything else is Markdown, so documents read before these readers existed read the same.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from pathlib import PurePath
from typing import Final, Literal

from postmortem_actions.tools.extraction.facts import is_html
from postmortem_actions.tools.extraction.readers.asciidoc import asciidoc_to_text
from postmortem_actions.tools.extraction.readers.html import html_to_text, quote_span
from postmortem_actions.tools.extraction.readers.markdown import FENCE
from postmortem_actions.tools.extraction.readers.mdx import mdx_to_text
from postmortem_actions.tools.extraction.readers.mediawiki import mediawiki_to_text
from postmortem_actions.tools.extraction.readers.rendering import Place, placer
from postmortem_actions.tools.extraction.readers.rst import rst_to_text
from postmortem_actions.tools.extraction.readers.supermd import supermd_to_text

Format = Literal["markdown", "html", "mediawiki", "asciidoc", "rst", "mdx", "supermd"]
FORMATS: Final[tuple[Format, ...]] = ("markdown", "html", "mediawiki", "asciidoc", "rst", "mdx", "supermd")
# The format an extension names; None: the extension says "text", and the content decides. Every extension
# `document_files.TEXT_SUFFIXES` allows is here (a test checks it).
SUFFIX_FORMATS: Final[dict[str, Format | None]] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".qmd": "markdown",  # Quarto and R Markdown: Markdown with front matter and {lang} code chunks
    ".rmd": "markdown",
    ".smd": "supermd",  # SuperMD (the Zine site generator): Markdown with Scripty link targets (readers/supermd.py)
    ".mdx": "mdx",
    ".rst": "rst",
    ".adoc": "asciidoc",
    ".asciidoc": "asciidoc",
    ".wiki": "mediawiki",
    ".mediawiki": "mediawiki",
    ".html": "html",
    ".htm": "html",
    ".txt": None,
    ".text": None,
    ".org": None,
}
_SNIFFED: Final = 200_000  # the content is judged on its beginning: detection costs the same on any size
_WIKI_HEADING: Final = re.compile(r"^(={1,6})[ \t]*[^=\s][^\n]{0,300}?[ \t]*\1[ \t]*$", re.MULTILINE)
_WIKI_MARKUP: Final = re.compile(r"'''|\[\[[^\[\]\n]{1,300}\]\]|\{\{[^{}\n]{1,300}(?:\}\}|\||$)|^\{\|", re.MULTILINE)
_ADOC_HEADING: Final = re.compile(r"^={1,6}[ \t]+[^=\s][^\n]{0,300}$", re.MULTILINE)
_ADOC_MARKUP: Final = re.compile(
    r"^(?::[\w-]{1,60}!?:(?:[ \t]|$)|\[(?:source|listing|literal|NOTE|TIP|IMPORTANT|WARNING|CAUTION|quote|cols=)"
    r"[^\n]{0,300}\][ \t]*$|(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION):[ \t]|\|===[ \t]*$|(?:include|image|ifdef)::)",
    re.MULTILINE,
)
_RST_MARKUP: Final = re.compile(
    r"^[ \t]*\.\.[ \t]+(?:[\w:-]{1,60}::|_[^\n:]{1,200}:|\|[^|\n]{1,200}\||\[[^\]\n]{1,50}\])"
    r"|^[^\s\n][^\n]{0,300}\n([~^\"'`#*+:.=-])\1{2,}[ \t]*$",
    re.MULTILINE,
)
_RST_ROLE: Final = re.compile(r":[a-z][\w:-]{0,40}:`[^`\n]{1,300}`|`[^`\n]{1,300}<[^<>\s]{1,2000}>`__?")
_ESM: Final = re.compile(
    r"^(?:import[ \t]+[^\n]{1,300}?[ \t]from[ \t]+['\"]|import[ \t]+['\"]"
    r"|export[ \t]+(?:const|let|default|function)\b)",
    re.MULTILINE,
)
_JSX_LINE: Final = re.compile(r"^[ \t]*<[A-Z][\w.]{0,60}(?:[ \t/>]|$)", re.MULTILINE)
_ATX: Final = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)


def detect_format(text: str, name: str | None = None) -> Format:
    """The format `text` is written in: named by the extension of `name` when it has a known one, else read from
    the content. A Markdown file holding an HTML page (a wiki export saved as .md) is HTML, as it always was."""
    suffix = PurePath(name).suffix.lower() if name else ""
    declared = SUFFIX_FORMATS.get(suffix)
    if declared in ("markdown", "supermd"):
        return "html" if is_html(text) else declared
    return declared if declared is not None else sniff(text)


def sniff(text: str) -> Format:
    """The format of text that has no name, from lines only that format writes; Markdown when none decides."""
    if is_html(text):
        return "html"
    head = _without_fences(text[:_SNIFFED])
    # An import or export line, or two component lines: one "<REDACTED>" opening a line is not JSX enough.
    if (_ESM.search(head) or len(_JSX_LINE.findall(head)) >= 2) and not _WIKI_HEADING.search(head):
        return "mdx"
    markdown = len(_ATX.findall(head))
    wiki = len(_WIKI_HEADING.findall(head))
    if wiki and wiki > markdown and wiki + len(_WIKI_MARKUP.findall(head)) >= 3:
        return "mediawiki"
    adoc = len(_ADOC_HEADING.findall(head))
    if adoc and adoc > markdown and adoc + len(_ADOC_MARKUP.findall(head)) >= 3:
        return "asciidoc"
    rst = len(_RST_MARKUP.findall(head)) + len(_RST_ROLE.findall(head))
    if rst >= 2 and rst > markdown and _rst_evidence(head):
        return "rst"
    return "markdown"


def _without_fences(head: str) -> str:
    """The text without Markdown's fenced code: a code sample may hold any markup, and says nothing of the page's."""
    if "```" not in head and "~~~" not in head:
        return head
    kept: list[str] = []
    fence = ""
    for line in head.splitlines(keepends=True):
        opener = FENCE.match(line)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = ""
        elif opener:
            fence = opener.group(1)
        else:
            kept.append(line)
    return "".join(kept)


def _rst_evidence(head: str) -> bool:
    """Something only reStructuredText writes: a directive or comment, a role, or an underline Markdown has not."""
    return any(m.group(1) is None or m.group(1) not in "=-" for m in _RST_MARKUP.finditer(head)) or bool(
        _RST_ROLE.search(head)
    )


@lru_cache(maxsize=4)
def rendering(fmt: Format, text: str) -> tuple[str, Place | None]:
    """The Markdown the extractor reads for a document in `fmt`, and how a span of it maps back to `text` (None:
    the offsets are the same). Kept while one document is read: storing a postmortem reads its headings and its
    findings from one rendering (`extract`, the last reader, lets it go)."""
    match fmt:
        case "html":
            rendered, origin = html_to_text(text)
            return rendered, partial(quote_span, text, rendered, origin)
        case "mdx":
            return mdx_to_text(text), None
        case "supermd":
            return supermd_to_text(text), None
        case "mediawiki" | "asciidoc" | "rst":
            reader = {"mediawiki": mediawiki_to_text, "asciidoc": asciidoc_to_text, "rst": rst_to_text}[fmt]
            rendered, origin = reader(text)
            return rendered, placer(text, rendered, origin)
    return text, None
