"""`triage POSTMORTEM`: from a stored document to decided items, with no assistant.

First the follow-ups the extractor found that no candidate covers yet: each is shown with its exact quote, and the
person may record it as a candidate (proposed by the extractor; they give its finish line and the problem it
addresses, and may reword it, which is kept in its history). Then every undecided candidate, old and new, is decided
one by one as `decide` does it.
"""

from __future__ import annotations

from datetime import date

from postmortem_actions.server.cli.decide import decide, person
from postmortem_actions.server.cli.items import revision
from postmortem_actions.server.cli.prompts import Ask, ask_here, choose, confirm, line, say
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, ActionState, Category, Store
from postmortem_actions.store.errors import PostmortemActionsError
from postmortem_actions.store.text import visible
from postmortem_actions.tools.candidates import (
    MAX_PROBLEM,
    MAX_TEXT,
    record_finding,
    revise_candidate,
    uncovered_findings,
)
from postmortem_actions.tools.extraction.models import Finding

TEXT_NEEDED = "A candidate needs its one sentence: what will be done."
DONE_WHEN_NEEDED = "A candidate needs a finish line: what shows it is done."
PROBLEM_NEEDED = "Say which problem of the incident it addresses."


def _show_finding(finding: Finding) -> None:
    where = f'"{visible(finding.section)}"' if finding.section else "the opening"
    place = "in a follow-up section" if finding.in_section else "in the prose"
    say(f"\nFound in {where} ({finding.category}, {place}{', marked done' if finding.done else ''}):")
    say(f"  {visible(finding.text)}")
    say(f'  Evidence: "{visible(finding.quote, multiline=True)}"')
    stated = [
        f"{k} {visible(v)}"
        for k, v in (("owner", finding.owner), ("due", finding.due), ("ticket", finding.ticket))
        if v
    ]
    if stated:
        say(f"  The document states: {', '.join(stated)}")
    for lint in finding.lint:
        say(f"  Vague ({visible(lint.words) or lint.kind}): {lint.why}; it needs {lint.needs}.")


def offer_finding(store: Store, settings: Settings, postmortem_id: int, finding: Finding, ask: Ask) -> int | None:
    """Ask whether to record a finding as a candidate; the new candidate's id, or None when skipped.

    Raises:
        PostmortemActionsError: the candidate could not be recorded (the message says why).
    """
    _show_finding(finding)
    while choose(ask, "Record it as a candidate? [r]ecord or [s]kip? ", {"r": "r", "s": "s"}) == "r":
        text = line(ask, "  Action", finding.text, needed=TEXT_NEEDED, limit=MAX_TEXT)
        done_when = line(ask, "  Done when", needed=DONE_WHEN_NEEDED, limit=MAX_TEXT)
        problem = line(ask, "  Problem it addresses", needed=PROBLEM_NEEDED, multiline=True, limit=MAX_PROBLEM)
        category = choose(
            ask, f"  Category: [p]revent, [d]etect, [m]itigate or p[r]ocess [{finding.category}]: ", {"": "", **_keys()}
        )
        if not confirm(ask, f'  Record "{visible(text)}", done when "{visible(done_when)}"? [y/n] '):
            print("  Not recorded yet.")
            continue
        by = person(settings, "cli triage")
        action, created = record_finding(
            store,
            by,
            postmortem_id,
            finding,
            done_when=done_when,
            problem=problem,
            category=Category(category or finding.category),
        )
        if not created:
            print(f"  #{action.id} already says that; it is decided below with the other candidates.")
            return action.id
        print(f"  Recorded candidate #{action.id}, proposed by the extractor; you decide on it below.")
        if text != action.text:
            try:
                revise_candidate(store, by, action.id, revision({"text": text}))
            except PostmortemActionsError as exc:
                say(f"  It keeps the extractor's words: {visible(str(exc), multiline=True)}")
        return action.id
    return None


def _keys() -> dict[str, str]:
    return {"p": "prevent", "d": "detect", "m": "mitigate", "r": "process", **{c.value: c.value for c in Category}}


def triage(store: Store, settings: Settings, postmortem_id: int, ask: Ask = ask_here, today: date | None = None) -> int:
    """Offer the uncovered findings, then walk through every undecided candidate; returns how many were decided.

    Raises:
        PostmortemNotFound: no such postmortem.
    """
    pm = store.get_postmortem(postmortem_id)
    gaps = uncovered_findings(store, postmortem_id)
    waiting = len(store.actions(ActionFilter(postmortem_id=postmortem_id, state=ActionState.CANDIDATE)))
    found = f", and {len(gaps)} follow-up(s) in the text that no candidate covers yet" if gaps else ""
    say(f"{visible(pm.title)}: {waiting} undecided candidate(s){found}. Ctrl-D stops; what you decided stays recorded.")
    recorded = 0
    for number, finding in enumerate(gaps, start=1):
        print(f"\n--- finding {number} of {len(gaps)} ---")
        try:
            recorded += offer_finding(store, settings, postmortem_id, finding, ask) is not None
        except PostmortemActionsError as exc:
            say(f"  Not recorded: {visible(str(exc), multiline=True)}")
    pending = store.actions(ActionFilter(postmortem_id=postmortem_id, state=ActionState.CANDIDATE))
    decided = 0
    for number, action in enumerate(pending, start=1):
        print(f"\n--- {number} of {len(pending)} ---")
        try:
            decided += decide(store, settings, action.id, ask, today)
        except PostmortemActionsError as exc:
            say(f"  Not recorded: {visible(str(exc), multiline=True)}")
    new = f" Recorded {recorded} new candidate(s) from the extractor's findings." if gaps else ""
    print(f"\nDecided {decided} of {len(pending)}.{new}")
    return decided
