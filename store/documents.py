"""Postmortems after they are stored: correcting what describes a document (never its text), and the overview of
every stored document with how many of its actions are in each state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .connection import reading, writing
from .database import Database
from .errors import InvalidInput, PostmortemNotFound
from .inputs import Actor
from .records import Postmortem, PostmortemOverview
from .sql import sql_value
from .text import refusal

# What a person may correct about a stored postmortem. The text (and its sha256) is immutable: a new version of
# the document is stored as a new postmortem.
METADATA_FIELDS: Final = frozenset({"title", "severity", "incident_date"})


class PostmortemRecords(Database):
    """Edits of a postmortem's description, and the documents' overview."""

    def update_postmortem(
        self, postmortem_id: int, changes: Mapping[str, object], by: Actor
    ) -> tuple[Postmortem, dict[str, list[object]]]:
        """Set a postmortem's title, severity or incident date; audit-logged as an `edit` with before and after.

        Returns the postmortem as stored now, and what changed (field: [before, after]); values equal to the
        stored ones change nothing and are not logged.

        Raises:
            PostmortemNotFound: no such id.
            InvalidInput: another field was named, the title is blank or hides characters, or a constraint
                refused a value (an unknown severity).
        """
        unknown = set(changes) - METADATA_FIELDS
        if unknown:
            raise InvalidInput(
                f"only a postmortem's {', '.join(sorted(METADATA_FIELDS))} can be changed, not {sorted(unknown)}"
            )
        title = changes.get("title")
        if "title" in changes and (not isinstance(title, str) or not title.strip() or refusal(title) is not None):
            raise InvalidInput("the title must be one line of visible text; nothing was changed")
        with self._db() as db, writing(db):
            row = db.execute("SELECT * FROM postmortems WHERE id = ?", [postmortem_id]).fetchone()
            if row is None:
                raise PostmortemNotFound(f"no postmortem has id {postmortem_id}")
            diff = {key: [row[key], sql_value(value)] for key, value in changes.items() if row[key] != sql_value(value)}
            if diff:
                assignments = ", ".join(f"{key} = :{key}" for key in diff)
                db.execute(
                    f"UPDATE postmortems SET {assignments} WHERE id = :id",  # noqa: S608 - keys allow-listed
                    {**{key: after for key, (_, after) in diff.items()}, "id": postmortem_id},
                )
                self._audit(db, "postmortem", postmortem_id, "edit", diff, by)
            stored = Postmortem.model_validate(
                db.execute("SELECT * FROM postmortems WHERE id = ?", [postmortem_id]).fetchone()
            )
        return stored, diff

    def postmortem_overview(self) -> list[PostmortemOverview]:
        """Every stored postmortem, newest first, with how many of its actions are in each state (text left out)."""
        sql = """
            SELECT p.id, p.title, p.source, p.severity, p.incident_date, p.created_at,
                   count(a.id) FILTER (WHERE a.state = 'candidate') AS candidate,
                   count(a.id) FILTER (WHERE a.state = 'accepted') AS accepted,
                   count(a.id) FILTER (WHERE a.state = 'done') AS done,
                   count(a.id) FILTER (WHERE a.state = 'killed') AS killed
            FROM postmortems p LEFT JOIN actions a ON a.postmortem_id = p.id
            GROUP BY p.id ORDER BY p.id DESC
        """
        with self._db() as db, reading(db):
            return [PostmortemOverview.model_validate(r) for r in db.execute(sql)]
