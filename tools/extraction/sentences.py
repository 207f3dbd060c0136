"""Sentences, and what a sentence says: a commitment, an imperative task, a completed step, advice, a counterfactual.

These are the language cues of the labelling guide: follow-ups are future work the authors commit to or
propose ("we will", "we need to", "should", "plan to", "the longer-term fix is to", a task in the
imperative); steps already taken, advice to readers, rejected proposals, counterfactuals ("should have")
and generic reassurance are not.
"""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.tools.extraction.prefilter import Guarded, alternation, case_blind, folded

_ABBREVIATIONS: Final = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "approx",
        "mr",
        "mrs",
        "ms",
        "dr",
        "no",
        "nos",
        "inc",
        "ltd",
        "st",
        "fig",
        "cf",
        "al",
        "resp",
        "incl",
        "esp",
        "min",
        "max",
        "sec",
    ]
)
# Starts only at the first mark of a run, so a run of a million dots is scanned once, not a million times. The
# mark comes first and the look back after it, so the engine jumps from mark to mark instead of trying every
# position ("(?<![.!?])[.!?]" is the same test, but it cannot be skipped to).
_BOUNDARY: Final = re.compile(r"[.!?](?<![.!?].)[.!?]*+[\"'”)\]*_`]*+(?=\s)")
_NEXT_START: Final = re.compile(
    r"\s+[\"'“‘(\[*_`]*[A-Z0-9@#]|\s+\((?=\s*(?:fixed|added|filed|done|completed|tracked|landed|merged|opened|"
    r"created|implemented|shipped|deployed)\b)"
)
_CLAUSE: Final = re.compile(r"[:;]\s+")

_PERSON: Final = r"(?:we|i)"
_TEAM: Final = r"(?:the\s+|our\s+)?[\w-]+\s+teams?"
# "will" and "'ll" count only before an action: "we'll have confidence", "we will be fine" are not work.
_WILL: Final = r"(?:will|'ll|shall)(?!\s+(?:have(?!\s+to)|be(?!\s+\w+ing\b)|know|see|feel|get|continue|not)\b)"
# The lasting changes work under way or begun names ("in the process of hardening", "begun revoking"), not the
# response's own steps (restoring, rolling back, monitoring, investigating).
_CHANGE_WORK: Final = (
    r"(?:retooling|decommissioning|migrating|replacing|rewriting|revoking|rotating|invalidating|removing|building|"
    r"implementing|introducing|redesigning|reworking|hardening|auditing|refactoring|consolidating|phasing\s+out|"
    r"deprecating|retiring|moving|transitioning|standardi[sz]ing|formali[sz]ing|strengthening|tightening|planning|"
    r"designing|developing|working\s+on)\b"
)
_MODAL: Final = (
    rf"(?:{_WILL}|are\s+going\s+to|'re\s+going\s+to|is\s+going\s+to|plans?\s+to|are\s+planning\s+(?:to|on)|"
    r"intends?\s+to|needs?\s+to|need\s+(?!to\b)(?=[a-z])|must|should(?!\s+be\s+able)|ha(?:ve|s)\s+to(?!\s+date\b)|would\s+like\s+to|"
    r"'d\s+like\s+to|aims?\s+to|hope\s+to|expect\s+to|are\s+committed\s+to|commit\s+to|"
    r"(?:are|'re|is)\s+(?:(?:now|also|currently|actively)\s+){0,2}(?:working\s+(?:closely\s+|hard\s+)?(?:on|to|towards?|"
    r"with\b[^.;!?]{0,150}?\bto\s+(?!be\b)\w+)|looking\s+(?:into|at)|"
    r"adding|building|implementing|rolling\s+out|migrating|introducing|planning|investigating|exploring|evaluating|"
    r"developing|creating|writing|updating|improving|reviewing|changing|moving|making|setting\s+up|"
    r"putting\s+in\s+place|preparing|designing|reworking|refactoring|automating|auditing|enabling|deploying|"
    # work under way that changes something: "we are also replacing the engine", "we're establishing a process"
    # (not "switching", "upgrading", "extending", "still working to restore": a status update does those "now",
    # nor "documenting": that is the write-up itself)
    r"replacing|establishing|hardening|decommissioning|rewriting|redesigning|strengthening|tightening|"
    r"transitioning|standardi[sz]ing|formali[sz]ing)|"
    rf"(?:are|'re|is)\s+(?:still\s+)?in\s+the\s+process\s+of\s+{_CHANGE_WORK}|"
    # work begun: "we have begun retooling", "we have also started the process of decommissioning"; not what the
    # response did or saw ("we have started rolling back", "started receiving reports")
    r"ha(?:ve|s)\s+(?:also\s+|now\s+|already\s+)?(?:begun|started)\s+(?:the\s+process\s+of\s+)?(?:\w+ly\s+)?"
    rf"{_CHANGE_WORK})"
)
# An organisation or a team as the subject: "The PSF is exploring ...", "Infra Team will ..." (capitalised names).
_ORGANISATION: Final = (
    r"(?-i:\b(?!(?:It|This|That|These|Those|There|They|He|She|Which|What|Who|Everything|Nothing|Something)\b)"
    r"(?:The\s+)?[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})\s+(?:(?:is|are)\s+(?:now\s+|currently\s+|actively\s+)?"
    r"(?:working\s+on|exploring|investigating|planning\s+to|evaluating|developing|implementing|rolling\s+out|"
    r"preparing\s+to)|plans\s+to|intends\s+to)\b"
)
# Every other form of commitment; in lower case, so it also runs case-sensitively over folded text (see
# prefilter.case_blind), which is several times faster than a case-blind search.
_COMMIT_REST: Final = (
    rf"\b(?:we|i)\b[^.;!?]{{0,200}}?\b(?:and|but)\s+(?:{_WILL}|plan\s+to|intend\s+to)\s+(?!be\s+able)\w+|"
    r"\bha(?:s|ve)\s+(?:some\s+)?(?:extra\s+|more\s+|additional\s+|further\s+|remaining\s+)?work\s+to\s+do\b|"
    r"\bremains?\s+a\s+priority\b|\bin\s+the\s+(?:near|coming)\s+(?:future|days|weeks|months)\b|"
    r"\bshould\s+be\s+(?!able\b)\w+(?:ed|en|ne|wn|ilt|ut|ade)\b|"
    r"\b(?:going|moving)\s+forward\b|\bnext\s+steps?\s+(?:is|are|will\s+be|include)\b|"
    r"\bin\s+(?:the\s+)?future,?\s+(?:we|i|all|every|the)\b|"
    r"\b(?:long(?:er)?[- ]term|permanent|proper|real|follow[- ]?up|remaining)\s+(?:fix|solution|remediation|work)\s+"
    r"(?:is|will\s+be)\s+to\b|"
    r"\b(?:needs?|has|have)\s+to\s+be\s+\w+(?:ed|en|ne|wn|ilt|ut|ade)\b|\b(?:would|will)\s+need\s+to\s+be\s+\w+|"
    r"\bwill\s+be\s+(?!able\b|back\b|available\b|affected\b)\w+(?:ed|en|ne|wn|ilt|ut|ade)\b|"
    r"\bis\s+being\s+tracked\b|\bremains?\s+to\s+be\s+done\b"
)
_COMMIT: Final = re.compile(rf"\b(?:{_PERSON}|{_TEAM})\s*{_MODAL}|{_COMMIT_REST}|{_ORGANISATION}", re.IGNORECASE)
# _COMMIT's other alternatives, over folded text; a team as the subject ("the SRE team will") only where "team" is,
# because trying it at every word costs as much as all the others together.
_COMMIT_FOLDED: Final = case_blind(rf"\b{_PERSON}\s*{_MODAL}|{_COMMIT_REST}")
_TEAM_COMMIT_FOLDED: Final = case_blind(rf"\b{_TEAM}\s*{_MODAL}")
_ORGANISATION_COMMIT: Final = Guarded(re.compile(_ORGANISATION, re.IGNORECASE))
# Every alternative of _COMMIT and _PROPOSAL_QUESTION contains one of these; most narrative sentences contain
# none, and looking for them is far cheaper than the alternation.
_HINTS: Final = (
    "will",
    "'ll",
    "shall",
    "going",
    "plan",
    "intend",
    "need",
    "must",
    "should",
    "have to",
    "has to",
    "like to",
    "aim",
    "hope",
    "expect",
    "commit",
    "working",
    "looking",
    "adding",
    "building",
    "implementing",
    "rolling",
    "migrating",
    "introducing",
    "investigating",
    "exploring",
    "evaluating",
    "developing",
    "creating",
    "writing",
    "updating",
    "improving",
    "reviewing",
    "changing",
    "moving",
    "making",
    "setting",
    "putting",
    "preparing",
    "designing",
    "reworking",
    "refactoring",
    "automating",
    "auditing",
    "enabling",
    "deploying",
    "replacing",
    "establishing",
    "hardening",
    "decommissioning",
    "rewriting",
    "redesigning",
    "strengthening",
    "tightening",
    "transitioning",
    "standardising",
    "standardizing",
    "formalising",
    "formalizing",
    "process of",
    "begun",
    "started",
    "forward",
    "next step",
    "future",
    "fix",
    "solution",
    "remediation",
    "work",
    "to be",
    "tracked",
    "priority",
    "coming",
    "could",
    "can ",
    "why",
)
# One pass over the text for all of them (a trie: each letter is read once), not a substring test for each.
_HINT: Final = re.compile(alternation(set(_HINTS)))
_FUTURE: Final = case_blind(r"\bwill\s+(?!continue\b|not\b|be\s+able\b)\w+|\bis\s+(?:scheduled|planned|due)\b")
_PROPOSAL_QUESTION: Final = case_blind(
    r"^\W*(?:should|could|can|shall)\s+we\b[^?]{8,}\?\W*$|^\W*why\s+(?:don't|not)\s+we\b"
)
_COUNTERFACTUAL: Final = Guarded(
    re.compile(
        r"\b(?:would|could|should|might|must)(?:\s+not|n't)?\s+have\s+\w+|\b(?:would|could|should|might)'ve\b|"
        r"\bhad\s+we\b|\bif\s+we\s+had\b|\bwe\s+(?:should|could)\s+not\s+have\b",
        re.IGNORECASE,
    )
)
# "The more we plan ahead, the less ...": a general statement, never a task.
_COMPARATIVE: Final = case_blind(
    r"^\W*the\s+(?:more|less|fewer|higher|lower|faster|slower|bigger|larger|greater|longer|sooner)\b[^.]{0,120}?,?\s+"
    r"the\s+(?:more|less|fewer|higher|lower|faster|slower|better|bigger|larger|greater|longer|sooner)\b"
)
# Proposals that only count inside a follow-up section: "X should ...", "It would be useful to have ...".
_SECTION_PROPOSAL: Final = Guarded(
    re.compile(
        r"\b(?:should|must|ought\s+to)\s+(?!have\s+been|not\s+have)\w+|\bit\s+would\s+(?:be\s+(?:useful|good|nice|helpful|"
        r"better|worth)|help)\b|"
        # a proposal stated as a solution: "A solution is for nodes to sync ...", "One fix would be to ..."
        r"\b(?:a|one|the)\s+(?:possible\s+|better\s+|simple\s+)?(?:solution|fix|remedy)\s+(?:is|would\s+be|could\s+be)\s+"
        r"(?:for|to)\b",
        re.IGNORECASE,
    )
)
STATUS_NOTE: Final = case_blind(
    r"^\W{0,3}\(\s*(?:fixed|added|filed|done|completed|tracked|landed|merged|opened|created|implemented|"
    r"shipped|deployed|in\s+progress)\b"
)
_ADVICE: Final = Guarded(re.compile(r"\b(?:you|your|yours|yourself)\b|\bplease\b", re.IGNORECASE))
_REJECTED: Final = Guarded(
    re.compile(
        r"\b(?:decided\s+(?:not|against)|rejected|ruled\s+out|won't|will\s+not|not\s+going\s+to|no\s+plans?\s+to|"
        r"do\s+not\s+plan|don't\s+plan|chose\s+not|opted\s+(?:not|against)|instead\s+of\s+\w+ing)\b",
        re.IGNORECASE,
    )
)
_GENERIC: Final = Guarded(
    re.compile(
        r"\b(?:(?:will|shall)\s+continue\s+to|take\s+(?:\S+\s+){0,8}?seriously|(?:are|remain)\s+committed\s+to\s+(?:the\s+)?"
        r"(?:security|reliability|transparency|privacy|our))\b|\bapologi[sz]e\b|\bsorry\b|"
        r"\bcommitted\s+to\s+(?:keeping|continuing|maintaining|providing|being|making)\b|"
        # learning from it, with nothing else said ("..., and we will add alerting" is a commitment)
        r"\bcommitted\s+to\s+learning\b[^,;]*$|"
        # thanks in the form of a wish: "I would like to extend thanks to ...", "we'd like to thank ..."
        r"\blike\s+to\s+(?:thank|(?:extend|express|offer|give|say)\s+(?:\w+\s+){0,2}?(?:thanks|gratitude|appreciation))\b",
        re.IGNORECASE,
    )
)
_DONE_STEP: Final = case_blind(
    # "\W*+" takes every leading mark at once: given back one by one to the words after it, a long run of spaces
    # made the match quadratic
    r"^\W*+(?:(?:we|i)(?:'ve|\s+have)|[\w\s`-]{1,80}?\s+(?:has|have)\s+been)\s+(?:already\s+|now\s+|since\s+)?\w+(?:ed|en|wn|ilt|ut|ade)\b"
)
_DONE_PROSE: Final = Guarded(re.compile(r"\balready\b|\bhave\s+since\b|\bhas\s+since\b", re.IGNORECASE))

_VERBS: Final = (
    "add|adopt|agree|alert|allow|always|arrange|ask|avoid|be|coordinate|contact|decide|deliver|gather|get|involve|"
    "know|liaise|never|practi[cs]e|reach\\s+out|rehearse|remember|report|revert|scale|think|try|watch|"
    "analy[sz]e|archive|assign|audit|automate|back\\s?fill|block|build|bump|cap|change|check|"
    "clarify|clean\\s?up|codify|communicate|configure|consider|consolidate|create|deduplicate|define|delete|deploy|"
    "deprecate|design|detect|develop|disable|document|draft|drop|educate|enable|encourage|enforce|ensure|establish|"
    "evaluate|generate|"
    "expand|explore|expose|extend|figure\\s+out|fix|follow\\s+up|harden|have|hire|hold|implement|improve|increase|"
    "instrument|integrate|introduce|investigate|isolate|keep|limit|look\\s+into|lower|maintain|make|make\\s+sure|"
    "migrate|minimi[sz]e|monitor|move|notify|optimi[sz]e|organi[sz]e|page|patch|pin|prepare|prevent|prioriti[sz]e|"
    "provide|publish|raise|rate[- ]limit|re-?enable|re-?evaluate|reduce|refactor|reject|remove|rename|replace|"
    "require|research|restrict|retire|review|revisit|revise|rewrite|roll\\s+out|rotate|run|schedule|separate|"
    "set|set\\s?up|share|ship|simplify|split|standardi[sz]e|start|stop|switch|teach|test|track|train|tune|turn|"
    "update|upgrade|use|validate|verify|write"
)
_IMPERATIVE: Final = case_blind(
    rf"^[\W_]{{0,6}}(?:(?:also|additionally|finally|then|further(?:more)?|in\s+particular|in\s+addition|and|"
    rf"separately|second(?:ly)?|next),?\s+){{0,2}}"
    # a manner adverb before the verb ("Regularly audit ...", "Automatically create ..."), a "pre-" on it
    rf"(?:[a-z]{{3,20}}ly\s+)?(?:pre-?)?(?:{_VERBS})\b(?!\s+(?:been|had|to\s+be)\b)"
)


# A status page's update ("**Notice**: ...", "Update: ..."): the response as it went, told as it happened
# (extractor._status_updates: only where the document is a log of them).
STATUS_UPDATE: Final = case_blind(r"^\W{0,4}(?:notice|update|resolved|investigating|identified|monitoring)\W{0,4}:")
# What in such an update still outlasts the incident: "... to prevent a recurrence", "going forward".
LASTING: Final = Guarded(
    re.compile(
        r"\b(?:prevent\w*|recurr\w*|re-?occurr\w*|again|in\s+the\s+future|going\s+forward|long[\s-]term|"
        r"permanent(?:ly)?)\b",
        re.IGNORECASE,
    )
)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the sentences in text[start:end], ignoring full stops in abbreviations, versions and names."""
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end()
        word = text[max(pos, match.start() - 8) : match.start()].rsplit(None, 1)
        last = word[-1].lower().lstrip("(") if word else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        if not _NEXT_START.match(text, stop, end):
            continue
        spans.append((pos, stop))
        pos = stop
    spans.append((pos, end))
    result: list[tuple[int, int]] = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence cut at colons and semicolons, when more than one part states a commitment of its own."""
    parts: list[tuple[int, int]] = []
    pos = start
    for match in _CLAUSE.finditer(text, start, end):
        parts.append((pos, match.start()))
        pos = match.end()
    parts.append((pos, end))
    if len(parts) == 1:
        return [(start, end)]
    committed = [p for p in parts if _COMMIT.search(text, p[0], p[1])]
    return committed if len(committed) > 1 else [(start, end)]


def _commits(sentence: str, lowered: str) -> bool:
    """What `bool(_COMMIT.search(sentence))` says, from `lowered` (= `folded(sentence)`) where it can."""
    return bool(
        _COMMIT_FOLDED.search(lowered)
        or ("team" in lowered and _TEAM_COMMIT_FOLDED.search(lowered))
        or _ORGANISATION_COMMIT.found(sentence, lowered)
    )


def is_commitment(sentence: str, lowered: str | None = None) -> bool:
    """Whether a sentence of narrative commits the authors to (or proposes) future work.

    `lowered` is `prefilter.folded(sentence)` when the caller has it."""
    lowered = folded(sentence) if lowered is None else lowered
    # Every commitment holds a hint word; most sentences of a story hold none.
    if _HINT.search(lowered if sentence.isascii() else sentence.lower()) is None:
        return False
    if is_excluded(sentence, lowered) or _DONE_PROSE.found(sentence, lowered):
        return False
    return _commits(sentence, lowered) or bool(_PROPOSAL_QUESTION.match(lowered))  # anchored: match, not search


def is_future_with(sentence: str, lowered: str | None = None) -> bool:
    """Whether a sentence speaks of the future ('will ...', 'is scheduled'), for pairing with a stated date.

    `lowered` is `prefilter.folded(sentence)` when the caller has it."""
    lowered = folded(sentence) if lowered is None else lowered
    if not _FUTURE.search(lowered):
        return False
    return not (
        _COUNTERFACTUAL.found(sentence, lowered)
        or _ADVICE.found(sentence, lowered)
        or _REJECTED.found(sentence, lowered)
        or _GENERIC.found(sentence, lowered)
    )


def is_imperative(sentence: str) -> bool:
    """Whether a sentence starts with a task verb ('Add alerts ...', 'In particular, have tests ...')."""
    return bool(_IMPERATIVE.match(folded(sentence)))


def is_task_like(sentence: str) -> bool:
    """A sentence of a follow-up section that states a task: an imperative, a commitment, or a step taken
    ('We have added ...'), not an explanation or an umbrella ('The following items ...')."""
    lowered = folded(sentence)
    if is_excluded(sentence, lowered):
        return False
    return (
        bool(_IMPERATIVE.match(lowered))
        or _commits(sentence, lowered)
        or bool(_DONE_STEP.match(lowered))
        or _SECTION_PROPOSAL.found(sentence, lowered)
    )


def is_excluded(sentence: str, lowered: str | None = None) -> bool:
    """Advice to readers, counterfactuals, rejected proposals and generic reassurance: never actions.

    `lowered` is `prefilter.folded(sentence)` when the caller has it."""
    lowered = folded(sentence) if lowered is None else lowered
    return bool(
        _ADVICE.found(sentence, lowered)
        or _COUNTERFACTUAL.found(sentence, lowered)
        or _REJECTED.found(sentence, lowered)
        or _GENERIC.found(sentence, lowered)
        or _COMPARATIVE.match(lowered)
    )  # anchored at the start: a search would try every position
