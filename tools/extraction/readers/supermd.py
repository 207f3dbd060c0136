"""SuperMD (the Zine site generator's Markdown, `.smd`) as the Markdown it is, every offset where it was.

SuperMD is Markdown under a `---` fenced Ziggy front matter (which the Markdown reader skips as front matter),
with targets of its own for links and images: Scripty expressions such as `[text]($section.id("next"))`,
`[]($block.attrs("note"))` or `![]($image.asset("peak.png"))`. A target that names an external URL,
`[the issue]($link.url("https://..."))`, becomes that Markdown link (spaces before its ")"), so its ticket is read;
any other names nothing a reader follows and is blanked with the brackets around the link's text:
`[Action items]($section.id("next"))` reads as its text, an empty one as nothing. The rendering is as long as the
source, so no offset moves.
"""

from __future__ import annotations

import re
from typing import Final

# Bounded repeats: one pass over the text, whatever it holds (a million "]($" included).
_SCRIPTY_LINK: Final = re.compile(r"(!?)\[([^\[\]\n]{0,300})\]\(\$(?:[^()\n]|\([^()\n]{0,300}\)){0,300}\)")
_EXTERNAL: Final = re.compile(r"\$link\.url\(\s*\"([^\"\s]{1,2000})\"\s*\)")


def supermd_to_text(source: str) -> str:
    """The Markdown of a SuperMD document, as long as the source, with Scripty link targets blanked."""
    if "]($" not in source:
        return source
    return _SCRIPTY_LINK.sub(_blanked, source)


def _blanked(link: re.Match[str]) -> str:
    text = link.group(2)
    external = _EXTERNAL.fullmatch(link.string, link.end(2) + 2, link.end() - 1)
    if external is not None and not link.group(1):
        # The spaces go before the ")", where Markdown allows them: the link ends where the source's does.
        pad = link.end() - link.start() - len(text) - len(external.group(1)) - 4
        return f"[{text}]({external.group(1)}{' ' * pad})"
    return " " * (len(link.group(1)) + 1) + text + " " * (link.end() - link.end(2))
