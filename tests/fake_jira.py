"""A vendor-like fake of Jira Cloud's REST API v3, served to httpx2 through `MockTransport`.

    jira = FakeJira()                          # site https://acme.atlassian.net, project OPS, the bot account
    adapter = connect_jira(jira.config(), transport=jira.transport, sleep=waits.append)
    dana = jira.add_user("Dana Scully", email="dana@acme.test")      # -> her accountId
    jira.add_project("SEC", required={"customfield_10010": "Team"})  # creating there needs a Team
    jira.finish("OPS-1", by=dana)              # status Done, resolution Done, a changelog entry by Dana
    jira.move("OPS-1", "HR")                   # now HR-1; the old key still finds it, as on Jira
    jira.queue(FakeJira.too_many_requests("7"), 503, httpx2.ReadTimeout)  # the next three answers

It checks requests the way Jira does and answers with Jira's shapes: Basic auth with the configured
email:token (else 401), the site's host (else a connection error), known paths and methods, and on
POST /rest/api/3/issue the project, issue type, summary (one line, at most 255 characters), ADF description,
labels without spaces, duedate YYYY-MM-DD, assignee accountId, unknown fields and required custom fields,
each refusal as 400 `{"errorMessages": [...], "errors": {field: message}}`. Every request is kept in
`requests`, in order, whether it was answered from the queue or not.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx2

from postmortem_actions.tools.trackers.base import TrackerConfig

BASE_URL = "https://acme.atlassian.net"
EMAIL = "bot@acme.test"
TOKEN = "ATATT3xFfGF0-fake-jira-api-token-4f1c"

# name -> (status id, status category); the three categories every Jira Cloud site has
STATUSES: dict[str, tuple[str, dict[str, Any]]] = {
    "To Do": ("10000", {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"}),
    "In Progress": ("3", {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"}),
    "Done": ("10001", {"id": 3, "key": "done", "colorName": "green", "name": "Done"}),
}
RESOLUTIONS = {"Done": "10000", "Won't Do": "10001", "Duplicate": "10002", "Cannot Reproduce": "10003"}
SYSTEM_FIELDS = {
    "project",
    "issuetype",
    "summary",
    "description",
    "labels",
    "duedate",
    "assignee",
    "reporter",
    "priority",
    "parent",
    "components",
}
ADF_ERROR = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"

Queued = int | httpx2.Response | Exception | type[httpx2.TransportError]


@dataclass
class JiraUser:
    """An Atlassian account; `email_visible=False` is the profile privacy setting that hides the address."""

    account_id: str
    display_name: str
    email: str | None = None
    active: bool = True
    account_type: str = "atlassian"  # or "app" (bots, integrations) or "customer" (service desk)
    email_visible: bool = True


@dataclass
class JiraProject:
    """A project: its issue types, the custom fields its create screen requires ({field id: name})."""

    key: str
    id: str
    name: str
    issue_types: tuple[str, ...] = ("Task", "Bug", "Story")
    required: dict[str, str] = field(default_factory=dict)
    can_create: bool = True  # False: the bot lacks the Create Issues permission (403)


@dataclass
class JiraIssue:
    """An issue as stored: its create fields, workflow status, resolution and changelog (oldest first)."""

    id: str
    key: str
    project: str
    fields: dict[str, Any]
    created: str
    status: str = "To Do"
    resolution: str | None = None
    changelog: list[dict[str, Any]] = field(default_factory=list)
    old_keys: list[str] = field(default_factory=list)  # keys it had before it was moved to another project


def _reply(status: int, body: object = None, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, json=body, headers=headers) if body is not None else httpx2.Response(status)


def _refusal(errors: dict[str, str], messages: tuple[str, ...] = (), status: int = 400) -> httpx2.Response:
    return _reply(status, {"errorMessages": list(messages), "errors": errors})


def _adf_ok(node: object, top: bool = True) -> bool:
    """A well-formed ADF tree: a doc of version 1 at the top, every node typed, text nodes with text."""
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        return False
    if top and (node["type"] != "doc" or node.get("version") != 1 or not isinstance(node.get("content"), list)):
        return False
    if node["type"] == "text" and not isinstance(node.get("text"), str):
        return False
    content = node.get("content", [])
    return isinstance(content, list) and all(_adf_ok(child, top=False) for child in content)


class FakeJira:
    """One Jira Cloud site in memory; `transport` plugs it into an httpx2 client.

    The constructor makes the site at `base_url`, the account `email` (display name "Postmortem Bot",
    accountId in `bot`) whose API token is `token`, and, unless `project` is empty, that project with
    issue types Task, Bug and Story and no required custom fields.
    """

    def __init__(
        self, *, base_url: str = BASE_URL, email: str = EMAIL, token: str = TOKEN, project: str = "OPS"
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.email = email
        self.token = token
        self.projects: dict[str, JiraProject] = {}
        self.users: dict[str, JiraUser] = {}
        self.issues: dict[str, JiraIssue] = {}
        self.requests: list[httpx2.Request] = []
        self.transport = httpx2.MockTransport(self)
        self._queued: deque[Queued] = deque()
        self._ids = itertools.count(10001)
        self._now = datetime.now(UTC).replace(microsecond=0)  # real time: closes compare with our decisions
        self.bot = self.add_user("Postmortem Bot", email=email)
        if project:
            self.add_project(project)

    # -- setting the site up -------------------------------------------------------------------------------

    def config(self, **changes: Any) -> TrackerConfig:
        """A TrackerConfig for this site, the bot's credentials and the first project; `changes` override."""
        target = next(iter(self.projects), "OPS")
        return replace(
            TrackerConfig(tracker="jira", base_url=self.base_url, target=target, token=self.token, email=self.email),
            **changes,
        )

    def add_user(
        self,
        display_name: str,
        *,
        email: str | None = None,
        active: bool = True,
        account_type: str = "atlassian",
        email_visible: bool = True,
    ) -> str:
        """Add an account and return its accountId."""
        account_id = f"5b10ac8d82e05b22cc7d{len(self.users) + 1:04x}"
        self.users[account_id] = JiraUser(account_id, display_name, email, active, account_type, email_visible)
        return account_id

    def add_project(
        self,
        key: str,
        *,
        issue_types: tuple[str, ...] = ("Task", "Bug", "Story"),
        required: dict[str, str] | None = None,
        can_create: bool = True,
    ) -> JiraProject:
        """Add a project; `required` maps custom field ids to the names Jira's error messages use."""
        project = JiraProject(
            key, str(next(self._ids)), f"{key.title()} project", issue_types, dict(required or {}), can_create
        )
        self.projects[key] = project
        return project

    def add_issue(self, summary: str = "An existing issue", *, project: str = "OPS") -> str:
        """File an issue directly (no request recorded) and return its key."""
        return self._file(self.projects[project], {"summary": summary, "issuetype": {"name": "Task"}}).key

    def transition(self, key: str, status: str, *, by: str | None, resolution: str | None = None) -> None:
        """Move an issue to `status` ("To Do", "In Progress", "Done") as the account `by` (None: automation),
        setting `resolution`, and append the changelog entry Jira would write."""
        issue = self.issues[key]
        items = [self._item("status", issue.status, status, STATUSES)]
        if resolution != issue.resolution:
            items.append(self._item("resolution", issue.resolution, resolution, RESOLUTIONS))
        entry: dict[str, Any] = {"id": str(next(self._ids)), "created": self._stamp(), "items": items}
        if by is not None:
            entry["author"] = self._user_json(self.users[by])
        issue.changelog.append(entry)
        issue.status, issue.resolution = status, resolution

    def edit(self, key: str, *, by: str | None, times: int = 1) -> None:
        """Change the issue's labels `times` times as the account `by`: changelog entries that are not status
        changes."""
        issue = self.issues[key]
        for n in range(times):
            entry: dict[str, Any] = {
                "id": str(next(self._ids)),
                "created": self._stamp(),
                "items": [
                    {
                        "field": "labels",
                        "fieldtype": "jira",
                        "fieldId": "labels",
                        "from": None,
                        "fromString": f"edit-{n}",
                        "to": None,
                        "toString": f"edit-{n + 1}",
                    }
                ],
            }
            if by is not None:
                entry["author"] = self._user_json(self.users[by])
            issue.changelog.append(entry)

    def move(self, key: str, project: str) -> str:
        """Move the issue to another project (which must exist); returns its new key. Jira still answers the
        old key, with the new key in the body."""
        issue = self.issues.pop(key)
        number = sum(1 for i in self.issues.values() if i.project == project) + 1
        issue.old_keys.append(issue.key)
        issue.key, issue.project = f"{project}-{number}", project
        self.issues[issue.key] = issue
        return issue.key

    def finish(self, key: str, *, by: str | None) -> None:
        """Close the issue as done: status Done, resolution Done."""
        self.transition(key, "Done", by=by, resolution="Done")

    def wont_do(self, key: str, *, by: str | None) -> None:
        """Close the issue as not planned: status Done, resolution Won't Do."""
        self.transition(key, "Done", by=by, resolution="Won't Do")

    # -- failures and the record ---------------------------------------------------------------------------

    def queue(self, *items: Queued) -> None:
        """Answer the next requests with these, in order, before any check: a status code (Jira's error body
        for it), a ready Response, an exception to raise, or an httpx2 transport error class to raise."""
        self._queued.extend(items)

    @staticmethod
    def too_many_requests(retry_after: str = "5") -> httpx2.Response:
        """Jira Cloud's rate-limit answer: 429 with Retry-After (seconds) and the X-RateLimit headers."""
        return _reply(
            429,
            {"errorMessages": ["Rate limit exceeded."], "errors": {}},
            {
                "Retry-After": retry_after,
                "X-RateLimit-Limit": "350",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "2026-03-04T09:05Z",
                "RateLimit-Reason": "jira-burst-based",
            },
        )

    def seen(self) -> list[str]:
        """Every request so far as "METHOD /path"."""
        return [f"{request.method} {request.url.path}" for request in self.requests]

    def posted(self) -> list[dict[str, Any]]:
        """The JSON bodies of every POST /rest/api/3/issue so far."""
        return [
            json.loads(request.content)
            for request in self.requests
            if request.method == "POST" and request.url.path == "/rest/api/3/issue"
        ]

    # -- the HTTP side -------------------------------------------------------------------------------------

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        """Answer one request as Jira Cloud would (MockTransport's handler)."""
        self.requests.append(request)
        if self._queued:
            item = self._queued.popleft()
            if isinstance(item, httpx2.Response):
                return item
            if isinstance(item, int) and item == 429:
                return self.too_many_requests()
            if isinstance(item, int):
                return _refusal({}, (httpx2.codes.get_reason_phrase(item),), item)
            raise item("fake Jira failure", request=request) if isinstance(item, type) else item
        if request.url.host != httpx2.URL(self.base_url).host:
            raise httpx2.ConnectError("[Errno -2] Name or service not known", request=request)
        basic = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return _reply(401, {"message": "Client must be authenticated to access this resource.", "status-code": 401})
        return self._route(request)

    def _route(self, request: httpx2.Request) -> httpx2.Response:
        path, method = request.url.path, request.method
        routes = (
            ("POST", r"/rest/api/3/issue", self._create),
            ("GET", r"/rest/api/3/issue/([^/]+)", self._get),
            ("GET", r"/rest/api/3/issue/([^/]+)/changelog", self._changelog),
            ("GET", r"/rest/api/3/user/search", self._user_search),
            ("GET", r"/rest/api/3/project/([^/]+)", self._project),
            ("GET", r"/rest/api/3/myself", self._myself),
        )
        for verb, pattern, handler in routes:
            if match := re.fullmatch(pattern, path):
                return handler(request, *match.groups()) if method == verb else httpx2.Response(405)
        return httpx2.Response(404, html="<html><title>Oops, you've found a dead link. - JIRA</title></html>")

    def _create(self, request: httpx2.Request) -> httpx2.Response:
        if "application/json" not in request.headers.get("content-type", ""):
            return httpx2.Response(415)
        try:
            body = json.loads(request.content)
        except ValueError:
            return _refusal({}, ("Unexpected character in the request body: it is not JSON.",))
        fields = body.get("fields") if isinstance(body, dict) else None
        fields = fields if isinstance(fields, dict) else {}
        wanted = fields.get("project") if isinstance(fields.get("project"), dict) else {}
        project = next(
            (p for p in self.projects.values() if wanted and wanted.get("key", wanted.get("id")) in (p.key, p.id)), None
        )
        if project is None:
            return _refusal({"project": "valid project is required"})
        if not project.can_create:
            return _refusal({}, ("You do not have permission to create issues in this project.",), 403)
        issuetype = fields.get("issuetype") if isinstance(fields.get("issuetype"), dict) else {}
        if not issuetype:
            return _refusal({"issuetype": "Specify an issue type"})
        if issuetype.get("name", issuetype.get("id")) not in project.issue_types:
            return _refusal({"issuetype": "valid issue type is required"})
        errors = self._field_errors(project, fields)
        if errors:
            return _refusal(errors)
        issue = self._file(project, fields)
        return _reply(201, {"id": issue.id, "key": issue.key, "self": f"{self.base_url}/rest/api/3/issue/{issue.id}"})

    def _field_errors(self, project: JiraProject, fields: dict[str, Any]) -> dict[str, str]:
        errors = {
            name: f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
            for name in fields
            if name not in SYSTEM_FIELDS and name not in project.required
        }
        summary = fields.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        elif "\n" in summary or "\r" in summary:
            errors["summary"] = "The summary is invalid because it contains newline characters."
        if fields.get("description") is not None and not _adf_ok(fields["description"]):
            errors["description"] = ADF_ERROR
        labels = fields.get("labels", [])
        bad = (
            [label for label in labels if not isinstance(label, str) or not label or re.search(r"\s", label)]
            if isinstance(labels, list)
            else [labels]
        )
        if bad:
            errors["labels"] = f"The label '{bad[0]}' contains spaces which is invalid."
        due = fields.get("duedate")
        if due is not None and not (isinstance(due, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", due) and _is_date(due)):
            errors["duedate"] = f"Error parsing date string: {due}"
        assignee = fields.get("assignee")
        if assignee is not None:
            user = self.users.get(str(_get(assignee, "accountId") or _get(assignee, "id")))
            if user is None or not user.active:
                errors["assignee"] = "Specified user does not exist or you do not have required permissions"
        for field_id, name in project.required.items():
            if fields.get(field_id) in (None, "", [], {}):
                errors[field_id] = f"{name} is required."
        return errors

    def _get(self, request: httpx2.Request, key: str) -> httpx2.Response:
        issue = self._find(key)
        if issue is None:
            return _refusal({}, ("Issue does not exist or you do not have permission to see it.",), 404)
        every = self._fields_json(issue)
        asked = {name.strip() for name in request.url.params.get("fields", "*all").split(",")}
        chosen = every if asked & {"*all", "*navigable"} else {k: v for k, v in every.items() if k in asked}
        return _reply(
            200,
            {
                "expand": "renderedFields,names,schema,operations,editmeta,changelog",
                "id": issue.id,
                "self": f"{self.base_url}/rest/api/3/issue/{issue.id}",
                "key": issue.key,
                "fields": chosen,
            },
        )

    def _changelog(self, request: httpx2.Request, key: str) -> httpx2.Response:
        issue = self._find(key)
        if issue is None:
            return _refusal({}, ("Issue does not exist or you do not have permission to see it.",), 404)
        start = max(0, int(request.url.params.get("startAt", "0")))
        size = min(100, max(1, int(request.url.params.get("maxResults", "100"))))
        values = issue.changelog[start : start + size]
        url = f"{self.base_url}/rest/api/3/issue/{issue.key}/changelog?maxResults={size}&startAt="
        page: dict[str, Any] = {
            "self": url + str(start),
            "maxResults": size,
            "startAt": start,
            "total": len(issue.changelog),
            "isLast": start + size >= len(issue.changelog),
            "values": values,
        }
        if not page["isLast"]:
            page["nextPage"] = url + str(start + size)
        return _reply(200, page)

    def _user_search(self, request: httpx2.Request) -> httpx2.Response:
        query = request.url.params.get("query", "").strip().casefold()
        if not query:
            return _refusal({}, ("The query parameter 'query' is required.",))

        def matches(user: JiraUser) -> bool:
            words = [user.display_name.casefold(), *user.display_name.casefold().split()]
            if user.email and user.email_visible:
                words.append(user.email.casefold())
            return any(word.startswith(query) for word in words)

        limit = int(request.url.params.get("maxResults", "50"))
        return _reply(200, [self._user_json(user) for user in self.users.values() if matches(user)][:limit])

    def _project(self, request: httpx2.Request, key: str) -> httpx2.Response:
        project = next((p for p in self.projects.values() if key in (p.key, p.id)), None)
        if project is None:
            return _refusal({}, (f"No project could be found with key '{key}'.",), 404)
        return _reply(
            200,
            {
                "self": f"{self.base_url}/rest/api/3/project/{project.id}",
                "id": project.id,
                "key": project.key,
                "name": project.name,
                "projectTypeKey": "software",
                "issueTypes": [{"name": name, "subtask": False} for name in project.issue_types],
            },
        )

    def _myself(self, request: httpx2.Request) -> httpx2.Response:
        return _reply(200, self._user_json(self.users[self.bot]))

    # -- helpers -------------------------------------------------------------------------------------------

    def _file(self, project: JiraProject, fields: dict[str, Any]) -> JiraIssue:
        number = sum(1 for issue in self.issues.values() if issue.project == project.key) + 1
        issue = JiraIssue(str(next(self._ids)), f"{project.key}-{number}", project.key, dict(fields), self._stamp())
        self.issues[issue.key] = issue
        return issue

    def _find(self, key_or_id: str) -> JiraIssue | None:
        return next(
            (i for i in self.issues.values() if key_or_id.upper() in (i.key, *i.old_keys) or key_or_id == i.id), None
        )

    def _stamp(self) -> str:
        # Real time, one second apart at least: a close is ordered against the decisions made here.
        self._now = max(self._now + timedelta(seconds=1), datetime.now(UTC).replace(microsecond=0))
        return self._now.strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def _fields_json(self, issue: JiraIssue) -> dict[str, Any]:
        status_id, category = STATUSES[issue.status]
        assignee = self.users.get(str(_get(issue.fields.get("assignee"), "accountId")))
        resolved = next(
            (
                entry["created"]
                for entry in reversed(issue.changelog)
                if issue.resolution is not None and any(item["field"] == "resolution" for item in entry["items"])
            ),
            None,
        )
        return {
            **{k: v for k, v in issue.fields.items() if k.startswith("customfield_")},
            "summary": issue.fields.get("summary"),
            "issuetype": {"name": _get(issue.fields.get("issuetype"), "name") or "Task", "subtask": False},
            "project": {"id": self.projects[issue.project].id, "key": issue.project},
            "status": {
                "self": f"{self.base_url}/rest/api/3/status/{status_id}",
                "id": status_id,
                "name": issue.status,
                "statusCategory": {"self": f"{self.base_url}/rest/api/3/statuscategory/{category['id']}", **category},
            },
            "resolution": None
            if issue.resolution is None
            else {
                "self": f"{self.base_url}/rest/api/3/resolution/{RESOLUTIONS[issue.resolution]}",
                "id": RESOLUTIONS[issue.resolution],
                "name": issue.resolution,
            },
            "resolutiondate": resolved,
            "assignee": None if assignee is None else self._user_json(assignee),
            "labels": issue.fields.get("labels", []),
            "duedate": issue.fields.get("duedate"),
            "description": issue.fields.get("description"),
            "created": issue.created,
            "updated": issue.changelog[-1]["created"] if issue.changelog else issue.created,
        }

    def _user_json(self, user: JiraUser) -> dict[str, Any]:
        body: dict[str, Any] = {
            "self": f"{self.base_url}/rest/api/3/user?accountId={user.account_id}",
            "accountId": user.account_id,
            "accountType": user.account_type,
            "avatarUrls": {"48x48": f"https://avatar.test/{user.account_id}"},
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": "Europe/London",
            "locale": "en_GB",
        }
        if user.email and user.email_visible:
            body["emailAddress"] = user.email
        return body

    @staticmethod
    def _item(name: str, old: str | None, new: str | None, ids: dict[str, Any]) -> dict[str, Any]:
        def ident(value: str | None) -> str | None:
            found = ids.get(value) if value is not None else None
            return found[0] if isinstance(found, tuple) else found

        return {
            "field": name,
            "fieldtype": "jira",
            "fieldId": name,
            "from": ident(old),
            "fromString": old,
            "to": ident(new),
            "toString": new,
        }


def _get(value: object, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
