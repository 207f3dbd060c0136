"""The Jira Cloud adapter end to end: the real adapter and Session against FakeJira's transport."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import httpx2
import pytest
from fake_jira import ADF_ERROR, EMAIL, TOKEN, FakeJira, Queued
from tracker_protocol import assert_implements_the_protocol

from postmortem_actions.tools.trackers.base import TicketRequest, TrackerAdapter, TrackerConfig, TrackerIdentity
from postmortem_actions.tools.trackers.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerNotConfigured,
    TrackerRejected,
    TrackerTargetNotFound,
    TrackerUnavailable,
)
from postmortem_actions.tools.trackers.jira import JiraAdapter, connect_jira

ADF: dict[str, Any] = {
    "type": "doc",
    "version": 1,
    "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "Page billing on-call at 10,000 messages."}]}
    ],
}
BASIC = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()


def ticket(**changes: Any) -> TicketRequest:
    fields: dict[str, Any] = {
        "title": "Page on billing queue depth",
        "body": "Page billing on-call.",
        "body_adf": ADF,
        "labels": [],
        "assignee": None,
        "due": None,
    }
    return TicketRequest(**{**fields, **changes})


@pytest.fixture
def jira() -> FakeJira:
    return FakeJira()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def adapter(jira: FakeJira, waits: list[float]) -> JiraAdapter:
    return connect_jira(jira.config(), transport=jira.transport, sleep=waits.append)


def test_the_adapter_satisfies_the_protocol(adapter: JiraAdapter) -> None:
    typed: TrackerAdapter = adapter
    assert_implements_the_protocol(typed, "jira")
    assert adapter.session.client.timeout == httpx2.Timeout(20)


# -- create ----------------------------------------------------------------------------------------------------


def test_create_posts_the_documented_fields_with_basic_auth(jira: FakeJira, adapter: JiraAdapter) -> None:
    issue = adapter.create(ticket(labels=["postmortem"], due=date(2026, 4, 1)))

    assert (issue.ref, issue.url, issue.state, issue.closed) == (
        "OPS-1",
        "https://acme.atlassian.net/browse/OPS-1",
        "To Do",
        False,
    )
    assert issue.warnings == ()
    assert jira.seen() == ["POST /rest/api/3/issue"]
    request = jira.requests[0]
    assert request.headers["authorization"] == BASIC
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == "postmortem-actions"
    assert request.headers["content-type"] == "application/json"
    assert jira.posted() == [
        {
            "fields": {
                "project": {"key": "OPS"},
                "issuetype": {"name": "Task"},
                "summary": "Page on billing queue depth",
                "description": ADF,
                "labels": ["postmortem"],
                "duedate": "2026-04-01",
            }
        }
    ]
    assert jira.issues["OPS-1"].fields["description"] == ADF


def test_optional_fields_are_left_out_and_the_issue_type_is_configurable(jira: FakeJira, waits: list[float]) -> None:
    adapter = connect_jira(jira.config(issue_type="Bug"), transport=jira.transport, sleep=waits.append)
    adapter.create(ticket())
    assert jira.posted()[0]["fields"].keys() == {"project", "issuetype", "summary", "description"}
    assert jira.posted()[0]["fields"]["issuetype"] == {"name": "Bug"}


def test_labels_lose_their_spaces_and_repeats(jira: FakeJira, adapter: JiraAdapter) -> None:
    adapter.create(ticket(labels=["needs review", " sev  2 ", "", "billing", "billing", "needs\treview"]))
    assert jira.posted()[0]["fields"]["labels"] == ["needs-review", "sev-2", "billing"]


def test_a_long_multiline_title_becomes_one_line_of_at_most_255_characters(
    jira: FakeJira, adapter: JiraAdapter
) -> None:
    adapter.create(ticket(title="Cap retries\nat five " + "x" * 400))
    summary = jira.posted()[0]["fields"]["summary"]
    assert len(summary) == 255
    assert summary.startswith("Cap retries at five xxx")
    assert summary.endswith("…")


@pytest.mark.parametrize("owner", ["dana@acme.test", "@dana@acme.test", "Dana Scully", "dana scully", "@scully"])
def test_the_owner_is_resolved_to_an_account_id(jira: FakeJira, adapter: JiraAdapter, owner: str) -> None:
    dana = jira.add_user("Dana Scully", email="dana@acme.test")
    jira.add_user("Dana Ross", email="dross@acme.test")

    issue = adapter.create(ticket(assignee=owner))

    assert issue.warnings == ()
    assert jira.posted()[0]["fields"]["assignee"] == {"accountId": dana}
    search = jira.requests[0]
    assert search.url.path == "/rest/api/3/user/search"
    assert search.url.params["query"] == owner.removeprefix("@")


def test_a_hidden_email_still_resolves_to_the_single_user_found(jira: FakeJira, adapter: JiraAdapter) -> None:
    dana = jira.add_user("Dana Scully", email="dana@acme.test", email_visible=False)
    jira.add_user("Someone Else", email="else@acme.test")
    adapter.create(ticket(assignee="Dana"))
    assert jira.posted()[0]["fields"]["assignee"] == {"accountId": dana}


@pytest.mark.parametrize(
    ("owner", "said"),
    [
        ("nobody", "matches no active Jira user"),
        ("dana", "matches 2 active Jira users"),
        ("gone", "matches no active Jira user"),
        ("deploybot", "matches no active Jira user"),
    ],
)
def test_an_owner_without_one_match_leaves_the_issue_unassigned_with_a_warning(
    jira: FakeJira, adapter: JiraAdapter, owner: str, said: str
) -> None:
    jira.add_user("Dana Scully", email="dana@acme.test")
    jira.add_user("Dana Ross", email="dross@acme.test")
    jira.add_user("Gone Away", email="gone@acme.test", active=False)
    jira.add_user("Deploybot", account_type="app")

    issue = adapter.create(ticket(assignee=owner))

    assert issue.ref == "OPS-1"
    assert "assignee" not in jira.posted()[0]["fields"]
    assert issue.warnings == (f"owner '{owner}' {said} in Jira; the issue is left unassigned",)


def test_a_refused_user_search_leaves_the_issue_unassigned(jira: FakeJira, adapter: JiraAdapter) -> None:
    jira.add_user("Dana Scully", email="dana@acme.test")
    jira.queue(
        httpx2.Response(403, json={"errorMessages": ["Browse users and groups permission required"], "errors": {}})
    )
    issue = adapter.create(ticket(assignee="dana@acme.test"))
    assert issue.ref == "OPS-1"
    assert "could not be looked up" in issue.warnings[0]
    assert "assignee" not in jira.posted()[0]["fields"]


# -- fetch -----------------------------------------------------------------------------------------------------


def test_fetch_an_open_issue_reads_only_the_issue(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    issue = adapter.fetch(key)
    assert (issue.ref, issue.state, issue.closed, issue.not_planned, issue.closed_by) == (
        "OPS-1",
        "To Do",
        False,
        False,
        None,
    )
    assert jira.seen() == ["GET /rest/api/3/issue/OPS-1"]
    assert jira.requests[0].url.params["fields"] == "status,resolution,assignee"


def test_an_issue_in_progress_is_not_closed(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    jira.transition(key, "In Progress", by=jira.add_user("Ada Lovelace"))
    assert (adapter.fetch(key).state, adapter.fetch(key).closed) == ("In Progress", False)


def test_fetch_a_done_issue_names_who_last_changed_its_status(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    jira.transition(key, "In Progress", by=jira.add_user("Ada Lovelace"))
    jira.finish(key, by=jira.add_user("Grace Hopper"))

    issue = adapter.fetch(key)

    assert (issue.state, issue.closed, issue.not_planned, issue.closed_by) == ("Done", True, False, "Grace Hopper")
    assert jira.seen() == ["GET /rest/api/3/issue/OPS-1", "GET /rest/api/3/issue/OPS-1/changelog"]


def test_fetch_a_wont_do_issue_is_not_planned(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    jira.wont_do(key, by=jira.add_user("Grace Hopper"))
    issue = adapter.fetch(key)
    assert (issue.closed, issue.not_planned, issue.closed_by) == (True, True, "Grace Hopper")


def test_a_reopened_and_closed_again_issue_names_the_last_closer(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    jira.finish(key, by=jira.add_user("Ada Lovelace"))
    jira.transition(key, "To Do", by=jira.bot)
    jira.finish(key, by=jira.add_user("Grace Hopper"))
    assert adapter.fetch(key).closed_by == "Grace Hopper"


def test_an_issue_closed_again_by_an_automation_names_nobody(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    jira.finish(key, by=jira.add_user("Ada Lovelace"))
    jira.transition(key, "To Do", by=jira.bot)
    jira.finish(key, by=None)  # closed by an automation rule: the changelog entry has no author
    assert adapter.fetch(key).closed_by is None


def test_the_closer_is_found_past_the_first_changelog_page(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    ada = jira.add_user("Ada Lovelace")
    for _ in range(75):
        jira.transition(key, "In Progress", by=ada)
        jira.transition(key, "To Do", by=ada)
    jira.finish(key, by=jira.add_user("Grace Hopper"))

    assert adapter.fetch(key).closed_by == "Grace Hopper"
    pages = [request.url.params["startAt"] for request in jira.requests if request.url.path.endswith("/changelog")]
    assert pages == ["0", "100"]


def test_fetch_an_unknown_issue_is_not_found_with_jiras_message(jira: FakeJira, adapter: JiraAdapter) -> None:
    with pytest.raises(TrackerTargetNotFound, match="Issue does not exist or you do not have permission"):
        adapter.fetch("OPS-404")


@pytest.mark.parametrize("ref", ["../myself", "OPS", "OPS-0", "1-OPS", "OPS-1?fields=*all", ""])
def test_fetch_refuses_what_is_not_an_issue_key_without_a_request(
    jira: FakeJira, adapter: JiraAdapter, ref: str
) -> None:
    with pytest.raises(TrackerTargetNotFound, match="not a Jira issue key"):
        adapter.fetch(ref)
    assert jira.requests == []


# -- ref_from_url ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://acme.atlassian.net/browse/OPS-123", "OPS-123"),
        ("https://acme.atlassian.net/browse/OPS-123/", "OPS-123"),
        ("https://ACME.atlassian.net/browse/ops-7?focusedCommentId=1#comment", "OPS-7"),
        ("  https://acme.atlassian.net/browse/SEC_2-9  ", "SEC_2-9"),
        ("https://other.atlassian.net/browse/OPS-123", None),
        ("https://acme.atlassian.net.evil.test/browse/OPS-123", None),
        ("https://evil.test/acme.atlassian.net/browse/OPS-123", None),
        ("https://acme.atlassian.net:8443/browse/OPS-123", None),
        ("https://acme.atlassian.net/browse/OPS-123/comments", None),
        ("https://acme.atlassian.net/jira/software/projects/OPS/boards/1", None),
        ("ftp://acme.atlassian.net/browse/OPS-1", None),
        ("https://acme.atlassian.net:bad/browse/OPS-1", None),
        ("OPS-123", None),
        ("https://github.com/acme/web/issues/12", None),
    ],
)
def test_ref_from_url(adapter: JiraAdapter, url: str, ref: str | None) -> None:
    assert adapter.ref_from_url(url) == ref


# -- refusals --------------------------------------------------------------------------------------------------


def test_wrong_credentials_are_an_auth_failure(jira: FakeJira, waits: list[float]) -> None:
    adapter = connect_jira(jira.config(token="ATATT-revoked"), transport=jira.transport, sleep=waits.append)
    with pytest.raises(TrackerAuthFailed, match=r"refused the credentials \(401\).*Client must be authenticated"):
        adapter.create(ticket())
    assert jira.issues == {}
    assert waits == []


def test_no_create_permission_is_an_auth_failure(jira: FakeJira, waits: list[float]) -> None:
    jira.add_project("LEGAL", can_create=False)
    adapter = connect_jira(jira.config(target="LEGAL"), transport=jira.transport, sleep=waits.append)
    with pytest.raises(TrackerAuthFailed, match=r"\(403\).*permission to create issues in this project"):
        adapter.create(ticket())


def test_a_missing_project_is_not_found(jira: FakeJira, waits: list[float]) -> None:
    adapter = connect_jira(jira.config(target="NOPE"), transport=jira.transport, sleep=waits.append)
    with pytest.raises(TrackerTargetNotFound, match="No project could be found with key 'NOPE'") as raised:
        adapter.create(ticket())
    assert isinstance(raised.value.__context__, TrackerRejected)
    assert "valid project is required" in str(raised.value.__context__)
    assert jira.seen() == ["POST /rest/api/3/issue", "GET /rest/api/3/project/NOPE"]


def test_a_required_custom_field_is_a_rejection_with_jiras_message(jira: FakeJira, waits: list[float]) -> None:
    jira.add_project("SEC", required={"customfield_10010": "Team"})
    adapter = connect_jira(jira.config(target="SEC"), transport=jira.transport, sleep=waits.append)
    with pytest.raises(
        TrackerRejected,
        match=r"\(400\) while trying to create an issue in project SEC: "
        r"customfield_10010: Team is required\.",
    ):
        adapter.create(ticket())
    assert jira.issues == {}
    assert jira.seen() == ["POST /rest/api/3/issue", "GET /rest/api/3/project/SEC"]


def test_an_unknown_issue_type_is_a_rejection(jira: FakeJira, waits: list[float]) -> None:
    adapter = connect_jira(jira.config(issue_type="Epic Saga"), transport=jira.transport, sleep=waits.append)
    with pytest.raises(TrackerRejected, match="issuetype: valid issue type is required"):
        adapter.create(ticket())


def test_a_description_that_is_not_adf_is_a_rejection(jira: FakeJira, adapter: JiraAdapter) -> None:
    with pytest.raises(TrackerRejected, match="description: Operation value must be an Atlassian Document"):
        adapter.create(ticket(body_adf={"type": "doc", "content": []}))


# -- retries ---------------------------------------------------------------------------------------------------


def test_a_rate_limit_is_waited_out_as_retry_after_says(
    jira: FakeJira, adapter: JiraAdapter, waits: list[float]
) -> None:
    jira.queue(FakeJira.too_many_requests("7"))
    issue = adapter.create(ticket())
    assert issue.ref == "OPS-1"
    assert waits == [7.0]
    assert jira.seen() == ["POST /rest/api/3/issue"] * 2
    assert len(jira.issues) == 1


def test_a_503_on_create_is_not_sent_again_because_it_may_have_been_filed(
    jira: FakeJira, adapter: JiraAdapter, waits: list[float]
) -> None:
    jira.queue(503)
    with pytest.raises(
        TrackerUnavailable,
        match=r"jira answered 503 while trying to create an issue in project OPS\. "
        r"It may have been filed anyway, so it was not sent again",
    ):
        adapter.create(ticket())
    assert waits == []
    assert jira.issues == {}


def test_a_persistent_503_on_fetch_is_unavailable_after_bounded_retries(
    jira: FakeJira, adapter: JiraAdapter, waits: list[float]
) -> None:
    key = jira.add_issue()
    jira.queue(503, 503, 503, 503)
    with pytest.raises(
        TrackerUnavailable, match=f"jira answered 503 while trying to read issue {key}; gave up after 4 attempts"
    ):
        adapter.fetch(key)
    assert waits == [1.0, 2.0, 4.0]


def test_a_transient_503_on_fetch_is_retried(jira: FakeJira, adapter: JiraAdapter, waits: list[float]) -> None:
    key = jira.add_issue()
    jira.queue(503)
    assert adapter.fetch(key).state == "To Do"
    assert waits == [1.0]


def test_timeouts_on_reads_are_retried_and_a_create_that_timed_out_is_not_resent(
    jira: FakeJira, adapter: JiraAdapter, waits: list[float]
) -> None:
    key = adapter.create(ticket()).ref
    jira.queue(httpx2.ReadTimeout, httpx2.ReadTimeout)
    assert adapter.fetch(key).ref == key
    jira.queue(httpx2.ReadTimeout)
    with pytest.raises(TrackerUnavailable, match="did not answer in time while trying to create an issue"):
        adapter.create(ticket())
    assert waits == [1.0, 2.0]


def test_an_unreachable_site_is_unavailable(jira: FakeJira, waits: list[float]) -> None:
    adapter = connect_jira(
        jira.config(base_url="https://elsewhere.atlassian.net"), transport=jira.transport, sleep=waits.append
    )
    with pytest.raises(TrackerUnavailable, match=r"could not reach jira .*\(ConnectError\)"):
        adapter.fetch("OPS-1")


# -- configuration and secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"email": None}, "the account email"),
        ({"email": "  "}, "the account email"),
        ({"token": ""}, "an API token"),
        ({"target": ""}, "a project key"),
        ({"tracker": "github"}, "the tracker is not jira"),
    ],
)
def test_an_incomplete_configuration_is_not_configured(jira: FakeJira, changes: dict[str, Any], said: str) -> None:
    with pytest.raises(TrackerNotConfigured, match=said):
        connect_jira(jira.config(**changes), transport=jira.transport)
    assert jira.requests == []


def test_the_token_never_shows_in_reprs_or_messages(jira: FakeJira, waits: list[float]) -> None:
    secrets = (TOKEN, base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode())
    adapter = connect_jira(jira.config(), transport=jira.transport, sleep=waits.append)
    shown = [repr(adapter), repr(adapter.config), repr(adapter.session.client), str(adapter.session.client.auth)]
    failures: list[TrackerError] = []
    jira.add_project("SEC", required={"customfield_10010": "Team"})
    cases: list[tuple[TrackerConfig, tuple[Queued, ...]]] = [
        (jira.config(target="SEC"), ()),
        (jira.config(target="NOPE"), ()),
        (jira.config(), (503,) * 4),
        (jira.config(), (httpx2.ReadTimeout,) * 4),
    ]
    for config, queued in cases:
        jira.queue(*queued)
        with pytest.raises(TrackerError) as raised:
            connect_jira(config, transport=jira.transport, sleep=waits.append).create(ticket())
        failures.append(raised.value)
    with pytest.raises(TrackerError) as raised:
        connect_jira(jira.config(token=TOKEN + "-wrong"), transport=jira.transport, sleep=waits.append).fetch("OPS-1")
    failures.append(raised.value)
    shown += [str(failure) for failure in failures] + [repr(failure) for failure in failures]
    assert not [text for text in shown for secret in secrets if secret in text]
    assert not [text for text in shown if "-wrong" in text]


# -- the fake's own checks (others rely on them) ---------------------------------------------------------------


def _post(jira: FakeJira, fields: dict[str, Any], *, auth: tuple[str, str] = (EMAIL, TOKEN)) -> httpx2.Response:
    with httpx2.Client(base_url=jira.base_url, auth=httpx2.BasicAuth(*auth), transport=jira.transport) as client:
        return client.post("/rest/api/3/issue", json={"fields": fields})


GOOD: dict[str, Any] = {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "Ok", "description": ADF}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"project": {"key": "NOPE"}}, {"project": "valid project is required"}),
        ({"issuetype": {"name": "Saga"}}, {"issuetype": "valid issue type is required"}),
        ({"summary": ""}, {"summary": "You must specify a summary of the issue."}),
        ({"summary": "x" * 256}, {"summary": "Summary must be less than 255 characters."}),
        ({"summary": "two\nlines"}, {"summary": "The summary is invalid because it contains newline characters."}),
        ({"description": "plain text"}, {"description": ADF_ERROR}),
        ({"description": {"type": "doc", "version": 2, "content": []}}, {"description": ADF_ERROR}),
        ({"description": {"type": "doc", "version": 1, "content": [{"type": "text"}]}}, {"description": ADF_ERROR}),
        ({"labels": ["two words"]}, {"labels": "The label 'two words' contains spaces which is invalid."}),
        ({"duedate": "2026-13-01"}, {"duedate": "Error parsing date string: 2026-13-01"}),
        ({"duedate": "01/04/2026"}, {"duedate": "Error parsing date string: 01/04/2026"}),
        (
            {"assignee": {"accountId": "nope"}},
            {"assignee": "Specified user does not exist or you do not have required permissions"},
        ),
        (
            {"dueDate": "2026-04-01"},
            {"dueDate": "Field 'dueDate' cannot be set. It is not on the appropriate screen, or unknown."},
        ),
    ],
)
def test_the_fake_refuses_fields_as_jira_does(jira: FakeJira, fields: dict[str, Any], errors: dict[str, str]) -> None:
    response = _post(jira, {**GOOD, **fields})
    assert response.status_code == 400
    assert response.json() == {"errorMessages": [], "errors": errors}
    assert jira.issues == {}


def test_the_fake_answers_a_create_as_jira_does(jira: FakeJira) -> None:
    response = _post(jira, GOOD)
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "key": "OPS-1",
        "self": f"https://acme.atlassian.net/rest/api/3/issue/{body['id']}",
    }


def test_the_fake_refuses_other_credentials_and_unknown_paths(jira: FakeJira) -> None:
    refused = _post(jira, GOOD, auth=(EMAIL, "guess"))
    assert (refused.status_code, refused.json()["message"]) == (
        401,
        "Client must be authenticated to access this resource.",
    )
    with httpx2.Client(base_url=jira.base_url, auth=httpx2.BasicAuth(EMAIL, TOKEN), transport=jira.transport) as c:
        assert c.get("/rest/api/2/issue/OPS-1").status_code == 404
        assert c.delete("/rest/api/3/issue").status_code == 405
        assert c.get("/rest/api/3/myself").json()["emailAddress"] == EMAIL
        issue = c.get(f"/rest/api/3/issue/{jira.add_issue()}").json()
    assert issue["fields"]["status"]["statusCategory"]["key"] == "new"
    assert issue["fields"]["resolution"] is None


# -- who closed it: the newest status change, read from the end of the history -----------------------------------


def changelog_pages(jira: FakeJira) -> list[str]:
    return [r.url.params["startAt"] for r in jira.requests if r.url.path.endswith("/changelog")]


def test_the_closer_is_named_with_their_account_id(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    grace = jira.add_user("Grace Hopper")
    jira.finish(key, by=grace)
    issue = adapter.fetch(key)
    assert (issue.closed_by, issue.closed_by_id, issue.closer_unknown) == ("Grace Hopper", grace, None)


def test_an_app_that_closed_it_after_a_long_history_is_not_taken_for_an_earlier_closer(
    jira: FakeJira, adapter: JiraAdapter
) -> None:
    key = jira.add_issue()
    ada, robot = jira.add_user("Ada Lovelace"), jira.add_user("Automation for Jira", account_type="app")
    jira.finish(key, by=ada)
    jira.edit(key, by=ada, times=2100)  # more than 2,000 entries since Ada's close
    jira.transition(key, "To Do", by=robot)
    jira.finish(key, by=robot)

    issue = adapter.fetch(key)

    assert (issue.closed, issue.closed_by, issue.closed_by_id) == (True, None, None)
    assert changelog_pages(jira) == ["0", "2100"]  # the first page says how long it is; then the end


def test_a_closing_change_older_than_the_history_read_names_nobody(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    ada = jira.add_user("Ada Lovelace")
    jira.finish(key, by=ada)
    jira.edit(key, by=ada, times=2500)  # the close is on the first page; pages 1 to 6 are never read

    issue = adapter.fetch(key)

    assert (issue.closed, issue.closed_by) == (True, None)
    assert issue.closer_unknown == (
        "the status change that closed it is not among the latest 1,801 of its 2,501 history entries (the ones read)"
    )
    assert len(changelog_pages(jira)) == 20


def test_the_latest_status_change_must_lead_to_the_status_jira_reports(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    ada, bob = jira.add_user("Ada Lovelace"), jira.add_user("Bob Reopener")
    jira.finish(key, by=ada)
    done = jira(
        httpx2.Request(
            "GET",
            f"{jira.base_url}/rest/api/3/issue/{key}?fields=status,resolution,assignee",
            headers={"authorization": BASIC},
        )
    )
    jira.transition(key, "To Do", by=bob)  # reopened between the two reads
    jira.queue(done)  # the issue read still says Done

    issue = adapter.fetch(key)

    assert (issue.closed, issue.closed_by) == (True, None)  # not Bob, who reopened it
    assert issue.closer_unknown == "its latest status change in the history is to To Do, not to Done"


def test_the_accounts_own_identity_is_asked_once(jira: FakeJira, adapter: JiraAdapter) -> None:
    first, second = adapter.identity(), adapter.identity()
    assert first == second == TrackerIdentity(name="Postmortem Bot", id=jira.bot)
    assert jira.seen() == ["GET /rest/api/3/myself"]


def test_a_myself_answer_without_an_account_id_is_unavailable(jira: FakeJira, adapter: JiraAdapter) -> None:
    jira.queue(httpx2.Response(200, json={"displayName": "Postmortem Bot"}))
    with pytest.raises(TrackerUnavailable, match=r"without an accountId"):
        adapter.identity()


def test_a_history_page_that_does_not_say_how_long_it_is_names_nobody(jira: FakeJira, adapter: JiraAdapter) -> None:
    key = jira.add_issue()
    ada = jira.add_user("Ada Lovelace")
    jira.finish(key, by=ada)
    jira.edit(key, by=ada, times=150)
    issue_read = jira(
        httpx2.Request("GET", f"{jira.base_url}/rest/api/3/issue/{key}", headers={"authorization": BASIC})
    )
    first_page = {"startAt": 0, "maxResults": 100, "values": jira.issues[key].changelog[:100]}  # no total, isLast
    jira.queue(issue_read, httpx2.Response(200, json=first_page))

    issue = adapter.fetch(key)

    assert (issue.closed, issue.closed_by) == (True, None)
    assert (
        issue.closer_unknown == "Jira did not say how long its history is, so the change that closed it could "
        "not be found"
    )
