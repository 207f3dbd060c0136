"""Reminders delivered to real servers on loopback: a Slack-like incoming webhook, a generic JSON webhook, and an
SMTP server (aiosmtpd) that requires STARTTLS and a login. What each message says, once per cadence over repeated
runs, retries after 429 and 5xx, one failing recipient never stopping the others, and no secret in any output.

Runs go through `postmortem-actions remind` (in this process, with the environment a cron job would give it, or as
a subprocess where log lines matter); the backoff is observed through an injected sleep where a test waits.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
from nudge_world import AS_OF, SLACK_PATH, Hooks, World, ago, ahead, hooks, mailbox, smtp_env, table_rows

from postmortem_actions.server.cli.main import main
from postmortem_actions.tools.nudges.deliver import Senders, deliver, senders_for
from postmortem_actions.tools.nudges.planner import plan_reminders
from postmortem_actions.tools.nudges.policy import load_policy

SECRET = SLACK_PATH.rsplit("/", 1)[1]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = World(tmp_path / "actions.db").build()
    yield built
    built.close()


@pytest.fixture
def slack() -> Iterator[Hooks]:
    with hooks() as served:
        yield served


@pytest.fixture
def env(tmp_path: Path, world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A cron job's environment: the database, a policy file (with a board link), nothing else configured."""
    for name in list(os.environ):
        if name.startswith("POSTMORTEM_ACTIONS_"):
            monkeypatch.delenv(name)
    policy = tmp_path / "policy.toml"
    policy.write_text('[remind]\nitem_url = "https://board.example/actions/{id}"\n')
    values = {"POSTMORTEM_ACTIONS_DB": str(world.db), "POSTMORTEM_ACTIONS_POLICY": str(policy)}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def remind(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, **env: str
) -> tuple[int, str, str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["remind", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_mention(requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Slack requests by the member they mention ("team" for the digest)."""
    found: dict[str, dict[str, Any]] = {}
    for body in requests:
        text = body["text"]
        found[text[2 : text.index(">")] if text.startswith("<@") else "team"] = body
    return found


# -- what each message says ---------------------------------------------------------------------------------


def test_slack_messages_name_the_owner_items_dates_postmortem_ticket_link_and_how_to_report(
    world: World, slack: Hooks, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = remind(
        monkeypatch, capsys, "--as-of", AS_OF.isoformat(), POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url
    )
    assert (code, out) == (0, "")
    assert "remind 2026-03-02: 4 message(s) sent (slack 4)" in err
    sent = by_mention(slack.take())
    assert set(sent) == {"U0ALICE", "U0BOB", "U0CAROL", "team"}
    alice = sent["U0ALICE"]
    assert alice["blocks"][0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "3 action items need you: 1 overdue, 1 due soon, 1 without a status report",
        },
    }
    sections = [b["text"]["text"] for b in alice["blocks"] if b["type"] == "section"]
    ids = world.ids
    assert sections == [
        "<@U0ALICE> these are yours:",
        f"• #{ids['alice_overdue']} Page on queue depth — 5 days late (due 2026-02-25) · Billing queue backlog "
        f"(postmortem #{ids['billing']}) · in progress: alert drafted · ticket https://tracker.example/browse/OPS-7 · "
        f"https://board.example/actions/{ids['alice_overdue']}",
        f"• #{ids['alice_soon']} Cap consumer retries — due 2026-03-05, in 3 days · Billing queue backlog "
        f"(postmortem #{ids['billing']}) · https://board.example/actions/{ids['alice_soon']}",
        f"• #{ids['alice_stale']} Shard the search index — no status report for 40 days (due 2026-05-01) · Search "
        f"outage (postmortem #{ids['search']}) · https://board.example/actions/{ids['alice_stale']}",
    ]
    assert "report_status" in alice["blocks"][-1]["elements"][0]["text"]  # how to report, or ask for a re-plan
    assert "replan_action" in alice["blocks"][-1]["elements"][0]["text"]
    assert alice["text"].startswith("<@U0ALICE> 3 action items need you")  # the notification's plain text
    assert "* #1 Page on queue depth — 5 days late (due 2026-02-25)" in alice["text"]
    carol = sent["U0CAROL"]
    assert carol["blocks"][0]["text"]["text"] == "2 candidate action items waiting for your decision"
    assert [b["text"]["text"] for b in carol["blocks"][2:4]] == [
        f"• Billing queue backlog (postmortem #{ids['billing']}): 1 candidate undecided, the oldest for 10 days — "
        f"postmortem-actions triage {ids['billing']}",
        f"• Search outage (postmortem #{ids['search']}): 1 candidate undecided, the oldest for 9 days — "
        f"postmortem-actions triage {ids['search']}",
    ]
    assert "triage POSTMORTEM_ID" in carol["blocks"][-1]["elements"][0]["text"]
    team = sent["team"]
    team_text = json.dumps(team["blocks"])
    assert "*Overdue (3)*" in team_text
    assert "Dana (owner): no one in the people table has this name or alias" in team_text


def test_stored_text_can_never_mention_everyone_or_forge_a_link_in_slack(
    world: World, slack: Hooks, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Plain ASCII a postmortem's title may hold: nothing hides in it, but Slack would read it as markup.
    title = "Ping <!channel> & see <https://evil.example|the runbook>"
    world.raw.execute("UPDATE postmortems SET title = ? WHERE id = ?", (title, world.ids["billing"]))
    remind(
        monkeypatch,
        capsys,
        "--as-of",
        AS_OF.isoformat(),
        "--only",
        "leads",
        POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url,
    )
    carol = by_mention(slack.take())["U0CAROL"]
    shown = json.dumps(carol)
    assert "<!channel>" not in shown
    assert "<https://evil" not in shown
    escaped = "Ping &lt;!channel&gt; &amp; see &lt;https://evil.example|the runbook&gt;"
    assert carol["blocks"][2]["text"]["text"].startswith(f"• {escaped} (postmortem #")


def test_the_generic_webhook_gets_the_recipient_the_message_and_the_items_as_data(
    world: World, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with hooks("/hooks/reminders-4f9a2c7e1b") as hook:
        code, _, _ = remind(
            monkeypatch,
            capsys,
            "--as-of",
            AS_OF.isoformat(),
            "--only",
            "owners",
            POSTMORTEM_ACTIONS_WEBHOOK_URL=hook.url,
        )
        bodies = {b["recipient"]["name"]: b for b in hook.take()}
    assert code == 0
    bob = bodies["Bob"]
    assert {k: bob[k] for k in ("type", "version", "as_of", "audience", "recipient", "total", "counts")} == {
        "type": "postmortem-actions.reminder",
        "version": 1,
        "as_of": "2026-03-02",
        "audience": "owner",
        "recipient": {"name": "Bob", "email": "bob@example.com", "slack_id": "U0BOB"},
        "total": 1,
        "counts": {"overdue": 1},
    }
    (item,) = bob["items"]
    assert (item["action_id"], item["kind"], item["due"], item["days_late"]) == (
        world.ids["bob_overdue"],
        "overdue",
        ago(1).isoformat(),
        1,
    )
    assert bob["text"].startswith("**1 action item needs you: 1 overdue**")  # Markdown (Mattermost)
    assert bob["content"] == bob["text"]  # Discord
    assert set(bodies) == {"Alice", "Bob"}


def test_email_goes_over_starttls_with_a_login_to_each_owner_and_the_team_address(
    world: World,
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mailbox(tmp_path) as box:
        code, _, err = remind(monkeypatch, capsys, "--as-of", AS_OF.isoformat(), **smtp_env(box))
    assert code == 0, err
    mails = {tuple(to): (mail, tls) for to, mail, tls in box.received}
    assert set(mails) == {("alice@example.com",), ("bob@example.com",), ("carol@example.com",), ("sre@example.com",)}
    assert all(tls for _, tls in mails.values())
    alice, _ = mails[("alice@example.com",)]
    assert (
        alice["Subject"]
        == "[postmortem-actions] 3 action items need you: 1 overdue, 1 due soon, 1 without a status report"
    )
    assert (alice["From"], alice["Auto-Submitted"]) == ("reminders@example.com", "auto-generated")
    body = alice.get_content()
    assert "* #1 Page on queue depth — 5 days late (due 2026-02-25) · Billing queue backlog (postmortem #1)" in body
    assert "https://board.example/actions/1" in body
    assert "report_status" in body  # how to report...
    assert "replan_action" in body  # ...or ask for a re-plan
    team, _ = mails[("sre@example.com",)]
    assert team["Subject"] == "[postmortem-actions] Action-item digest: 3 overdue, 0 blocked"
    assert "pa55-w0rd-never-shown" not in err


def test_a_recipient_the_mail_server_refuses_fails_alone_and_is_retried_on_the_next_run(
    world: World,
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mailbox(tmp_path) as box:
        box.refuse.add("bob@example.com")
        code, _, err = remind(monkeypatch, capsys, "--as-of", AS_OF.isoformat(), **smtp_env(box))
        assert code == 1
        assert "not delivered: email to Bob: the mail server 127.0.0.1" in err
        assert "refused the recipient (bob@example.com: 550 5.1.1 no such mailbox here)" in err
        assert {tuple(to) for to, _, _ in box.received} == {
            ("alice@example.com",),
            ("carol@example.com",),
            ("sre@example.com",),
        }
        assert {d.recipient for d in world.store.deliveries()} == {"Alice", "Carol", "team"}
        box.refuse.clear()
        box.received.clear()
        code, _, err = remind(monkeypatch, capsys, "--as-of", AS_OF.isoformat(), **smtp_env(box))
    assert code == 0, err
    assert [to for to, _, _ in box.received] == [["bob@example.com"]]


def test_a_mail_server_that_rejects_the_login_fails_every_email_without_showing_the_password(
    world: World,
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mailbox(tmp_path) as box:
        wrong = {**smtp_env(box), "POSTMORTEM_ACTIONS_SMTP_PASSWORD": "wrong-pa55word-xyz"}
        code, out, err = remind(monkeypatch, capsys, "--as-of", AS_OF.isoformat(), **wrong)
    assert code == 1
    assert "refused the credentials (535)" in err
    assert "wrong-pa55word-xyz" not in out + err
    assert box.received == []
    assert world.store.deliveries() == []


# -- retries, and one failure among many ----------------------------------------------------------------------


def _policy(tmp_path: Path, **env: str) -> Any:
    return load_policy({"POSTMORTEM_ACTIONS_POLICY": str(tmp_path / "none.toml"), **env})


def test_a_429_is_retried_after_the_wait_its_retry_after_asks_for(world: World, slack: Hooks, tmp_path: Path) -> None:
    refused: list[str] = []

    def answer(body: dict[str, Any]) -> httpx2.Response | None:
        if "U0ALICE" in body["text"] and not refused:
            refused.append("once")
            return httpx2.Response(429, headers={"Retry-After": "7"}, text="rate_limited")
        return None

    slack.answer = answer
    policy = _policy(tmp_path, POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url)
    waits: list[float] = []
    senders = senders_for(policy, io.StringIO(), sleep=waits.append)
    report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders)
    senders.close()
    assert (waits, report.failures, report.sent) == ([7.0], [], 4)
    assert sum("U0ALICE" in b["text"] for b in slack.take()) == 2  # refused once, then delivered


def test_a_500_fails_one_recipient_while_the_others_are_delivered_and_recorded(
    world: World, slack: Hooks, tmp_path: Path
) -> None:
    broken = {"on": True}
    slack.answer = lambda body: (
        httpx2.Response(500, text="internal_error") if broken["on"] and "<@U0BOB>" in body["text"] else None
    )
    policy = _policy(tmp_path, POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url)
    waits: list[float] = []
    senders = senders_for(policy, io.StringIO(), sleep=waits.append)
    report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders)
    assert waits == [1.0, 2.0]  # exponential backoff, bounded: three attempts in all
    assert [(f.channel, f.recipient) for f in report.failures] == [("slack", "Bob")]
    assert (
        "Slack answered 500 (internal_error) to the reminder to Bob; gave up after 3 attempts"
        in report.failures[0].error
    )
    assert report.sent == 3
    assert {d.recipient for d in world.store.deliveries()} == {"Alice", "Carol", "team"}
    slack.take()
    broken["on"] = False
    report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders)
    senders.close()
    assert (report.sent, report.failures) == (1, [])
    assert list(by_mention(slack.take())) == ["U0BOB"]


def test_a_dead_endpoint_and_a_dead_mail_server_fail_only_their_own_messages(world: World, tmp_path: Path) -> None:
    # Slack and the mail server cannot be reached at all (their ports are closed); the generic webhook works.
    with hooks() as gone, mailbox(tmp_path) as closed:
        dead = {"POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL": gone.url, **smtp_env(closed)}
    with hooks("/hooks/reminders-4f9a2c7e1b") as generic:
        policy = _policy(tmp_path, POSTMORTEM_ACTIONS_WEBHOOK_URL=generic.url, **dead)
        waits: list[float] = []
        senders = senders_for(policy, io.StringIO(), sleep=waits.append)
        report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders)
        senders.close()
        delivered = {b["recipient"]["name"] or "team" for b in generic.take()}
    everyone = {"Alice", "Bob", "Carol", "team"}
    assert delivered == everyone  # every message of the working channel went out...
    assert {(d.channel, d.recipient) for d in world.store.deliveries()} == {("webhook", r) for r in everyone}
    assert report.sent == 4  # ...and was recorded; none of the dead channels' was
    assert {(f.channel, f.recipient) for f in report.failures} == {(c, r) for c in ("slack", "email") for r in everyone}
    assert waits == [1.0, 2.0]  # Slack's first message was retried (bounded); the rest did not wait on a dead port
    first, *rest = [f.error for f in report.failures if f.channel == "slack"]
    assert "could not reach Slack (ConnectError)" in first
    assert "gave up after 3 attempts" in first
    assert all("earlier in this run" in e and "waits for the next run" in e for e in rest)
    first, *rest = [f.error for f in report.failures if f.channel == "email"]
    assert "could not deliver through the mail server 127.0.0.1" in first
    assert all("earlier in this run; not tried again until the next run" in e for e in rest)
    assert SECRET not in json.dumps([f.model_dump() for f in report.failures])

    # The next run, with both back, sends exactly what failed: the webhook's messages are not sent again.
    with hooks() as slack, mailbox(tmp_path) as box, hooks("/hooks/reminders-4f9a2c7e1b") as generic:
        env = {"POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL": slack.url, **smtp_env(box)}
        policy = _policy(tmp_path, POSTMORTEM_ACTIONS_WEBHOOK_URL=generic.url, **env)
        senders = senders_for(policy, io.StringIO(), sleep=waits.append)
        report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders)
        senders.close()
        assert (report.sent, report.failures) == (8, [])
        assert set(by_mention(slack.take())) == {"U0ALICE", "U0BOB", "U0CAROL", "team"}
        assert len(box.received) == 4
        assert generic.take() == []


def test_remind_exits_1_when_a_message_failed_and_says_which(
    world: World, slack: Hooks, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.answer = lambda body: (
        httpx2.Response(503, headers={"Retry-After": "0"}) if "U0CAROL" in body["text"] else None
    )
    code, _, err = remind(
        monkeypatch, capsys, "--as-of", AS_OF.isoformat(), POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url
    )
    assert code == 1
    assert "remind 2026-03-02: 3 message(s) sent (slack 3)" in err
    assert "not delivered: slack to Carol: Slack answered 503 to the reminder to Carol; gave up after 3 attempts" in err


# -- once per cadence, through the command -----------------------------------------------------------------------


def test_hourly_runs_at_fixed_days_send_each_reminder_once_per_cadence(
    world: World, slack: Hooks, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def sent_on(day: date) -> dict[str, int]:
        code, _, err = remind(
            monkeypatch, capsys, "--as-of", day.isoformat(), POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url
        )
        assert code == 0, err
        return {who: len(body["blocks"]) for who, body in by_mention(slack.take()).items()}

    assert set(sent_on(AS_OF)) == {"U0ALICE", "U0BOB", "U0CAROL", "team"}
    assert [sent_on(AS_OF) for _ in range(3)] == [{}, {}, {}]  # every hour of the same day
    assert sent_on(ahead(1)) == {}
    assert set(sent_on(ahead(2))) == {"U0ALICE"}  # due tomorrow
    assert set(sent_on(ahead(3))) == {"U0ALICE", "U0BOB"}  # overdue, three days on
    assert sent_on(ahead(3)) == {}
    code, _, err = remind(
        monkeypatch, capsys, "--as-of", ahead(5).isoformat(), POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url
    )
    assert (code, err.strip()) == (0, "2026-03-07 is a quiet day (saturday): nothing was sent.")
    assert slack.take() == []


# -- secrets ------------------------------------------------------------------------------------------------


def _console() -> list[str]:
    beside = Path(sys.executable).parent / "postmortem-actions"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "postmortem_actions.server"]


def test_a_webhook_url_never_appears_in_output_logs_or_errors(world: World, env: dict[str, str]) -> None:
    # Both servers echo the URL they were called on, and fail; the run logs at DEBUG, where httpx2 names every URL.
    def echo(status: int) -> Any:
        return lambda body: httpx2.Response(status, headers={"Retry-After": "0"}, text=f"no_service for {SLACK_PATH}")

    with hooks() as slack, hooks("/in/" + SECRET + "-generic") as generic:
        slack.answer, generic.answer = echo(404), echo(500)
        run_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")},
            **env,
            "POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL": slack.url,
            "POSTMORTEM_ACTIONS_WEBHOOK_URL": generic.url,
            "POSTMORTEM_ACTIONS_LOG_LEVEL": "DEBUG",
        }
        runs = [
            subprocess.run(
                [*_console(), "remind", "--as-of", AS_OF.isoformat(), *extra],
                env=run_env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            for extra in ([], ["--dry-run"])
        ]
        assert slack.take()
        assert generic.take()
    failed, dry = runs
    assert failed.returncode == 1
    assert "Slack answered 404 (no_service for ***) to the reminder to Alice" in failed.stderr
    assert "HTTP Request: POST <webhook URL withheld>" in failed.stderr  # httpx2's own log line, blanked
    assert dry.returncode == 0
    assert "Channels: slack, webhook." in dry.stdout
    for run in runs:
        shown = run.stdout + run.stderr
        assert SECRET not in shown
        assert slack.url not in shown
        assert generic.url not in shown


def test_a_webhook_url_that_is_not_https_is_refused_without_being_shown(
    world: World, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = "http://hooks.example.com/services/T0/B0/" + SECRET
    code, out, err = remind(
        monkeypatch, capsys, "--as-of", AS_OF.isoformat(), POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=plain
    )
    assert code == 2
    assert "POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL is not an https:// URL (the URL itself is not shown" in err
    assert SECRET not in out + err


# -- reminders read; they never decide ------------------------------------------------------------------------


def test_remind_leaves_the_decision_log_and_every_action_byte_identical(
    world: World,
    slack: Hooks,
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = table_rows(world.db)
    with mailbox(tmp_path) as box:
        for day in (AS_OF, ahead(3), ahead(7)):
            code, _, err = remind(
                monkeypatch,
                capsys,
                "--as-of",
                day.isoformat(),
                POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url,
                **smtp_env(box),
            )
            assert code == 0, err
        assert box.received
    assert slack.take()
    assert world.store.deliveries()
    assert table_rows(world.db) == before
    assert world.store.verify().ok


# -- what a channel refuses, said plainly -------------------------------------------------------------------------


def test_a_mail_server_without_starttls_gets_no_credentials_and_a_plain_one_is_used_only_when_asked(
    world: World,
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mailbox(tmp_path, tls=False) as box:
        code, out, err = remind(monkeypatch, capsys, "--as-of", AS_OF.isoformat(), **smtp_env(box))
        assert code == 1
        assert "does not offer STARTTLS; nothing was sent over a plain connection" in err
        assert "pa55-w0rd-never-shown" not in out + err
        assert box.received == []
        # Asked for explicitly (security none, no credentials): plain SMTP to a server on the local network.
        plain = {**smtp_env(box), "POSTMORTEM_ACTIONS_SMTP_SECURITY": "none"}
        monkeypatch.delenv("POSTMORTEM_ACTIONS_SMTP_USER")
        monkeypatch.delenv("POSTMORTEM_ACTIONS_SMTP_PASSWORD")
        del plain["POSTMORTEM_ACTIONS_SMTP_USER"], plain["POSTMORTEM_ACTIONS_SMTP_PASSWORD"]
        code, _, err = remind(monkeypatch, capsys, "--as-of", AS_OF.isoformat(), **plain)
    assert code == 0, err
    assert len(box.received) == 4
    assert not any(tls for _, _, tls in box.received)


def test_a_plain_connection_to_a_server_that_requires_tls_fails_each_message_with_what_the_server_said(
    world: World,
    tmp_path: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mailbox(tmp_path) as box:
        plain = {k: v for k, v in smtp_env(box).items() if "_SMTP_USER" not in k and "_SMTP_PASSWORD" not in k}
        code, _, err = remind(
            monkeypatch, capsys, "--as-of", AS_OF.isoformat(), POSTMORTEM_ACTIONS_SMTP_SECURITY="none", **plain
        )
    assert code == 1
    assert err.count("refused the message (530") == 4  # the sender refused: each message on its own connection
    assert box.received == []
    assert world.store.deliveries() == []


def test_a_webhook_refusal_is_not_retried_and_a_long_retry_after_is_not_waited_for(
    world: World, slack: Hooks, tmp_path: Path
) -> None:
    slack.answer = lambda body: (
        httpx2.Response(404, text="no_service")
        if "U0BOB" in body["text"]
        else httpx2.Response(429, headers={"Retry-After": "120"})
        if "U0CAROL" in body["text"]
        else None
    )
    policy = _policy(tmp_path, POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url)
    waits: list[float] = []
    senders = senders_for(policy, io.StringIO(), sleep=waits.append)
    assert SECRET not in repr(senders.send)
    report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders)
    senders.close()
    assert waits == []
    failures = {f.recipient: f.error for f in report.failures}
    assert failures["Bob"] == (
        "Slack answered 404 (no_service) to the reminder to Bob; it was not sent and will be tried on the next run"
    )
    assert "it asks to wait 120 s (more than 30 s), the next run tries again" in failures["Carol"]
    assert sum("U0BOB" in b["text"] for b in slack.take()) == 1  # a refusal is final for this run
    assert {d.recipient for d in world.store.deliveries()} == {"Alice", "team"}


def test_a_webhook_that_does_not_answer_in_time_fails_its_message_after_the_bounded_retries(
    world: World, tmp_path: Path
) -> None:
    release = threading.Event()

    def stall(body: dict[str, Any]) -> httpx2.Response | None:
        release.wait(10)  # bounded: the test sets it as soon as the run is over
        return None

    with hooks() as slack:
        slack.answer = stall
        policy = _policy(tmp_path, POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL=slack.url)
        waits: list[float] = []
        senders = senders_for(policy, io.StringIO(), sleep=waits.append, timeout=0.2)
        try:
            report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), senders)
        finally:
            release.set()
            senders.close()
    assert waits == [1.0, 2.0]
    first, *rest = report.failures
    assert "Slack did not answer in time to the reminder to Alice; gave up after 3 attempts" in first.error
    assert all("earlier in this run" in f.error for f in rest)
    assert report.sent == 0
    assert world.store.deliveries() == []


def test_a_sender_that_breaks_fails_its_message_only_and_its_error_text_is_not_shown(
    world: World, tmp_path: Path
) -> None:
    sent: list[str] = []

    def flaky(outgoing: Any) -> None:
        if outgoing.message.recipient == "Bob":
            raise KeyError("https://hooks.example/secret-path")
        sent.append(outgoing.message.recipient)

    policy = _policy(tmp_path, POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL="https://hooks.slack.com/services/T/B/x")
    report = deliver(world.store, plan_reminders(world.store, policy, as_of=AS_OF), Senders({"slack": flaky}))
    assert sent == ["Alice", "Carol", "team"]
    (failure,) = report.failures
    assert (failure.recipient, failure.error) == (
        "Bob",
        "unexpected error (KeyError); it was not recorded, the next run retries",
    )
    assert {d.recipient for d in world.store.deliveries()} == {"Alice", "Carol", "team"}


def test_the_package_names_load_on_first_use() -> None:
    from postmortem_actions.tools import nudges

    assert nudges.plan_reminders is plan_reminders
    with pytest.raises(AttributeError, match="has no attribute 'send_everything'"):
        nudges.send_everything  # noqa: B018
