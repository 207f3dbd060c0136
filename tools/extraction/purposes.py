"""What a postmortem's section is for: follow-ups, the timeline, advice to readers, the response, or narrative.

A section inherits its parent's purpose unless its own heading says otherwise ("Short-term" under
"Remediation" is a follow-up list; "Timeline" is a timeline wherever it sits). A follow-up section may
also state, for all its items, that they are done, a period they are due in, an owner or a tracking link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction.readers.markdown import Document

Purpose = Literal["followup", "timeline", "advice", "response", "skip", "narrative"]

_TIMELINE: Final = re.compile(
    r"\btime\s?line\b|\bchronolog|\bsequence\s+of\s+events\b|\bevent\s+log\b|\bincident\s+log\b|"
    r"\bdetailed\s+events\b|\bwhat\s+happened\s+when\b|^\s*\d{1,2}:\d{2}\b|"
    r"^\s*\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2})?\s*$",
    re.IGNORECASE,
)
_ADVICE: Final = re.compile(
    r"\bcall\s+to\s+action\b|\bwhat\s+(?:should|can|do)\s+(?:you|i|users|customers)\b|"
    r"\bwhat\s+you\s+(?:can|should|need\s+to)\s+do\b|\brecommendations?\s+for\s+(?:users|customers|readers)\b|"
    r"\bhow\s+(?:to|you\s+can)\s+protect\b|\baction\s+required\b|\b(?:for|to)\s+(?:our\s+)?(?:users|customers)\s*$|"
    r"\bwhat\s+this\s+means\s+for\s+you\b|\bfaq\b",
    re.IGNORECASE,
)
_SKIP: Final = re.compile(
    r"^\s*(?:appendix|references?|glossary|responders|participants|attendees|authors?|links|"
    r"acknowledg(?:e)?ments?|thanks|contact|about\b)|"
    # a pasted conversation: what people said while responding, never the authors' commitments
    r"\bchat\s*logs?\b|\b(?:slack|irc|chat)\s+(?:threads?|transcripts?|conversations?|history)\b|\btranscripts?\s*$",
    re.IGNORECASE,
)
_RESPONSE: Final = re.compile(
    r"\bactions?\s+taken\b|\bresolution\b|\brecovery\b|^\s*mitigations?\s*$|\bwhat\s+we\s+did\b|"
    r"\bhow\s+we\s+(?:fixed|resolved|responded)\b|\bworkaround\b|\bimmediate\s+response\b|\bresponse\b|"
    # Issue 15: what was fixed during the incident is the response, not a follow-up list
    r"\bimmediate\s+(?:fix(?:es)?|mitigations?|measures\s+taken|actions?\s+taken)\b|\bquick\s+fix(?:es)?\b|\bhot-?fix(?:es)?\b",
    re.IGNORECASE,
)
# Phrases that name a follow-up section wherever they sit in the heading.
_FOLLOWUP: Final = re.compile(
    r"\baction[\s_-]*items?\b|\bfollow[\s-]?ups?\b|\bcorrective\b|\bprevent(?:at)?ive\b|"
    r"\bremediations?\b|\bnext\s+steps?\b|\bfuture\s+(?:improvements?|work|measures|plans?|actions|mitigations?|"
    r"prevention|changes)\b|\bwhat\s+(?:we(?:'re|\s+are|\s+will)?|are\s+we|i(?:'m|\s+am|\s+will)?)\s+(?:doing|going\s+to\s+do|"
    r"changing|do(?:ing)?\s+(?:about|next))\b|\bhow\s+(?:we(?:'re|\s+are|\s+will)?\s+|are\s+we\s+|do\s+we\s+|to\s+)?"
    r"(?:prevent(?:ing)?|going\s+to\s+prevent|making\s+sure|avoid(?:ing)?)\b|\blessons\s+learned\s+and\s+(?:future|next)\b|"
    r"\bchanges\s+we(?:'re|\s+are|\s+will)?\b|\bwork\s+items?\b|\bwhat'?s\s+next\b|\blooking\s+(?:ahead|forward)\b|"
    r"\b(?:the\s+)?(?:path|way|road)\s+(?:ahead|forward)\b|"
    # "What We Plan to Change", "What we need to fix"
    r"\bwhat\s+(?:we|i)\s+(?:plan|intend|want|need|are\s+going|will\s+need)\s+to\s+(?:change|do|improve|fix)\b|"
    r"\bpreventing\s+(?:this|recurrence|a\s+recurrence)\b|\bmitigations?\s+(?:going\s+forward|planned)\b|"
    r"\bwhat\s+(?:we(?:'ve|\s+have)?|i(?:'ve|\s+have)?)\s+changed\b|\bchanges\s+(?:we\s+)?made\b|"
    r"\b(?:possible\s+|future\s+)actions\b|\bactions?\s+(?:in|for)\s+the\s+future\b|\bactions?\s+to\s+take\b|"
    r"\bresulting\s+actions?\b|"
    # "Preventing the issue from happening again", "Stopping this from recurring", "How do we stop it from
    # repeating?", "Avoiding a repeat", "How do we make sure this doesn't happen again?" (not "Stopping repeat
    # customers from churning", nor "Keeping the cron from repeating every minute")
    r"\bfrom\s+(?:happening|occurring)\s+again\b|\bfrom\s+(?:recurring|re-?occurring)\b|"
    r"\bfrom\s+repeating(?:\s+again)?\s*(?:[?.!:]|$)|"
    r"\b(?:stop|prevent|avoid)(?:ping|ing|s)?\s+(?:it|this|that|these|them)\s+(?:from\s+)?"
    r"(?:happening\s+again|recurring|re-?occurring|repeating)\b|"
    r"\b(?:stop|prevent|avoid)(?:ping|ing|s)?\s+(?:a\s+)?(?:repeats?|recurrences?)(?:\s+of\b|\s*(?:[?.!:]|$))|"
    r"\b(?:does\s*n[o']t|won't|will\s+not|never)\s+happen\s+again\b|"
    # "To prevent similar issues", "... and long-term improvements" (not "Steps taken to prevent further damage",
    # the response, nor "History of long-term work on the scheduler")
    r"\bto\s+prevent\s+(?:similar|recurrence|a\s+recurrence)\b|\blong[\s-]term\s+improvements?\b|"
    # a heading asking what the authors will do: "What can we do to improve?", "How could we do better?"
    r"\b(?:what|how)\s+(?:can|could|should|will|do|must)\s+(?:we|i)\s+(?:do|change|improve|prevent|avoid)\b|"
    r"\bhow\s+(?:can|could|should|will|do)\s+(?:we|i)\s+do\s+better\b|"
    # ... or what is to be done, in the passive: "What could be done to avoid this in future?", "What is being
    # done to prevent this?", "How can this be prevented?", "Avoiding it next time" (not "What could be done
    # better", a look back at what went wrong, nor "What can be done to protect yourself", advice to readers)
    r"\bwhat\s+(?:(?:can|could|should|must|will|might)\s+be|is\s+being|needs\s+to\s+be)\s+done\s+"
    r"(?:to\s+(?:avoid|prevent|stop)|about\s+(?:it|this|that))\b|"
    r"\bhow\s+(?:can|should|will|is|are)\s+(?:this|it|that|these|such\s+\w+)\s+(?:be|being)\s+(?:avoided|prevented)\b|"
    r"\bavoid(?:ing)?\s+(?:this|it|that|these|them|a\s+repeat|recurrence)\s+"
    r"(?:in\s+(?:the\s+)?future|next\s+time|going\s+forward|again)\b|"
    # proposals the authors are weighing: "Things being considered", "Under consideration", "Ideas for improvement"
    r"\b(?:being|to\s+be)\s+considered\b|\bunder\s+consideration\b|\bideas\s+for\s+(?:improvement|the\s+future)\b|"
    # the period after the incident: "The following 2 weeks", "Over the next months", "In the coming weeks"
    r"\b(?:following|next|coming)\s+(?:\d{1,2}\s+|few\s+|two\s+|three\s+|several\s+)?(?:weeks|months)\b",
    re.IGNORECASE,
)
# Words that name one only as a short heading's lead ("Prevention", "Long-term improvements", "Immediate actions"),
# not inside a sentence-like heading ("An ounce of prevention is worth a pound of cure").
_FOLLOWUP_LEAD: Final = re.compile(
    r"^\W*(?:\S+\s+){0,2}?(?:actions?|prevention|preventing|improvements?|fixes|plans?|commitments?|recommendations?|"
    r"(?:long|short|medium|near)[\s-]term|to[\s-]?dos?|(?:going|moving)\s+forward|mitigations?\s+plan)\b",
    re.IGNORECASE,
)
_NOTES_HEADING: Final = re.compile(
    r"^\W*(?:supporting|additional|other|further)\s+(?:information|info|notes)\b|^\W*(?:notes|misc(?:ellaneous)?)\W*$",
    re.IGNORECASE,
)
_DONE_HEADING: Final = re.compile(
    r"\b(?:completed|done|already\s+(?:done|fixed|implemented|shipped)|finished|shipped|resolved|implemented)\b",
    re.IGNORECASE,
)
_NOT_DONE_HEADING: Final = re.compile(
    r"\b(?:to\s+be\s+done|not\s+(?:yet\s+)?done|todo|to-do|pending|open)\b", re.IGNORECASE
)


_TIMESTAMPISH: Final = re.compile(
    r"\d|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*day\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b(?:morning|afternoon|evening|night|day\s+\d)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class SectionInfo:
    """A section's purpose and what it states for all of its items."""

    title: str
    purpose: Purpose
    done: bool = False
    due: str | None = None
    owner: str | None = None
    tickets: list[str] = field(default_factory=list)
    notes: bool = False  # headed as notes ("Supporting information", "Notes"): to-dos get jotted there (jotted.py)


_KEYWORDS: Final = (
    "action",
    "actions",
    "items",
    "follow",
    "followup",
    "remediation",
    "forward",
    "improvements",
    "prevention",
    "preventive",
    "preventative",
    "corrective",
    "measures",
    "timeline",
    "steps",
    "appendix",
)


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1 or any(
            a[i] == b[i + 1] and a[i + 1] == b[i] and a[:i] == b[:i] and a[i + 2 :] == b[i + 2 :]
            for i in range(len(a) - 1)
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _spelled(title: str) -> str:
    """The heading with a word one typo away from a section keyword corrected ("Moving Foward", "Acton items")."""
    words = title.split()
    if len(words) > 6:
        return title
    fixed = [next((k for k in _KEYWORDS if len(w) >= 5 and _one_edit_apart(w.lower(), k)), w) for w in words]
    return " ".join(fixed)


def purpose_of(title: str) -> Purpose | None:
    """What a heading (or a label line such as "Agreed actions:") says its section is for; None when it says nothing.

    A word one typo away from a section keyword is read as that keyword."""
    if not title:
        return None
    found = _purpose(title)
    if found is None and (spelled := _spelled(title)) != title:
        found = _purpose(spelled)
    return found


def _purpose(title: str) -> Purpose | None:
    for purpose, pattern in (("timeline", _TIMELINE), ("advice", _ADVICE), ("skip", _SKIP)):
        if pattern.search(title):
            return purpose  # type: ignore[return-value]
    if _RESPONSE.search(title) and not re.search(
        r"\b(?:future|prevent|follow|improvement|remediation)", title, re.IGNORECASE
    ):
        return "response"
    bare = re.sub(r"\([^)]*\)", " ", title)
    if _FOLLOWUP.search(title) or (len(bare.split()) <= 5 and _FOLLOWUP_LEAD.search(bare)):
        return "followup"
    return None


def classify(doc: Document) -> list[SectionInfo]:
    """The purpose of each section of `doc` (same indexes as `doc.sections`), with what it states for its items."""
    infos: list[SectionInfo] = []
    owns = [purpose_of(heading.title) for heading in doc.sections]
    if _a_title_over_follow_ups(doc, owns):
        owns[1] = None  # "# Code Fixes" over a whole post-mortem with its own "### Prevention": the page's name
    for index, heading in enumerate(doc.sections):
        own = owns[index]
        parent = infos[heading.parent] if 0 <= heading.parent < index else None
        purpose: Purpose
        if (
            own is None
            and parent is not None
            and parent.purpose == "timeline"
            and not _TIMESTAMPISH.search(heading.title)
        ):
            purpose = "narrative"  # "## Root Cause" under a "# Timeline" that was meant as a sibling
        elif own is None:
            purpose = parent.purpose if parent else "narrative"
        elif own == "response" and parent is not None and parent.purpose == "followup":
            purpose = "followup"  # "Mitigation" under "Action items" is a group of follow-ups
        else:
            purpose = own
        info = SectionInfo(title=heading.title, purpose=purpose, notes=bool(_NOTES_HEADING.search(heading.title)))
        if purpose == "followup":
            title = heading.title
            info.done = bool(_DONE_HEADING.search(title) and not _NOT_DONE_HEADING.search(title)) or bool(
                parent and parent.purpose == "followup" and parent.done
            )
            inherited = parent if parent is not None and parent.purpose == "followup" else None
            info.due = item_fields.due_in_heading(title) or (inherited.due if inherited else None)
            info.owner = item_fields.owner(title) or (inherited.owner if inherited else None)
            info.tickets = item_fields.tickets(title, doc.definitions) or (inherited.tickets if inherited else [])
        infos.append(info)
    return infos


def _a_title_over_follow_ups(doc: Document, owns: list[Purpose | None]) -> bool:
    """Whether the document opens with its title (the one heading of the top level, over all the others) that only
    a lead word makes a follow-up section ("Code Fixes", "Improvements") while a section further down, under a
    heading of its own, is one in its own words: then the title names a page holding a write-up, and the sections
    under it keep no follow-up purpose from it."""
    headings = doc.sections[1:]
    if len(headings) < 2 or owns[1] != "followup" or _FOLLOWUP.search(headings[0].title):
        return False  # "# Action items", "# Remediation": the page is the follow-up list, sub-headings and all
    top = min(heading.level for heading in headings)
    if headings[0].level != top or any(heading.level == top for heading in headings[1:]):
        return False
    # The follow-up section is the write-up's own, under a heading of the page ("## Block production halt" over
    # "### Prevention"): a follow-up section right under the title is one part of a plan the page is.
    return any(
        own == "followup" and doc.sections[doc.sections[n].parent].parent >= 1 for n, own in enumerate(owns[2:], 2)
    )
