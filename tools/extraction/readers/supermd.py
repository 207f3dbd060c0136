"""SuperMD (the Zine site generator's Markdown, `.smd`) as the Markdown it is, every offset where it was.

SuperMD is Markdown under a `---` fenced Ziggy front matter (which the Markdown reader skips as front matter),
with targets of its own for links and images: Scripty expressions such as `[text]($section.id("next"))`,
`[]($block.attrs("note"))` or `![]($image.asset("peak.png"))`. Such a target names nothing a reader follows, so
it is blanked with the brackets around the link's text: `[Action items]($section.id("next"))` reads as its text,
an empty one as nothing. The rendering is as long as the source, so no offset moves.
"""

from __future__ import annotations

import re
from typing import Final

# Bounded repeats: one pass over the text, whatever it holds (a million "]($" included).
_SCRIPTY_LINK: Final = re.compile(r"(!?)\[([^\[\]\n]{0,300})\]\(\$(?:[^()\n]|\([^()\n]{0,300}\)){0,300}\)")


def supermd_to_text(source: str) -> str:
    """The Markdown of a SuperMD document, as long as the source, with Scripty link targets blanked."""
    if "]($" not in source:
        return source
    return _SCRIPTY_LINK.sub(_blanked, source)


def _blanked(link: re.Match[str]) -> str:
    text = link.group(2)
    return " " * (len(link.group(1)) + 1) + text + " " * (link.end() - link.end(2))
