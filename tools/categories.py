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

from .lint import deliverable

_TERMS: Final[dict[Category, tuple[tuple[str, int], ...]]] = {
    Category.PROCESS: (
        (r"document(?:s|ed|ing|ation)?", 3), (r"docs?(?!\.\w)", 2), (r"runbooks?", 3), (r"playbooks?", 3),
        (r"wiki", 2), (r"train(?:ing|ed)?", 3), (r"drills?", 3), (r"on-?call", 3), (r"rotations?", 2),
        (r"incident[- ](?:response|management|commander|process|review)", 3), (r"post-?mortems?", 2),
        (r"retrospectives?", 2), (r"communicat(?:e|ion|ions|ing)", 3), (r"customers?", 1),
        (r"announce(?:ments?)?", 2), (r"polic(?:y|ies)", 3), (r"guidelines?", 3), (r"procedures?", 3),
        (r"process(?:es)?", 2), (r"prioriti[sz](?:e|ation|ed)", 3), (r"onboard(?:ing)?", 3),
        (r"escalat(?:e|ion)", 2), (r"checklists?", 2), (r"handbook", 3), (r"hand-?off", 2),
        (r"status\s+updates?", 2), (r"notify\s+the", 2), (r"staffing|hiring|headcount", 2),
        (r"declare\s+(?:an\s+)?incidents?", 3), (r"aware(?:ness)?", 2), (r"liais(?:e|ing|on)", 2),
        (r"support\s+teams?", 2), (r"squads?", 1), (r"council", 3), (r"governance", 3), (r"blog(?:\s+posts?)?", 3),
        (r"public\s+(?:post|report)", 3), (r"channels?", 2), (r"get(?:ting)?\s+hold\s+of", 3),
        (r"team\s+members?", 2),
        (r"owners?\s+files?", 2), (r"check\s+ins?", 1), (r"meetings?", 2), (r"decisions?", 1), (r"risks?", 1),
        (r"instruct(?:ions?)?", 2),
        (r"update\s+(?:our\s+|the\s+)?status(?:\.io)?\s+page", 4), (r"strike\s+team|team\s+formation", 3),
        (r"deployment\s+(?:strategy|procedures?|process)", 3), (r"incident\s+report", 3), (r"write[- ]?up", 2),
    ),
    Category.DETECT: (
        (r"monitor(?:s|ed|ing)?", 3), (r"alert(?:s|ed|ing)?", 3), (r"alarms?", 3), (r"dashboards?", 3),
        (r"metrics?", 2), (r"instrument(?:ation|ed|ing)?", 3), (r"observability", 3), (r"paged?|paging", 2),
        (r"detect(?:s|ed|ion|ing)?", 3), (r"status\s+page", 3), (r"synthetic", 2), (r"probes?\s+for", 1),
        (r"consistency\s+checks?", 3), (r"anomal(?:y|ies)", 2), (r"visibility", 1), (r"telemetry", 2),
        (r"slos?", 1), (r"canar(?:y|ies)", 2), (r"heartbeats?", 2), (r"uptime", 2),
        (r"tracing|traces", 2), (r"verif(?:y|ication)\s+(?:of\s+)?(?:the\s+)?deploy", 3),
    ),
    Category.MITIGATE: (
        (r"roll\s?back(?:s)?|rolling\s+back", 3), (r"revert(?:s|ing)?", 2), (r"recover(?:y|ies|ing)?", 3),
        (r"restor(?:e|es|ing|ation)", 2), (r"fail\s?over", 3), (r"runtime\s+config(?:uration|urable)?", 3),
        (r"configurable", 2), (r"kill[- ]switch(?:es)?", 3), (r"self[- ]heal(?:ing)?", 3),
        (r"logging", 2), (r"diagnos(?:e|is|tics?|ing)", 3), (r"debug(?:ging)?", 2), (r"troubleshoot(?:ing)?", 2),
        (r"health[- ]?checks?", 3), (r"liveness|readiness", 3), (r"rapid(?:ly)?|faster|quick(?:er|ly)", 2),
        (r"terminat(?:e|ion|ing)", 1), (r"backups?", 2), (r"investigat(?:e|ion)", 1), (r"time\s+to\s+recover", 3),
        (r"mttr", 3), (r"inventor(?:y|ies)", 2), (r"upgrade\s+notifications?", 2),
        (r"hotfix(?:es)?|fix\s+to\s+release", 2),
        (r"during\s+(?:an\s+)?incidents?", 1), (r"break[- ]glass", 3), (r"manual\s+override", 2),
    ),
    Category.PREVENT: (
        (r"prevent(?:s|ion|ing)?", 2), (r"tests?|testing", 2), (r"validat(?:e|ion|ing)", 1), (r"guards?", 2),
        (r"limits?|quotas?", 2), (r"capacity", 2), (r"isolat(?:e|ion)", 2), (r"separat(?:e|ion)", 1),
        (r"redundan(?:t|cy)", 2), (r"circuit\s+breakers?", 3), (r"backoff", 2), (r"rate[- ]limit(?:s|ing)?", 2),
        (r"enforce(?:ment|d)?", 2), (r"2fa|mfa|two-factor", 2), (r"branch\s+protection", 3),
        (r"required?\s+reviews?|mandatory\s+reviews?|manual\s+reviews?", 3), (r"permissions?", 1),
        (r"fix(?:es|ed)?", 1),
        (r"clean-?\s?up", 1), (r"bug\s+bounty", 2), (r"code-?owners?", 3), (r"staging", 2), (r"beta", 1),
        (r"migrat(?:e|ion)", 1), (r"phased|staged|gradual(?:ly)?|incremental(?:ly)?", 2),
        (r"release\s+(?:to\s+production|increase)", 2),
    ),
}
# One alternation per category, each term a named group, so a text is scanned four times, not a hundred.
_COMPILED: Final = {
    cat: re.compile("|".join(rf"(?P<t{n}>\b(?:{pattern})\b)" for n, (pattern, _) in enumerate(terms)), re.IGNORECASE)
    for cat, terms in _TERMS.items()}
_WEIGHTS: Final = {cat: {f"t{n}": weight for n, (_, weight) in enumerate(terms)} for cat, terms in _TERMS.items()}


def _leads(pattern: str) -> list[str] | None:
    """The literal start of each top-level alternative of a term, or None when one has none."""
    depth, parts, start = 0, [], 0
    for i, ch in enumerate(pattern):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    leads = []
    for part in parts:
        lead = re.match(r"[a-z0-9]*", part).group(0)  # type: ignore[union-attr]
        if part[len(lead):len(lead) + 1] in ("?", "*", "{"):
            lead = lead[:-1]  # "slos?": the last letter is optional
        if len(lead) < 2:
            return None
        leads.append(lead)
    return leads


# A category's pattern runs only when one of its terms' literal starts occurs in the text: most action texts
# touch one or two categories, and the alternation is the costly part.
_PREFILTER: Final = {cat: None if any(_leads(p) is None for p, _ in terms)
                     else tuple(sorted({lead for p, _ in terms for lead in _leads(p) or ()}))
                     for cat, terms in _TERMS.items()}
# Ties go to the more specific purpose; prevent is what remains.
_ORDER: Final = (Category.PROCESS, Category.DETECT, Category.MITIGATE, Category.PREVENT)
# An exploratory opening verb says how the work starts, not what it is for.
_LEAD_VERB: Final = re.compile(r"^\s*(?:investigate|look\s+into|consider|explore|evaluate)\b", re.IGNORECASE)


def categorise(text: str, core: str | None = None) -> tuple[Category, list[str]]:
    """Suggest a category for an action text and return the words that drove it.

    Words in the deliverable (`core`, by default the text's first clause) count double; the rest of the
    text (its reason, a title) counts once. With no signal at all the suggestion is `prevent` and the
    word list is empty.
    """
    core = _LEAD_VERB.sub("", deliverable(core if core is not None else text))
    rest = _LEAD_VERB.sub("", " ".join(text.split()))
    scores: dict[Category, int] = dict.fromkeys(_ORDER, 0)
    words: dict[Category, list[str]] = {cat: [] for cat in _ORDER}
    lowered = rest.lower()
    for cat, pattern in _COMPILED.items():
        leads = _PREFILTER[cat]
        if leads is not None and not any(lead in lowered for lead in leads):
            continue
        weights = _WEIGHTS[cat]
        in_core: dict[str, int] = {}
        for m in pattern.finditer(core):
            in_core[m.lastgroup or ""] = in_core.get(m.lastgroup or "", 0) + 1
        in_all: dict[str, int] = {}
        for m in pattern.finditer(rest):
            in_all[m.lastgroup or ""] = in_all.get(m.lastgroup or "", 0) + 1
            words[cat].append(m.group(0).lower())
        for term, count in in_all.items():
            core_count = in_core.get(term, 0)
            scores[cat] += weights[term] * (core_count + (1 if count > core_count else 0))
    best = max(_ORDER, key=lambda cat: (scores[cat], -_ORDER.index(cat)))
    if scores[best] == 0:
        return Category.PREVENT, []
    return best, list(dict.fromkeys(words[best]))
