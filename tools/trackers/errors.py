"""The tracker branch of the domain error tree (the root and the other branches are in store/errors.py).

    PostmortemActionsError
    └── TrackerError               the team's tracker refused or could not be reached (nothing else changed)
        ├── TrackerNotConfigured   no credentials or target for that tracker
        ├── TrackerAuthFailed      401/403: bad credentials or missing scopes
        ├── TrackerTargetNotFound  404: the repository, project, team or ticket does not exist (or is hidden)
        ├── TrackerRejected        400/422: the tracker refused a field (e.g. a required custom field)
        └── TrackerUnavailable     429, 5xx or timeouts, still failing after bounded retries

The adapters import this module without the store (no SQLite, no pydantic): `postmortem_actions.store` loads its
names on first use.
"""

from __future__ import annotations

from postmortem_actions.store.errors import PostmortemActionsError


class TrackerError(PostmortemActionsError):
    """The tracker refused the request or could not be reached. Messages never contain credentials."""


class TrackerNotConfigured(TrackerError):
    """No credentials or no target (repository, project, team) are configured for that tracker."""


class TrackerAuthFailed(TrackerError):
    """401/403: the credentials are wrong, expired, or lack a scope."""


class TrackerTargetNotFound(TrackerError):
    """404: the repository, project, team or ticket does not exist, or the credentials cannot see it."""


class TrackerRejected(TrackerError):
    """400/422: the tracker refused the request's fields (a required custom field, an unknown label...)."""


class TrackerUnavailable(TrackerError):
    """429, 5xx, timeouts or connection errors, still failing after the bounded retries."""
