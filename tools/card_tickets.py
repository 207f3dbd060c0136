"""The sealed one-time ticket a decision card answers with.

`pat1.<payload>.<mac>`: the payload (JSON) names the card's nonce, the action, the item version, the question's kind
(which gated tool asked), the one tool that accepts it and when it expires; the MAC is HMAC-SHA256 under a key derived
from the database's own key. A forged or garbled ticket is refused before the store is read, and one sealed for another
tool is refused by name. Single use is not the ticket's business but the store's: the code the nonce stands for is
spent in the same transaction as the decision.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Final

from pydantic import Field, ValidationError

from postmortem_actions.store.errors import LinkNotValid
from postmortem_actions.tools.decision_links import AskedKind
from postmortem_actions.tools.schema import Model

# A ticket lives at most this long (and never past its question): one copied out of a host's log stops working soon,
# while the card itself can fetch a fresh one with its nonce for as long as the question is open.
TICKET_TTL: Final = timedelta(hours=1)
_PREFIX: Final = "pat1"
_MAX_TICKET: Final = 1000
AGAIN: Final = "ask the assistant to ask the human again, or decide in a terminal: `postmortem-actions decide {id}`"


class Ticket(Model):
    """What a card's ticket is bound to; only `seal_ticket` makes one and only `open_ticket` reads one."""

    nonce: str
    action_id: int
    version: str
    kind: AskedKind
    audience: str = Field(description="The one tool that accepts it")
    expires: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ticket_key(key: bytes) -> bytes:
    # A key of its own for tickets, so no other MAC made with the database's key (a card code) can pass as a seal.
    return hmac.new(key, b"postmortem-actions/card-ticket/v1", hashlib.sha256).digest()


def seal_ticket(key: bytes, ticket: Ticket) -> str:
    """The sealed token for `ticket`."""
    payload = json.dumps(ticket.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()
    mac = hmac.new(_ticket_key(key), payload, hashlib.sha256).digest()
    return f"{_PREFIX}.{_b64(payload)}.{_b64(mac)}"


def open_ticket(key: bytes, token: str, *, audience: str, now: datetime) -> Ticket:
    """The ticket `token` seals, if this server sealed it, for `audience`, and it has not expired.

    Raises:
        LinkNotValid: the token is malformed, forged, for another tool, or expired; nothing was recorded.
    """
    forged = LinkNotValid(
        "This is not a ticket this server gave a decision card (it is malformed or its seal does not match), so "
        "nothing was recorded. Only the card the host shows the human can answer; ask the assistant to ask again."
    )
    parts = token.split(".") if len(token) <= _MAX_TICKET else []
    if len(parts) != 3 or parts[0] != _PREFIX:
        raise forged
    try:
        payload, mac = _unb64(parts[1]), _unb64(parts[2])
    except (binascii.Error, ValueError):
        raise forged from None
    if not hmac.compare_digest(mac, hmac.new(_ticket_key(key), payload, hashlib.sha256).digest()):
        raise forged
    try:
        ticket = Ticket.model_validate_json(payload)
    except ValidationError:  # sealed by us, so only a format from another version of this server
        raise forged from None
    if ticket.audience != audience:
        raise LinkNotValid(
            f"This ticket is accepted only by {ticket.audience}, not by {audience}; nothing was recorded. Answer in "
            "the card the host shows."
        )
    if ticket.expires <= now:
        raise LinkNotValid(
            f"This decision card's ticket expired at {ticket.expires:%Y-%m-%d %H:%M} UTC (tickets last an hour); "
            "nothing was recorded. Press 'Load again' in the card for a fresh one, or "
            + AGAIN.format(id=ticket.action_id)
            + "."
        )
    return ticket
