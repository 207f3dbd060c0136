"""The Linear adapter end to end: real adapter, real Session, real httpx2 client, FakeLinear behind a MockTransport."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import httpx2
import pytest
from fake_linear import API_KEY, FakeLinear
from tracker_protocol import assert_implements_the_protocol

from postmortem_actions.tools.trackers.base import TicketRequest, TrackerAdapter, TrackerConfig, TrackerIdentity
from postmortem_actions.tools.trackers.errors import (
    TrackerAuthFailed,
    TrackerError,
    TrackerRejected,
    TrackerTargetNotFound,
    TrackerUnavailable,
)
from postmortem_actions.tools.trackers.linear import LinearAdapter, connect_linear

CONFIG = TrackerConfig(tracker="linear", base_url="https://api.linear.app", target="ENG", token=API_KEY)
REQUEST = TicketRequest(
    title="Alert on billing queue depth",
    body="## Why\n\nThe queue backed up for 40 minutes.",
    body_adf={},
    labels=["postmortem", "Incident"],
    assignee="@dana",
    due=date(2026, 4, 1),
)


def ticket(**changes: Any) -> TicketRequest:
    """REQUEST with some fields replaced."""
    return dataclasses.replace(REQUEST, **changes)


@pytest.fixture
def fake() -> FakeLinear:
    return FakeLinear()


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def linear(fake: FakeLinear, slept: list[float]) -> LinearAdapter:
    return connect_linear(CONFIG, transport=fake.transport(), sleep=slept.append)


def user_id(fake: FakeLinear, display_name: str) -> str:
    return next(u.id for u in fake.users if u.display_name == display_name)


def label_id(fake: FakeLinear, name: str) -> str:
    return next(x.id for x in fake.labels if x.name == name)


# -- request shapes ----------------------------------------------------------------------------------------


def test_adapter_satisfies_the_protocol(linear: LinearAdapter) -> None:
    adapter: TrackerAdapter = linear
    assert_implements_the_protocol(adapter, "linear")


def test_every_request_is_a_graphql_post_with_the_bare_api_key(fake: FakeLinear, linear: LinearAdapter) -> None:
    linear.create(REQUEST)
    assert [c.operation for c in fake.requests] == ["teams", "users", "issueLabels", "issueCreate"]
    for call in fake.requests:
        assert (call.method, call.path) == ("POST", "/graphql")
        assert call.headers["Authorization"] == API_KEY
        assert not call.headers["Authorization"].lower().startswith("bearer")
        assert call.headers["Content-Type"] == "application/json"
        assert call.headers["User-Agent"] == "postmortem-actions"
        assert isinstance(call.body, dict)
        assert set(call.body) == {"query", "variables"}


def test_create_sends_issue_create_input_and_reads_the_new_issue(fake: FakeLinear, linear: LinearAdapter) -> None:
    issue = linear.create(REQUEST)

    [create] = fake.calls("issueCreate")
    assert create.variables == {
        "input": {
            "teamId": fake.teams["ENG"].id,
            "title": "Alert on billing queue depth",
            "description": "## Why\n\nThe queue backed up for 40 minutes.",
            "assigneeId": user_id(fake, "dana"),
            "dueDate": "2026-04-01",
            "labelIds": [label_id(fake, "Postmortem"), label_id(fake, "Incident")],
        }
    }
    assert fake.calls("teams")[0].variables == {"filter": {"key": {"eq": "ENG"}}}
    assert issue.ref == "ENG-1"
    assert issue.url == "https://linear.app/acme/issue/ENG-1/alert-on-billing-queue-depth"
    assert (issue.state, issue.closed, issue.not_planned, issue.warnings) == ("Backlog", False, False, ())
    stored = fake.issues["ENG-1"]
    assert stored.assignee is not None
    assert stored.assignee.display_name == "dana"
    assert stored.due_date == "2026-04-01"
    assert [x.name for x in stored.labels] == ["Postmortem", "Incident"]


def test_a_bare_ticket_sends_only_team_title_and_description(fake: FakeLinear, linear: LinearAdapter) -> None:
    issue = linear.create(ticket(labels=[], assignee=None, due=None))

    assert [c.operation for c in fake.requests] == ["teams", "issueCreate"]
    assert fake.calls("issueCreate")[0].variables["input"] == {
        "teamId": fake.teams["ENG"].id,
        "title": REQUEST.title,
        "description": REQUEST.body,
    }
    assert issue.warnings == ()


def test_the_team_is_looked_up_once_per_adapter(fake: FakeLinear, linear: LinearAdapter) -> None:
    first = linear.create(ticket(labels=[], assignee=None))
    second = linear.create(ticket(labels=[], assignee=None, title="Second"))
    assert (first.ref, second.ref) == ("ENG-1", "ENG-2")
    assert len(fake.calls("teams")) == 1


def test_a_lowercase_team_key_finds_the_team(fake: FakeLinear, slept: list[float]) -> None:
    config = TrackerConfig(tracker="linear", base_url="https://api.linear.app", target="ops", token=API_KEY)
    issue = connect_linear(config, transport=fake.transport(), sleep=slept.append).create(ticket(labels=[]))
    assert issue.ref == "OPS-1"


# -- owners and labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize("owner", ["@dana", "dana", "DANA", "Dana Scully", "dana@ACME.test", " @dana "])
def test_the_owner_matches_email_display_name_or_name_in_any_case(
    fake: FakeLinear, linear: LinearAdapter, owner: str
) -> None:
    issue = linear.create(ticket(assignee=owner, labels=[]))
    assert fake.calls("issueCreate")[0].variables["input"]["assigneeId"] == user_id(fake, "dana")
    assert issue.warnings == ()


@pytest.mark.parametrize("owner", ["dana-x", "skinner", "Walter Skinner"])
def test_an_unknown_or_deactivated_owner_is_left_unassigned_with_a_warning(
    fake: FakeLinear, linear: LinearAdapter, owner: str
) -> None:
    issue = linear.create(ticket(assignee=owner, labels=[]))
    assert "assigneeId" not in fake.calls("issueCreate")[0].variables["input"]
    assert issue.warnings == (f"owner '{owner}' matches no active Linear user; left unassigned",)
    assert fake.issues[issue.ref].assignee is None


def test_an_ambiguous_owner_is_left_unassigned_with_a_warning(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_user("Dana Katz", "dana", "katz@acme.test")
    issue = linear.create(ticket(assignee="dana", labels=[]))
    assert "assigneeId" not in fake.calls("issueCreate")[0].variables["input"]
    assert issue.warnings == ("owner 'dana' matches 2 Linear users; left unassigned",)


def test_an_exact_email_wins_over_a_shared_display_name(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_user("Dana Katz", "dana", "katz@acme.test")
    linear.create(ticket(assignee="katz@acme.test", labels=[]))
    katz = next(u for u in fake.users if u.email == "katz@acme.test")
    assert fake.calls("issueCreate")[0].variables["input"]["assigneeId"] == katz.id


def test_unknown_labels_are_skipped_with_a_warning_and_never_created(fake: FakeLinear, linear: LinearAdapter) -> None:
    labels_before = list(fake.labels)
    issue = linear.create(ticket(labels=["reliability", "sev2", "Backend", "Reliability"]))

    assert fake.calls("issueCreate")[0].variables["input"]["labelIds"] == [label_id(fake, "Reliability")]
    assert issue.warnings == (
        "label 'sev2' does not exist in Linear team ENG; skipped (labels are not created)",
        "label 'Backend' does not exist in Linear team ENG; skipped (labels are not created)",  # an OPS label
    )
    assert fake.labels == labels_before
    assert all(c.operation != "issueLabelCreate" for c in fake.requests)


def test_no_label_existing_sends_no_label_ids(fake: FakeLinear, linear: LinearAdapter) -> None:
    issue = linear.create(ticket(labels=["sev2"]))
    assert "labelIds" not in fake.calls("issueCreate")[0].variables["input"]
    assert len(issue.warnings) == 1


def test_a_team_label_wins_over_a_workspace_label_of_the_same_name(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_label("Postmortem", None)
    linear.create(ticket(labels=["Postmortem"]))
    eng_label = next(x.id for x in fake.labels if x.name == "Postmortem" and x.team_id == fake.teams["ENG"].id)
    assert fake.calls("issueCreate")[0].variables["input"]["labelIds"] == [eng_label]


def test_an_unknown_team_key_is_target_not_found(fake: FakeLinear, slept: list[float]) -> None:
    config = TrackerConfig(tracker="linear", base_url="https://api.linear.app", target="XYZ", token=API_KEY)
    adapter = connect_linear(config, transport=fake.transport(), sleep=slept.append)
    with pytest.raises(TrackerTargetNotFound, match="no team with key 'XYZ'"):
        adapter.create(REQUEST)
    assert [c.operation for c in fake.requests] == ["teams"]
    assert fake.issues == {}


# -- fetch and URLs ----------------------------------------------------------------------------------------


def test_fetch_an_open_issue(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_issue("ENG", "Rehearse the failover runbook")
    issue = linear.fetch("ENG-1")
    assert issue.ref == "ENG-1"
    assert issue.url == "https://linear.app/acme/issue/ENG-1/rehearse-the-failover-runbook"
    assert (issue.state, issue.closed, issue.not_planned, issue.closed_by) == ("Backlog", False, False, None)
    assert fake.calls("issue")[0].variables == {"id": "ENG-1"}


def test_fetch_a_completed_issue_names_who_completed_it(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_issue("ENG", "Cap consumer retries")
    fake.move("ENG-1", "In Progress", by="fox")
    fake.complete("ENG-1", by="dana")
    issue = linear.fetch("ENG-1")
    assert (issue.state, issue.closed, issue.not_planned, issue.closed_by) == ("Done", True, False, "Dana Scully")


def test_fetch_a_canceled_issue_names_the_latest_closer(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_issue("ENG", "Document the replay procedure")
    fake.complete("ENG-1", by="dana")
    fake.move("ENG-1", "Todo", by="dana")
    fake.cancel("ENG-1", by="fox")
    issue = linear.fetch("ENG-1")
    assert (issue.state, issue.closed, issue.not_planned, issue.closed_by) == ("Canceled", True, True, "Fox Mulder")


def test_fetch_an_issue_closed_by_an_automation_has_no_closer(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_issue("ENG", "Review handover notes")
    fake.complete("ENG-1", by=None)
    issue = linear.fetch("ENG-1")
    assert (issue.closed, issue.closed_by) == (True, None)


def test_fetch_a_created_issue_round_trips(fake: FakeLinear, linear: LinearAdapter) -> None:
    created = linear.create(REQUEST)
    fake.complete(created.ref, by="fox")
    fetched = linear.fetch(linear.ref_from_url(created.url) or "")
    assert (fetched.ref, fetched.url, fetched.closed, fetched.closed_by) == (
        created.ref,
        created.url,
        True,
        "Fox Mulder",
    )


def test_fetch_an_unknown_issue_is_target_not_found(linear: LinearAdapter) -> None:
    with pytest.raises(TrackerTargetNotFound, match="read issue ENG-404: Entity not found: Issue"):
        linear.fetch("ENG-404")


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://linear.app/acme/issue/ENG-42/alert-on-queue-depth", "ENG-42"),
        ("https://linear.app/acme/issue/ENG-42", "ENG-42"),
        ("https://linear.app/acme/issue/ENG-42/", "ENG-42"),
        ("https://linear.app/acme/issue/ENG-42/slug?comment=1#x", "ENG-42"),
        ("https://linear.app/my-team.io/issue/eng2-7/slug", "ENG2-7"),
        ("  https://linear.app/acme/issue/OPS-1/x  ", "OPS-1"),
        ("https://linear.app/acme/project/ENG-42/x", None),
        ("https://linear.app/acme/issue/42/x", None),
        ("https://linear.app.evil.test/acme/issue/ENG-42/x", None),
        ("https://example.test/https://linear.app/acme/issue/ENG-42/x", None),
        ("https://github.com/acme/web/issues/42", None),
        ("ENG-42", None),
    ],
)
def test_ref_from_url(linear: LinearAdapter, url: str, ref: str | None) -> None:
    assert linear.ref_from_url(url) == ref


# -- errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 200])
def test_a_wrong_api_key_is_auth_failed_in_both_forms(fake: FakeLinear, slept: list[float], status: int) -> None:
    fake.auth_error_status = status
    config = TrackerConfig(tracker="linear", base_url="https://api.linear.app", target="ENG", token="lin_api_wrong")
    adapter = connect_linear(config, transport=fake.transport(), sleep=slept.append)
    with pytest.raises(TrackerAuthFailed, match="Authentication required") as caught:
        adapter.create(REQUEST)
    assert "look up team ENG" in str(caught.value)
    assert len(fake.requests) == 1
    assert slept == []


def test_a_bearer_prefix_is_refused_like_linear_refuses_it(fake: FakeLinear, slept: list[float]) -> None:
    config = TrackerConfig(tracker="linear", base_url="https://api.linear.app", target="ENG", token=f"Bearer {API_KEY}")
    adapter = connect_linear(config, transport=fake.transport(), sleep=slept.append)
    with pytest.raises(TrackerAuthFailed, match="Bearer") as caught:
        adapter.fetch("ENG-1")
    assert API_KEY not in str(caught.value)


def test_a_plain_401_is_auth_failed(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.queue(httpx2.Response(401, text="Unauthorized"))
    with pytest.raises(TrackerAuthFailed, match="401"):
        linear.fetch("ENG-1")


def test_a_validation_error_is_rejected_with_linears_message(fake: FakeLinear, linear: LinearAdapter) -> None:
    with pytest.raises(TrackerRejected, match="Argument Validation Error \\(title should not be empty\\)") as caught:
        linear.create(ticket(title="   ", labels=[], assignee=None))
    assert "create an issue in team ENG" in str(caught.value)
    assert fake.issues == {}


def test_a_variable_error_answered_with_400_is_rejected_with_linears_message(
    fake: FakeLinear, linear: LinearAdapter
) -> None:
    query = "mutation C($input: IssueCreateInput!) { issueCreate(input: $input) { success } }"
    bad_due = {"input": {"teamId": fake.teams["ENG"].id, "title": "x", "dueDate": "2026-02-30"}}
    with pytest.raises(TrackerRejected, match='Expected type "TimelessDate"'):
        linear.graphql(query, bad_due, what="create an issue")
    with pytest.raises(TrackerRejected, match='Field "title" of required type "String!" was not provided'):
        linear.graphql(query, {"input": {"teamId": fake.teams["ENG"].id}}, what="create an issue")


def test_success_false_is_rejected(fake: FakeLinear, linear: LinearAdapter) -> None:
    linear.create(ticket(labels=[], assignee=None))  # the team id is now known: the next request is issueCreate
    fake.queue(httpx2.Response(200, json={"data": {"issueCreate": {"success": False, "issue": None}}}))
    with pytest.raises(TrackerRejected, match="success was false"):
        linear.create(ticket(labels=[], assignee=None))


def test_429_with_retry_after_is_waited_out_then_succeeds(
    fake: FakeLinear, linear: LinearAdapter, slept: list[float]
) -> None:
    fake.queue(FakeLinear.too_many_requests(retry_after="7"))
    issue = linear.create(ticket(labels=[], assignee=None))
    assert issue.ref == "ENG-1"
    assert slept == [7.0]
    assert [c.operation for c in fake.requests] == [None, "teams", "issueCreate"]


@pytest.mark.parametrize("status", [200, 400])
def test_a_ratelimited_graphql_error_is_unavailable(
    fake: FakeLinear, linear: LinearAdapter, slept: list[float], status: int
) -> None:
    fake.queue(FakeLinear.ratelimited(status=status))
    with pytest.raises(TrackerUnavailable, match="rate-limiting"):
        linear.fetch("ENG-1")
    assert len(fake.requests) == 1
    assert slept == []


def test_a_persistent_502_is_unavailable_after_bounded_retries(
    fake: FakeLinear, linear: LinearAdapter, slept: list[float]
) -> None:
    fake.queue(*(FakeLinear.bad_gateway() for _ in range(4)))
    with pytest.raises(TrackerUnavailable, match="linear answered 502 while trying to read issue ENG-1"):
        linear.fetch("ENG-1")
    assert slept == [1.0, 2.0, 4.0]
    assert len(fake.requests) == 4


def test_a_single_502_is_retried(fake: FakeLinear, linear: LinearAdapter, slept: list[float]) -> None:
    fake.add_issue("ENG", "Alert")
    fake.queue(FakeLinear.bad_gateway())
    assert linear.fetch("ENG-1").ref == "ENG-1"
    assert slept == [1.0]


def test_timeouts_are_retried_then_unavailable(fake: FakeLinear, linear: LinearAdapter, slept: list[float]) -> None:
    fake.queue(*(httpx2.ReadTimeout("timed out") for _ in range(4)))
    with pytest.raises(TrackerUnavailable, match="did not answer in time"):
        linear.fetch("ENG-1")
    assert slept == [1.0, 2.0, 4.0]


def test_one_timeout_then_success(fake: FakeLinear, linear: LinearAdapter, slept: list[float]) -> None:
    fake.queue(httpx2.ReadTimeout("timed out"))
    assert linear.create(ticket(labels=[], assignee=None)).ref == "ENG-1"
    assert slept == [1.0]


def test_an_answer_that_is_not_graphql_is_unavailable(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.queue(httpx2.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(TrackerUnavailable, match="without GraphQL data"):
        linear.fetch("ENG-1")


def test_the_api_key_is_in_no_message_or_repr(fake: FakeLinear, slept: list[float]) -> None:
    linear = connect_linear(CONFIG, transport=fake.transport(), sleep=slept.append)
    failures: list[TrackerError] = []
    fake.queue(
        FakeLinear.graphql_error(
            f"Invalid input near {API_KEY}",
            code="INVALID_INPUT",
            type="invalid input",
            presentable=f"key {API_KEY} rejected",
        ),
        FakeLinear.auth_error(400),
        FakeLinear.auth_error(200),
        FakeLinear.ratelimited(),
        *(FakeLinear.bad_gateway() for _ in range(4)),
        *(httpx2.ReadTimeout(API_KEY) for _ in range(4)),
    )
    for _ in range(6):
        with pytest.raises(TrackerError) as caught:
            linear.fetch("ENG-1")
        failures.append(caught.value)
    assert [type(f) for f in failures] == [
        TrackerRejected,
        TrackerAuthFailed,
        TrackerAuthFailed,
        TrackerUnavailable,
        TrackerUnavailable,
        TrackerUnavailable,
    ]
    for failure in failures:
        assert API_KEY not in str(failure)
        assert API_KEY not in repr(failure)
    assert "***" in str(failures[0])
    for thing in (linear, linear.config, linear.session):
        assert API_KEY not in repr(thing)


# -- the fake itself is strict -----------------------------------------------------------------------------


def raw(
    fake: FakeLinear, body: Any, *, auth: str = API_KEY, method: str = "POST", path: str = "/graphql"
) -> httpx2.Response:
    """Send one request to the fake without the adapter."""
    with httpx2.Client(base_url="https://api.linear.app", transport=fake.transport()) as client:
        return client.request(method, path, json=body, headers={"Authorization": auth})


def messages(response: httpx2.Response) -> list[str]:
    return [e["message"] for e in response.json()["errors"]]


def test_the_fake_wants_post_graphql_and_a_query_string(fake: FakeLinear) -> None:
    assert raw(fake, {"query": "{ teams { nodes { id } } }"}, method="GET").status_code == 405
    assert raw(fake, {"query": "{ x }"}, path="/rest/issues").status_code == 404
    missing = raw(fake, {"variables": {}})
    assert missing.status_code == 400
    assert messages(missing) == ["Must provide query string."]


def test_the_fake_checks_declared_variables(fake: FakeLinear) -> None:
    undeclared = raw(fake, {"query": "query { issue(id: $id) { identifier } }", "variables": {"id": "ENG-1"}})
    assert messages(undeclared) == ['Variable "$id" is not defined.']
    required = raw(fake, {"query": "query I($id: String!) { issue(id: $id) { identifier } }"})
    assert messages(required) == ['Variable "$id" of required type "String!" was not provided.']


def test_the_fake_answers_only_selected_fields(fake: FakeLinear) -> None:
    response = raw(
        fake,
        {
            "query": "query T($f: TeamFilter) { teams(filter: $f) { nodes { key } } }",
            "variables": {"f": {"key": {"eq": "OPS"}}},
        },
    )
    assert response.json() == {"data": {"teams": {"nodes": [{"key": "OPS"}]}}}


def test_the_fake_refuses_unknown_input_fields_and_operations(fake: FakeLinear) -> None:
    query = "mutation C($input: IssueCreateInput!) { issueCreate(input: $input) { success } }"
    extra = raw(fake, {"query": query, "variables": {"input": {"teamId": "t", "title": "x", "owner": "dana"}}})
    assert extra.status_code == 400
    assert 'Field "owner" is not defined' in messages(extra)[0]
    unknown = raw(fake, {"query": "{ roadmaps { nodes { id } } }"})
    assert messages(unknown) == ['Cannot query field "roadmaps" on type "Query".']


# -- who closed it, and who the API key is -----------------------------------------------------------------


def test_the_closer_is_named_with_their_user_id(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_issue("ENG", "Cap consumer retries")
    fake.complete("ENG-1", by="dana")
    issue = linear.fetch("ENG-1")
    assert (issue.closed_by, issue.closed_by_id) == ("Dana Scully", user_id(fake, "dana"))


def test_a_close_made_through_an_integration_names_nobody(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_issue("ENG", "Cap consumer retries")
    # The GitHub integration completes the issue when a linked pull request merges; Linear may still name the
    # user whose account linked it as the actor.
    fake.complete("ENG-1", by="dana", bot={"id": None, "type": "github", "name": "GitHub"})
    issue = linear.fetch("ENG-1")
    assert (issue.closed, issue.closed_by, issue.closed_by_id) == (True, None, None)


def test_a_close_by_an_application_user_names_nobody(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_user("Triage Agent", "triage-agent", "triage@oauthapp.linear.app", app=True)
    fake.add_issue("ENG", "Cap consumer retries")
    fake.complete("ENG-1", by="triage-agent")
    assert linear.fetch("ENG-1").closed_by is None


def test_the_newest_state_change_is_found_whatever_order_the_history_comes_in(
    fake: FakeLinear, linear: LinearAdapter
) -> None:
    fake.history_newest_first = False  # Linear does not document the order of an issue's history
    fake.add_issue("ENG", "Cap consumer retries")
    for _ in range(60):  # Dana's latest close is on the first page of 100 ...
        fake.move("ENG-1", "In Progress", by="fox")
        fake.complete("ENG-1", by="dana")
    fake.move("ENG-1", "In Progress", by="fox")
    fake.complete("ENG-1", by=None)  # ... and the automation's, the newest, on the second

    issue = linear.fetch("ENG-1")

    assert (issue.closed, issue.closed_by) == (True, None)  # the automation's close, not Dana's
    assert len(fake.calls("issue")) == 2


def test_a_history_longer_than_what_is_read_names_nobody(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.history_newest_first = False
    fake.add_issue("ENG", "Cap consumer retries")
    for _ in range(260):
        fake.move("ENG-1", "In Progress", by="fox")
        fake.move("ENG-1", "Done", by="dana")

    issue = linear.fetch("ENG-1")

    assert (issue.closed, issue.closed_by) == (True, None)
    assert issue.closer_unknown == (
        "the state change that closed it is not among the 500 history entries read (Linear has more)"
    )
    assert len(fake.calls("issue")) == 5


def test_the_newest_state_change_must_lead_to_the_current_state(fake: FakeLinear, linear: LinearAdapter) -> None:
    fake.add_issue("ENG", "Cap consumer retries")
    fake.complete("ENG-1", by="dana")
    fake.issues["ENG-1"].state = fake.teams["ENG"].states[4]  # Canceled, with no history entry for it yet

    issue = linear.fetch("ENG-1")

    assert (issue.closed, issue.not_planned, issue.closed_by) == (True, True, None)
    assert issue.closer_unknown == "its latest state change in the history is to Done, not to Canceled"


def test_the_api_keys_own_user_is_asked_once(fake: FakeLinear, linear: LinearAdapter) -> None:
    first, second = linear.identity(), linear.identity()
    assert first == second == TrackerIdentity(name="Postmortem Bot", id=fake.viewer.id)
    assert len(fake.calls("viewer")) == 1
