"""A reminder as a Slack incoming-webhook message: Block Kit blocks, and the plain-text `text` Slack shows in
notifications and wherever blocks cannot be drawn.

An incoming webhook posts to the channel it was made for; an owner's or lead's message mentions them by member id
(`<@U…>`), which notifies them. Stored text is escaped (&, <, >) so an item's words can never become a mention, a
`<!channel>` or a link; Slack's limits (50 blocks, 150 characters in a header, 3,000 in a section) are kept.
"""

from __future__ import annotations

from typing import Any, Final

from postmortem_actions.store import Person
from postmortem_actions.store.text import visible
from postmortem_actions.tools.nudges.markdown import (
    LEAD_HINT,
    item_line,
    message_text,
    postmortem_line,
    unreachable_line,
)
from postmortem_actions.tools.nudges.models import Message
from postmortem_actions.tools.nudges.policy import Policy

MAX_BLOCKS: Final = 50
HEADER_CHARS: Final = 150
SECTION_CHARS: Final = 3000
TEXT_CHARS: Final = 3900  # Slack cuts the top-level text at 4,000


def _amp(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(value: str) -> str:
    """Stored text as Slack mrkdwn shows it literally: hidden characters written out, &, < and > escaped."""
    return _amp(visible(value))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SECTION_CHARS)}}


def _mention(person: Person | None) -> str:
    return f"<@{person.slack_id}> " if person is not None and person.slack_id else ""


def _digest_blocks(message: Message) -> list[dict[str, Any]]:
    digest = message.digest
    assert digest is not None
    counts = " · ".join(f"{k.replace('_', ' ')} *{n}*" for k, n in digest.counts.items())
    blocks = [_section(counts)]
    for title, items, key in (("Overdue", digest.overdue, "overdue"), ("Blocked", digest.blocked, "blocked")):
        total = digest.counts.get(key, 0)
        if total:
            lines = [f"• #{i.action_id} {escape(i.text)} — {escape(i.owner or 'no owner')}, due {i.due}" for i in items]
            more = [f"• … and {total - len(items)} more"] if total > len(items) else []
            blocks.append(_section("\n".join([f"*{title} ({total})*", *lines, *more])))
    if digest.unreachable:
        lines = [f"• {unreachable_line(u, escape)}" for u in digest.unreachable]
        blocks.append(_section("\n".join(["*Owners we cannot reach*", *lines])))
    return blocks


def slack_payload(message: Message, person: Person | None, policy: Policy) -> dict[str, Any]:
    """The webhook's JSON body for `message` (to `person`, or the team when None)."""
    mention = _mention(person)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(visible(message.subject), HEADER_CHARS)}}
    ]
    if message.digest is not None:
        blocks += _digest_blocks(message)
    else:
        if mention:
            blocks.append(_section(f"{mention}these are yours:"))
        blocks += [_section(f"• {item_line(item, escape)}") for item in message.items]
        blocks += [_section(f"• {postmortem_line(pm, escape)}") for pm in message.postmortems]
        shown = len(message.items) + sum(pm.candidates for pm in message.postmortems)
        if message.total > shown:
            blocks.append(_section(f"… and {message.total - shown} more"))
        hint = LEAD_HINT if message.audience == "lead" else policy.report_hint
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(escape(hint), SECTION_CHARS)}]})
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], _section("… more in the text of this message")]
    text = mention + _amp(message_text(message, policy))  # already written out, line by line
    return {"text": _cut(text, TEXT_CHARS), "blocks": blocks}
