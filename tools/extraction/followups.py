"""What a follow-up section's blocks propose: every list item and item-like line is an action, even when marked
done; a paragraph's task-like sentences are too. Details under an item, labels that open a list, rejected items
and statements of what happened are not.
"""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction import sentences as statements
from postmortem_actions.tools.extraction.assignees import assignee, is_assigned
from postmortem_actions.tools.extraction.models import Placement
from postmortem_actions.tools.extraction.prefilter import Guarded, case_blind, folded
from postmortem_actions.tools.extraction.purposes import SectionInfo
from postmortem_actions.tools.extraction.raw_items import RawItem
from postmortem_actions.tools.extraction.readers.markdown import Block, Document

_BOLD_TITLE: Final = re.compile(r"^\s*(\*\*|__)([^*_\n]{2,200}?)\1\s*:?\s*")
_LINE_END: Final = re.compile(r"[.!?)][*_`\"'”]*\s*$")
# Sentences that announce or sum up the list rather than add to it.
UMBRELLA: Final = Guarded(
    re.compile(
        r":\s*(?:\*\*|__)?\s*$|\b(?:the\s+following|outlined\s+(?:above|below)|as\s+follows|listed\s+(?:above|below))\b|"
        r"\b(?:implemented|made|taken|completed|shipped|identified)\s+(?:\w+\s+){0,2}?"
        r"(?:remediations|improvements|changes|fixes|measures|steps|actions|action\s+items)\b|"
        # "we are making several changes", "we are taking a number of steps": the list says which
        r"\b(?:making|taking|introducing)\s+(?:several|a\s+few|some|a\s+number\s+of|a\s+series\s+of|a\s+set\s+of)\s+"
        r"(?:\w+\s+)?(?:changes|improvements|measures|steps|actions)\b|"
        # what the write-up itself does: "this post-mortem explains ...", "we'd like to share the plan in as much
        # detail as possible", "we're going to have to skip over some of the items"
        r"\bthis\s+(?:blog\s+)?(?:post|post-?mortem|report|write-?up|document)\s+(?:explains|describes|covers|details|"
        r"outlines|walks)\b|\b(?:share|explain|describe|detail|outline)\s+(?:\w+\s+){0,4}?(?:in\s+(?:as\s+much|more|full|"
        r"great)\s+detail|in\s+this\s+(?:post|report|document))\b|\bskip\s+over\b",
        re.IGNORECASE,
    )
)
_FIELD_LINE: Final = case_blind(
    r"^\W*(?:owners?|assignee|due(?:\s+date)?|eta|deadline|ticket|issue|bug|priority|status)\s*[:=]"
)
TRACKING_LINE: Final = case_blind(
    r"^\W*(?:tracking(?:\s+(?:issue|ticket|epic|board))?|tracked\s+(?:in|at|by)|follow\s+along(?:\s+here)?|epic|"
    r"jira|ticket|issue|umbrella\s+issue|project\s+board)\W{0,4}(?:[:=-]|\s+(?:in|at|here))"
)
# A statement of what happened, thanks, or a line continuing the one above: not an item of its own. All but one
# of these hold only at the start of a line, and are tried there alone (a search tries them at every position).
_NOT_A_TASK_LEAD: Final = case_blind(
    r"^\W*(?:thanks?|thank\s+you|kudos|shout-?outs?)\b|"
    # a line that continues the one above ("Ideally it would also ...", "It is cheap.") is not an item of its own
    r"^\W*(?:ideally|otherwise|however|but|because|since|and)\b|"
    # a statement of what happened ("The OOM killer caused ...", "The alert was missing") is not a task
    r"^\W*(?:[\w ]{0,30},\s*)?(?:the|a|an|this|that|it|our|my)\b(?:[^.:;]|\.(?=\S)){0,100}?"
    r"\b(?:caused|ran\s+out|failed|was|were|had|became|happened|led\s+to)\b|"
    r"^\W*(?:it|they|these|those|this|that)\s+(?:would|will|is|are|was|were|could|can|may|might)\b"
    r"(?!\s+be\s+(?:useful|good|nice|helpful|better|worth))|"
    r"^\W*(?:this|that|it|there|the\s+(?:incident|outage|team|response|impact))\s+(?:was|were|had|has\s+been)\b"
)
_NOT_A_TASK_WORDS: Final = Guarded(
    re.compile(r"\b(?:stressful|grateful|thankful|proud|apologi[sz]e|sorry)\b", re.IGNORECASE)
)
# A sentence that sets the finish line of the item before it, not a second deliverable.
_CRITERION: Final = case_blind(r"^\W*(?:ensure|make\s+sure|verify|validate|check|confirm|so\s+that)\b")
_DROPPED: Final = Guarded(
    re.compile(
        r"\b(?:won't\s+(?:do|fix)|wontfix|will\s+not\s+do|rejected|decided\s+against|not\s+(?:doing|planned))\b|"
        r"^\s*~~[^~]+~~\s*(?:\(|$)",
        re.IGNORECASE,
    )
)
# An item that ends by announcing its sub-list of parts or examples ("Harden the backups, including"): the item is
# an action of its own, and each sub-item is one too, not a detail of it.
_INCLUDING: Final = case_blind(r"[,\s](?:including|such\s+as|e\.g\.|for\s+example|for\s+instance|namely)\W{0,3}$")
# A short label opening a paragraph of a follow-up section ("**Done**: Add ...", "Idea from Dana: move ..."): the
# task follows it.
_LEAD_LABEL: Final = re.compile(r"^\W{0,4}(?:\*\*|__)?([^:.!?\n*_]{1,50}?)(?:\*\*|__)?[ \t]*:[ \t]+(?=\S)")
# A sentence led by a gerund, as items of a list of changes often are ("Recreating the keys", "Also enforcing ...").
_GERUND: Final = case_blind(
    r"^\W{0,4}(?:also\s+|additionally\s+)?(?!(?:during|nothing|something|everything|anything|morning|evening|thing)\b)"
    r"[a-z]{3,20}ing\s+(?!(?:is|was|are|were|has|had)\b)\w"
)
_ITALIC_PARAGRAPH: Final = re.compile(r"([*_])(?![*_\s])[^*_]{3,400}(?<![*_\s])\1")
_FENCE_BELOW: Final = re.compile(r"[ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]*(?:```|~~~)")
# A "sentence" longer than this is not one action (a run-on paste, a table flattened into a line).
MAX_SENTENCE: Final = 1500


def not_a_task(line: str, lowered: str | None = None) -> bool:
    """Whether a line states what happened, thanks someone, or continues the line above (see _NOT_A_TASK_LEAD).

    `lowered` is `prefilter.folded(line)` when the caller has it."""
    lowered = folded(line) if lowered is None else lowered
    return bool(_NOT_A_TASK_LEAD.match(lowered) or _NOT_A_TASK_WORDS.found(line, lowered))


def _item_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An item's sentences grouped into actions: a later sentence opening with a task verb starts a new one, and
    in an item written as gerunds ("Rotating the keys. Also enforcing ..."), a later gerund does."""
    spans = statements.sentences(text, start, end)
    gerunds = bool(spans) and bool(_GERUND.match(folded(text[spans[0][0] : spans[0][1]])))
    groups: list[list[tuple[int, int]]] = []
    for s, e in spans:
        sentence = text[s:e]
        if groups and _FIELD_LINE.match(folded(text[groups[-1][0][0] : groups[-1][-1][1]])) and len(groups[-1]) == 1:
            groups[-1].append((s, e))  # "Owner: SRE. Add a health check." is one item with its owner first
        elif groups and not (
            (statements.is_imperative(sentence) or (gerunds and _GERUND.match(folded(sentence))))
            and len(sentence.split()) >= 4
            and not _CRITERION.match(folded(sentence))
            and not _FIELD_LINE.match(folded(sentence))
        ):
            groups[-1].append((s, e))
        else:
            groups.append([(s, e)])
    return [(g[0][0], g[-1][1]) for g in groups] or [(start, end)]


def _shows_code(doc: Document, block: Block) -> bool:
    """Whether a list item ending in ':' introduces its own code or configuration block (a fence right below it),
    not a list: "Run JIRA behind a proxy with these rules:" then the rules is an action with its details."""
    if any(doc.blocks[c].kind == "item" for c in block.children):
        return False
    return bool(_FENCE_BELOW.match(doc.text, block.end))


def _is_label(doc: Document, block: Block) -> bool:
    fragment = doc.text[block.start : block.end]
    if fragment.rstrip(" *_").endswith(":"):
        return True
    if not block.children or _INCLUDING.search(folded(fragment[-40:])):
        return False
    plain = item_fields.clean(fragment, doc.definitions)
    return len(plain.split()) <= 6 and not _LINE_END.search(fragment) and not statements.is_imperative(plain)


def _stated(
    doc: Document, fragment: str, details: str, label_text: str, block: Block, info: SectionInfo
) -> tuple[bool, str | None, str | None, list[str]]:
    """What an item, its details, the label above it and its section state: done, owner, due date, shared tickets.

    Most items have no details and no label: those are not read at all (every reader returns nothing for "")."""
    lowered = folded(fragment)
    done = bool(block.checked) or item_fields.done(fragment, lowered) or info.done
    owner = item_fields.owner(fragment, lowered) or assignee(fragment)
    due = item_fields.due(fragment, lowered)
    shared: list[str] = []
    if details:
        owner = owner or item_fields.owner(details)
        due = due or item_fields.due(details)
        shared = item_fields.tickets(details, doc.definitions)
    if label_text:
        done = done or item_fields.done(label_text)
        owner = owner or item_fields.owner(label_text)
        due = due or item_fields.due_in_heading(label_text)
        shared = shared + item_fields.tickets(label_text, doc.definitions)
    return done, owner or info.owner, due or info.due, shared + info.tickets


def _listed(
    doc: Document, start: int, end: int, block: Block, info: SectionInfo, placement: Placement, label: Block | None
) -> list[RawItem]:
    text = doc.text
    fragment = text[start:end]
    label_text = text[label.start : label.end] if label else ""
    details = (
        " \n".join(
            text[c.start : c.end]
            for c in (doc.blocks[i] for i in block.children)
            if not statements.is_imperative(text[c.start : c.end])
        )
        if placement != "lines" and block.children
        else ""
    )
    done, owner, due, shared = _stated(doc, fragment, details, label_text, block, info)
    bold = _BOLD_TITLE.match(fragment)
    if bold is not None:
        title = " ".join(bold.group(2).split()).rstrip(":")
        rest = statements.sentences(text, start + bold.end(), end)
        first = item_fields.clean(text[rest[0][0] : rest[0][1]], doc.definitions) if rest else ""
        verb_first = statements.is_imperative(title)
        shown = title if verb_first or not first else f"{title}: {first}"
        return [
            RawItem(
                start,
                end,
                shown,
                placement,
                True,
                block.section,
                title if verb_first else shown,
                item_fields.clean(fragment, doc.definitions),
                tickets=item_fields.tickets(fragment, doc.definitions) + shared,
                done=done,
                owner=owner,
                due=due,
                core=None if verb_first or not first else first,
            )
        ]
    raws = []
    for s, e in _item_parts(text, start, end):
        part = text[s:e]
        shown = item_fields.clean(part, doc.definitions)
        if len(shown) < 3:
            continue
        raws.append(
            RawItem(
                s,
                e,
                shown,
                placement,
                True,
                block.section,
                shown,
                shown,
                tickets=item_fields.tickets(part, doc.definitions) + shared,
                done=done,
                owner=owner,
                due=due,
            )
        )
    return raws


def is_sub_task(item: str) -> bool:
    """Whether a sub-item is a task of its own: an imperative, or one with its assignee first ("Hypha to verify")."""
    return statements.is_imperative(item) or is_assigned(item)


def in_followup(doc: Document, index: int, block: Block, info: SectionInfo) -> list[RawItem]:
    """The actions one block of a follow-up section proposes."""
    if block.kind == "item":
        return _from_item(doc, block, info)
    if block.parent >= 0:
        return []  # a paragraph continuing a list item
    text = doc.text
    lines = block.lines
    fragment = text[block.start : block.end]
    if _ITALIC_PARAGRAPH.fullmatch(fragment):
        return []  # a template's guidance in italics ("*List any tasks we should complete*"), not an item
    if len(lines) == 1 and TRACKING_LINE.match(folded(fragment)):
        info.tickets = info.tickets + item_fields.tickets(fragment, doc.definitions)
        return []  # "Tracking issue: URL" under the heading tracks every item that follows
    if len(lines) > 1 and all(_LINE_END.search(text[s:e]) for s, e in lines[:-1]):
        return _from_lines(doc, block, info)
    return _from_sentences(doc, block, info)


def _from_item(doc: Document, block: Block, info: SectionInfo) -> list[RawItem]:
    """A list item as an action, unless it details the item above, labels a list, was rejected or tells a story."""
    text = doc.text
    fragment = text[block.start : block.end]
    parent = doc.blocks[block.parent] if block.parent >= 0 else None
    label = parent if parent is not None and _is_label(doc, parent) else None
    if parent is not None and label is None and _INCLUDING.search(folded(text[parent.start : parent.end][-40:])):
        label = parent  # "Harden the backups, including" announces its sub-items
    if parent is not None and label is None and not is_sub_task(item_fields.clean(fragment, doc.definitions)):
        return []  # a detail of the item above; a sub-task (an imperative of its own) is an action
    if (
        _is_label(doc, block)
        and (block.children or fragment.rstrip(" *_").endswith(":"))
        and not _shows_code(doc, block)
    ):
        return []
    lowered = folded(fragment)
    if _DROPPED.found(fragment, lowered):
        return []  # listed, then rejected: "won't do", "decided against", struck through
    if block.checked is None and item_fields.only_a_code_name(fragment):
        return []  # "- `COPYRIGHT_QUERY`": the names a sentence above lists ("- [ ] `x`" is a to-do)
    if (
        not_a_task(fragment, lowered)
        and not statements.is_imperative(fragment)
        and not statements.is_commitment(fragment, lowered)
    ):
        return []  # a list explaining what happened, inside the follow-up section
    placement: Placement = "checklist" if block.checked is not None else "list"
    return _listed(doc, block.start, block.end, block, info, placement, label)


def _from_lines(doc: Document, block: Block, info: SectionInfo) -> list[RawItem]:
    """A paragraph of item-like lines (each ending like a sentence): each line is an action."""
    raws: list[RawItem] = []
    for s, e in block.lines:
        line = doc.text[s:e]
        if UMBRELLA.found(line) or len(line.split()) < 3 or not_a_task(line) or statements.is_excluded(line):
            continue
        raws.extend(_listed(doc, s, e, block, info, "lines", None))
    return raws


def _from_sentences(doc: Document, block: Block, info: SectionInfo) -> list[RawItem]:
    """A paragraph's task-like sentences, a status note folded into the statement it settles."""
    text = doc.text
    single_line = len(block.lines) == 1
    raws: list[RawItem] = []
    previous: tuple[int, int] | None = None
    for s, e in statements.sentences(text, block.start, block.end):
        sentence = text[s:e]
        if statements.STATUS_NOTE.match(folded(sentence)) and previous is not None:
            _settle(doc, block, raws, previous, sentence, e)
        elif _task_sentence(sentence, e - s, raws, previous, single_line):
            if single_line and not raws:
                raws.extend(_listed(doc, s, e, block, info, "lines", None))
            else:
                raws.extend(raw_sentence(doc, block, s, e, "section_prose", True))
        previous = (s, e)
    return raws


def _settle(doc: Document, block: Block, raws: list[RawItem], previous: tuple[int, int], note: str, end: int) -> None:
    """Fold a status note ("(fixed by adding ...)", "(filed URL)") into the statement before it, a follow-up."""
    if not raws:  # the note settles the paragraph's statement; with an action before it, that action
        raws.extend(raw_sentence(doc, block, previous[0], previous[1], "section_prose", True))
    last = raws[-1]
    last.end = end
    last.done = last.done or not re.match(r"\W*\(\s*(?:filed|tracked|opened|in\s+progress)", note, re.I)
    last.tickets += item_fields.tickets(note, doc.definitions)


def _task_sentence(
    sentence: str, length: int, raws: list[RawItem], previous: tuple[int, int] | None, single_line: bool
) -> bool:
    """Whether a paragraph's sentence is an action of its own (not a lead-in, not a remark on the one before)."""
    if length > MAX_SENTENCE or UMBRELLA.found(sentence):
        return False
    if not statements.is_task_like(sentence):
        label = _LEAD_LABEL.match(sentence)
        if label is None or len(label.group(1).split()) > 5 or not statements.is_task_like(sentence[label.end() :]):
            return False
    continues = bool(raws) and raws[-1].end == (previous[1] if previous else -1) and not single_line
    return not (continues and not statements.is_imperative(sentence) and not statements.is_commitment(sentence))


def raw_sentence(doc: Document, block: Block, s: int, e: int, placement: Placement, in_section: bool) -> list[RawItem]:
    text = doc.text
    result = []
    for cs, ce in statements.clauses(text, s, e):
        clause = text[cs:ce]
        shown = item_fields.clean(clause, doc.definitions)
        lowered = folded(clause)
        result.append(
            RawItem(
                cs,
                ce,
                shown,
                placement,
                in_section,
                block.section,
                shown,
                shown,
                done=item_fields.done(clause, lowered),
                owner=item_fields.owner(clause, lowered),
                due=item_fields.due(clause, lowered),
                tickets=item_fields.tickets(clause, doc.definitions),
            )
        )
    return result
