"""Inline action markers: "Action point:", "Action item:", "AI:", "TODO:", "Follow-up:" at the start of a line or a
sentence, in any section the extractor reads (issue 15). The author marked the sentence as an action, so it is one
wherever it sits, with an owner read from "Bob to ..." or "@bob will ..." and the usual owner, due and ticket fields.

"AI:" is also how a chat log quotes an assistant, so it counts only when what follows reads as a task (an
imperative, a person to do something, a commitment), never in a section that reads as a chat log (speaker lines),
never as a question or a remark that opens with a pronoun or an interjection.
"""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction import sentences as statements
from postmortem_actions.tools.extraction.followups import not_a_task
from postmortem_actions.tools.extraction.prefilter import any_in, folded
from postmortem_actions.tools.extraction.raw_items import RawItem
from postmortem_actions.tools.extraction.readers.markdown import Block, Document

# Case-blind except "AI", which must be written in capitals ("Ai:" and "ai:" are words, not markers).
# A status word in capitals ("DONE:", "**DOING**", "**TODO** add ...") marks the sentence as a tracked item too, with
# a colon or in bold: a word in bold is a label, and a lone "DONE" in a sentence is not.
MARKER: Final = re.compile(  # used with match(): anchored where it is tried
    r"[\W_]{0,6}(?:(?i:action[\s-]+(?:points?|items?)|to-?do|follow[\s-]?ups?)|AI|DOING|DONE|WIP)\s*"
    r"(?:\([^()\n]{1,40}\)\s*)?(?:\*\*|__)?\s*:(?:\*\*|__)?[ \t]*(?=\S)|"
    r"[\W_]{0,4}?(?:\*\*|__)(?:TODO|DOING|DONE|WIP)(?:\*\*|__)[ \t]+(?=\S)"
)
_HINT_WORDS: Final = ("action", "todo", "to-do", "follow")  # with the capital words, what every MARKER holds
_CAPITAL_WORDS: Final = ("AI", "DOING", "DONE", "WIP", "TODO")
_AI: Final = re.compile(r"[\W_]{0,6}AI\b")
_PERSON_TO: Final = re.compile(
    r"^(@[A-Za-z0-9][\w.-]{0,38}|[A-Z][a-z][\w.-]{0,30}(?:\s+[A-Z][\w.-]{1,30})?)\s*(?:\([^)]*\)\s*)?"
    r"(?:to|will|should|must|needs?\s+to|owns?)\s"
)
_OWNER_IN_MARK: Final = re.compile(r"\(\s*(@?[A-Za-z][\w.\s-]{0,38}?)\s*\)\s*(?:\*\*|__)?\s*:")
_CHATTY: Final = re.compile(
    r"^(?:i|i'm|i've|i'd|it|it's|its|you|your|we're|sure|yes|yeah|no|ok|okay|hello|hi|hey|here|here's|as\s+an|"
    r"sorry|thanks|thank|that|that's|this|there|there's|let\s+me|great|certainly|absolutely|of\s+course|well|hmm)\b",
    re.IGNORECASE,
)
_STORY: Final = re.compile(
    r"(?:on|in|at|after|since|by\s+the\s+time)\s+(?:\d|the\s+next|(?i:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.IGNORECASE,
)
_NOTHING: Final = re.compile(r"^\W*(?:none|n/?a|nothing|tbd|-)\W*$", re.IGNORECASE)
# A speaker's line in a chat or meeting transcript: "bob: ...", "[10:02] <alice> ...", "User: ...".
_SPEAKER: Final = re.compile(
    r"^[ \t>*-]{0,4}(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*)?"
    r"(?:<([\w.@-]{1,30})>|([A-Za-z][\w.@-]{0,30}(?: [A-Z][\w-]{0,20})?):)[ \t]",
    re.MULTILINE,
)
_NOT_SPEAKERS: Final = frozenset(
    [
        "owner",
        "owners",
        "status",
        "due",
        "date",
        "severity",
        "impact",
        "duration",
        "summary",
        "note",
        "notes",
        "ticket",
        "issue",
        "bug",
        "priority",
        "eta",
        "deadline",
        "assignee",
        "team",
        "author",
        "authors",
        "reviewers",
        "result",
        "cause",
        "root",
        "detection",
        "resolution",
        "action",
        "todo",
        "to-do",
        "follow-up",
        "followup",
        "follow-ups",
        "ai",
        "see",
        "tracking",
        "update",
        "edit",
        "q",
        "a",
    ]
)
_ASSISTANTS: Final = frozenset(
    ["user", "human", "assistant", "bot", "chatgpt", "claude", "copilot", "gpt", "gemini", "model", "me", "you"]
)


def has_marker(text: str, start: int, end: int) -> bool:
    """Whether a marker word and a colon or bold occur in text[start:end] at all (the cheap test before the
    line-by-line one): every marker ends in a colon or is in bold, and most paragraphs have neither."""
    if text.find(":", start, end) < 0 and text.find("**", start, end) < 0 and text.find("__", start, end) < 0:
        return False
    part = text[start:end]
    if any_in(part, _CAPITAL_WORDS):
        return True
    # MARKER's case-blind words, tested in C over the folded text rather than by a pattern at every position.
    return any_in(folded(part), _HINT_WORDS)


def chat_like(text: str) -> bool:
    """Whether a section's text reads as a chat log or a transcript: two or more speakers, or an assistant's."""
    speakers = set()
    for match in _SPEAKER.finditer(text):
        name = (match.group(1) or match.group(2)).lower()
        if name in _ASSISTANTS:
            return True
        if name not in _NOT_SPEAKERS:
            speakers.add(name)
    return len(speakers) >= 2


def marked_spans(doc: Document, block: Block, chat: bool) -> list[tuple[int, int]]:
    """The spans of `block` that an action marker opens: from the marker to the end of its sentence, a sentence
    never running past the end of the line the marker opens. `chat`: the section reads as a chat log."""
    text = doc.text
    starts = [s for s, _ in block.lines] if block.lines else [block.start]
    spans: list[tuple[int, int]] = []
    line_ends = {s: e for s, e in block.lines} if block.lines else {block.start: block.end}
    for line_start in starts:
        line_end = line_ends[line_start]
        for s, e in statements.sentences(text, line_start, line_end):
            opening = MARKER.match(text, s, e)
            if opening is None or not _counts(text[s:e], text[opening.end() : e], chat):
                continue
            spans.append((s, e))
    return spans


def _counts(sentence: str, rest: str, chat: bool) -> bool:
    """Whether a marked sentence is an action: always for the written markers, and for "AI:" only when it reads as
    a task outside a chat log."""
    if _NOTHING.match(rest) or len(rest.split()) < 2:
        return False
    task = statements.is_imperative(rest) or statements.is_commitment(rest)
    if _AI.match(sentence) is None:  # "Follow-up: on March 5 the vendor confirmed ..." tells what happened next
        return task or not (not_a_task(rest) or statements.is_excluded(rest) or _STORY.match(rest))
    if chat or rest.rstrip().endswith("?") or _CHATTY.match(rest):
        return False
    return task or bool(_PERSON_TO.match(rest) or _OWNER_IN_MARK.search(sentence))


def marker_owner(sentence: str) -> str | None:
    """The owner a marked sentence names: "AI (Bob): ...", "Action point: Bob to ...", or the usual fields."""
    opening = MARKER.match(sentence)
    if opening is None:
        return item_fields.owner(sentence)
    named = _OWNER_IN_MARK.search(sentence, 0, opening.end())
    if named is not None:
        return named.group(1).strip()
    rest = sentence[opening.end() :]
    person = _PERSON_TO.match(rest)
    if (
        person is not None
        and person.group(1).lower() not in ("we", "the", "this", "it", "they")
        and not statements.is_imperative(rest)
    ):
        return person.group(1)
    return item_fields.owner(sentence)


def section_is_chat(doc: Document, section: int) -> bool:
    """Whether a section's own text (to the next heading) reads as a chat log."""
    start = doc.sections[section].end
    following = doc.sections[section + 1].start if section + 1 < len(doc.sections) else len(doc.text)
    return chat_like(doc.text[start:following])


def with_markers(doc: Document, block: Block, found: list[RawItem], chat: bool) -> list[RawItem]:
    """`found` (what the block's section rules found in it) with every marked sentence as an action of its own, in
    place of anything found overlapping it."""
    spans = marked_spans(doc, block, chat)
    if not spans:
        return found
    text = doc.text
    kept = [r for r in found if not any(r.start < e and s < r.end for s, e in spans)]
    for s, e in spans:
        sentence = text[s:e]
        opening = MARKER.match(sentence)
        shown = item_fields.clean(sentence[opening.end() :] if opening else sentence, doc.definitions)
        kept.append(
            RawItem(
                s,
                e,
                shown,
                "marker",
                True,
                block.section,
                shown,
                shown,
                done=block.checked is True or item_fields.done(sentence),
                owner=marker_owner(sentence),
                due=item_fields.due(sentence),
                tickets=item_fields.tickets(sentence, doc.definitions),
            )
        )
    return kept
