"""Jira Cloud: file a ticket in a project through REST API v3, read its status back, and say who closed it.

Authentication is Basic with the Atlassian account email and an API token; both live only in the httpx2
client's auth, never in a message or a repr. Descriptions go as Atlassian Document Format, the committed
owner is resolved to an accountId through the user search, and labels lose their spaces (Jira refuses them).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlsplit

import httpx2

from postmortem_actions.tools.trackers.base import (
    RemoteIssue,
    Sleep,
    TicketRequest,
    TrackerConfig,
    TrackerIdentity,
    TrackerName,
    parse_timestamp,
)
from postmortem_actions.tools.trackers.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerNotConfigured,
    TrackerRejected,
    TrackerTargetNotFound,
    TrackerUnavailable,
)
from postmortem_actions.tools.trackers.session import Session

SUMMARY_LIMIT = 255  # Jira refuses longer summaries
NOT_PLANNED = frozenset({"won't do", "won't fix", "declined", "duplicate", "cannot reproduce"})
ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[1-9][0-9]*")
CHANGELOG_PAGE = 100  # the documented maximum page size of GET /issue/{key}/changelog
CHANGELOG_PAGES = 20  # at most 20 pages of history are read to find who closed an issue


def jira_summary(title: str) -> str:
    """The title on one line (Jira refuses newlines in a summary), cut to 255 characters with an ellipsis."""
    line = " ".join(title.split())
    return line if len(line) <= SUMMARY_LIMIT else line[: SUMMARY_LIMIT - 1].rstrip() + "…"


def jira_labels(labels: list[str]) -> list[str]:
    """Labels as Jira accepts them: runs of whitespace become "-", empty and repeated labels are dropped."""
    cleaned = ("-".join(label.split()) for label in labels)
    return list(dict.fromkeys(label for label in cleaned if label))


def _obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _decode(response: httpx2.Response, what: str) -> Any:
    """The response's JSON; raises TrackerUnavailable when a success carries no JSON (a proxy page, say)."""
    try:
        return response.json()
    except ValueError:
        raise TrackerUnavailable(
            f"jira answered {response.status_code} without JSON while trying to {what}. Check the base URL "
            "(it should be https://<site>.atlassian.net)"
        ) from None


class JiraAdapter:
    """The Jira Cloud adapter: tickets go into the project `config.target` as `config.issue_type`.

    Every request goes through `session` (retries, timeouts and error mapping); methods raise only
    `TrackerError` subclasses.
    """

    name: TrackerName = "jira"

    def __init__(self, config: TrackerConfig, session: Session) -> None:
        self.config = config
        self.session = session
        self.base_url = config.base_url.rstrip("/")
        self._identity: TrackerIdentity | None = None

    def __repr__(self) -> str:
        return f"JiraAdapter(base_url={self.base_url!r}, project={self.config.target!r})"

    def close(self) -> None:
        """Close the underlying HTTP client."""
        self.session.client.close()

    def issue_url(self, key: str) -> str:
        """The browser URL of an issue: {base_url}/browse/{key}."""
        return f"{self.base_url}/browse/{key}"

    def create(self, request: TicketRequest) -> RemoteIssue:
        """File the ticket and return it as Jira numbered it ("OPS-123", state "To Do").

        An owner that matches no single active Jira user leaves the issue unassigned, with a warning.

        Raises:
            TrackerAuthFailed: the email/token pair is refused, or may not create issues in the project.
            TrackerTargetNotFound: the project does not exist (or the account cannot see it).
            TrackerRejected: Jira refused a field, e.g. a required custom field; Jira's message is included.
            TrackerUnavailable: rate limits, 5xx or timeouts persisted through the retries.
        """
        project = self.config.target
        account_id, warnings = self._assignee(request.assignee) if request.assignee else (None, ())
        fields: dict[str, Any] = {
            "project": {"key": project},
            "issuetype": {"name": self.config.issue_type},
            "summary": jira_summary(request.title),
            "description": request.body_adf,
        }
        if labels := jira_labels(request.labels):
            fields["labels"] = labels
        if request.due is not None:
            fields["duedate"] = request.due.isoformat()
        if account_id is not None:
            fields["assignee"] = {"accountId": account_id}
        what = f"create an issue in project {project}"
        try:
            response = self.session.request(
                "POST", "/rest/api/3/issue", what=what, idempotent=False, json={"fields": fields}
            )
        except TrackerRejected:
            self._require_project(project)  # Jira answers 400 for a missing project; say 404 instead
            raise
        key = _obj(_decode(response, what)).get("key")
        if not isinstance(key, str) or not ISSUE_KEY.fullmatch(key):
            raise TrackerUnavailable(
                f"jira answered without an issue key while trying to {what}; the issue may "
                f"exist anyway, so check project {project} before filing again"
            )
        return RemoteIssue(ref=key, url=self.issue_url(key), state="To Do", closed=False, warnings=warnings)

    def fetch(self, ref: str) -> RemoteIssue:
        """Read an issue's status; when its status category is done, also who last changed its status.

        Raises:
            TrackerTargetNotFound: `ref` is not an issue key, or Jira has no such issue visible to the account.
            TrackerAuthFailed, TrackerRejected, TrackerUnavailable: as for `create`.
        """
        key = ref.strip().upper()
        if not ISSUE_KEY.fullmatch(key):
            raise TrackerTargetNotFound(
                f"'{ref}' is not a Jira issue key (a project key, a dash and a number, like OPS-123)"
            )
        what = f"read issue {key}"
        response = self.session.request(
            "GET", f"/rest/api/3/issue/{key}", what=what, params={"fields": "status,resolution,assignee"}
        )
        body = _obj(_decode(response, what))
        fields = _obj(body.get("fields"))
        status = _obj(fields.get("status"))
        closed = _obj(status.get("statusCategory")).get("key") == "done"
        resolution = _obj(fields.get("resolution")).get("name")
        not_planned = closed and isinstance(resolution, str) and resolution.replace("’", "'").casefold() in NOT_PLANNED
        reported = body.get("key")
        key = reported if isinstance(reported, str) and ISSUE_KEY.fullmatch(reported) else key  # moved issues
        name = status.get("name")
        remote = RemoteIssue(
            ref=key,
            url=self.issue_url(key),
            state=name if isinstance(name, str) else "unknown",
            closed=closed,
            not_planned=not_planned,
        )
        return closer_of(remote, status, self._changelog(key)) if closed else remote

    def identity(self) -> TrackerIdentity:
        """The account the API token belongs to (`GET /rest/api/3/myself`), asked on first use and remembered.

        Raises:
            TrackerUnavailable: Jira could not be reached, or answered without an accountId.
            TrackerAuthFailed, TrackerError: as for `create`.
        """
        if self._identity is None:
            what = "look up the account this API token belongs to"
            me = _obj(_decode(self.session.request("GET", "/rest/api/3/myself", what=what), what))
            account, name = me.get("accountId"), me.get("displayName")
            if not isinstance(account, str) or not account:
                raise TrackerUnavailable(f"jira answered without an accountId while trying to {what}")
            self._identity = TrackerIdentity(name=name if isinstance(name, str) and name else account, id=account)
        return self._identity

    def ref_from_url(self, url: str) -> str | None:
        """The key a {base_url}/browse/OPS-123 URL of the configured site names ("OPS-123"), else None."""
        base = urlsplit(self.base_url)
        try:
            parts = urlsplit(url.strip())
            same_site = (
                parts.scheme in ("http", "https") and parts.hostname == base.hostname and parts.port == base.port
            )
        except ValueError:
            return None
        prefix = re.escape(base.path.rstrip("/"))
        match = re.fullmatch(prefix + r"/browse/([A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*)/?", parts.path)
        return match.group(1).upper() if same_site and match else None

    def _assignee(self, owner: str) -> tuple[str | None, tuple[str, ...]]:
        """The accountId of the one active Atlassian user the owner names, else None and a warning.

        An exact (case-insensitive) email or display-name match wins; otherwise a lone search result is taken.
        A 401/403 from the search (the account may not browse users) also leaves the issue unassigned.
        """
        query = owner.strip().removeprefix("@").strip()
        if not query:
            return None, ()

        def unassigned(why: str) -> str:
            # Not str.format on a template holding the owner: an owner such as "Dana {SRE}" is text, not a field.
            return f"owner '{owner}' {why} in Jira; the issue is left unassigned"

        try:
            response = self.session.request(
                "GET", "/rest/api/3/user/search", what=f"look up the Jira user '{query}'", params={"query": query}
            )
        except TrackerAuthFailed:
            return None, (unassigned("could not be looked up (the account may not browse users)"),)
        found = _decode(response, "look up a Jira user")
        users = [
            user
            for user in (found if isinstance(found, list) else [])
            if isinstance(user, dict)
            and user.get("active") is True
            and user.get("accountType", "atlassian") == "atlassian"
            and isinstance(user.get("accountId"), str)
        ]
        wanted = query.casefold()
        exact = [
            user
            for user in users
            if wanted in (str(user.get("emailAddress") or "").casefold(), str(user.get("displayName") or "").casefold())
        ]
        chosen = exact or users
        if len(chosen) == 1:
            return str(chosen[0]["accountId"]), ()
        return None, (
            unassigned(f"matches {len(chosen)} active Jira users" if chosen else "matches no active Jira user"),
        )

    def _changelog(self, key: str) -> History:
        """The newest entries of an issue's changelog, newest first, down to its newest status change or as far
        as `CHANGELOG_PAGES` pages reach.

        Jira pages the changelog oldest first (`startAt`, `maxResults`, `total`, `isLast`): the first page says
        how long it is, then the pages are read backwards from the last one. The first page counts only when
        every page after it was read too; otherwise a change in between could be the newer one.
        """
        what = f"read the history of issue {key}"

        def page(start: int) -> dict[str, Any]:
            response = self.session.request(
                "GET",
                f"/rest/api/3/issue/{key}/changelog",
                what=what,
                params={"startAt": start, "maxResults": CHANGELOG_PAGE},
            )
            return _obj(_decode(response, what))

        first = page(0)
        head = _entries(first)
        total, size = first.get("total"), first.get("maxResults")
        if not head or first.get("isLast") is True or (isinstance(total, int) and total <= len(head)):
            return History(list(reversed(head)), complete=True, total=len(head))
        if not isinstance(total, int) or not isinstance(size, int) or size < 1:
            return History([], complete=False, total=len(head))  # no way to find the end: decide nothing
        tail: list[dict[str, Any]] = []
        start = (total - 1) // size * size  # the last page
        for _ in range(CHANGELOG_PAGES - 1):
            if start < size or any(_status_item(entry) for entry in tail):
                break
            tail.extend(reversed(_entries(page(start))))
            start -= size
        complete = start < size  # every page after the first was read
        return History(tail + (list(reversed(head)) if complete else []), complete=complete, total=total)

    def _require_project(self, project: str) -> None:
        """Raise TrackerTargetNotFound when the project is missing; any other answer leaves the caller's error."""
        try:
            self.session.request(
                "GET", f"/rest/api/3/project/{quote(project, safe='')}", what=f"find project {project}"
            )
        except TrackerTargetNotFound:
            raise
        except TrackerError:
            return


@dataclass(frozen=True)
class History:
    """The newest changelog entries read, newest first, out of `total`; `complete` when they reach back to the
    issue's first entry."""

    entries: list[dict[str, Any]]
    complete: bool
    total: int


def _entries(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry objects of one changelog page."""
    return [entry for entry in page.get("values") or [] if isinstance(entry, dict)]


def _status_item(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The status change among a changelog entry's items, if it has one."""
    return next(
        (
            item
            for item in (_obj(i) for i in entry.get("items") or [])
            if "status" in (item.get("field"), item.get("fieldId"))
        ),
        None,
    )


def _leads_to(item: dict[str, Any], status: dict[str, Any]) -> bool:
    """Whether a status change led to `status` (by status id when both have one, else by name)."""
    if item.get("to") is not None and status.get("id") is not None:
        return str(item["to"]) == str(status["id"])
    return str(item.get("toString") or "").casefold() == str(status.get("name") or "").casefold()


def closer_of(remote: RemoteIssue, status: dict[str, Any], history: History) -> RemoteIssue:
    """`remote` with who closed it: the author of the newest status change, when that change led to the
    status the issue is in and its author is a person (`accountType` "atlassian"; an app account such as
    Automation for Jira or an integration is nobody). When that change is not among the entries read, or led
    elsewhere, nobody is named and `closer_unknown` says why."""
    change = next((entry for entry in history.entries if _status_item(entry)), None)
    if change is None and history.complete:
        return replace(remote, closer_unknown="its history has no status change that says who closed it")
    if change is None and not history.entries:
        return replace(
            remote,
            closer_unknown="Jira did not say how long its history is, so the change that closed it could not be found",
        )
    if change is None:
        return replace(
            remote,
            closer_unknown=f"the status change that closed it is not among the latest "
            f"{len(history.entries):,} of its {history.total:,} history entries "
            "(the ones read)",
        )
    item = _status_item(change) or {}
    if not _leads_to(item, status):
        return replace(
            remote,
            closer_unknown=f"its latest status change in the history is to "
            f"{item.get('toString') or item.get('to')}, not to {remote.state}",
        )
    author = _obj(change.get("author"))
    name, account = author.get("displayName"), author.get("accountId")
    if (
        author.get("accountType") != "atlassian"
        or not isinstance(name, str)
        or not name
        or not isinstance(account, str)
        or not account
    ):
        return replace(remote, closed_at=parse_timestamp(change.get("created")))
    return replace(remote, closed_by=name, closed_by_id=account, closed_at=parse_timestamp(change.get("created")))


def connect_jira(
    config: TrackerConfig, *, transport: httpx2.BaseTransport | None = None, sleep: Sleep = time.sleep
) -> JiraAdapter:
    """A JiraAdapter talking to `config.base_url` as `config.email` with the API token `config.token`.

    `transport` replaces the network (tests pass FakeJira's); `sleep` is the session's backoff wait.

    Raises:
        TrackerNotConfigured: the configuration is not for Jira, or lacks the email, token, project or site.
    """
    email = (config.email or "").strip()
    missing = [
        name
        for name, value in (
            ("the account email", email),
            ("an API token", config.token.strip()),
            ("a project key", config.target.strip()),
            ("the site URL", config.base_url),
        )
        if not value
    ]
    if config.tracker != "jira" or missing:
        raise TrackerNotConfigured(
            f"Jira is not configured: {'it needs ' + ', '.join(missing) if missing else 'the tracker is not jira'}. "
            "Jira Cloud signs in with the Atlassian account email and an API token (see README, 'Trackers')"
        )
    client = httpx2.Client(
        base_url=config.base_url.rstrip("/"),
        auth=httpx2.BasicAuth(email, config.token),
        headers={"Accept": "application/json", "User-Agent": "postmortem-actions"},
        timeout=20,
        transport=transport,
    )
    return JiraAdapter(config, Session("jira", client, sleep=sleep))
