"""Suggesting an action's category from its wording, with the words that drove the suggestion.

prevent: lowers the chance of recurrence (the default: fixes, guards, tests, capacity, isolation, enforced
controls). detect: shortens time to detect (monitoring, alerts, dashboards, checks that page). mitigate:
shortens time to recover or diagnose (rollback, recovery tooling, runtime settings, logs for diagnosis,
faster health checks). process: documentation, runbooks, training, communication, on-call and incident
practice, written policies. Documentation is process even when it speeds recovery.
"""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.store.records import Category
from postmortem_actions.tools.extraction.category_terms import TERMS
from postmortem_actions.tools.extraction.lint import deliverable
from postmortem_actions.tools.extraction.prefilter import alternation, case_blind, folded


def _alternatives(pattern: str) -> list[str]:
    """A term's top-level alternatives ("paged?|paging" -> ["paged?", "paging"])."""
    depth, parts, start = 0, [], 0
    for i, ch in enumerate(pattern):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _leads(pattern: str) -> list[str] | None:
    """The literal start of each top-level alternative of a term, or None when one has none."""
    leads = []
    for part in _alternatives(pattern):
        lead = re.match(r"[a-z0-9]*", part).group(0)  # type: ignore[union-attr]
        if part[len(lead) : len(lead) + 1] in ("?", "*", "{"):
            lead = lead[:-1]  # "slos?": the last letter is optional
        if len(lead) < 2:
            return None
        leads.append(lead)
    return leads


def _by_first_letter(terms: tuple[tuple[str, int], ...]) -> re.Pattern[str]:
    """One category's terms as a case-sensitive alternation over folded text, branched on a term's first letter.

    Same matches, in the same order of preference, as `\\b(?:term)\\b` tried term by term: at a given position
    only the terms that start with its letter can match, so the others are not tried there. Group
    `t{n}_{letter}` is term n.
    """
    branches: dict[str, list[str]] = {}
    for n, (pattern, _) in enumerate(terms):
        if _leads(pattern) is None:
            raise ValueError(f"the category term {pattern!r} must start each alternative with two literal characters")
        parts = _alternatives(pattern)
        for first in dict.fromkeys(part[0] for part in parts):
            rests = "|".join(part[1:] for part in parts if part[0] == first)
            branches.setdefault(first, []).append(rf"(?P<t{n}_{first}>(?:{rests})\b)")
    # (?<!\w.): the letter just read starts a word, as the leading \b of a term requires.
    return re.compile("|".join(rf"{first}(?<!\w.)(?:{'|'.join(alts)})" for first, alts in branches.items()))


# Ties go to the more specific purpose; prevent is what remains.
_ORDER: Final = (Category.PROCESS, Category.DETECT, Category.MITIGATE, Category.PREVENT)
_COMPILED: Final = {cat: _by_first_letter(TERMS[cat]) for cat in _ORDER}
_WEIGHTS: Final = {cat: {f"t{n}": weight for n, (_, weight) in enumerate(terms)} for cat, terms in TERMS.items()}
_WEIGHTS[Category.PROCESS]["rule"] = 3  # a standing rule (_with_rule) weighs like "policy"
# A term starts a word with its lead (its literal first letters), so one pass finding the words that open with a
# lead shows where each category can have a term, and its pattern is tried only there: a pass per category,
# or an alternation tried at every word, costs several times as much.
_CATEGORY_LEADS: Final = {cat: {lead for p, _ in terms for lead in _leads(p) or ()} for cat, terms in TERMS.items()}
_ANY_LEAD: Final = re.compile(r"\b" + alternation(set().union(*_CATEGORY_LEADS.values())))
# The longest lead a word opens with stands for all its leads, which are its prefixes.
_CATEGORIES_AT: Final = {
    lead: tuple((cat, _COMPILED[cat]) for cat in _ORDER if any(lead.startswith(x) for x in _CATEGORY_LEADS[cat]))
    for lead in set().union(*_CATEGORY_LEADS.values())
}
# What names written documentation whatever it is about; not "docs", "documents" or a "wiki", which are also data
# and systems that are recovered ("restore the deleted documents", "recovery for the wiki database").
_DOC_WORDS: Final = re.compile(r"document|runbook|playbook|handbook|guide|write")
_DOCUMENT_NOUN: Final = re.compile(r"documents?\b")
_DOCUMENTATION_TERMS: Final = frozenset(
    f"t{n}" for n, (pattern, _) in enumerate(TERMS[Category.PROCESS]) if _DOC_WORDS.match(pattern)
)
_TERM_OF: Final = {name: name.partition("_")[0] for pattern in _COMPILED.values() for name in pattern.groupindex}
# Texts with non-ASCII characters keep the earlier prefilter, a term's letters in `str.lower()` of the text: it
# misses what re.IGNORECASE folds ("ſ" for "s"), and every text must get the category it always got.
_LEADS: Final = {cat: tuple(sorted(leads)) for cat, leads in _CATEGORY_LEADS.items()}
# An exploratory opening verb says how the work starts, not what it is for.
_LEAD_VERB: Final = case_blind(r"^\s*(?:investigate|look\s+into|consider|explore|evaluate)\b")
_LEAD_VERB_FIRST: Final = frozenset("iIlLcCeE\u0130\u0131")  # what folds to the verbs' first letters
_Hits = dict[Category, list[tuple[str, int, int]]]
_STANDING_RULE: Final = case_blind(
    r"[\W_]{0,4}(always|never|avoid|do\s+not|don't|must\s+not|if\s+you\s+(?:just\s+)?need\s+to)\b"
    # "Always be in multi-master", "never have one replica": a state of the system, a design choice, not a rule
    r"(?!\s+(?:be|have|keep)\b|\s+(?:be\s+)?(?:allow|show|let|accept|permit|"
    r"expose|serve|load|return|send|store|log|display|cache|render|print|break|fail|crash)\w*)"
)
_RULE_FIRST: Final = frozenset("aAnNdDmMiI*_-([\"'“")  # what a standing rule's text can start with
_WORD_AFTER_DOT: Final = re.compile(r"\.\w")


def term_matches(lowered: str) -> _Hits:
    """Each category's terms in a folded text, as (term, start, end): what a search for the category's terms,
    resumed after each match, finds."""
    found: _Hits = {}
    ends: dict[Category, int] = {}
    for lead in _ANY_LEAD.finditer(lowered):
        at = lead.start()
        for cat, pattern in _CATEGORIES_AT[lead.group()]:
            if at < ends.get(cat, 0):
                continue  # inside the category's previous match, where a search would not look
            hit = pattern.match(lowered, at)
            if hit is not None:
                found.setdefault(cat, []).append((_TERM_OF[hit.lastgroup or ""], at, hit.end()))
                ends[cat] = hit.end()
    return found


def _without_lead_verb(text: str) -> str:
    if text.lstrip()[:1] not in _LEAD_VERB_FIRST:
        return text  # none of the verbs starts the text: the pattern is not run
    lead = _LEAD_VERB.match(folded(text))  # anchored: at most one match, at the start
    return text[lead.end() :] if lead else text


def _counts(hits: list[tuple[str, int, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for term, _, _ in hits:
        counts[term] = counts.get(term, 0) + 1
    return counts


def _in_prefix(found: _Hits, core: str, rest: str) -> _Hits | None:
    """The terms `term_matches` finds in `core` when it is a prefix of `rest` (taken from those found in `rest`),
    or None when that cannot be told from them.

    A search of the prefix sees what a search of the whole sees up to a word's end, and every term stops at a word's
    end: the prefix's terms are the whole's that end within it, unless one runs across its end."""
    size = len(core)
    if not rest.startswith(core) or (
        (size < len(rest) and rest[size] not in " ,;:!?.") or _WORD_AFTER_DOT.match(rest, size)
    ):
        return None  # the deliverable ends where a term cannot go on ("docs.x" ends no term that "docs" ends)
    within: _Hits = {}
    for cat, hits in found.items():
        kept = [hit for hit in hits if hit[2] <= size]
        if len(kept) < len(hits) and hits[len(kept)][1] < size:
            return None  # a term runs across the end of the prefix: the prefix alone may hold a shorter one
        if kept:
            within[cat] = kept
    return within


def _with_rule(found: _Hits, text: str) -> _Hits:
    """`found` with a process hit for a standing rule the text opens with ("Avoid ...", "Always ...", "Do not
    pull ..."): the guide files written rules under process. "Do not allow/show ..." says what a system must not
    do, which is a change to it, not a rule for people."""
    if text[:1] not in _RULE_FIRST:
        return found
    rule = _STANDING_RULE.match(folded(text))
    if rule is not None:
        found.setdefault(Category.PROCESS, []).insert(0, ("rule", rule.start(1), rule.end(1)))
    return found


def categorise(text: str, core: str | None = None) -> tuple[Category, list[str]]:
    """Suggest a category for an action text and return the words that drove it.

    Words in the deliverable (`core`, by default the text's first clause) count double; the rest of the
    text (its reason, a title) counts once. With no signal at all the suggestion is `prevent` and the
    word list is empty.
    """
    rest = _without_lead_verb(" ".join(text.split()))
    found = _with_rule(term_matches(folded(rest)), rest)
    if found and not rest.isascii():
        lowered = rest.lower()
        found = {cat: hits for cat, hits in found.items() if any(lead in lowered for lead in _LEADS[cat])}
    if not found:
        return Category.PREVENT, []
    if len(found) == 1:  # every term weighs more than nothing: the one category found wins, whatever the deliverable
        best = next(iter(found))
        if best != Category.PREVENT and all(_WEIGHTS[best][term] < 2 for term, _, _ in found[best]):
            return Category.PREVENT, []  # one faint hint ("risk", "customers") does not outweigh the default
        return best, list(dict.fromkeys(rest[start:end].lower() for _, start, end in found[best]))
    core = _without_lead_verb(deliverable(core if core is not None else text))
    # Most items are one clause: their deliverable is the whole text, and its terms are the ones just found.
    in_core = found if core == rest else _in_prefix(found, core, rest)
    if in_core is None:
        in_core = _with_rule(term_matches(folded(core)), core)
    best, top = Category.PREVENT, 0
    for cat in _ORDER:  # ties go to the category earlier in _ORDER
        hits = found.get(cat)
        if hits is None:
            continue
        weights, core_counts = _WEIGHTS[cat], _counts(in_core[cat]) if cat in in_core else {}
        score = 0
        for term, count in _counts(hits).items():
            inside = core_counts.get(term, 0)
            score += weights[term] * (inside + (count > inside))
        if score > top:
            best, top = cat, score
    if top == 0:
        return Category.PREVENT, []
    if best == Category.MITIGATE and _documents(in_core.get(Category.PROCESS, ()), folded(core)):
        best = Category.PROCESS  # the guide: documentation is process even when its purpose is faster recovery
    return best, list(dict.fromkeys(rest[start:end].lower() for _, start, end in found[best]))


def _documents(hits: list[tuple[str, int, int]] | tuple[()], lowered: str) -> bool:
    """Whether process terms found in a deliverable (`lowered`, folded) include a documentation term: a runbook, a
    guide, documentation; "document" only as the verb that opens it ("Document the restore steps")."""
    return any(
        term in _DOCUMENTATION_TERMS and (start == 0 or not _DOCUMENT_NOUN.match(lowered, start))
        for term, start, _ in hits
    )
