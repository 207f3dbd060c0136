"""Access tokens for the team server: made here, printed once, stored only as a SHA-256 hash.

A token names a person in the people table and a role: `viewer` reads, `member` also proposes, reports status and
answers decisions, `admin` also manages people and tokens. The secret starts with `pma_` so a verifier can tell it
from a single-sign-on JWT, and a leaked one is recognisable in a secret scanner.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from postmortem_actions.store import Store
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.text import refusal
from postmortem_actions.store.tokens import ROLES, Role, TokenRecord

PREFIX: Final = "pma_"
RANKS: Final[dict[Role, int]] = {role: rank for rank, role in enumerate(ROLES)}


def token_hash(secret: str) -> str:
    """What the store keeps of a token: the SHA-256 hex digest of its text."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def role_of(text: str) -> Role:
    """A role named on the command line or in a setting.

    Raises:
        InvalidInput: it is not viewer, member or admin.
    """
    for role in ROLES:
        if role == text.strip().lower():
            return role
    raise InvalidInput(f"{text[:20]!r} is not a role: use viewer, member or admin")


def at_least(role: Role, needed: Role) -> bool:
    """Whether `role` may do what `needed` may (admin > member > viewer)."""
    return RANKS[role] >= RANKS[needed]


def create_token(store: Store, person: str, role: Role, label: str | None = None) -> tuple[str, TokenRecord]:
    """Make a token for a person in the people table; returns the secret (shown once) and what is stored.

    Raises:
        PersonNotFound: nobody in the people table has this name or alias (add them with `people add`).
        InvalidInput: the label is refused.
    """
    if label is not None:
        label = " ".join(label.split())[:100] or None
        if label is not None and (why := refusal(label)) is not None:
            raise InvalidInput(f"the label {why}; no token was made")
    found = store.find_person(person)
    secret = PREFIX + secrets.token_urlsafe(32)
    return secret, store.add_token(found.id, role, token_hash(secret), label)
