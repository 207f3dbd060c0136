"""The reminder policy file and its variables: the environment wins over the file, the due-date table lives in it
with POSTMORTEM_ACTIONS_DUE_DAYS still honoured, and every unusable value is refused with a sentence that names
where it came from (never a secret)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from postmortem_actions.server.settings import Settings
from postmortem_actions.store.errors import ConfigError
from postmortem_actions.tools.nudges.policy import Channels, load_policy

FILE = """
[remind]
days_before_due = [3, 10]
overdue_every = 2
quiet_days = ["sunday", "2026-12-25"]
team_digest_day = "Friday"
report_hint = "Update the ticket."

[due_days]
SEV1 = 5
default = 40

[leads]
"12" = "alice"

[slack]
webhook_url = "https://hooks.slack.com/services/T0/B0/filesecret123"

[email]
host = "smtp.example.com"
username = "bot"
password = "file-password"
from = "reminders@example.com"
team = "sre@example.com"

[stdout]
enabled = true
"""


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(FILE)
    return path


def test_the_file_sets_the_cadence_channels_leads_and_due_table(policy_file: Path) -> None:
    policy = load_policy({"POSTMORTEM_ACTIONS_POLICY": str(policy_file)})
    cadence = policy.cadence
    assert (cadence.days_before_due, cadence.overdue_every, cadence.stale_after, cadence.team_digest_day) == (
        (10, 3),
        2,
        14,
        "friday",
    )
    assert cadence.quiet(date(2026, 12, 25)) == "2026-12-25"
    assert cadence.quiet(date(2026, 12, 27)) == "sunday"
    assert cadence.quiet(date(2026, 12, 26)) is None  # Saturday is not quiet in this file
    assert policy.leads == {12: "alice"}
    assert policy.report_hint == "Update the ticket."
    assert (policy.due_table.days["SEV1"], policy.due_table.days["SEV2"], policy.due_table.unknown) == (5, 30, 40)
    channels = policy.channels
    assert channels.names == ("slack", "email", "stdout")
    assert channels.smtp is not None
    assert (channels.smtp.port, channels.smtp.security, channels.team_email) == (587, "starttls", "sre@example.com")


def test_the_environment_wins_over_the_file_entry_by_entry(policy_file: Path) -> None:
    policy = load_policy(
        {
            "POSTMORTEM_ACTIONS_POLICY": str(policy_file),
            "POSTMORTEM_ACTIONS_DUE_DAYS": "SEV1=9,SEV3=70",
            "POSTMORTEM_ACTIONS_REMIND_BEFORE_DUE": "1",
            "POSTMORTEM_ACTIONS_REMIND_QUIET_DAYS": "none",
            "POSTMORTEM_ACTIONS_SMTP_PORT": "2525",
            "POSTMORTEM_ACTIONS_REMIND_STDOUT": "off",
        }
    )
    assert policy.cadence.days_before_due == (1,)
    assert policy.cadence.quiet_days == ()
    assert (policy.due_table.days["SEV1"], policy.due_table.days["SEV3"], policy.due_table.unknown) == (9, 70, 40)
    assert policy.channels.smtp is not None
    assert policy.channels.smtp.port == 2525
    assert "stdout" not in policy.channels.names


def test_the_due_days_variable_is_still_what_the_decision_forms_propose_from(tmp_path: Path) -> None:
    settings = Settings.load(
        {"POSTMORTEM_ACTIONS_POLICY": str(tmp_path / "none.toml"), "POSTMORTEM_ACTIONS_DUE_DAYS": "SEV2=45"},
        db=str(tmp_path / "a.db"),
    )
    assert settings.due_table.days["SEV2"] == 45
    assert settings.due_table == settings.policy.due_table
    assert settings.policy.channels.names == ("stdout",)  # nothing configured: Markdown on stdout


def test_secrets_stay_out_of_every_repr_and_dump(policy_file: Path) -> None:
    policy = load_policy({"POSTMORTEM_ACTIONS_POLICY": str(policy_file)})
    shown = repr(policy) + repr(policy.channels) + policy.model_dump_json()
    assert "filesecret123" not in shown
    assert "file-password" not in shown
    assert set(policy.channels.secrets) == {"https://hooks.slack.com/services/T0/B0/filesecret123", "file-password"}


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"POSTMORTEM_ACTIONS_REMIND_OVERDUE_EVERY": "0"}, "POSTMORTEM_ACTIONS_REMIND_OVERDUE_EVERY must be a whole"),
        ({"POSTMORTEM_ACTIONS_REMIND_BEFORE_DUE": "7,x"}, "POSTMORTEM_ACTIONS_REMIND_BEFORE_DUE must be a whole"),
        ({"POSTMORTEM_ACTIONS_REMIND_QUIET_DAYS": "caturday"}, "'caturday' is neither a weekday nor a date"),
        ({"POSTMORTEM_ACTIONS_REMIND_TEAM_DAY": "someday"}, "must be a weekday (monday … sunday) or daily"),
        ({"POSTMORTEM_ACTIONS_REMIND_MAX_ITEMS": "500"}, "max_items must be at most 200"),
        ({"POSTMORTEM_ACTIONS_REMIND_ITEM_URL": "https://board.example/x"}, "item_url must contain {id}"),
        ({"POSTMORTEM_ACTIONS_REMIND_STDOUT": "maybe"}, "must be true or false"),
        ({"POSTMORTEM_ACTIONS_WEBHOOK_URL": "ftp://example.com/secret-token-1"}, "is not an https:// URL"),
        ({"POSTMORTEM_ACTIONS_SMTP_HOST": "smtp.example.com"}, "email needs a sender address"),
        (
            {
                "POSTMORTEM_ACTIONS_SMTP_HOST": "h",
                "POSTMORTEM_ACTIONS_SMTP_FROM": "a@b.c",
                "POSTMORTEM_ACTIONS_SMTP_SECURITY": "tls",
            },
            "must be starttls, ssl or none",
        ),
        (
            {
                "POSTMORTEM_ACTIONS_SMTP_HOST": "h",
                "POSTMORTEM_ACTIONS_SMTP_FROM": "a@b.c",
                "POSTMORTEM_ACTIONS_SMTP_SECURITY": "none",
                "POSTMORTEM_ACTIONS_SMTP_USER": "bot",
            },
            "never sent over an unencrypted connection",
        ),
        (
            {
                "POSTMORTEM_ACTIONS_SMTP_HOST": "h",
                "POSTMORTEM_ACTIONS_SMTP_FROM": "a@b.c",
                "POSTMORTEM_ACTIONS_SMTP_PORT": "70000",
            },
            "POSTMORTEM_ACTIONS_SMTP_PORT must be a port number",
        ),
        ({"POSTMORTEM_ACTIONS_DUE_DAYS": "SEV1=soon"}, "due-date table entry 'SEV1=soon' is not SEVn=DAYS"),
    ],
)
def test_an_unusable_value_is_refused_with_where_it_came_from(tmp_path: Path, env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_policy({"POSTMORTEM_ACTIONS_POLICY": str(tmp_path / "none.toml"), **env})
    assert says in str(refused.value)
    assert "secret-token-1" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[remind\n", "cannot be read: TOMLDecodeError"),
        ("remind = 3\n", "[remind] in the policy file"),
        ('[leads]\n"twelve" = "alice"\n', 'write each lead as "POSTMORTEM_ID" = "name"'),
        ('[due_days]\nSEV1 = "soon"\n', "[due_days] in"),
        ("[remind]\noverdue_every = true\n", "overdue_every in [remind] of"),
    ],
)
def test_a_bad_policy_file_is_refused_with_its_path(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"policy|due_days|leads|remind") as refused:
        load_policy({"POSTMORTEM_ACTIONS_POLICY": str(path)})
    assert says in str(refused.value)


def test_a_webhook_on_this_machine_may_be_plain_http_and_nothing_else_may(tmp_path: Path) -> None:
    base = {"POSTMORTEM_ACTIONS_POLICY": str(tmp_path / "none.toml")}
    assert load_policy({**base, "POSTMORTEM_ACTIONS_WEBHOOK_URL": "http://127.0.0.1:9000/hook"}).channels.webhook_url
    with pytest.raises(ConfigError, match="not an https:// URL"):
        load_policy({**base, "POSTMORTEM_ACTIONS_WEBHOOK_URL": "http://hooks.example.com/hook"})


def test_stdout_is_on_by_default_only_when_nothing_else_is_configured() -> None:
    assert Channels().names == ("stdout",)
    assert Channels(webhook_url="https://x.example/h").names == ("webhook",)
    assert Channels(webhook_url="https://x.example/h", stdout=True).names == ("webhook", "stdout")
    assert Channels(stdout=False).names == ()
