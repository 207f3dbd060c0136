"""The deterministic follow-up extractor: every action a postmortem proposes, with its exact evidence.

Inside follow-up sections (Action items, Remediation, Next steps, ...) every list item, table row and
item-like line is an action, even when marked done. Elsewhere only sentences that commit the authors to
future work count ("we will", "we need to", "the longer-term fix is to", a dated "will", a proposal in
question form, a problem handed to a tracking issue), and a prose statement that repeats a listed item
is dropped. Timelines, block quotes, code and advice to readers are never read for actions.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from typing import Final

from postmortem_actions.store.records import Category
from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction import sentences as statements
from postmortem_actions.tools.extraction.categories import categorise
from postmortem_actions.tools.extraction.facts import is_html
from postmortem_actions.tools.extraction.label_lines import headed_actions, label_line
from postmortem_actions.tools.extraction.lint import lint_findings
from postmortem_actions.tools.extraction.prefilter import Guarded, case_blind, folded
from postmortem_actions.tools.extraction.purposes import SectionInfo, classify
from postmortem_actions.tools.extraction.raw_items import MAX_JUDGED, RawItem
from postmortem_actions.tools.extraction.readers.html import html_to_text, source_span
from postmortem_actions.tools.extraction.readers.markdown import Block, Document, parse_blocks
from postmortem_actions.tools.extraction.repeats import deduplicated
from postmortem_actions.tools.extraction.tables import TableRow, table_rows
from postmortem_actions.tools.models import Finding, LintFinding, Placement

_BOLD_TITLE: Final = re.compile(r"^\s*(\*\*|__)([^*_\n]{2,200}?)\1\s*:?\s*")
_LINE_END: Final = re.compile(r"[.!?)][*_`\"'”’]*\s*$")
# Sentences that announce or sum up the list rather than add to it.
_UMBRELLA: Final = Guarded(
    re.compile(
        r":\s*(?:\*\*|__)?\s*$|\b(?:the\s+following|outlined\s+(?:above|below)|as\s+follows|listed\s+(?:above|below))\b|"
        r"\b(?:implemented|made|taken|completed|shipped|identified)\s+(?:\w+\s+){0,2}?"
        r"(?:remediations|improvements|changes|fixes|measures|steps|actions|action\s+items)\b",
        re.IGNORECASE,
    )
)
_POINTER: Final = case_blind(
    r"^\W*(?:see|read\s+more|follow\s+along|more\s+details?|details?\s+(?:in|at)|this\s+(?:is\s+)?tracked|"
    r"\[?this\s+(?:tracking\s+)?issue\]?)|\btrack(?:s|ing|ed)?\b|\bfollow\s+along\b|\bideas\s+for\s+resolution\b"
)
_TRAILING_MARKUP: Final = re.compile(r"(?:\s*<[^<>]{0,500}>)+\s*$")
_FIELD_LINE: Final = case_blind(
    r"^\W*(?:owners?|assignee|due(?:\s+date)?|eta|deadline|ticket|issue|bug|priority|status)\s*[:=]"
)
_TRACKING_LINE: Final = case_blind(
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
_MARKER: Final = case_blind(r"^\W{0,6}(?:\[\s*action\s+items?\s*\]|(?:\*\*|__)?action\s+items?\s*(?:\*\*|__)?\s*:)")
# A sentence that sets the finish line of the item before it, not a second deliverable.
_CRITERION: Final = case_blind(r"^\W*(?:ensure|make\s+sure|verify|validate|check|confirm|so\s+that)\b")
_DROPPED: Final = Guarded(
    re.compile(
        r"\b(?:won't\s+(?:do|fix)|wontfix|will\s+not\s+do|rejected|decided\s+against|not\s+(?:doing|planned))\b|"
        r"^\s*~~[^~]+~~\s*(?:\(|$)",
        re.IGNORECASE,
    )
)
_DOCUMENTATION: Final = case_blind(r"\b(?:document\w*|docs|runbooks?|playbooks?|wiki|handbook)\b")
# A "sentence" longer than this is not one action (a run-on paste, a table flattened into a line).
_MAX_SENTENCE: Final = 1500
_NO_DELIVERABLE: Final = LintFinding(
    kind="no_deliverable",
    words="",
    why="it states a problem (handed to a tracking issue) but not what will be done about it",
    needs="the change that resolves the problem, and the state that shows it is resolved",
)


@lru_cache(maxsize=8)
def extract(text: str) -> tuple[Finding, ...]:
    """Every follow-up action the document proposes, in document order, with exact quotes and offsets.

    Markdown, plain text and HTML are read; offsets and quotes always refer to `text` itself. Results
    are cached for the last few texts (parse, then record: the same document is read twice).
    """
    with _collector_paused():
        if is_html(text):
            rendered, origin = html_to_text(text)
            return tuple(_extract(rendered, text, partial(_in_source, text, origin)))
        return tuple(_extract(text, text, None))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a document is read.

    Reading makes no reference cycles (its records are freed as their counts drop), but its hundreds of
    thousands of short-lived objects set the collector off again and again, and each pass over all live
    objects found nothing: a quarter of the time on a 5 MB document (issue 10, finding 5). The collector is
    switched back on only if it was on, so a caller that turned it off keeps it off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _in_source(source: str, origin: list[int], start: int, end: int) -> tuple[int, int]:
    """Where the span [start, end) of an HTML document's rendering lies in the document (see html_text)."""
    start, end = source_span(origin, start, end)
    tail = _TRAILING_MARKUP.search(source, max(start, end - 2000), end)
    if tail is not None and tail.start() > start:
        end = tail.start()  # the quote ends with the item's text, not with the next element's tags
    return start, end


def _extract(text: str, source: str, place: Callable[[int, int], tuple[int, int]] | None) -> list[Finding]:
    """The findings of a Markdown or plain text; `place` maps its offsets into `source` when it is a rendering."""
    doc = parse_blocks(text)
    infos = classify(doc)
    raws: list[RawItem] = []
    for row in table_rows(doc, infos):
        raws.append(_from_row(row))
    label: tuple[int, SectionInfo] | None = None  # a "Next steps:" line opens a follow-up list in its section
    for index, block in enumerate(doc.blocks):
        info = infos[block.section]
        if label is not None and (block.section != label[0] or (block.kind != "item" and block.parent < 0)):
            label = None
        if block.kind == "para" and block.parent < 0 and info.purpose != "followup":
            label = label_line(doc, block)
            if label is not None:
                continue
        if label is not None and block.kind == "item":
            raws.extend(_in_followup(doc, index, block, label[1]))
            continue
        if block.kind == "para" and doc.text.startswith("[^", block.start):
            raws.extend(_in_narrative(doc, block))  # a footnote belongs to the text that cites it, not to its section
            continue
        if block.kind in ("heading", "row", "quote") or info.purpose in ("timeline", "advice", "skip"):
            continue
        if info.purpose == "followup":
            raws.extend(_in_followup(doc, index, block, info))
        else:
            raws.extend(_in_narrative(doc, block))
    raws.extend(headed_actions(doc, infos))
    raws.sort(key=lambda r: r.start)
    titles: dict[int, str] = {}  # a section's clean title, worked out once for all its findings
    found: list[Finding] = []
    for raw in deduplicated(raws):
        if raw.section not in titles:
            titles[raw.section] = item_fields.clean(infos[raw.section].title, doc.definitions)
        start, end = (raw.start, raw.end) if place is None else place(raw.start, raw.end)
        found.append(_finish(raw, titles[raw.section], start, end, source[start:end]))
    return found


def _not_a_task(line: str) -> bool:
    """Whether a line states what happened, thanks someone, or continues the line above (see _NOT_A_TASK_LEAD)."""
    lowered = folded(line)
    return bool(_NOT_A_TASK_LEAD.match(lowered) or _NOT_A_TASK_WORDS.search(line, lowered))


def _item_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An item's sentences grouped into actions: a later sentence opening with a task verb starts a new one."""
    spans = statements.sentences(text, start, end)
    groups: list[list[tuple[int, int]]] = []
    for s, e in spans:
        sentence = text[s:e]
        if groups and _FIELD_LINE.match(folded(text[groups[-1][0][0] : groups[-1][-1][1]])) and len(groups[-1]) == 1:
            groups[-1].append((s, e))  # "Owner: SRE. Add a health check." is one item with its owner first
        elif groups and not (
            statements.is_imperative(sentence)
            and len(sentence.split()) >= 4
            and not _CRITERION.match(folded(sentence))
            and not _FIELD_LINE.match(folded(sentence))
        ):
            groups[-1].append((s, e))
        else:
            groups.append([(s, e)])
    return [(g[0][0], g[-1][1]) for g in groups] or [(start, end)]


def _is_label(doc: Document, block: Block) -> bool:
    fragment = doc.text[block.start : block.end]
    if fragment.rstrip(" *_").endswith(":"):
        return True
    if not block.children:
        return False
    plain = item_fields.clean(fragment, doc.definitions)
    return len(plain.split()) <= 6 and not _LINE_END.search(fragment) and not statements.is_imperative(plain)


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
        if placement != "lines"
        else ""
    )
    done = bool(block.checked) or item_fields.done(fragment) or info.done or item_fields.done(label_text)
    owner = item_fields.owner(fragment) or item_fields.owner(details) or item_fields.owner(label_text) or info.owner
    due = item_fields.due(fragment) or item_fields.due(details) or item_fields.due_in_heading(label_text) or info.due
    shared = (
        item_fields.tickets(details, doc.definitions) + item_fields.tickets(label_text, doc.definitions) + info.tickets
    )
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


def _in_followup(doc: Document, index: int, block: Block, info: SectionInfo) -> list[RawItem]:
    text = doc.text
    if block.kind == "item":
        parent = doc.blocks[block.parent] if block.parent >= 0 else None
        label = parent if parent is not None and _is_label(doc, parent) else None
        if (
            parent is not None
            and label is None
            and not statements.is_imperative(item_fields.clean(text[block.start : block.end], doc.definitions))
        ):
            return []  # a detail of the item above; a sub-task (an imperative of its own) is an action
        if _is_label(doc, block) and (block.children or text[block.start : block.end].rstrip(" *_").endswith(":")):
            return []
        fragment = text[block.start : block.end]
        if _DROPPED.search(fragment):
            return []  # listed, then rejected: "won't do", "decided against", struck through
        if _not_a_task(fragment) and not statements.is_imperative(fragment) and not statements.is_commitment(fragment):
            return []  # a list explaining what happened, inside the follow-up section
        placement: Placement = "checklist" if block.checked is not None else "list"
        return _listed(doc, block.start, block.end, block, info, placement, label)
    if block.parent >= 0:
        return []  # a paragraph continuing a list item
    lines = block.lines
    fragment = text[block.start : block.end]
    if len(lines) == 1 and _TRACKING_LINE.match(folded(fragment)):
        info.tickets = info.tickets + item_fields.tickets(fragment, doc.definitions)
        return []  # "Tracking issue: URL" under the heading tracks every item that follows
    if len(lines) > 1 and all(_LINE_END.search(text[s:e]) for s, e in lines[:-1]):
        raws: list[RawItem] = []
        for s, e in lines:
            line = text[s:e]
            if _UMBRELLA.search(line) or len(line.split()) < 3 or _not_a_task(line) or statements.is_excluded(line):
                continue
            raws.extend(_listed(doc, s, e, block, info, "lines", None))
        return raws
    raws = []
    previous: tuple[int, int] | None = None
    for s, e in statements.sentences(text, block.start, block.end):
        sentence = text[s:e]
        if statements.STATUS_NOTE.match(folded(sentence)) and previous is not None:
            # "(fixed by adding ...)", "(filed URL)": the note settles the statement before it, which was a follow-up.
            if not raws:  # the note settles the paragraph's statement; with an action before it, that action
                raws.extend(_raw_sentence(doc, block, previous[0], previous[1], "section_prose", True))
            last = raws[-1]
            last.end = e
            last.done = last.done or not re.match(r"\W*\(\s*(?:filed|tracked|opened|in\s+progress)", sentence, re.I)
            last.tickets += item_fields.tickets(sentence, doc.definitions)
        elif (
            e - s <= _MAX_SENTENCE
            and not _UMBRELLA.search(sentence)
            and statements.is_task_like(sentence)
            and not (
                raws
                and raws[-1].end == (previous[1] if previous else -1)
                and len(lines) > 1
                and not statements.is_imperative(sentence)
                and not statements.is_commitment(sentence)
            )
        ):
            if len(lines) == 1 and not raws:
                raws.extend(_listed(doc, s, e, block, info, "lines", None))
            else:
                raws.extend(_raw_sentence(doc, block, s, e, "section_prose", True))
        previous = (s, e)
    return raws


def _raw_sentence(doc: Document, block: Block, s: int, e: int, placement: Placement, in_section: bool) -> list[RawItem]:
    text = doc.text
    result = []
    for cs, ce in statements.clauses(text, s, e):
        clause = text[cs:ce]
        shown = item_fields.clean(clause, doc.definitions)
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
                done=item_fields.done(clause),
                owner=item_fields.owner(clause),
                due=item_fields.due(clause),
                tickets=item_fields.tickets(clause, doc.definitions),
            )
        )
    return result


def _in_narrative(doc: Document, block: Block) -> list[RawItem]:
    text = doc.text
    spans = statements.sentences(text, block.start, block.end)
    raws: list[RawItem] = []
    previous: tuple[int, int] | None = None
    for s, e in spans:
        if e - s > _MAX_SENTENCE:
            previous = None
            continue
        sentence = text[s:e]
        linked = "://" in sentence or ("[" in sentence and bool(doc.definitions))
        ticket_links = [t for t in item_fields.tickets(sentence, doc.definitions) if "://" in t] if linked else []
        plain = item_fields.clean(sentence, doc.definitions) if ticket_links else sentence
        lowered = folded(plain)
        pointer = bool(ticket_links) and bool(_POINTER.search(lowered)) and not statements.is_excluded(sentence)
        if _UMBRELLA.search(sentence) or _TRACKING_LINE.match(lowered):
            pass  # announces the list, or a bare "Tracking issue: URL" line
        elif _MARKER.match(folded(sentence)):
            raws.extend(_raw_sentence(doc, block, s, e, "marker", True))
        elif statements.is_commitment(sentence) or (
            statements.is_future_with(sentence) and item_fields.due(sentence) is not None
        ):
            raws.extend(_raw_sentence(doc, block, s, e, "prose", False))
        elif pointer and raws and raws[-1].end == (previous[1] if previous else -1):
            last = raws[-1]  # "[This issue](...) tracks that effort." belongs to the commitment before it
            last.end = e
            last.tickets += ticket_links
        elif pointer and not item_fields.done(sentence) and not re.search(r"\balready\b", sentence, re.IGNORECASE):
            start = previous[0] if previous and _POINTER.match(lowered) else s
            about = item_fields.clean(text[start:e], doc.definitions)
            raw = RawItem(
                start,
                e,
                about,
                "prose",
                False,
                block.section,
                about,
                about,
                due=item_fields.due(sentence),
                tickets=ticket_links,
                problem_only=True,
            )
            if previous and start == previous[0] and statements.is_commitment(text[previous[0] : previous[1]]):
                raw.problem_only = False
            raws.append(raw)
        previous = (s, e)
    return raws


def _from_row(row: TableRow) -> RawItem:
    shown = row.shown
    category = None
    if row.category is not None:
        category = (row.category, [row.category_cell])
    return RawItem(
        row.start,
        row.end,
        shown,
        "table",
        True,
        row.section,
        shown,
        shown,
        done=row.done,
        owner=row.owner,
        due=row.due,
        tickets=row.tickets,
        category=category,
    )


def _finish(raw: RawItem, section: str, start: int, end: int, quote: str) -> Finding:
    guessed = categorise(raw.context[:MAX_JUDGED], raw.core[:MAX_JUDGED] if raw.core else None)
    category, words = raw.category or guessed
    if raw.category and guessed[0] == Category.PROCESS and _DOCUMENTATION.search(folded(raw.context)):
        category, words = guessed  # the guide: documentation is process, whatever the table's type column says
    # A completed item had its finish line; there is nothing left to sharpen.
    lint = [] if raw.done else lint_findings(raw.lint_text[:MAX_JUDGED])
    if raw.problem_only and not lint:
        lint = [_NO_DELIVERABLE]
    tickets = list(dict.fromkeys(raw.tickets))
    # model_validate of a dict skips BaseModel.__init__'s keyword handling: a third less per finding.
    return Finding.model_validate(
        {
            "text": raw.text,
            "quote": quote,
            "start": start,
            "end": end,
            "category": category,
            "category_words": words,
            "owner": raw.owner,
            "due": raw.due,
            "ticket": ", ".join(tickets) or None,
            "done": raw.done,
            "in_section": raw.in_section,
            "placement": raw.placement,
            "section": section,
            "vague": bool(lint),
            "lint": lint,
        }
    )
