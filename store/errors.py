"""The one domain error tree of postmortem-actions.

Every error the store and the operations raise on purpose is a subclass of `PostmortemActionsError`; the
MCP layer turns exactly these into `ToolError` messages (their text is written for the model to act on),
and the CLI prints them. Anything else escaping is a bug.

    PostmortemActionsError
    ├── NotFound                   an id names nothing
    │   ├── PostmortemNotFound
    │   ├── ActionNotFound
    │   ├── TicketNotFound
    │   └── PersonNotFound         no person has this name or alias (the people table, for reminders)
    ├── InvalidInput               the caller sent something unusable; nothing was written
    │   ├── QuoteNotFound          evidence quote does not occur in the postmortem
    │   ├── DocumentTooLarge       text or file over the size limit
    │   ├── NotText                binary or undecodable input
    │   ├── PathNotAllowed         a file path outside the allowed directories, a dotfile, key material
    │   └── ConfigError            a setting, a key file or a policy file cannot be used (nothing was started)
    ├── GateError                  the human-decision invariant said no
    │   ├── HumanDecisionRequired  owner, due date or state may only change through a human decision
    │   ├── NotEditable            the action is no longer a candidate (accepted items are not reworded)
    │   ├── IllegalTransition      the decision does not fit the action's current state
    │   ├── StaleAnswer            the item changed after the human was asked; the answer is not applied
    │   ├── NoHumanChannel         this client cannot ask the human; nothing was committed
    │   └── LinkNotValid           a one-time decision link or card ticket is unknown, used, expired or for
    │                              another item; nothing was recorded
    ├── OutputNotWritten           a command's output file was refused or could not be written; nothing was
    │                              written, and any earlier file there is as it was
    ├── StoreError                 the database itself, or a missing file where one must exist
    │   ├── StoreBusy              another process held the write lock past the busy timeout
    │   └── SchemaMismatch         the file was written by a newer version, or is not our database
    ├── TrackerError               the team's tracker refused or could not be reached (tools/trackers/errors.py)
    └── DeliveryFailed             a reminder was not delivered through one channel (tools/nudges/errors.py)

Tampering is not an exception: `Store.verify()` returns every break it finds (a report, exit 1 in the CLI).
"""

from __future__ import annotations


class PostmortemActionsError(Exception):
    """Base of every deliberate error; its message is safe and useful to show to the model."""


class NotFound(PostmortemActionsError):
    """An id names no record."""


class PostmortemNotFound(NotFound):
    """No postmortem has this id."""


class ActionNotFound(NotFound):
    """No action has this id."""


class TicketNotFound(NotFound):
    """No linked ticket has this id."""


class PersonNotFound(NotFound):
    """No person in the people table has this name or alias."""


class InvalidInput(PostmortemActionsError):
    """The input cannot be used; nothing was written."""


class QuoteNotFound(InvalidInput):
    """An evidence quote does not occur in its postmortem."""


class DocumentTooLarge(InvalidInput):
    """A document or file is over the configured size limit."""


class NotText(InvalidInput):
    """Input is binary or cannot be decoded as text."""


class PathNotAllowed(InvalidInput):
    """A file path is outside the allowed directories or names something that must not be read."""


class ConfigError(InvalidInput):
    """A setting (environment, command line), a key file kept beside the database or a policy file cannot be used."""


class GateError(PostmortemActionsError):
    """The human-decision invariant refused a change."""


class HumanDecisionRequired(GateError):
    """Owner, due date or lifecycle state can change only through a recorded human decision."""


class NotEditable(GateError):
    """The action is past the candidate stage and cannot be edited by the assistant."""


class IllegalTransition(GateError):
    """A decision does not fit the action's current lifecycle state."""


class StaleAnswer(GateError):
    """The action changed between the question and the human's answer; nothing was recorded."""


class NoHumanChannel(GateError):
    """The client cannot put a question to the human (no elicitation); nothing was committed."""


class LinkNotValid(GateError):
    """A one-time decision link or card ticket is unknown, already used, expired, or bound to something else."""


class OutputNotWritten(PostmortemActionsError):
    """An output file (`report --html`, `export --out`) was refused or could not be written; nothing was written."""


class StoreError(PostmortemActionsError):
    """The database could not do what was asked."""


class StoreBusy(StoreError):
    """The write lock stayed held by another process longer than the busy timeout."""


class SchemaMismatch(StoreError):
    """The database file is not ours or was written by a newer version."""
