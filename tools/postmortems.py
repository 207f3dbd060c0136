"""Storing a postmortem from pasted text or an allowed file, and describing it back."""

from __future__ import annotations

from datetime import date

from postmortem_actions.store import Actor, NewPostmortem, Postmortem, Store
from postmortem_actions.store.errors import InvalidInput, PathNotAllowed
from postmortem_actions.store.text import plain, refusal, visible
from postmortem_actions.tools.document_files import ReadPolicy, check_text, origin_of, read_document
from postmortem_actions.tools.extraction.facts import (
    find_incident_date,
    find_severity,
    find_title,
    fingerprint,
    normalise_severity,
    sections,
)

from .days import check_day
from .guide import NOT_VAGUE, VAGUE, WHAT_COUNTS
from .models import ParseResult

MAX_FINDINGS_SHOWN = 100


def parse_postmortem(
    store: Store,
    by: Actor,
    policy: ReadPolicy,
    *,
    text: str | None = None,
    path: str | None = None,
    title: str | None = None,
    severity: str | None = None,
    incident_date: date | None = None,
) -> ParseResult:
    """Store a postmortem (or find the stored one with the same text) and return its sections.

    Exactly one of `text` and `path` is given. Title, severity and incident date are taken from the
    arguments when given, else from the document when it states them.

    Raises:
        InvalidInput: neither or both of text and path, a bad severity, or control characters in the title.
        PathNotAllowed, DocumentTooLarge, NotText: see `tools.reading`.
    """
    check_day("incident_date", incident_date)
    if (text is None) == (path is None):
        raise InvalidInput("give exactly one of `text` (the pasted postmortem) or `path` (a file to read)")
    if path is not None:
        if (why := refusal(path)) is not None:
            raise PathNotAllowed(f"the path {visible(path)!r} {why}; nothing was read")
        resolved, body = read_document(path, policy)
        source, origin = str(resolved), origin_of(resolved)
    else:
        assert text is not None
        body, source, origin = check_text(text, policy.max_bytes), "pasted", None
    if title is not None and (why := refusal(title)) is not None:
        raise InvalidInput(f"the title {why}; nothing was stored")
    sev = normalise_severity(severity) if severity else find_severity(body)
    new = NewPostmortem(
        # A title found in the document is shown in terminals and UIs: drop characters that could lie there.
        title=(title.strip() if title and title.strip() else _plain(find_title(body, source)) or "Untitled")[:300],
        source=source,
        text=body,
        sha256=fingerprint(body),
        severity=sev,
        incident_date=incident_date or find_incident_date(body, source),
        origin=origin,
    )
    stored, created = store.add_postmortem(new, by)
    return describe(stored.id, store, created=created)


def edit_postmortem(
    store: Store,
    by: Actor,
    postmortem_id: int,
    *,
    title: str | None = None,
    severity: str | None = None,
    incident_date: date | None = None,
) -> tuple[Postmortem, dict[str, list[object]]]:
    """Set or correct a stored postmortem's title, severity or incident date (the text never changes).

    Only the values given are set. The change is audit-logged with who made it; the severity then drives the
    default due dates proposed and the report's SEV1/SEV2 warnings. Returns the postmortem and what changed
    (field: [before, after]); nothing changes when every value given is the stored one.

    Raises:
        PostmortemNotFound: no such id.
        InvalidInput: a severity outside SEV0..SEV5, a blank title or one hiding characters, a day outside
            the supported range.
    """
    check_day("incident_date", incident_date)
    changes: dict[str, object] = {}
    if title is not None:
        why = refusal(title) if title.strip() else "is blank"
        if why is not None:
            raise InvalidInput(f"the title {why}; nothing was changed")
        changes["title"] = title.strip()[:300]
    if severity is not None:
        changes["severity"] = normalise_severity(severity)
    if incident_date is not None:
        changes["incident_date"] = incident_date
    return store.update_postmortem(postmortem_id, changes, by)


def _plain(found: str) -> str:
    """A title found in the document, with any character that could hide text dropped (it is derived text)."""
    return " ".join(plain(found).split())


def describe(postmortem_id: int, store: Store, *, created: bool = False) -> ParseResult:
    """A stored postmortem's identity and sections.

    Raises:
        PostmortemNotFound: no such id.
    """
    pm = store.get_postmortem(postmortem_id)
    parts = sections(pm.text, name=pm.source)
    from postmortem_actions.tools.extraction.extractor import (
        extract,  # its patterns compile on first use, not while the server starts
    )

    findings = extract(pm.text, pm.source)
    cut = any(s.truncated for s in parts)
    next_step = (
        f"The server found {len(findings)} follow-up(s) in the text (`findings`, with exact quotes). Start from "
        "them and read the sections for any they missed; then call record_candidates with each follow-up the "
        "document proposes: one specific sentence, its done_when, the problem, a category (by the action's "
        "purpose: the category field says how), and a verbatim evidence quote. What counts: "
        + WHAT_COUNTS
        + f" If an action is {VAGUE}, flag it, say why, and rewrite it into a finishable task (see each finding's "
        "lint), keeping the document's quote as evidence. The findings' categories are word rules' guesses: judge "
        "each by the action's purpose. " + NOT_VAGUE + " Do not invent actions the text does not support."
    )
    if len(findings) > MAX_FINDINGS_SHOWN:
        next_step += (
            f" Only the first {MAX_FINDINGS_SHOWN} findings are listed here; read "
            f"postmortem://{pm.id}/findings for all {len(findings)}."
        )
    if cut:
        next_step += f" Long document: section texts are cut; read postmortem://{pm.id} for the full text."
    return ParseResult(
        postmortem_id=pm.id,
        created=created,
        title=pm.title,
        source=pm.source,
        origin=pm.origin,
        severity=pm.severity,
        incident_date=pm.incident_date,
        sha256=pm.sha256,
        chars=len(pm.text),
        sections=parts,
        findings=list(findings[:MAX_FINDINGS_SHOWN]),
        findings_total=len(findings),
        next_step=next_step,
    )
