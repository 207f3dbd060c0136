"""The web board over real HTTP on loopback: every human decision as a form, recorded with channel `web` through the
same store operation as every other channel, and refused (nothing written) when the form is stale or forged."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from board_fixtures import BY, Seeded, board_client, form_values, notice, seed

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Store
from postmortem_actions.store.errors import ConfigError


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


def _decide(client: object, action_id: int, kind: str, **fields: str) -> tuple[int, str]:
    page = client.get(f"/actions/{action_id}").text  # type: ignore[attr-defined]
    hidden = form_values(page, kind)
    reply = client.post(f"/actions/{action_id}/decide", data={**hidden, **fields})  # type: ignore[attr-defined]
    return reply.status_code, reply.text


def test_the_board_lists_the_agenda_sections_with_exact_counts(settings: Settings, seeded: Seeded) -> None:
    with board_client(settings) as (client, _board):
        page = client.get("/?as_of=2030-03-01").text
    titles = re.findall(r"<h2>(.*?)<span class=\"count\">(\d+)</span>", page)
    assert [t for t, _ in titles] == [
        "Overdue",
        "Blocked",
        "Due in the next 7 days",
        "Candidates still undecided",
        "No status report in 14 days",
        "Completed in the last 14 days",
    ]
    counts = dict(titles)
    assert (counts["Overdue"], counts["Candidates still undecided"]) == ("1", "1")
    assert f'href="/actions/{seeded.accepted}"' in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("owner=CAROL", "accepted", "candidate"),  # owners match in any case
        ("q=runbook", "accepted", "candidate"),
        ("category=process", None, "accepted"),
    ],
)
def test_filters_narrow_every_section(
    settings: Settings, seeded: Seeded, query: str, shown: str | None, hidden: str
) -> None:
    with board_client(settings) as (client, _board):
        page = client.get(f"/?as_of=2030-03-01&{query}").text
    if shown:
        assert f'href="/actions/{getattr(seeded, shown)}"' in page
    assert f'href="/actions/{getattr(seeded, hidden)}"' not in page


def test_a_bad_filter_is_a_sentence_not_a_crash(settings: Settings, seeded: Seeded) -> None:
    with board_client(settings) as (client, _board):
        reply = client.get("/?postmortem_id=999")
        bad_date = client.get("/?as_of=next-week")
    assert reply.status_code == 404
    assert "no postmortem has id 999" in reply.text
    assert bad_date.status_code == 400
    assert "is not a date (YYYY-MM-DD)" in html.unescape(bad_date.text)


def test_accepting_on_the_board_records_exactly_the_form_through_the_web_channel(
    settings: Settings, store: Store, seeded: Seeded
) -> None:
    with board_client(settings) as (client, _board):
        page = client.get(f"/actions/{seeded.candidate}").text
        assert 'value="team-payments"' in page
        assert 'value="2030-01-15"' in page
        status, page = _decide(client, seeded.candidate, "accept", owner="dana", due="2030-04-30")
    assert status == 200
    assert "tester accepted action" in notice(page)
    assert "to dana, due 2030-04-30" in notice(page)
    action = store.get_action(seeded.candidate)
    decision = store.decisions(seeded.candidate)[-1]
    assert (action.state, action.owner, action.due) == (ActionState.ACCEPTED, "dana", date(2030, 4, 30))
    assert (decision.channel, decision.decided_by, decision.client) == ("web", "tester", decision.client)
    assert decision.client is not None
    assert decision.client.startswith("postmortem-actions-web/")
    assert store.verify().ok


@pytest.mark.parametrize(
    ("which", "kind", "fields", "state"),
    [
        ("candidate", "kill", {"reason": "not worth it"}, "killed"),
        ("accepted", "kill", {"reason": "folded into the rewrite"}, "killed"),
        ("candidate", "defer", {"note": "after the freeze", "revisit_on": "2030-02-01"}, "candidate"),
        ("accepted", "replan", {"owner": "erin", "due": "2030-06-01", "reason": "carol moved team"}, "accepted"),
        ("accepted", "complete", {"evidence": "PR 88 merged"}, "done"),
        ("done", "reopen", {"reason": "the alert never fired"}, "accepted"),
        ("killed", "revive", {"reason": "needed after all"}, "candidate"),
    ],
)
def test_every_decision_is_a_form_on_the_item_page(
    settings: Settings, store: Store, seeded: Seeded, which: str, kind: str, fields: dict[str, str], state: str
) -> None:
    action_id = getattr(seeded, which)
    with board_client(settings) as (client, _board):
        status, page = _decide(client, action_id, kind, **fields)
    assert status == 200, page
    decision = store.decisions(action_id)[-1]
    assert (decision.kind, decision.channel, store.get_action(action_id).state) == (kind, "web", state)
    if kind == "defer":
        assert decision.revisit_on == date(2030, 2, 1)
        assert decision.reason == "after the freeze"
    assert store.verify().ok


@pytest.mark.parametrize(
    ("kind", "fields", "says"),
    [
        ("kill", {"reason": "  "}, "needs a reason"),
        ("accept", {"owner": "dana", "due": "next friday"}, "'next friday' is not a date (YYYY-MM-DD)"),
        ("accept", {"owner": "", "due": "2030-01-01"}, "needs an owner and a due date"),
        ("accept", {"owner": "dana\u202eevil", "due": "2030-01-01"}, "nothing was recorded"),
        ("accept", {"owner": "dana", "due": "1970-01-01"}, "nothing was recorded"),
    ],
)
def test_a_form_that_cannot_be_recorded_says_why_and_records_nothing(
    settings: Settings, store: Store, seeded: Seeded, kind: str, fields: dict[str, str], says: str
) -> None:
    before = store.decisions()
    with board_client(settings) as (client, _board):
        status, page = _decide(client, seeded.candidate, kind, **fields)
    assert status == 400
    assert says in html.unescape(page)
    assert store.decisions() == before


def test_a_form_for_an_item_that_changed_is_refused_and_the_current_state_shown(
    settings: Settings, store: Store, seeded: Seeded
) -> None:
    with board_client(settings) as (client, _board):
        page = client.get(f"/actions/{seeded.candidate}").text
        stale = form_values(page, "accept")
        _decide(client, seeded.candidate, "kill", reason="duplicate of #2")
        reply = client.post(f"/actions/{seeded.candidate}/decide", data={**stale, "owner": "x", "due": "2030-01-01"})
    assert reply.status_code == 409
    assert "changed after this page was drawn" in notice(reply.text)
    assert '<span class="state killed">killed</span>' in reply.text
    assert [d.kind for d in store.decisions(seeded.candidate)] == ["kill"]


def test_a_status_report_commits_no_one(settings: Settings, store: Store, seeded: Seeded) -> None:
    before = store.get_action(seeded.accepted)
    with board_client(settings) as (client, _board):
        csrf = form_values(client.get(f"/actions/{seeded.accepted}").text)["csrf"]
        ok = client.post(
            f"/actions/{seeded.accepted}/status", data={"csrf": csrf, "status": "blocked", "note": "vendor"}
        )
        empty = client.post(f"/actions/{seeded.accepted}/status", data={"csrf": csrf, "status": "blocked"})
    after = store.get_action(seeded.accepted)
    assert ok.status_code == 200
    assert empty.status_code == 400
    assert "needs a note" in empty.text
    assert (after.work_status, after.status_note) == ("blocked", "vendor")
    assert (after.owner, after.due, after.decision_id) == (before.owner, before.due, before.decision_id)
    assert store.audit_log("action", seeded.accepted)[-1].via == "web"


def test_hidden_characters_in_stored_text_are_written_out_on_the_page(
    settings: Settings, store: Store, seeded: Seeded
) -> None:
    store.revise_candidate(seeded.candidate, {"done_when": "done when the <script>alert(1)</script> fires"}, BY)
    with board_client(settings) as (client, _board):
        page = client.get(f"/actions/{seeded.candidate}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_postmortem_page_marks_evidence_and_names_the_coverage_gap(settings: Settings, seeded: Seeded) -> None:
    with board_client(settings) as (client, _board):
        page = client.get(f"/postmortems/{seeded.postmortem}").text
    assert f'<mark class="act" id="a{seeded.candidate}"' in page
    assert "Coverage gap: 1 of 5 follow-ups" in page  # "Investigate better dashboards" has no action
    assert '<mark class="gap"' in page


def test_the_report_is_the_same_follow_through_report(settings: Settings, seeded: Seeded) -> None:
    with board_client(settings) as (client, _board):
        reply = client.get("/report?as_of=2030-03-01")
    assert reply.status_code == 200
    assert 'id="completion-chart"' in reply.text or "completion-chart" in reply.text
    assert "script-src" not in reply.headers["content-security-policy"]


def test_a_port_in_use_is_a_sentence(settings: Settings) -> None:
    from postmortem_actions.server.web.launch import listening_socket

    with board_client(settings, signed_in=False) as (_client, board), pytest.raises(ConfigError, match="--port"):
        listening_socket(board.port)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=GATEWAY", {"accepted", "done", "killed"}),  # any case, any state, through the trigram index
        ("q=2%25", {"candidate"}),  # a literal %: read directly, never a wildcard
        ("q=ru", {"accepted"}),  # shorter than three characters: read directly
        ("q=gateway&owner=carol", {"accepted", "done"}),
        ("q=nothing-like-this", set()),
    ],
)
def test_a_text_search_lists_the_matching_items_in_any_state(
    settings: Settings, seeded: Seeded, query: str, found: set[str]
) -> None:
    with board_client(settings) as (client, _board):
        page = client.get(f"/?{query}").text
    listed = {
        name
        for name in ("candidate", "accepted", "done", "killed")
        if f'href="/actions/{getattr(seeded, name)}"' in page
    }
    assert listed == found
    assert "Items whose text contains" in page
    assert "Overdue" not in page  # a search replaces the agenda


def test_the_search_index_follows_rewording(settings: Settings, store: Store, seeded: Seeded) -> None:
    store.revise_candidate(seeded.candidate, {"text": "Page the on-call when checkout errors exceed 2%"}, BY)
    with board_client(settings) as (client, _board):
        old = client.get("/?q=error+rate").text
        new = client.get("/?q=on-call+when").text
    assert f'href="/actions/{seeded.candidate}"' not in old
    assert f'href="/actions/{seeded.candidate}"' in new


def test_past_the_counting_limit_a_section_says_how_many_at_least(
    settings: Settings, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    from postmortem_actions.tools import board

    monkeypatch.setattr(board, "COUNTED", 0)  # every non-empty section is past it
    with board_client(settings) as (client, _board):
        page = client.get("/?as_of=2030-03-01").text
        section = client.get("/section/overdue?as_of=2030-03-01").text
    assert '<span class="count">0+</span>' in page
    assert '<span class="count">0</span>' in page  # an empty section is still exact
    assert "of 0+" in section
