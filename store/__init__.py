"""Records, schema, invariants and the SQLite store of postmortem-actions."""

from . import lifecycle
from .chain import VerifyReport
from .inputs import ActionFilter, Actor, HumanDecision, NewAction, NewPostmortem
from .records import (
    Action,
    ActionState,
    ActionSummary,
    AuditEntry,
    Category,
    Channel,
    Decision,
    DecisionKind,
    Postmortem,
    Size,
    Ticket,
    WorkStatus,
)
from .store import Store

__all__ = [
    "Action",
    "ActionFilter",
    "ActionState",
    "ActionSummary",
    "Actor",
    "AuditEntry",
    "Category",
    "Channel",
    "Decision",
    "DecisionKind",
    "HumanDecision",
    "NewAction",
    "NewPostmortem",
    "Postmortem",
    "Size",
    "Store",
    "Ticket",
    "VerifyReport",
    "WorkStatus",
    "lifecycle",
]
