"""People: who an owner's name means, and how reminders reach them (an email address, a Slack member id).

Owners stay free text on the actions; this is a directory beside them. A name matches a person when it equals
their name or one of their aliases, ignoring case and runs of whitespace; anything else is an owner we do not know,
which reminders report and never guess. The decision forms suggest the known names without limiting what is typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from postmortem_actions.store import NewPerson, Person, Store
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.records import person_key
from postmortem_actions.store.text import refusal, visible

_EMAIL: Final = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_SLACK_ID: Final = re.compile(r"^[UW][A-Z0-9]{2,39}$")
MAX_NAME: Final = 100
SUGGESTED: Final = 20  # names a form suggests; more would drown the question


def _name(value: str, what: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise InvalidInput(f"the {what} is blank; nothing was changed")
    if len(value) > MAX_NAME:
        raise InvalidInput(f"the {what} is longer than {MAX_NAME} characters; nothing was changed")
    if (why := refusal(value)) is not None:
        raise InvalidInput(f"the {what} {why}; nothing was changed")
    return value


def check_email(value: str | None) -> str | None:
    """An email address as stored: trimmed, one `local@domain.tld`; None or blank clears it.

    Raises:
        InvalidInput: it is not an address a mail server would take.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise InvalidInput(f"{value!r} is not an email address (name@example.com); nothing was changed")
    return value


def check_slack_id(value: str | None) -> str | None:
    """A Slack member id as stored (U… or W…, as Slack shows it under "Copy member ID"); None or blank clears it.

    Raises:
        InvalidInput: it is not a member id (a display name such as @alice is not one).
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _SLACK_ID.match(value):
        raise InvalidInput(
            f"{value!r} is not a Slack member id (it looks like U012AB3CD: in Slack, open the profile, "
            "then More, Copy member ID); nothing was changed"
        )
    return value


def add_person(
    store: Store, name: str, *, email: str | None = None, slack_id: str | None = None, aliases: Sequence[str] = ()
) -> Person:
    """Add a person with their addresses and aliases.

    Raises:
        InvalidInput: a blank or unprintable name, a malformed address, or a name or alias someone already has.
    """
    return store.add_person(
        NewPerson(
            name=_name(name, "name"),
            email=check_email(email),
            slack_id=check_slack_id(slack_id),
            aliases=tuple(_name(a, "alias") for a in aliases),
        )
    )


def set_contacts(store: Store, ref: str, *, email: str | None = None, slack_id: str | None = None) -> Person:
    """Change a person's email address and/or Slack member id (a blank value clears it; None keeps it).

    Raises:
        PersonNotFound: no person has this name or alias.
        InvalidInput: a malformed address.
    """
    changes: dict[str, str | None] = {}
    if email is not None:
        changes["email"] = check_email(email)
    if slack_id is not None:
        changes["slack_id"] = check_slack_id(slack_id)
    return store.update_person(ref, changes)


def add_alias(store: Store, ref: str, alias: str) -> Person:
    """Let `alias` name the person `ref` names.

    Raises:
        PersonNotFound: no person has the name or alias `ref`.
        InvalidInput: the alias is blank, unprintable or already someone's.
    """
    return store.add_alias(ref, _name(alias, "alias"))


@dataclass(frozen=True)
class Directory:
    """Everyone in the people table, found by any of their names (case-insensitive)."""

    people: tuple[Person, ...] = ()
    _by_key: dict[str, Person] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, people: Iterable[Person]) -> Directory:
        """A directory over these people."""
        listed = tuple(people)
        by_key: dict[str, Person] = {}
        for person in listed:
            for name in (person.name, *person.aliases):
                by_key[person_key(name)] = person
        return cls(listed, by_key)

    @classmethod
    def load(cls, store: Store) -> Directory:
        """The directory of the store's people table."""
        return cls.of(store.people())

    def find(self, name: str) -> Person | None:
        """The person `name` (a name or an alias) means, or None: never a guess."""
        return self._by_key.get(person_key(name))

    def names(self) -> list[str]:
        """Everyone's name, as written, sorted without regard to case."""
        return sorted((p.name for p in self.people), key=str.casefold)


def suggestion(store: Store) -> str:
    """The known people a form offers for an owner ("Known people: a, b, c (and 4 more)"), or "" when none.

    A suggestion only: any name may still be typed.
    """
    names = Directory.load(store).names()
    if not names:
        return ""
    shown = ", ".join(visible(n) for n in names[:SUGGESTED])
    more = f" (and {len(names) - SUGGESTED} more)" if len(names) > SUGGESTED else ""
    return f"Known people: {shown}{more}; any other name may be typed."
