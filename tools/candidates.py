"""Recording and revising candidate actions, each tied to evidence in its postmortem."""

from __future__ import annotations

from datetime import date

from postmortem_actions.store import Action, Actor, Category, NewAction, Postmortem, Store
from postmortem_actions.store.errors import InvalidInput, QuoteNotFound
from postmortem_actions.store.sql import text_key
from postmortem_actions.store.text import refusal
from postmortem_actions.tools.days import plausible_due
from postmortem_actions.tools.extraction.coverage import gap_entry, uncovered
from postmortem_actions.tools.extraction.evidence import index_of, locate
from postmortem_actions.tools.extraction.models import CoverageGap, Finding

from .models import CandidateIn, CandidateRevision, RecordedCandidate, RecordResult, RejectedCandidate
from .postmortems import MAX_FINDINGS_SHOWN

MAX_BATCH = 200
EXTRACTOR = "extractor"  # `proposed_by` of a candidate recorded from one of the extractor's findings
MAX_TEXT = 500  # an action's text and its done_when (the store's limits)
MAX_PROBLEM = 1000


def record_candidates(
    store: Store, by: Actor, postmortem_id: int, candidates: list[CandidateIn], *, proposed_by: str | None = None
) -> RecordResult:
    """Record candidate actions whose evidence occurs in the postmortem; reject the others by name.

    `proposed_by` says who proposed them (the assistant's client, e.g. "claude-code/2.1"); it is stored on each.

    Valid candidates are written in one transaction (all of them or, on a database error, none). A
    candidate whose text is already recorded for this postmortem is reported, not duplicated. The result
    lists the first MAX_FINDINGS_SHOWN follow-ups no candidate covers, and counts them all.

    Raises:
        PostmortemNotFound: no such postmortem.
        InvalidInput: a database constraint refused a value (nothing is written).
    """
    from postmortem_actions.tools.extraction.lint import (
        lint_findings,  # the extractor's patterns compile on first use, not at server start
    )

    pm = store.get_postmortem(postmortem_id)
    fresh, rejected = _checked(pm, candidates, proposed_by)
    stored = store.add_actions(postmortem_id, [n for _, n in fresh], by) if fresh else []
    recorded = []
    for (i, _), (a, created) in zip(fresh, stored, strict=True):
        lint = lint_findings(a.text)
        recorded.append(
            RecordedCandidate(
                index=i,
                action_id=a.id,
                status="recorded" if created else "already_recorded",
                text=a.text,
                quote_start=a.quote_start,
                quote_end=a.quote_end,
                vague=bool(lint),
                lint=lint,
            )
        )
    missed = _uncovered(store, pm)
    new_count = sum(created for _, created in stored)
    return RecordResult(
        postmortem_id=postmortem_id,
        recorded=recorded,
        rejected=rejected,
        coverage_gap=[gap_entry(f) for f in missed[:MAX_FINDINGS_SHOWN]],
        coverage_gap_total=len(missed),
        message=_message(
            pm.id, new_count, len(stored) - new_count, len(rejected), sum(r.vague for r in recorded), len(missed)
        ),
    )


def uncovered_followups(store: Store, postmortem_id: int) -> list[CoverageGap]:
    """Every follow-up the extractor finds in the postmortem that no recorded candidate's evidence covers.

    Raises:
        PostmortemNotFound: no such postmortem.
    """
    return [gap_entry(f) for f in _uncovered(store, store.get_postmortem(postmortem_id))]


def uncovered_findings(store: Store, postmortem_id: int) -> list[Finding]:
    """The extractor's findings in the postmortem that no recorded candidate covers, in document order, whole.

    Raises:
        PostmortemNotFound: no such postmortem.
    """
    return _uncovered(store, store.get_postmortem(postmortem_id))


def _uncovered(store: Store, pm: Postmortem) -> list[Finding]:
    from postmortem_actions.tools.extraction.extractor import (
        extract,  # the extractor's patterns compile on first use, not at server start
    )

    # The findings come from extract's cache, the spans from a two-column query: a call's cost does not grow
    # with the candidates already stored (issue 10, finding 5).
    return uncovered(extract(pm.text, pm.source), store.evidence_spans(pm.id))


def _checked(
    pm: Postmortem, candidates: list[CandidateIn], proposed_by: str | None
) -> tuple[list[tuple[int, NewAction]], list[RejectedCandidate]]:
    """The candidates to store (with their index in the call), and the rejected ones with the reason."""
    evidence = index_of(pm.text)
    rejected: list[RejectedCandidate] = []
    fresh: list[tuple[int, NewAction]] = []
    seen: set[str] = set()
    for index, cand in enumerate(candidates):
        key = text_key(cand.text)
        if key in seen:
            rejected.append(
                RejectedCandidate(index=index, text=cand.text, reason="duplicate of an earlier item in this call")
            )
            continue
        try:
            start, end = evidence.locate(cand.quote)
        except QuoteNotFound as exc:
            rejected.append(RejectedCandidate(index=index, text=cand.text, reason=str(exc)))
            continue
        seen.add(key)  # only once it is sure to be stored: a rejected item must not shadow a good one
        fresh.append(
            (
                index,
                NewAction(
                    text=cand.text,
                    done_when=cand.done_when,
                    problem=cand.problem,
                    category=cand.category,
                    size=cand.size,
                    quote=pm.text[start:end],
                    quote_start=start,
                    quote_end=end,
                    proposed_owner=cand.proposed_owner,
                    proposed_due=cand.proposed_due,
                    proposed_by=proposed_by,
                ),
            )
        )
    return fresh, rejected


def _message(postmortem_id: int, new: int, existing: int, rejected: int, vague: int, gap: int) -> str:
    """What the call did and what the model should do next."""
    message = f"Recorded {new} new candidate(s)"
    if existing:
        message += f", {existing} already recorded"
    if rejected:
        message += (
            f"; rejected {rejected}: fix each rejected item (usually: quote the postmortem verbatim) "
            "and submit only those again"
        )
    if vague:
        message += (
            f"; {vague} recorded item(s) are vague (see lint): rewrite each with revise_candidate so it "
            "has a finish line"
        )
    if gap > MAX_FINDINGS_SHOWN:
        message += (
            f"; {gap} follow-up(s) of the document are not covered by any candidate (coverage_gap lists "
            f"the first {MAX_FINDINGS_SHOWN}; read postmortem://{postmortem_id}/coverage for all {gap}): "
            "record each, or tell the human why it is not a follow-up"
        )
    elif gap:
        message += (
            f"; {gap} follow-up(s) of the document are not covered by any candidate (coverage_gap): "
            "record each, or tell the human why it is not a follow-up"
        )
    message += ". Candidates are proposals: owners and due dates are committed only by a human decision."
    return message


def revise_candidate(store: Store, by: Actor, action_id: int, revision: CandidateRevision) -> Action:
    """Change a candidate's wording, done_when, problem, category, size, evidence or proposals (audit-logged).

    Raises:
        ActionNotFound: no such action.
        NotEditable: the action is accepted, killed or done; those change only by human decision.
        QuoteNotFound: a new quote does not occur in the postmortem.
    """
    changes: dict[str, object] = revision.model_dump(exclude_unset=True, exclude={"clear", "quote"}, exclude_none=True)
    for name in revision.clear:
        changes[name] = None
    if revision.quote is not None:
        action = store.get_action(action_id)
        text = store.get_postmortem(action.postmortem_id).text
        start, end = locate(text, revision.quote)
        changes.update(quote=text[start:end], quote_start=start, quote_end=end)
    return store.revise_candidate(action_id, changes, by)


def record_finding(
    store: Store,
    by: Actor,
    postmortem_id: int,
    finding: Finding,
    *,
    done_when: str,
    problem: str,
    category: Category | None = None,
) -> tuple[Action, bool]:
    """Record one of the extractor's findings as a candidate, proposed by the extractor, with its exact quote.

    The text is the finding's own line (a person rewords it afterwards with `revise_candidate`, which keeps the
    proposer and logs the reword); the finish line and the problem are the person's. An owner or a due date
    the document states for it become the candidate's proposals when they can be (a due date must be a
    plausible YYYY-MM-DD). Returns the action and whether it was new (the same text is stored once).

    Raises:
        PostmortemNotFound: no such postmortem.
        QuoteNotFound: the finding's quote is not at its offsets in the stored text (a finding of another text).
        InvalidInput: a text field is blank, too long or hides characters.
    """
    for what, value, limit in (("finish line", done_when, MAX_TEXT), ("problem", problem, MAX_PROBLEM)):
        if len(value.strip()) > limit:
            raise InvalidInput(f"the {what} is {len(value.strip())} characters, at most {limit}; nothing was recorded")
    pm = store.get_postmortem(postmortem_id)
    if pm.text[finding.start : finding.end] != finding.quote:
        raise QuoteNotFound(
            f"the finding's quote is not at characters {finding.start}-{finding.end} of postmortem {postmortem_id}; "
            "nothing was recorded: run the extractor on the stored text again"
        )
    text = finding.text if len(finding.text) <= MAX_TEXT else finding.text[: MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"
    new = NewAction(
        text=text,
        done_when=done_when,
        problem=problem,
        category=category or finding.category,
        quote=finding.quote,
        quote_start=finding.start,
        quote_end=finding.end,
        proposed_owner=_stated_owner(finding.owner),
        proposed_due=_stated_due(finding.due),
        proposed_by=EXTRACTOR,
    )
    [(action, created)] = store.add_actions(postmortem_id, [new], by)
    return action, created


def _stated_owner(owner: str | None) -> str | None:
    """An owner as the document states it, if it can be a proposal (one short line hiding nothing)."""
    owner = (owner or "").strip()
    return owner if owner and len(owner) <= 100 and refusal(owner) is None else None


def _stated_due(due: str | None) -> date | None:
    """A due date as the document states it, if it is a plausible YYYY-MM-DD."""
    try:
        day = date.fromisoformat((due or "").strip())
    except ValueError:
        return None
    return day if plausible_due(day) is None else None
