"""The vagueness linter: does an action item have a finish line?

An item is vague when nobody could say it is done: it names an activity rather than a result
("investigate", "look into"), an improvement without a target ("improve", "better", "more"), an open
list ("etc."), a priority or intention without a deliverable, or no object at all. Only the item's
deliverable is judged: a purpose or rationale clause ("so others can look into issues", "in order to get
more visibility") explains why, and its wording does not make the item vague.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from postmortem_actions.tools.extraction.models import LintFinding, LintKind, LintResult, built
from postmortem_actions.tools.extraction.prefilter import Guarded, case_blind, folded, straight_apostrophes

# Where the deliverable ends and the reason begins. Every pattern is linear: alternations of words.
_PURPOSE: Final = case_blind(  # run over folded text: case-sensitive alternatives are tried faster
    r"(?:,|;|:|\s)\s*(?:so\s+that|so(?!\s+(?:on|forth)\b)|in\s+order\s+to|in\s+order\s+for|such\s+that|because|since|as\s+we|which|"
    r"to\s+(?:ensure|make\s+sure|help|allow|avoid|prevent|reduce|catch|monitor|detect|validate|accommodate|"
    r"remove|notify|let|enable|keep|protect|guarantee|stop|speed|give|get|support|make|better|more|further|"
    r"capture|identify|find|learn|see|know|confirm|check|verify|increase|handle|serve|cover|track|improve|"
    r"investigate|understand|diagnose|debug))\b"
)
# The mark, then a look back at the character before it: the engine skips from mark to mark.
_SENTENCE_END: Final = re.compile(r"[.!?](?<=[a-z0-9)`\]].)(?:\s|$)")

_RULES: Final[tuple[tuple[LintKind, re.Pattern[str], str, str], ...]] = (
    (
        "exploratory",
        re.compile(
            r"\b(?:investigat(?:e|es|ing)|^(?:an?\s+)?investigation|look(?:ing)?\s+into|consider(?:ing)?|explor(?:e|ing)|evaluat(?:e|ing)|"
            r"assess(?:ing)?|research(?:ing)?|figure\s+out|think(?:ing)?\s+(?:about|through)|brainstorm(?:ing)?|"
            r"discuss(?:ing)?|entertain(?:ed|ing)?|ideas\s+(?:on|for|about)|yet\s+to\s+(?:settle|decide|find)|"
            r"what\s+we\s+can\s+do|(?:identify|find|determine)\s+the\s+(?:root\s+)?causes?|root[\s-]cause\s+analysis|determine\s+(?:whether|if|how)|see\s+(?:whether|if)|understand|study|"
            # opening the item, not a purpose ("Add a panel to determine why requests are retried" has a result)
            r"^\W*(?:debug(?:ging)?|determin(?:e|ing))\s+(?:why|what)|"
            r"try(?:ing)?\s+(?:out\s+)?(?:several|some|a\s+few|different)\s+(?:ideas|options|approaches)|"
            r"something\s+(?:about|for|like)|options\s+for|possibilit(?:y|ies)\s+of|work\s+out|"
            # "review" as the task, with no set it runs over ("review who has access" has one): a review is never done
            r"(?:^\W*|\b(?:will|'ll|must|should|to|and|also)\s+)review(?:ing)?(?!\s+(?:who|which|whether|each|every|all)\b))\b",
            re.IGNORECASE,
        ),
        "it names an activity, not a result: an investigation or a discussion is never clearly finished",
        "the decision or artifact it must produce (e.g. a written recommendation with a date, or the concrete fix "
        "once it is known)",
    ),
    (
        "unbounded",
        re.compile(
            r"\b(?:improv(?:e|es|ed|ing|ements?)|better|(?<!\ba\s)(?<!\ban\s)more(?!\s+than\s+\d|\s+\w+ly\b|\s+of\b)|further|"
            r"broader|wider|(?:^\W*|\b(?:will|'ll|to|and|should|must)\s+)expand|(?<![-_`])(?:easier|simpler|safer)(?![-_`])|"
            r"^(?:reduce|shorten|speed\s+up|decrease|lower)|strive|enhanc(?:e|es|ed|ing)|"
            r"optimi[sz](?:e|es|ing)|minimi[sz](?:e|es|ing)|maximi[sz](?:e|es|ing)|as\s+much\s+as\s+possible|"
            r"where\s+possible|(?:more\s+)?robust(?:ness)?)\b",
            re.IGNORECASE,
        ),
        "an improvement without a target has no finish line: any change counts and none completes it",
        "the concrete change and its target: which alert, check or component, and the threshold or value it must reach",
    ),
    (
        "etc",
        re.compile(r"\betc\b\.?|\band\s+so\s+(?:on|forth)\b|\bamong\s+others\b|\band\s+more\b|\.\.\.|…", re.IGNORECASE),
        "an open list ('etc.') cannot be completed: nobody can say when every item is covered",
        "the complete list of what it covers",
    ),
    (
        "intent_only",
        re.compile(
            r"\b(?:prioriti[sz](?:e|es|ed|ing|ation)|remains?\s+a\s+priority|focus\s+on|make\s+\S+(?:\s+\S+)?\s+a\s+priority|"
            r"be\s+(?:more\s+)?(?:careful|mindful|vigilant)|pay\s+(?:more\s+)?attention|"
            r"keep\s+an\s+eye\s+on|(?:will\s+)?continue\s+to|take\s+\S+(?:\s+\S+)?\s+seriously|invest(?:ing)?\s+(?:more\s+)?in|"
            # "work on X", "encourage X to": an effort or a wish, with nothing that says it is done
            r"^\W*(?:we\s+(?:will|must|should|need\s+to)\s+)?work\s+on|encourag(?:e|es|ing))\b",
            re.IGNORECASE,
        ),
        "it states an intention or a priority, not a deliverable",
        "the deliverable that puts the intention into practice (a rule, a check, a scheduled task) and who owns "
        "or is paged for it",
    ),
)
_BLANKET: Final = re.compile(
    r"^(?:we\s+(?:will|must|should|need\s+to)\s+)?(?:make\s+sure|ensure|guarantee)\b[^.]*?"
    r"\b(?:all|every|everything|everyone|always|never|nothing|any)\b",
    re.IGNORECASE,
)
_CONCRETE_AND: Final = re.compile(
    r"\b(?:fix|add|set\s+up|setup|create|write|build|implement|configure|remove|replace)\s+and\s+"
    r"(?:improv|enhanc|tighten|harden)",
    re.IGNORECASE,
)
_BARE: Final = case_blind(
    r"^(?:we\s+(?:will|must|should|need\s+to)\s+)?(?:fix|address|handle|resolve|follow\s+up(?:\s+on)?|clean\s+up|"
    r"look\s+at|deal\s+with|sort\s+out|update|check|do|work\s+on|change)"
    r"(?:\s+(?:it|this|that|these|those|them|things?|the\s+(?:issue|problem|bug|gaps?)|everything))?\s*[.!]?$"
)
# A number of its own ("below 10%", "within 5 minutes"), not a digit inside a name ("e2e") or a ticket ("#123").
_ABOUT: Final = re.compile(r"\b(?:for|on|about|with|of|describing|covering)\s+(?:how\s+to\s+)?$", re.IGNORECASE)
_THRESHOLD: Final = re.compile(r"(?<![\w#-])\d+(?:[.,]\d+)?(?![\w-]*[a-z])|(?<![\w#-])\d+\s*(?:%|ms|s|m|h|d)\b")
_ASIDE: Final = re.compile(r"\([^()]{0,300}\)")
# Most actions hold none of the words a rule needs: those rules are not run over them.
_GUARDED_RULES: Final = tuple((kind, Guarded(pattern), why, needs) for kind, pattern, why, needs in _RULES)
_GUARDED_BLANKET: Final = Guarded(_BLANKET)


@lru_cache(maxsize=256)  # an item's text is judged for its category, its vagueness and its repeats in turn
def deliverable(text: str) -> str:
    """The part of an action that says what will exist when it is done: its first sentence, before any reason."""
    text = " ".join((_ASIDE.sub(" ", text) if "(" in text else text).split())
    if (end := _SENTENCE_END.search(text)) is not None and end.start() > 0:
        text = text[: end.start()]
    if (cut := _PURPOSE.search(folded(text))) is not None and cut.start() > 0:
        text = text[: cut.start()]
    return text.strip(" ,;:")


def lint_findings(text: str) -> list[LintFinding]:
    """The reasons `text` has no finish line (empty when it is concrete); judged on its deliverable only. A stored
    candidate keeps the document's "we’ll": it is judged as `extract` judged it, with "'"."""
    shown = deliverable(text)  # the words a finding quotes, with the author's apostrophes
    core = straight_apostrophes(shown)  # what the patterns read: same length, so a span of one is a span of the other
    lowered = folded(core)
    found: list[LintFinding] = []
    if _BARE.match(lowered) or len(core.split()) < 2:
        found.append(
            LintFinding(
                kind="no_object",
                words=shown or text.strip(),
                why="it does not say what is changed",
                needs="the artifact, system or document it changes, and the state it must reach",
            )
        )
    if (blanket := _GUARDED_BLANKET.span(core, lowered)) is not None:
        found.append(
            LintFinding(
                kind="unbounded",
                words=shown[blanket[0] : blanket[1]],
                why="a promise about everything ('make sure all ...') names an outcome, not a task with an end",
                needs="the concrete list it covers, or the mechanism (check, alert, review) that enforces it",
            )
        )
    for kind, pattern, why, needs in _GUARDED_RULES:
        span = pattern.span(core, lowered)
        if span is not None and kind == "exploratory" and _ABOUT.search(core, 0, span[0]):
            span = None  # "a runbook for investigating X": the runbook is the deliverable
        if span is None:
            continue
        if kind == "unbounded" and (_THRESHOLD.search(core) or _CONCRETE_AND.search(core)):
            continue  # a number or a concrete verb alongside gives it an end
        if kind == "unbounded" and any(f.kind == "unbounded" for f in found):
            continue
        found.append(built(LintFinding, {"kind": kind, "words": shown[span[0] : span[1]], "why": why, "needs": needs}))
    return found


def lint_action(text: str) -> LintResult:
    """Judge one action text for vagueness and say what a concrete rewrite needs.

    Raises:
        Nothing: any text gets a verdict (blank text is reported as having no object).
    """
    findings = lint_findings(text)
    if findings:
        advice = (
            "Rewrite it as one sentence with a finish line: "
            + "; ".join(dict.fromkeys(f.needs for f in findings))
            + "."
        )
    else:
        advice = "Concrete enough: it names what will be done and when it is finished."
    return LintResult(text=text, vague=bool(findings), findings=findings, advice=advice)
