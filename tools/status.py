"""An accepted item's working status (in progress, blocked, with a note): reported by the assistant or the person
working on it. It commits no one to anything, so it is not a human decision, but it is audit-logged with who said it."""

from __future__ import annotations

from postmortem_actions.store import Action, Actor, Store, WorkStatus
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.store.text import refusal


def record_status(store: Store, action_id: int, status: WorkStatus, note: str | None, by: Actor) -> Action:
    """Record an accepted action's working status as reported by `by` (the assistant, or the person); audit-logged.

    Raises:
        ActionNotFound: no such action.
        IllegalTransition: the action is not accepted.
        InvalidInput: the note has control characters, or a blocked status has no note.
    """
    clean = _note(note) if note else None
    if status is WorkStatus.BLOCKED and not clean:
        raise InvalidInput("say what blocks it: a blocked status needs a note")
    return store.set_work_status(action_id, status, clean, by)


def _note(note: str) -> str:
    clean = note.replace("\r\n", "\n").strip()
    if (why := refusal(clean, multiline=True)) is not None:
        raise InvalidInput(f"the note {why}; nothing was recorded")
    return clean
