"""What a reminder says, as Markdown (stdout, the preview, the webhook's `markdown`) and as plain text (Slack's
fallback, the email body). Every stored text goes through `md_text` or `visible`, so it shows as exactly itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from postmortem_actions.store.text import visible
from postmortem_actions.tools.followthrough.markdown import days
from postmortem_actions.tools.followthrough.models import ReviewItem
from postmortem_actions.tools.markdown_text import md_text
from postmortem_actions.tools.nudges.models import (
    Audience,
    Message,
    NudgeItem,
    ReminderPlan,
    UndecidedPostmortem,
    Unreachable,
)
from postmortem_actions.tools.nudges.policy import Policy

Escape = Callable[[str], str]
_KIND_WORDS: Final = {
    "overdue": "overdue",
    "due_soon": "due soon",
    "stale": "without a status report",
    "undecided": "undecided",
}
_SECTIONS: Final = {
    "overdue": "overdue",
    "blocked": "blocked",
    "due_soon": "due in 7 days",
    "undecided": "undecided",
    "stale": "no report in 14 days",
    "completed": "done in the last 14 days",
}
LEAD_HINT: Final = (
    "Decide them in a terminal with `postmortem-actions triage POSTMORTEM_ID`, or ask your assistant to "
    "decide_action (it asks you): accept with an owner and a date, kill with a reason, or defer."
)


def plain(value: str) -> str:
    """Stored text for a plain-text body: anything hidden written out, lines joined."""
    return visible(value)


def subject_for(audience: Audience, counts: Mapping[str, int]) -> str:
    """The one-line summary of a message ("3 action items need you: 2 overdue, 1 due soon")."""
    if audience == "team":
        return f"Action-item digest: {counts.get('overdue', 0)} overdue, {counts.get('blocked', 0)} blocked"
    parts = ", ".join(f"{n} {_KIND_WORDS[k]}" for k, n in counts.items() if n)
    total = sum(counts.values())
    if audience == "lead":
        return f"{total} candidate action item{'s' if total != 1 else ''} waiting for your decision"
    return f"{total} action item{'s' if total != 1 else ''} need{'s' if total == 1 else ''} you: {parts}"


def _when(item: NudgeItem) -> str:
    match item.kind:
        case "overdue":
            return f"{days(item.days_late)} late (due {item.due})"
        case "due_soon":
            return f"due {item.due}, " + ("today" if item.days_left == 0 else f"in {days(item.days_left)}")
        case "stale":
            return f"no status report for {days(item.days_since_report)} (due {item.due})"
        case _:
            return f"undecided for {days(item.days_undecided)}"


def item_line(item: NudgeItem, escape: Escape = md_text) -> str:
    """One item: number, text, when, postmortem, status, ticket and link."""
    parts = [f"#{item.action_id} {escape(item.text)} — {_when(item)}"]
    parts.append(f"{escape(item.postmortem_title)} (postmortem #{item.postmortem_id})")
    if item.work_status:
        status = item.work_status.replace("_", " ")
        parts.append(f"{status}: {escape(item.status_note)}" if item.status_note else status)
    if item.ticket:
        parts.append(f"ticket {escape(item.ticket)}")
    if item.link:
        parts.append(escape(item.link))
    return " · ".join(parts)


def _review_line(item: ReviewItem, escape: Escape) -> str:
    late = f", {days(item.days_overdue)} late" if item.days_overdue else ""
    note = f" ({escape(item.status_note)})" if item.work_status == "blocked" and item.status_note else ""
    return f"#{item.action_id} {escape(item.text)} — {escape(item.owner or 'no owner')}, due {item.due}{late}{note}"


def unreachable_line(entry: Unreachable, escape: Escape = md_text) -> str:
    """One owner or lead we cannot reach, with why and their items (a lead's: the postmortems)."""
    noun = "item" if entry.total == 1 else "items"
    if entry.role == "lead":
        where = ", ".join(f"postmortem #{i}" for i in entry.postmortem_ids)
        return f"{escape(entry.name)} (lead): {escape(entry.why)} — {entry.total} undecided {noun} ({where})"
    ids = ", ".join(f"#{i}" for i in entry.action_ids) + (" …" if entry.total > len(entry.action_ids) else "")
    return f"{escape(entry.name)} ({entry.role}): {escape(entry.why)} — {entry.total} {noun} ({ids})"


def postmortem_line(entry: UndecidedPostmortem, escape: Escape = md_text) -> str:
    """One postmortem a lead should triage: how many candidates wait, since when, and the command."""
    noun = "candidate" if entry.candidates == 1 else "candidates"
    return (
        f"{escape(entry.title)} (postmortem #{entry.postmortem_id}): {entry.candidates} {noun} undecided, the oldest "
        f"for {days(entry.oldest_days)} — postmortem-actions triage {entry.postmortem_id}"
    )


def message_lines(message: Message, policy: Policy, escape: Escape = md_text, bullet: str = "- ") -> list[str]:
    """The body of a message, line by line (the subject is the caller's)."""
    if message.digest is not None:
        return _digest_lines(message, escape, bullet)
    if message.audience == "lead":
        lines = [bullet + postmortem_line(p, escape) for p in message.postmortems]
        shown = sum(p.candidates for p in message.postmortems)
    else:
        lines = [bullet + item_line(i, escape) for i in message.items]
        shown = len(message.items)
    if message.total > shown:
        lines.append(f"{bullet}… and {message.total - shown} more")
    hint = LEAD_HINT if message.audience == "lead" else policy.report_hint
    return [*lines, "", visible(hint) if escape is md_text else escape(hint)]  # the policy's own Markdown


def _digest_lines(message: Message, escape: Escape, bullet: str) -> list[str]:
    digest = message.digest
    assert digest is not None
    lines = [" · ".join(f"{_SECTIONS.get(k, k)} {n}" for k, n in digest.counts.items())]
    for title, items, key in (("Overdue", digest.overdue, "overdue"), ("Blocked", digest.blocked, "blocked")):
        total = digest.counts.get(key, 0)
        if not total:
            continue
        lines += ["", f"{title} ({total}):", *(bullet + _review_line(i, escape) for i in items)]
        if total > len(items):
            lines.append(f"{bullet}… and {total - len(items)} more")
    if digest.unreachable:
        lines += ["", "Owners we cannot reach:", *(bullet + unreachable_line(u, escape) for u in digest.unreachable)]
    return lines


def message_markdown(message: Message, policy: Policy) -> str:
    """A message as Markdown: its subject in bold, then its body."""
    return "\n".join([f"**{md_text(message.subject)}**", "", *message_lines(message, policy)]).rstrip() + "\n"


def message_text(message: Message, policy: Policy) -> str:
    """A message as plain text: its subject, then its body."""
    return "\n".join([message.subject, "", *message_lines(message, policy, plain, "* ")]).rstrip() + "\n"


def plan_markdown(plan: ReminderPlan, policy: Policy) -> str:
    """The whole plan for people: each recipient's message with the channels it goes through, then who we cannot
    reach. Messages with the same content through several channels are shown once."""
    lines = [f"# Reminders for {plan.as_of}", ""]
    if plan.quiet is not None:
        return "\n".join([*lines, f"{plan.as_of} is a quiet day ({plan.quiet}): nothing goes out."]) + "\n"
    lines.append(f"Channels: {', '.join(plan.channels)}." + (f" Only: {plan.only}." if plan.only else ""))
    merged: dict[tuple[object, ...], tuple[Message, list[str]]] = {}
    for m in plan.messages:
        listed = tuple((i.action_id, i.kind) for i in m.items) + tuple(p.postmortem_id for p in m.postmortems)
        key = (m.audience, m.recipient, m.total, listed, m.digest is None)
        merged.setdefault(key, (m, []))[1].append(m.channel)
    for message, channels in merged.values():
        who = "Team digest" if message.audience == "team" else f"{md_text(message.recipient)} ({message.audience})"
        lines += ["", f"## {who} — via {', '.join(channels)}", "", message_markdown(message, policy).rstrip()]
    if not plan.messages:
        lines += ["", "Nothing to send: every reminder due on this day has gone out already."]
    if plan.unreachable:
        lines += ["", "## Owners we cannot reach", ""]
        lines += [f"- {unreachable_line(u)}" for u in plan.unreachable]
    return "\n".join(lines) + "\n"
