"""A reminder as a generic JSON webhook body, for Teams (a workflow), Mattermost, Discord or anything else.

One stable shape (`type` "postmortem-actions.reminder", `version` 1): who it is for (name, and their email address
and Slack member id when the people table has them, so the receiver can route it), the subject, the message as
Markdown (`text`: what Mattermost shows) and plain text, Discord's `content` (its 2,000-character limit), and the
items as data.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from postmortem_actions.store import Person
from postmortem_actions.tools.nudges.markdown import message_markdown, message_text
from postmortem_actions.tools.nudges.models import Message
from postmortem_actions.tools.nudges.policy import Policy

TYPE: Final = "postmortem-actions.reminder"
DISCORD_CHARS: Final = 2000


def webhook_payload(message: Message, person: Person | None, policy: Policy, as_of: date) -> dict[str, Any]:
    """The JSON body for `message` (to `person`, or the team when None)."""
    markdown = message_markdown(message, policy)
    recipient: dict[str, Any] = {"name": message.recipient}
    if person is not None:
        recipient |= {"email": person.email, "slack_id": person.slack_id}
    data = message.model_dump(mode="json", exclude={"recipient", "channel"})
    return {
        "type": TYPE,
        "version": 1,
        "as_of": as_of.isoformat(),
        "recipient": recipient,
        **data,
        "text": markdown,
        "plain_text": message_text(message, policy),
        "content": markdown if len(markdown) <= DISCORD_CHARS else markdown[: DISCORD_CHARS - 1] + "…",
    }
