"""The reminder planner on a real SQLite file at fixed `as_of` days: who hears about what, once per cadence.

Deliveries are recorded by the real `deliver` through channel senders that only note what they were given (the
loopback Slack, webhook and SMTP servers are in test_nudges_delivery.py); what the planner reads back is the store's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from nudge_world import AS_OF, World, ago, ahead

from postmortem_actions.store import Actor, WorkStatus
from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.tools.nudges.deliver import Senders, deliver
from postmortem_actions.tools.nudges.models import Message, Only
from postmortem_actions.tools.nudges.planner import Outgoing, plan_reminders
from postmortem_actions.tools.nudges.policy import Policy, load_policy

SLACK = {"POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/planner"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = World(tmp_path / "actions.db").build()
    yield built
    built.close()


@pytest.fixture
def policy_of(tmp_path: Path) -> Any:
    def make(leads: str = "", **env: str) -> Policy:
        file = tmp_path / "policy.toml"
        file.write_text(leads)
        return load_policy({"POSTMORTEM_ACTIONS_POLICY": str(file), **env})

    return make


def plan(world: World, policy: Policy, day: date, **kw: Any) -> list[Message]:
    return plan_reminders(world.store, policy, as_of=day, **kw).plan.messages


def items(message: Message) -> list[tuple[int, str]]:
    return [(i.action_id, i.kind) for i in message.items]


def to(messages: list[Message], recipient: str, channel: str = "slack") -> Message | None:
    found = [m for m in messages if m.recipient == recipient and m.channel == channel]
    assert len(found) <= 1
    return found[0] if found else None


def run(world: World, policy: Policy, day: date, **kw: Any) -> list[Outgoing]:
    """A reminder run on `day` whose channels all succeed: what it sent (and recorded)."""
    sent: list[Outgoing] = []
    planned = plan_reminders(world.store, policy, as_of=day, **kw)
    channels = {name: sent.append for name in ("slack", "webhook", "email", "stdout")}
    deliver(world.store, planned, Senders(channels))  # type: ignore[arg-type]
    return sent


def summary(sent: list[Outgoing]) -> set[tuple[str, str, tuple[int, ...]]]:
    """(recipient, channel, the items listed: actions for an owner, postmortems for a lead)."""
    return {
        (
            o.message.recipient,
            o.message.channel,
            tuple(sorted([i.action_id for i in o.message.items] + [p.postmortem_id for p in o.message.postmortems])),
        )
        for o in sent
    }


# -- who hears about what -------------------------------------------------------------------------------


def test_owners_hear_about_overdue_soon_due_and_unreported_items_by_name_or_alias_in_any_case(
    world: World, policy_of: Any
) -> None:
    ids = world.ids
    alice = to(plan(world, policy_of(**SLACK), AS_OF), "Alice")
    assert alice is not None
    assert items(alice) == [
        (ids["alice_overdue"], "overdue"),
        (ids["alice_soon"], "due_soon"),
        (ids["alice_stale"], "stale"),
    ]
    assert (alice.total, alice.counts) == (3, {"overdue": 1, "due_soon": 1, "stale": 1})
    assert alice.subject == "3 action items need you: 1 overdue, 1 due soon, 1 without a status report"
    overdue, soon, stale = alice.items
    assert (overdue.due, overdue.days_late, overdue.work_status, overdue.status_note) == (
        ago(5),
        5,
        "in_progress",
        "alert drafted",
    )
    assert (overdue.ticket, overdue.postmortem_title) == (
        "https://tracker.example/browse/OPS-7",
        "Billing queue backlog",
    )
    assert (soon.due, soon.days_left, soon.owner) == (ahead(3), 3, "ALICE.NG")
    assert (stale.days_since_report, stale.due) == (40, ahead(60))
    assert ids["alice_fresh"] not in {i.action_id for i in alice.items}


def test_an_owner_the_people_table_does_not_know_is_reported_and_never_guessed(world: World, policy_of: Any) -> None:
    planned = plan_reminders(world.store, policy_of(**SLACK), as_of=AS_OF).plan
    assert {m.recipient for m in planned.messages} == {"Alice", "Bob", "Carol", "team"}
    unreachable = {u.name: (u.role, u.why, u.action_ids) for u in planned.unreachable}
    why = "no one in the people table has this name or alias"
    assert unreachable == {
        "Dana": ("owner", why, [world.ids["dana_overdue"]]),
        "Alise": ("owner", why, [world.ids["typo_soon"]]),  # one letter from Alice: still nobody we know
    }
    assert "## Owners we cannot reach" in planned.markdown
    assert "Alise (owner): no one in the people table has this name or alias" in planned.markdown


def test_a_known_person_without_an_address_for_the_configured_channels_is_reported(
    world: World, policy_of: Any
) -> None:
    world.store.update_person("Bob", {"email": None})
    email_only = policy_of(POSTMORTEM_ACTIONS_SMTP_HOST="127.0.0.1", POSTMORTEM_ACTIONS_SMTP_FROM="r@example.com")
    planned = plan_reminders(world.store, email_only, as_of=AS_OF).plan
    bob = next(u for u in planned.unreachable if u.name == "Bob")
    assert (bob.role, bob.why) == ("owner", "Bob has no address for the configured channels (email)")
    assert {(m.recipient, m.channel) for m in planned.messages} == {
        ("Alice", "email"),
        ("Carol", "email"),  # no team address configured: no team email
    }


def test_leads_hear_about_postmortems_with_candidates_undecided_for_k_days_but_not_young_or_deferred_ones(
    world: World, policy_of: Any
) -> None:
    ids = world.ids
    # Billing was added by Carol at her terminal, search by the assistant for Carol: both are hers by default.
    carol = to(plan(world, policy_of(**SLACK), AS_OF), "Carol")
    assert carol is not None
    assert (carol.audience, carol.total, carol.counts, carol.items) == ("lead", 2, {"undecided": 2}, [])
    assert [(p.postmortem_id, p.title, p.candidates, p.oldest_days) for p in carol.postmortems] == [
        (ids["billing"], "Billing queue backlog", 1, 10),
        (ids["search"], "Search outage", 1, 9),
    ]
    # A lead set in the policy wins; the deferred candidate comes back once its revisit day has come.
    messages = plan(world, policy_of(f'[leads]\n"{ids["search"]}" = "bob"\n', **SLACK), ahead(8))
    carol = to(messages, "Carol")
    assert carol is not None
    assert {m.audience for m in messages if m.recipient == "Bob"} == {"owner", "lead"}  # two messages: two roles
    bob = next(m for m in messages if m.recipient == "Bob" and m.audience == "lead")
    assert [(p.postmortem_id, p.candidates, p.oldest_days) for p in bob.postmortems] == [(ids["search"], 2, 28)]
    assert [(p.postmortem_id, p.candidates, p.oldest_days) for p in carol.postmortems] == [(ids["billing"], 2, 18)]


def test_an_item_appears_once_under_its_most_pressing_reason_and_the_list_is_cut_but_counted(
    world: World, policy_of: Any
) -> None:
    alice = to(plan(world, policy_of(POSTMORTEM_ACTIONS_REMIND_MAX_ITEMS="2", **SLACK), AS_OF), "Alice")
    assert alice is not None
    assert (alice.total, len(alice.items)) == (3, 2)
    planned = plan_reminders(world.store, policy_of(POSTMORTEM_ACTIONS_REMIND_MAX_ITEMS="2", **SLACK), as_of=AS_OF)
    assert "- … and 1 more" in planned.plan.markdown
    run(world, policy_of(POSTMORTEM_ACTIONS_REMIND_MAX_ITEMS="2", **SLACK), AS_OF)
    recorded = {(d.action_id, d.kind) for d in world.store.deliveries() if d.recipient == "Alice"}
    assert (world.ids["alice_stale"], "stale") in recorded  # told as "and 1 more": it was delivered too


# -- once per cadence -----------------------------------------------------------------------------------


def test_every_reminder_goes_out_once_per_cadence_over_a_fortnight_of_hourly_runs(world: World, policy_of: Any) -> None:
    ids = world.ids
    policy = policy_of(**SLACK)
    first = summary(run(world, policy, AS_OF))
    assert first == {
        ("Alice", "slack", tuple(sorted((ids["alice_overdue"], ids["alice_soon"], ids["alice_stale"])))),
        ("Bob", "slack", (ids["bob_overdue"],)),
        ("Carol", "slack", (ids["billing"], ids["search"])),
        ("team", "slack", ()),
    }
    assert run(world, policy, AS_OF) == []  # the next hour
    assert run(world, policy, ahead(1)) == []  # Tuesday: nothing has come due
    # Wednesday: Alice's item is due tomorrow (the 1-day mark); nothing else.
    assert summary(run(world, policy, ahead(2))) == {("Alice", "slack", (ids["alice_soon"],))}
    # Thursday: the overdue items again (every 3 days); the item due today was told yesterday.
    assert summary(run(world, policy, ahead(3))) == {
        ("Alice", "slack", (ids["alice_overdue"],)),
        ("Bob", "slack", (ids["bob_overdue"],)),
    }
    # Friday: the item due yesterday is overdue now, which is news.
    assert summary(run(world, policy, ahead(4))) == {("Alice", "slack", (ids["alice_soon"],))}
    assert run(world, policy, ahead(5)) == []  # Saturday: quiet
    # Monday: the team digest, the overdue items, the lead again (every 7 days) with the candidates now due.
    assert summary(run(world, policy, ahead(7))) == {
        ("team", "slack", ()),
        ("Alice", "slack", tuple(sorted((ids["alice_overdue"], ids["alice_soon"])))),
        ("Bob", "slack", (ids["bob_overdue"],)),
        ("Carol", "slack", (ids["billing"], ids["search"])),
    }
    # Two weeks after it was told, the item without a report is told again.
    (alice,) = [o.message for o in run(world, policy, ahead(14)) if o.message.recipient == "Alice"]
    assert items(alice) == [
        (ids["alice_overdue"], "overdue"),
        (ids["alice_soon"], "overdue"),
        (ids["alice_stale"], "stale"),
        (ids["alice_fresh"], "stale"),  # accepted 17 days ago, never reported on
    ]


def test_a_status_report_stops_the_stale_reminder_and_a_replan_restarts_the_due_date_marks(
    world: World, policy_of: Any
) -> None:
    ids = world.ids
    policy = policy_of(**SLACK)
    run(world, policy, AS_OF)
    world.store.set_work_status(ids["alice_stale"], WorkStatus.IN_PROGRESS, "sharding", Actor(actor="a", via="t"))
    world.set(ids["alice_stale"], "status_at", ahead(1))
    world.decide(ids["alice_soon"], "replan", owner="Alice", due=ahead(20), reason="waiting on the queue rewrite")
    (alice,) = [o.message for o in run(world, policy, ahead(14)) if o.message.recipient == "Alice"]
    # The reported item is not stale any more; the re-planned one is 6 days from its new date: the 7-day mark again.
    assert items(alice) == [
        (ids["alice_overdue"], "overdue"),
        (ids["alice_soon"], "due_soon"),
        (ids["alice_fresh"], "stale"),
    ]


def test_each_channel_counts_on_its_own(world: World, policy_of: Any) -> None:
    both = policy_of(POSTMORTEM_ACTIONS_WEBHOOK_URL="https://hooks.example.com/in/abcdef123456", **SLACK)
    run(world, policy_of(**SLACK), AS_OF)
    again = {(m.recipient, m.channel) for m in plan(world, both, AS_OF)}
    assert again == {("Alice", "webhook"), ("Bob", "webhook"), ("Carol", "webhook"), ("team", "webhook")}


def test_the_team_digest_goes_out_once_a_week_from_its_weekday_and_catches_up_a_missed_one(
    world: World, policy_of: Any
) -> None:
    policy = policy_of(POSTMORTEM_ACTIONS_REMIND_QUIET_DAYS="none", **SLACK)

    def team(day: date) -> list[Outgoing]:
        return run(world, policy, day, only="team")

    assert len(team(ahead(2))) == 1  # first run on a Wednesday: this week's digest has not gone out yet
    assert [team(ahead(d)) for d in (2, 3, 4, 5, 6)] == [[], [], [], [], []]
    (digest,) = team(ahead(7))
    assert digest.message.digest is not None
    assert digest.message.subject.startswith("Action-item digest: ")
    daily = policy_of(POSTMORTEM_ACTIONS_REMIND_TEAM_DAY="daily", **SLACK)
    assert len(run(world, daily, ahead(8), only="team")) == 1


def test_nothing_goes_out_on_a_quiet_day_and_the_next_working_day_catches_up(world: World, policy_of: Any) -> None:
    policy = policy_of(POSTMORTEM_ACTIONS_REMIND_QUIET_DAYS="saturday,sunday,2026-03-02", **SLACK)
    planned = plan_reminders(world.store, policy, as_of=AS_OF).plan
    assert (planned.quiet, planned.messages) == ("2026-03-02", [])
    assert "2026-03-02 is a quiet day (2026-03-02): nothing goes out." in planned.markdown
    assert plan(world, policy, ahead(5)) == []  # Saturday
    assert {m.recipient for m in plan(world, policy, ahead(1))} == {"Alice", "Bob", "Carol", "team"}


def test_only_selects_owners_leads_or_the_team_and_still_reports_who_cannot_be_reached(
    world: World, policy_of: Any
) -> None:
    policy = policy_of(**SLACK)
    cases: list[tuple[Only, set[str]]] = [("owners", {"owner"}), ("leads", {"lead"}), ("team", {"team"})]
    for only, audiences in cases:
        planned = plan_reminders(world.store, policy, as_of=AS_OF, only=only).plan
        assert {m.audience for m in planned.messages} == audiences
        assert {u.name for u in planned.unreachable} == {"Dana", "Alise"}


def test_a_day_outside_the_supported_range_is_refused(world: World, policy_of: Any) -> None:
    with pytest.raises(InvalidInput, match="as_of must be between 1970-01-01 and 2999-12-31"):
        plan_reminders(world.store, policy_of(), as_of=date(3000, 1, 1))


def test_with_nothing_configured_reminders_go_to_stdout_as_markdown(world: World, policy_of: Any) -> None:
    policy = policy_of()
    assert policy.channels.names == ("stdout",)
    out = io.StringIO()
    from postmortem_actions.tools.nudges.deliver import senders_for

    report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders_for(policy, out))
    assert report.by_channel == {"stdout": 4}
    text = out.getvalue()
    assert "## Alice (owner)\n\n**3 action items need you: 1 overdue, 1 due soon, 1 without a status report**" in text
    assert "## Team digest" in text
    assert {u.name for u in report.unreachable} == {"Dana", "Alise"}  # known people are not "unreachable" by stdout
    assert plan_reminders(world.store, policy, as_of=AS_OF).outgoing == ()  # recorded: the next run sends nothing
