"""Jira Cloud: file a ticket in a project through REST API v3, read its status back, and say who closed it.

Authentication is Basic with the Atlassian account email and an API token; both live only in the httpx2
client's auth, never in a message or a repr. Descriptions go as Atlassian Document Format, the committed
owner is resolved to an accountId through the user search, and labels lose their spaces (Jira refuses them).
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx2

from postmortem_actions.store.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerNotConfigured,
    TrackerRejected,
    TrackerTargetNotFound,
    TrackerUnavailable,
)
from postmortem_actions.tools.tracker_base import (
    RemoteIssue,
    Session,
    Sleep,
    TicketRequest,
    TrackerConfig,
    TrackerName,
    parse_timestamp,
)

SUMMARY_LIMIT = 255  # Jira refuses longer summaries
NOT_PLANNED = frozenset({"won't do", "won't fix", "declined", "duplicate", "cannot reproduce"})
ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[1-9][0-9]*")
CHANGELOG_PAGE = 100  # the documented maximum page size of GET /issue/{key}/changelog
CHANGELOG_PAGES = 20  # at most 2,000 history entries are read to find who closed an issue


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
            "(it should be https://<site>.atlassian.net)") from None


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
            response = self.session.request("POST", "/rest/api/3/issue", what=what, idempotent=False,
                                            json={"fields": fields})
        except TrackerRejected:
            self._require_project(project)  # Jira answers 400 for a missing project; say 404 instead
            raise
        key = _obj(_decode(response, what)).get("key")
        if not isinstance(key, str) or not ISSUE_KEY.fullmatch(key):
            raise TrackerUnavailable(f"jira answered without an issue key while trying to {what}; the issue may "
                                     f"exist anyway, so check project {project} before filing again")
        return RemoteIssue(ref=key, url=self.issue_url(key), state="To Do", closed=False, warnings=warnings)

    def fetch(self, ref: str) -> RemoteIssue:
        """Read an issue's status; when its status category is done, also who last changed its status.

        Raises:
            TrackerTargetNotFound: `ref` is not an issue key, or Jira has no such issue visible to the account.
            TrackerAuthFailed, TrackerRejected, TrackerUnavailable: as for `create`.
        """
        key = ref.strip().upper()
        if not ISSUE_KEY.fullmatch(key):
            raise TrackerTargetNotFound(f"'{ref}' is not a Jira issue key (a project key, a dash and a number, "
                                        "like OPS-123)")
        what = f"read issue {key}"
        response = self.session.request("GET", f"/rest/api/3/issue/{key}", what=what,
                                        params={"fields": "status,resolution,assignee"})
        body = _obj(_decode(response, what))
        fields = _obj(body.get("fields"))
        status = _obj(fields.get("status"))
        closed = _obj(status.get("statusCategory")).get("key") == "done"
        resolution = _obj(fields.get("resolution")).get("name")
        not_planned = closed and isinstance(resolution, str) and resolution.replace("’", "'").casefold() in NOT_PLANNED
        reported = body.get("key")
        key = reported if isinstance(reported, str) and ISSUE_KEY.fullmatch(reported) else key  # moved issues
        name = status.get("name")
        closer, closed_at = self._closer(key) if closed else (None, None)
        return RemoteIssue(ref=key, url=self.issue_url(key), state=name if isinstance(name, str) else "unknown",
                           closed=closed, not_planned=not_planned, closed_by=closer, closed_at=closed_at)

    def ref_from_url(self, url: str) -> str | None:
        """The key a {base_url}/browse/OPS-123 URL of the configured site names ("OPS-123"), else None."""
        base = urlsplit(self.base_url)
        try:
            parts = urlsplit(url.strip())
            same_site = (parts.scheme in ("http", "https") and parts.hostname == base.hostname
                         and parts.port == base.port)
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
        unassigned = f"owner '{owner}' {{}} in Jira; the issue is left unassigned"
        try:
            response = self.session.request("GET", "/rest/api/3/user/search", what=f"look up the Jira user '{query}'",
                                            params={"query": query})
        except TrackerAuthFailed:
            return None, (unassigned.format("could not be looked up (the account may not browse users)"),)
        found = _decode(response, "look up a Jira user")
        users = [user for user in (found if isinstance(found, list) else []) if isinstance(user, dict)
                 and user.get("active") is True and user.get("accountType", "atlassian") == "atlassian"
                 and isinstance(user.get("accountId"), str)]
        wanted = query.casefold()
        exact = [user for user in users if wanted in (str(user.get("emailAddress") or "").casefold(),
                                                      str(user.get("displayName") or "").casefold())]
        chosen = exact or users
        if len(chosen) == 1:
            return str(chosen[0]["accountId"]), ()
        return None, (unassigned.format(f"matches {len(chosen)} active Jira users" if chosen else
                                        "matches no active Jira user"),)

    def _closer(self, key: str) -> tuple[str | None, datetime | None]:
        """Who made the latest status change, and when, from the issue's changelog (oldest first).

        An app account (Automation for Jira, an integration) is not a person: its change names nobody."""
        what = f"read the history of issue {key}"
        closer: str | None = None
        when: datetime | None = None
        start = 0
        for _ in range(CHANGELOG_PAGES):
            response = self.session.request("GET", f"/rest/api/3/issue/{key}/changelog", what=what,
                                            params={"startAt": start, "maxResults": CHANGELOG_PAGE})
            page = _obj(_decode(response, what))
            values = [entry for entry in page.get("values") or [] if isinstance(entry, dict)]
            for entry in values:
                items = [_obj(item) for item in entry.get("items") or []]
                if any("status" in (item.get("field"), item.get("fieldId")) for item in items):
                    author = _obj(entry.get("author"))
                    name = author.get("displayName")
                    person = author.get("accountType", "atlassian") == "atlassian"
                    closer = name if isinstance(name, str) and name and person else None
                    when = parse_timestamp(entry.get("created"))
            start += len(values)
            if page.get("isLast") is not False or not values:
                break
        return closer, when

    def _require_project(self, project: str) -> None:
        """Raise TrackerTargetNotFound when the project is missing; any other answer leaves the caller's error."""
        try:
            self.session.request("GET", f"/rest/api/3/project/{quote(project, safe='')}",
                                 what=f"find project {project}")
        except TrackerTargetNotFound:
            raise
        except TrackerError:
            return


def connect_jira(config: TrackerConfig, *, transport: httpx2.BaseTransport | None = None,
                 sleep: Sleep = time.sleep) -> JiraAdapter:
    """A JiraAdapter talking to `config.base_url` as `config.email` with the API token `config.token`.

    `transport` replaces the network (tests pass FakeJira's); `sleep` is the session's backoff wait.

    Raises:
        TrackerNotConfigured: the configuration is not for Jira, or lacks the email, token, project or site.
    """
    email = (config.email or "").strip()
    missing = [name for name, value in (("the account email", email), ("an API token", config.token.strip()),
                                        ("a project key", config.target.strip()), ("the site URL", config.base_url))
               if not value]
    if config.tracker != "jira" or missing:
        raise TrackerNotConfigured(
            f"Jira is not configured: {'it needs ' + ', '.join(missing) if missing else 'the tracker is not jira'}. "
            "Jira Cloud signs in with the Atlassian account email and an API token (see README, 'Trackers')")
    client = httpx2.Client(base_url=config.base_url.rstrip("/"), auth=httpx2.BasicAuth(email, config.token),
                           headers={"Accept": "application/json", "User-Agent": "postmortem-actions"}, timeout=20,
                           transport=transport)
    return JiraAdapter(config, Session("jira", client, sleep=sleep))
