"""To-dos jotted down outside the follow-up section, as the Google postmortem template invites them: a conclusion
after an arrow in a "what went wrong" list ("No alert was sent → need integration tests"), and a task listed under
"Supporting information" or "Notes" ("Document the owner of each machine"). The guide counts a proposal wherever
it sits; these are proposals written without the "we will" the narrative rules look for (in_section: false)."""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.tools.extraction import sentences as statements
from postmortem_actions.tools.extraction.followups import raw_sentence
from postmortem_actions.tools.extraction.raw_items import RawItem
from postmortem_actions.tools.extraction.readers.markdown import Block, Document

# An arrow, then what is needed: "→ need integration tests", "-> we should add an alert", "=> add a check".
_ARROW: Final = re.compile(r"(?:→|->|=>|⇒)[ \t]*(?=(?:we\s+|(?:will\s+)?)?(?:needs?|should|must|todo\b)|[A-Za-z])")
_NEED: Final = re.compile(r"(?:we\s+)?(?:needs?|should|must)\s+(?:to\s+)?\w", re.IGNORECASE)


def after_arrow(doc: Document, block: Block, start: int, end: int) -> list[RawItem]:
    """The to-do after an arrow in the sentence text[start:end]: "→ need X" or "→ add X", or nothing."""
    text = doc.text
    sentence = text[start:end]
    if "→" not in sentence and "->" not in sentence and "=>" not in sentence and "⇒" not in sentence:
        return []
    arrow = _ARROW.search(text, start, end)
    if arrow is None:
        return []
    rest = text[arrow.end() : end]
    if not (_NEED.match(rest) or statements.is_imperative(rest)) or len(rest.split()) < 2:
        return []
    return raw_sentence(doc, block, arrow.end(), end, "prose", False)


def noted_task(doc: Document, block: Block) -> list[RawItem]:
    """A list item of a notes section (`SectionInfo.notes`) that is a task: its first sentence opens with a task
    verb or a need."""
    if block.kind != "item":
        return []
    spans = statements.sentences(doc.text, block.start, block.end)
    if not spans:
        return []
    s, e = spans[0]
    first = doc.text[s:e]
    if first.rstrip().endswith("?") or not (statements.is_imperative(first) or _NEED.match(first)):
        return []
    return raw_sentence(doc, block, s, block.end if len(spans) == 1 else e, "prose", False)
