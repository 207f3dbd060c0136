"""The nudges branch of the domain error tree (the root and the other branches are in store/errors.py).

PostmortemActionsError
└── DeliveryFailed     a reminder could not be delivered through one channel to one recipient; it was not
                       recorded, so the next run tries it again (messages never hold a webhook URL or password)
"""

from __future__ import annotations

from postmortem_actions.store.errors import PostmortemActionsError


class DeliveryFailed(PostmortemActionsError):
    """One message was not delivered (refused, unreachable, or still failing after the bounded retries)."""
