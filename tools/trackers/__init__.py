"""Tickets in the team's tracker: drafts from accepted items, filing and linking them, and reading them back.

One module per tracker (github, jira, linear) behind the protocol in `base`, sharing the HTTP `session`; `config`
says which trackers are configured; `drafts`, `filing` and `sync` are the operations. The names below load on first
use, so reading the configuration (every CLI command does) never imports the HTTP client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from postmortem_actions.tools.trackers.base import TRACKERS, TrackerAdapter, TrackerConfig, TrackerName
    from postmortem_actions.tools.trackers.config import Trackers, how_to_configure, load_trackers
    from postmortem_actions.tools.trackers.drafts import MAX_ITEMS, DraftResult, draft_tickets
    from postmortem_actions.tools.trackers.filing import (
        ExportedTicket,
        ExportResult,
        Failed,
        connect,
        export_tickets,
        link_ticket,
    )
    from postmortem_actions.tools.trackers.sync import SyncChange, SyncResult, sync_tickets

_WHERE = {
    **dict.fromkeys(("TRACKERS", "TrackerAdapter", "TrackerConfig", "TrackerName"), "base"),
    **dict.fromkeys(("Trackers", "how_to_configure", "load_trackers"), "config"),
    **dict.fromkeys(("MAX_ITEMS", "DraftResult", "draft_tickets"), "drafts"),
    **dict.fromkeys(("ExportedTicket", "ExportResult", "Failed", "connect", "export_tickets", "link_ticket"), "filing"),
    **dict.fromkeys(("SyncChange", "SyncResult", "sync_tickets"), "sync"),
}

__all__ = [
    "MAX_ITEMS",
    "TRACKERS",
    "DraftResult",
    "ExportResult",
    "ExportedTicket",
    "Failed",
    "SyncChange",
    "SyncResult",
    "TrackerAdapter",
    "TrackerConfig",
    "TrackerName",
    "Trackers",
    "connect",
    "draft_tickets",
    "export_tickets",
    "how_to_configure",
    "link_ticket",
    "load_trackers",
    "sync_tickets",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
