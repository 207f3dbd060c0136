"""Records, schema, invariants and the SQLite store of postmortem-actions.

The names below load on first use: `postmortem_actions.store.errors` (the domain error tree) and
`postmortem_actions.store.text` can be imported without pydantic or SQLite, as the tracker adapters do.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import lifecycle
    from .chain import VerifyReport
    from .inputs import ActionFilter, Actor, HumanDecision, NewAction, NewPerson, NewPostmortem
    from .records import (
        Action,
        ActionState,
        ActionSummary,
        AuditEntry,
        Category,
        Channel,
        Decision,
        DecisionKind,
        Person,
        Postmortem,
        PostmortemOverview,
        Size,
        Ticket,
        WorkStatus,
    )
    from .store import Store

_WHERE = {
    "lifecycle": "",
    "VerifyReport": ".chain",
    "Store": ".store",
    **dict.fromkeys(("ActionFilter", "Actor", "HumanDecision", "NewAction", "NewPerson", "NewPostmortem"), ".inputs"),
    **dict.fromkeys(
        (
            "Action",
            "ActionState",
            "ActionSummary",
            "AuditEntry",
            "Category",
            "Channel",
            "Decision",
            "DecisionKind",
            "Person",
            "Postmortem",
            "PostmortemOverview",
            "Size",
            "Ticket",
            "WorkStatus",
        ),
        ".records",
    ),
}

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
    "NewPerson",
    "NewPostmortem",
    "Person",
    "Postmortem",
    "PostmortemOverview",
    "Size",
    "Store",
    "Ticket",
    "VerifyReport",
    "WorkStatus",
    "lifecycle",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not where:
        return importlib.import_module(f".{name}", __name__)
    return getattr(importlib.import_module(where, __name__), name)
