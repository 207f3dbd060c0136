"""What every tracker adapter does and works with: the protocol, its configuration, a ticket as filed and as read
back. An adapter turns a ticket request into the tracker's own API call and reads an issue back, through the shared
HTTP session (`session.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

TrackerName = Literal["github", "jira", "linear"]
TRACKERS: tuple[TrackerName, ...] = ("github", "jira", "linear")


@dataclass(frozen=True)
class TrackerConfig:
    """Where and as whom to file tickets. `token` is a secret: it is left out of repr and messages."""

    tracker: TrackerName
    base_url: str  # https://api.github.com (or GHE's /api/v3), https://acme.atlassian.net, https://api.linear.app
    target: str  # GitHub "owner/repo", Jira project key, Linear team key
    token: str = field(repr=False)
    email: str | None = None  # Jira Cloud: the account the API token belongs to
    issue_type: str = "Task"  # Jira: the issue type to create


@dataclass(frozen=True)
class TicketRequest:
    """A ticket as it will be filed: what `tools.tickets` drafts from an accepted action."""

    title: str
    body: str  # Markdown (GitHub, Linear)
    body_adf: dict[str, Any]  # Atlassian Document Format (Jira Cloud)
    labels: list[str]
    assignee: str | None  # the committed owner, as the human wrote it (a login, a name or an email)
    due: date | None


@dataclass(frozen=True)
class RemoteIssue:
    """A ticket as the tracker reports it."""

    ref: str  # "owner/repo#12", "OPS-123", "ENG-42"
    url: str
    state: str  # the tracker's own state name ("open", "closed", "Done", "In Progress"...)
    closed: bool  # finished in the tracker (GitHub closed, Jira status category done, Linear completed)
    not_planned: bool = False  # closed as won't do / not planned / canceled, not as done
    closed_by: str | None = None  # the person who closed it (a login or display name); None for bots and apps
    warnings: tuple[str, ...] = ()  # e.g. "owner 'dana' is not assignable in acme/web; left unassigned"
    closed_at: datetime | None = None  # when it was closed, when the tracker says
    # The closer's stable id (GitHub user id, Jira accountId, Linear user id): set whenever `closed_by` is.
    closed_by_id: str | None = None
    # Why nobody is named although the tracker was asked, when the adapter knows better than "a bot or an app"
    # (a clause, e.g. "the status change that closed it is not among the 2,000 latest history entries").
    closer_unknown: str | None = None


@dataclass(frozen=True)
class TrackerIdentity:
    """The account the configured token acts as: what the tracker shows for changes made through this server,
    or through anything else that holds the same token."""

    name: str  # a login or display name, to show
    # The stable id closes are compared by (GitHub user id, Jira accountId, Linear user id). None only for a
    # GitHub App installation token: its changes are made by the app's bot account, which is never a person.
    id: str | None


class TrackerAdapter(Protocol):
    """One tracker's API. Implementations raise only `TrackerError` subclasses."""

    name: TrackerName
    config: TrackerConfig

    def create(self, request: TicketRequest) -> RemoteIssue:
        """File a new ticket in the configured target."""
        ...

    def fetch(self, ref: str) -> RemoteIssue:
        """Read a ticket's current state, and who closed it if it is closed."""
        ...

    def ref_from_url(self, url: str) -> str | None:
        """The ref a ticket URL of this tracker names, or None when the URL is not one of its tickets."""
        ...

    def identity(self) -> TrackerIdentity:
        """The account the token acts as, asked of the tracker on first use and remembered by the adapter."""
        ...

    def close(self) -> None:
        """Release the HTTP connections."""
        ...


Sleep = Callable[[float], None]


def parse_timestamp(value: object) -> datetime | None:
    """A tracker's ISO 8601 timestamp ("2026-03-04T10:00:00Z", Jira's "…00.000+0000"), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
