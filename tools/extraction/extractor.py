"""The deterministic follow-up extractor: every action a postmortem proposes, with its exact evidence.

Inside follow-up sections (Action items, Remediation, Next steps, ...) every list item, table row and
item-like line is an action, even when marked done. Elsewhere only sentences that commit the authors to
future work count ("we will", "we need to", "the longer-term fix is to", a dated "will", a proposal in
question form, a problem handed to a tracking issue), and a prose statement that repeats a listed item
is dropped. Timelines, block quotes, code and advice to readers are never read for actions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import Final

from postmortem_actions.store.records import Category
from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction import markers
from postmortem_actions.tools.extraction import sentences as statements
from postmortem_actions.tools.extraction.categories import categorise, term_matches
from postmortem_actions.tools.extraction.collector import collector_paused
from postmortem_actions.tools.extraction.facts import section_title
from postmortem_actions.tools.extraction.followups import (
    MAX_SENTENCE,
    TRACKING_LINE,
    UMBRELLA,
    in_followup,
    raw_sentence,
)
from postmortem_actions.tools.extraction.jotted import after_arrow, noted_task
from postmortem_actions.tools.extraction.label_lines import OpenList, headed_actions
from postmortem_actions.tools.extraction.lint import lint_findings
from postmortem_actions.tools.extraction.models import Finding, LintFinding, built
from postmortem_actions.tools.extraction.prefilter import CURLY_APOSTROPHE, case_blind, folded, straight_apostrophes
from postmortem_actions.tools.extraction.purposes import SectionInfo, classify
from postmortem_actions.tools.extraction.raw_items import MAX_JUDGED, RawItem
from postmortem_actions.tools.extraction.readers.detect import detect_format, rendering
from postmortem_actions.tools.extraction.readers.markdown import Block, Document, parsed
from postmortem_actions.tools.extraction.repeats import deduplicated
from postmortem_actions.tools.extraction.tables import OWN_CATEGORY, TableRow, table_rows

_POINTER: Final = case_blind(
    r"^\W*(?:see|read\s+more|follow\s+along|more\s+details?|details?\s+(?:in|at)|this\s+(?:is\s+)?tracked|"
    r"\[?this\s+(?:tracking\s+)?issue\]?)|\btrack(?:s|ing|ed)?\b|\bfollow\s+along\b|\bideas\s+for\s+resolution\b"
)
# "See <link> for details": reading matter, not a problem handed to a tracker (unless it says it tracks one).
_FOR_READING: Final = case_blind(
    r"\bfor\s+(?:more\s+|further\s+|additional\s+|full\s+|the\s+)?(?:context|details?|background|information|info|"
    r"explanation|discussion)\b"
)
_STATUS_FIRST: Final = frozenset("nNuUrRiImM")  # what a status update's word starts with (sentences.STATUS_UPDATE)
_MARKER: Final = case_blind(r"^\W{0,6}(?:\[\s*action\s+items?\s*\]|(?:\*\*|__)?action\s+items?\s*(?:\*\*|__)?\s*:)")
# A heading naming the write-up itself ("Mysql1 Outage Post-Mortem", "Lessons learned"), not a group of its items.
_WRITE_UP: Final = case_blind(r"post[- ]?mortem|incident|outage|lessons|retrospective|report|summary|review")
_DOCUMENTATION: Final = case_blind(r"\b(?:document\w*|docs|runbooks?|playbooks?|wiki|handbook)\b")
_NO_DELIVERABLE: Final = LintFinding(
    kind="no_deliverable",
    words="",
    why="it states a problem (handed to a tracking issue) but not what will be done about it",
    needs="the change that resolves the problem, and the state that shows it is resolved",
)


@lru_cache(maxsize=8)
def extract(text: str, name: str | None = None) -> tuple[Finding, ...]:
    """Every follow-up action the document proposes, in document order, with exact quotes and offsets.

    Markdown, plain text, HTML, MediaWiki, AsciiDoc, reStructuredText and MDX are read (a .docx is read as the
    Markdown its reader renders): the extension of `name`
    (a file's name or path) says which where it names one, the content otherwise (readers/detect.py). Offsets and
    quotes always refer to `text` itself. Results are cached for the last few texts (parse, then record: the
    same document is read twice).
    """
    with collector_paused():
        fmt = detect_format(text, name)
        rendered, place = rendering(fmt, text)
        analysed = straight_apostrophes(rendered)
        if analysed is rendered:
            found = tuple(_extract(rendered, text, place, html=fmt == "html"))
        else:
            # Word, Google Docs and most CMSs type "we’ll" and "shouldn’t": every rule is written with "'", so the
            # rules read the text with "'" (same length, same offsets) and each finding gets the author's apostrophes.
            found = tuple(_with_curly_apostrophes(f) for f in _extract(analysed, text, place, html=fmt == "html"))
        # The extractor reads a document last (after its title, date and sections): its rendering and parse, a
        # hundred megabytes for a 5 MB document, are not kept in a server that goes on.
        parsed.cache_clear()
        rendering.cache_clear()
        return found


def _with_curly_apostrophes(finding: Finding) -> Finding:
    """The finding with the apostrophes its quote has: when the quote's are all curly, so are its fields'."""
    if "'" in finding.quote or CURLY_APOSTROPHE not in finding.quote:
        return finding
    fields = {key: getattr(finding, key) for key in ("text", "owner", "due")}
    changed: dict[str, object] = {
        key: value.replace("'", CURLY_APOSTROPHE) for key, value in fields.items() if value and "'" in value
    }
    if any("'" in word for word in finding.category_words):  # the reasons quote the text as it is shown
        changed["category_words"] = [word.replace("'", CURLY_APOSTROPHE) for word in finding.category_words]
    if any("'" in lint.words for lint in finding.lint):
        changed["lint"] = [
            lint.model_copy(update={"words": lint.words.replace("'", CURLY_APOSTROPHE)}) for lint in finding.lint
        ]
    return finding.model_copy(update=changed) if changed else finding


def _extract(
    text: str, source: str, place: Callable[[int, int], tuple[int, int]] | None, *, html: bool = False
) -> list[Finding]:
    """The findings of a Markdown or plain text; `place` maps its offsets into `source` when it is a rendering (the
    offsets are the same when it is None). In an HTML rendering a bold line is a heading where no heading tag is."""
    doc = parsed(text, html)
    infos = classify(doc)
    raws: list[RawItem] = []
    for row in table_rows(doc, infos):
        raws.append(_from_row(row))
    lists = OpenList()
    chats: dict[int, bool] = {}  # whether a section reads as a chat log, worked out for sections with a marker word
    updates = _status_updates(doc)
    for index, block in enumerate(doc.blocks):
        info = infos[block.section]
        listed = lists.read(doc, index, block, info)
        if listed is not None:
            raws.extend(listed)
            continue
        if block.kind == "para" and doc.text.startswith("[^", block.start):
            raws.extend(_in_narrative(doc, block, updates))  # a footnote belongs to the text that cites it
            continue
        if block.kind in ("heading", "row", "quote") or info.purpose in ("timeline", "advice", "skip"):
            continue
        raws.extend(_in_block(doc, index, block, info, chats, updates))
    raws.extend(headed_actions(doc, infos))
    raws.sort(key=attrgetter("start"))
    titles: dict[int, str] = {}  # a section's clean title, worked out once for all its findings
    found: list[Finding] = []
    for raw in deduplicated(raws):
        if raw.section not in titles:
            titles[raw.section] = section_title(infos[raw.section].title, doc.definitions)
        start, end = (raw.start, raw.end) if place is None else place(raw.start, raw.end)
        found.append(_finish(raw, titles[raw.section], start, end, source[start:end]))
    return found


def _in_block(
    doc: Document, index: int, block: Block, info: SectionInfo, chats: dict[int, bool], updates: frozenset[int]
) -> list[RawItem]:
    """What a block proposes under its section's rules, and every sentence an action marker opens in it."""
    if info.purpose == "followup":
        found = in_followup(doc, index, block, info)
    elif info.notes and (noted := noted_task(doc, block)):
        found = noted
    else:
        found = _in_narrative(doc, block, updates)
    if markers.has_marker(doc.text, block.start, block.end):
        if block.section not in chats:
            chats[block.section] = markers.section_is_chat(doc, block.section)
        found = markers.with_markers(doc, block, found, chats[block.section])
    return found


def _status_updates(doc: Document) -> frozenset[int]:
    """Where the paragraphs of a status page's incident log start: three paragraphs or more that open as its
    updates do ("**Notice**:", "Update:", "Resolved:"). None in any other document: one such paragraph in a
    postmortem is only a label."""
    found = frozenset(b.start for b in doc.blocks if b.kind == "para" and _is_status_update(doc.text, b))
    return found if len(found) >= 3 else frozenset()


def _is_status_update(text: str, block: Block) -> bool:
    head = text[block.start : block.start + 40]
    if not any(char in _STATUS_FIRST for char in head[:5]):
        return False  # no status word can start within its first marks: the pattern is not run
    return statements.STATUS_UPDATE.match(folded(head)) is not None


def _in_narrative(doc: Document, block: Block, updates: frozenset[int] = frozenset()) -> list[RawItem]:
    text = doc.text
    spans = statements.sentences(text, block.start, block.end)
    raws: list[RawItem] = []
    previous: tuple[int, int] | None = None
    # In a status log an update tells the response (the guide leaves it out): only what outlasts the incident counts.
    status = block.start in updates
    for s, e in spans:
        if e - s > MAX_SENTENCE:
            previous = None
            continue
        sentence = text[s:e]
        linked = "://" in sentence or ("[" in sentence and bool(doc.definitions))
        ticket_links = [t for t in item_fields.tickets(sentence, doc.definitions) if "://" in t] if linked else []
        plain = item_fields.clean(sentence, doc.definitions) if ticket_links else sentence
        lowered = folded(plain)
        own = lowered if plain is sentence else folded(sentence)
        pointer = (
            bool(ticket_links)
            and bool(_POINTER.search(lowered))
            and not statements.is_excluded(sentence, own)
            and ("track" in lowered or not _FOR_READING.search(lowered))
        )
        if UMBRELLA.found(sentence, own) or TRACKING_LINE.match(lowered):
            pass  # announces the list, or a bare "Tracking issue: URL" line
        elif _MARKER.match(own):
            raws.extend(raw_sentence(doc, block, s, e, "marker", True))
        elif arrowed := after_arrow(doc, block, s, e):
            raws.extend(arrowed)
        elif (
            statements.is_commitment(sentence, own)
            or (statements.is_future_with(sentence, own) and item_fields.due(sentence) is not None)
        ) and (not status or statements.LASTING.found(sentence, own)):
            raws.extend(raw_sentence(doc, block, s, e, "prose", False))
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


@lru_cache(maxsize=64)
def _grouped_by(title: str) -> tuple[Category, tuple[str, ...]] | None:
    """The category a follow-up list's sub-heading names for its items that name none ("### Monitoring", "What we
    changed in logging"): the author grouped them by purpose. Only a short heading naming one category, not the
    default's, nor a write-up's own title ("... Post-Mortem"), nor one naming two ("Prevention and detection")."""
    topic = re.sub(r"\([^)]*\)", " ", title) if "(" in title else title  # "(see the SLO dashboard)" is an aside
    if len(topic.split()) > 5 or _WRITE_UP.search(folded(topic)) or len(term_matches(folded(topic))) != 1:
        return None
    category, words = categorise(topic)
    return None if not words or category == Category.PREVENT else (category, tuple(words))


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
    if raw.category is None:
        category, words = categorise(raw.context[:MAX_JUDGED], raw.core[:MAX_JUDGED] if raw.core else None)
        if not words and raw.in_section and section and (grouped := _grouped_by(section)) is not None:
            category, words = grouped[0], list(grouped[1])  # the cached words are shared: each finding gets a copy
    else:
        category, words = raw.category
        # The author's own category ("Mitigate") wins; a looser word ("Repair") yields to the documentation rule.
        if not OWN_CATEGORY.match(words[0] if words else "") and _DOCUMENTATION.search(folded(raw.context)):
            guessed = categorise(raw.context[:MAX_JUDGED], raw.core[:MAX_JUDGED] if raw.core else None)
            if guessed[0] == Category.PROCESS:
                category, words = guessed  # the guide: documentation is process, whatever the type column says
    # A completed item had its finish line; there is nothing left to sharpen.
    lint = [] if raw.done else lint_findings(raw.lint_text[:MAX_JUDGED])
    if raw.problem_only and not lint:
        lint = [_NO_DELIVERABLE]
    tickets = list(dict.fromkeys(raw.tickets))
    return built(
        Finding,
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
        },
    )
