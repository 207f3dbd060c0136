"""Read-only questions about actions, answered with exact counts."""

from __future__ import annotations

from typing import Final

from postmortem_actions.store import ActionFilter, Store

from .models import ActionDetail, ActionPage

DEFAULT_PAGE: Final = 20
MAX_PAGE: Final = 200


def list_actions(store: Store, where: ActionFilter, *, limit: int = DEFAULT_PAGE, offset: int = 0) -> ActionPage:
    """One page of actions matching every filter, ordered by id, with the exact total.

    `limit` is clamped to 1..200 and `offset` to >= 0.

    Raises:
        PostmortemNotFound: `where.postmortem_id` names no postmortem (an empty page would look like an exact 0).
    """
    if where.postmortem_id is not None:
        store.get_postmortem(where.postmortem_id)
    limit = min(max(limit, 1), MAX_PAGE)
    offset = max(offset, 0)
    items, total = store.list_actions(where, limit=limit, offset=offset)
    following = offset + len(items)
    return ActionPage(
        items=items, total=total, limit=limit, offset=offset, next_offset=following if following < total else None
    )


def action_detail(store: Store, action_id: int) -> ActionDetail:
    """One action with its decisions and its audit log, oldest first.

    Raises:
        ActionNotFound: no such id.
    """
    action = store.get_action(action_id)
    return ActionDetail(action=action, decisions=store.decisions(action_id), audit=store.audit_log("action", action_id))
