"""The people table: the names owners are written as, their aliases, and where reminders reach them.

Owners are free text ("alice", "Alice", "Alice Ng"); a person has one name and any number of aliases, all matched
case-insensitively (`person_key`), and no two people share a name or an alias. Reminders read this table to find an
owner's email address or Slack member id; nothing here changes an action or a decision.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from .connection import reading, writing
from .database import Database
from .errors import InvalidInput, PersonNotFound
from .inputs import NewPerson
from .records import Person, person_key

_CONTACTS = ("email", "slack_id")


class People(Database):
    """Reading and writing `people` and `person_aliases`."""

    def add_person(self, new: NewPerson) -> Person:
        """Add a person with their aliases, in one transaction.

        Raises:
            InvalidInput: the name or an alias is already someone's name or alias, or a value is refused.
        """
        with self._db() as db, writing(db):
            taken = self._names_taken(db)
            for name in (new.name, *new.aliases):
                self._refuse_taken(taken, name)
                taken[person_key(name)] = new.name
            cursor = db.execute(
                "INSERT INTO people (name, email, slack_id) VALUES (?, ?, ?)", [new.name, new.email, new.slack_id]
            )
            person_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO person_aliases (person_id, alias) VALUES (?, ?)", [(person_id, a) for a in new.aliases]
            )
            return self._person(db, person_id)

    def update_person(self, ref: str, changes: Mapping[str, str | None]) -> Person:
        """Set (or clear, with None) a person's email address or Slack member id.

        Raises:
            PersonNotFound: no person has this name or alias.
            InvalidInput: a field other than email and slack_id, or a value the table refuses.
        """
        unknown = set(changes) - set(_CONTACTS)
        if unknown:
            raise InvalidInput(f"only email and slack_id can be changed, not {', '.join(sorted(unknown))}")
        with self._db() as db, writing(db):
            person = self._find(db, ref)
            if changes:
                assignments = ", ".join(f"{k} = :{k}" for k in changes)
                db.execute(f"UPDATE people SET {assignments} WHERE id = :id", {**changes, "id": person.id})  # noqa: S608
            return self._person(db, person.id)

    def add_alias(self, ref: str, alias: str) -> Person:
        """Give a person another name owners may be written as.

        Raises:
            PersonNotFound: no person has this name or alias.
            InvalidInput: the alias is already someone's name or alias.
        """
        with self._db() as db, writing(db):
            person = self._find(db, ref)
            self._refuse_taken(self._names_taken(db), alias)
            db.execute("INSERT INTO person_aliases (person_id, alias) VALUES (?, ?)", [person.id, alias])
            return self._person(db, person.id)

    def remove_alias(self, alias: str) -> Person:
        """Remove an alias; the person keeps their name and other aliases.

        Raises:
            PersonNotFound: no alias is written so (a person's own name is removed with `remove_person`).
        """
        with self._db() as db, writing(db):
            for row in db.execute("SELECT id, person_id, alias FROM person_aliases"):
                if person_key(str(row["alias"])) == person_key(alias):
                    db.execute("DELETE FROM person_aliases WHERE id = ?", [row["id"]])
                    return self._person(db, int(row["person_id"]))
        raise PersonNotFound(f"nobody has the alias {alias!r}; `people list` shows every name and alias")

    def remove_person(self, ref: str) -> Person:
        """Remove a person and their aliases; the actions they own keep their owner's name, as written.

        Raises:
            PersonNotFound: no person has this name or alias.
        """
        with self._db() as db, writing(db):
            person = self._find(db, ref)
            db.execute("DELETE FROM people WHERE id = ?", [person.id])
            return person

    def people(self) -> list[Person]:
        """Everyone in the people table with their aliases, by name."""
        with self._db() as db, reading(db):
            aliases: dict[int, list[str]] = {}
            for row in db.execute("SELECT person_id, alias FROM person_aliases ORDER BY alias COLLATE NOCASE"):
                aliases.setdefault(int(row["person_id"]), []).append(str(row["alias"]))
            return [
                Person.model_validate({**row, "aliases": tuple(aliases.get(int(row["id"]), ()))})
                for row in db.execute("SELECT * FROM people ORDER BY name COLLATE NOCASE, id")
            ]

    def find_person(self, ref: str) -> Person:
        """The person with this name or alias (case-insensitive).

        Raises:
            PersonNotFound: no person has it.
        """
        with self._db() as db, reading(db):
            return self._find(db, ref)

    def person_by_email(self, email: str) -> str | None:
        """The name of the person with this email address (ignoring case), or None."""
        with self._db() as db, reading(db):
            row = db.execute(
                "SELECT name FROM people WHERE email = ? COLLATE NOCASE ORDER BY id LIMIT 1", [email.strip()]
            ).fetchone()
        return None if row is None else str(row["name"])

    def person_by_name(self, ref: str) -> str | None:
        """The name of the person with this name or alias, or None."""
        try:
            return self.find_person(ref).name
        except PersonNotFound:
            return None

    def open_owners(self) -> dict[str, int]:
        """Each owner name of an accepted item, as written, with its number of accepted items."""
        with self._db() as db, reading(db):
            rows = db.execute(
                "SELECT owner, count(*) AS n FROM actions WHERE state = 'accepted' GROUP BY owner COLLATE NOCASE"
            )
            return {str(r["owner"]): int(r["n"]) for r in rows if r["owner"] is not None}

    # -- helpers ------------------------------------------------------------------------------------

    @staticmethod
    def _names_taken(db: sqlite3.Connection) -> dict[str, str]:
        """Every name and alias (by key) and whose it is: a small table, read whole inside the write."""
        taken = {person_key(str(r["name"])): str(r["name"]) for r in db.execute("SELECT name FROM people")}
        for row in db.execute("SELECT a.alias, p.name FROM person_aliases a JOIN people p ON p.id = a.person_id"):
            taken[person_key(str(row["alias"]))] = str(row["name"])
        return taken

    @staticmethod
    def _refuse_taken(taken: Mapping[str, str], name: str) -> None:
        owner = taken.get(person_key(name))
        if owner is not None:
            raise InvalidInput(
                f"{name!r} already names {owner!r} (names and aliases ignore case and must be unique); "
                "nothing was changed"
            )

    def _find(self, db: sqlite3.Connection, ref: str) -> Person:
        key = person_key(ref)
        for row in db.execute("SELECT id, name FROM people"):
            if person_key(str(row["name"])) == key:
                return self._person(db, int(row["id"]))
        for row in db.execute("SELECT person_id, alias FROM person_aliases"):
            if person_key(str(row["alias"])) == key:
                return self._person(db, int(row["person_id"]))
        raise PersonNotFound(f"nobody is called {ref!r}; `people list` shows every name and alias")

    @staticmethod
    def _person(db: sqlite3.Connection, person_id: int) -> Person:
        row = db.execute("SELECT * FROM people WHERE id = ?", [person_id]).fetchone()
        aliases = db.execute(
            "SELECT alias FROM person_aliases WHERE person_id = ? ORDER BY alias COLLATE NOCASE", [person_id]
        )
        return Person.model_validate({**row, "aliases": tuple(str(a["alias"]) for a in aliases)})
