"""The reminder policy: when owners, leads and the team hear about items, where messages go, and the due-date table.

One file, like the trackers file: POSTMORTEM_ACTIONS_POLICY (default $XDG_CONFIG_HOME/postmortem-actions/policy.toml),
and an environment variable for every single value, which wins over the file:

    [remind]   days_before_due (list, POSTMORTEM_ACTIONS_REMIND_BEFORE_DUE "7,1"), overdue_every (…_OVERDUE_EVERY),
               stale_after (…_STALE_AFTER), undecided_after (…_UNDECIDED_AFTER), quiet_days (…_QUIET_DAYS
               "saturday,sunday,2026-12-25", or "none"), team_digest_day (…_TEAM_DAY: a weekday or "daily"), max_items
               (…_MAX_ITEMS), report_hint (…_REPORT_HINT), item_url (…_ITEM_URL, "https://…/{id}")
    [due_days] SEV1 = 7 … default = 30 (POSTMORTEM_ACTIONS_DUE_DAYS "SEV1=7,SEV2=30" overrides entry by entry)
    [leads]    "12" = "alice": who hears about postmortem 12's undecided candidates (default: who added it)
    [slack]    webhook_url (POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL)
    [webhook]  url (POSTMORTEM_ACTIONS_WEBHOOK_URL): a JSON POST for Teams, Mattermost, Discord or anything else
    [email]    host, port, security (starttls | ssl | none), username, password, from, team, cafile
               (POSTMORTEM_ACTIONS_SMTP_HOST, _SMTP_PORT, _SMTP_SECURITY, _SMTP_USER, _SMTP_PASSWORD, _SMTP_FROM,
               _SMTP_CAFILE, POSTMORTEM_ACTIONS_TEAM_EMAIL)
    [stdout]   enabled (POSTMORTEM_ACTIONS_REMIND_STDOUT 1/0): Markdown on stdout; default on when nothing else is

Webhook URLs and the SMTP password are secrets: they are kept out of every repr, message and log line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from postmortem_actions.store.errors import ConfigError
from postmortem_actions.tools.config_files import read_tables
from postmortem_actions.tools.decisions import DueTable
from postmortem_actions.tools.schema import Model

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ChannelName = Literal["slack", "webhook", "email", "stdout"]
CHANNELS: Final[tuple[ChannelName, ...]] = ("slack", "webhook", "email", "stdout")
REPORT_HINT: Final = (
    "Report progress by asking your assistant to report_status (in progress, or blocked and why); mark it done or "
    "ask for a new owner or date with `postmortem-actions decide ID` (or complete_action / replan_action, which ask "
    "you to confirm)."
)
_LOOPBACK: Final = ("localhost", "127.0.0.1", "::1")
Security = Literal["starttls", "ssl", "none"]
_SECURITY: Final[dict[str, Security]] = {"starttls": "starttls", "ssl": "ssl", "none": "none"}

# (table, key) in the file -> the environment variable that wins over it.
_ENV: Final[dict[tuple[str, str], str]] = {
    ("remind", "days_before_due"): "POSTMORTEM_ACTIONS_REMIND_BEFORE_DUE",
    ("remind", "overdue_every"): "POSTMORTEM_ACTIONS_REMIND_OVERDUE_EVERY",
    ("remind", "stale_after"): "POSTMORTEM_ACTIONS_REMIND_STALE_AFTER",
    ("remind", "undecided_after"): "POSTMORTEM_ACTIONS_REMIND_UNDECIDED_AFTER",
    ("remind", "quiet_days"): "POSTMORTEM_ACTIONS_REMIND_QUIET_DAYS",
    ("remind", "team_digest_day"): "POSTMORTEM_ACTIONS_REMIND_TEAM_DAY",
    ("remind", "max_items"): "POSTMORTEM_ACTIONS_REMIND_MAX_ITEMS",
    ("remind", "report_hint"): "POSTMORTEM_ACTIONS_REMIND_REPORT_HINT",
    ("remind", "item_url"): "POSTMORTEM_ACTIONS_REMIND_ITEM_URL",
    ("slack", "webhook_url"): "POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL",
    ("webhook", "url"): "POSTMORTEM_ACTIONS_WEBHOOK_URL",
    ("email", "host"): "POSTMORTEM_ACTIONS_SMTP_HOST",
    ("email", "port"): "POSTMORTEM_ACTIONS_SMTP_PORT",
    ("email", "security"): "POSTMORTEM_ACTIONS_SMTP_SECURITY",
    ("email", "username"): "POSTMORTEM_ACTIONS_SMTP_USER",
    ("email", "password"): "POSTMORTEM_ACTIONS_SMTP_PASSWORD",
    ("email", "from"): "POSTMORTEM_ACTIONS_SMTP_FROM",
    ("email", "cafile"): "POSTMORTEM_ACTIONS_SMTP_CAFILE",
    ("email", "team"): "POSTMORTEM_ACTIONS_TEAM_EMAIL",
    ("stdout", "enabled"): "POSTMORTEM_ACTIONS_REMIND_STDOUT",
}


class Cadence(Model):
    """When reminders are due. Every number is days; a reminder repeats at most once per its interval."""

    days_before_due: tuple[int, ...] = Field(default=(7, 1), description="Owners hear at each of these days left")
    overdue_every: int = Field(default=3, ge=1, description="An overdue item is repeated at most this often")
    stale_after: int = Field(default=14, ge=1, description="No status report for this long: ask (and repeat)")
    undecided_after: int = Field(default=7, ge=1, description="Candidates undecided this long go to the lead")
    quiet_days: tuple[str, ...] = Field(default=("saturday", "sunday"), description="Weekdays or YYYY-MM-DD")
    team_digest_day: str = Field(default="monday", description="A weekday, or daily")
    max_items: int = Field(default=10, ge=1, le=200, description="Items a message lists (the rest are counted)")

    def quiet(self, day: date) -> str | None:
        """Why `day` is quiet ("saturday", "2026-12-25"), or None when reminders go out."""
        for entry in self.quiet_days:
            if entry == WEEKDAYS[day.weekday()] or entry == day.isoformat():
                return entry
        return None


@dataclass(frozen=True)
class SmtpConfig:
    """An SMTP server to send email through; the password is a secret (left out of repr)."""

    host: str
    port: int
    security: Security
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Channels:
    """Where reminders can go. The webhook URLs are secrets: left out of repr, and never shown."""

    slack_url: str | None = field(default=None, repr=False)
    webhook_url: str | None = field(default=None, repr=False)
    smtp: SmtpConfig | None = None
    team_email: str | None = None
    stdout: bool | None = None  # None: on when no other channel is configured

    @property
    def names(self) -> tuple[ChannelName, ...]:
        """The configured channels, in the order messages are sent."""
        on = {"slack": self.slack_url, "webhook": self.webhook_url, "email": self.smtp}
        configured = [name for name in CHANNELS if on.get(name)]
        if self.stdout or (self.stdout is None and not configured):
            configured.append("stdout")
        return tuple(configured)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value, to blank out of anything shown."""
        values = (self.slack_url, self.webhook_url, self.smtp.password if self.smtp else None)
        return tuple(v for v in values if v)


class Policy(Model):
    """The whole reminder policy, and the due-date table the decision forms propose from."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    cadence: Cadence = Field(default_factory=Cadence)
    due_table: DueTable = Field(default_factory=DueTable)
    leads: dict[int, str] = Field(default_factory=dict, description="Postmortem id -> its lead's name")
    report_hint: str = REPORT_HINT
    item_url: str | None = Field(default=None, description="Link template for an item, with {id}")
    channels: Channels = Field(default_factory=Channels, exclude=True)  # holds secrets: never dumped

    def link(self, action_id: int) -> str | None:
        """The item's link from `item_url`, or None."""
        return self.item_url.replace("{id}", str(action_id)) if self.item_url else None


def default_file(env: Mapping[str, str]) -> Path:
    """Where the policy file is looked for when POSTMORTEM_ACTIONS_POLICY is not set."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "postmortem-actions" / "policy.toml"


class _Source:
    """Values from the environment first, then the file; each error names where the value came from."""

    def __init__(self, env: Mapping[str, str], tables: dict[str, Any], path: Path) -> None:
        self.env, self.tables, self.path = env, tables, path
        for name, table in tables.items():
            if not isinstance(table, dict):
                raise ConfigError(f"[{name}] in the policy file {path} is not a table")

    def get(self, table: str, key: str) -> tuple[Any, str] | None:
        variable = _ENV[(table, key)]
        if self.env.get(variable, "").strip():
            return self.env[variable].strip(), variable
        found = self.tables.get(table, {}).get(key)
        return (found, f"{key} in [{table}] of {self.path}") if found not in (None, "") else None

    def typed(self, table: str, key: str, parse: Callable[[Any, str], Any]) -> Any:
        found = self.get(table, key)
        return None if found is None else parse(*found)


def _number(value: Any, where: str) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 3650:
        raise ConfigError(f"{where} must be a whole number of days from 1 to 3650, not {value!r}")
    return int(text)


def _numbers(value: Any, where: str) -> tuple[int, ...]:
    items = value if isinstance(value, list) else str(value).split(",")
    days = tuple(sorted({_number(v, where) for v in items}, reverse=True))
    if not days:
        raise ConfigError(f"{where} names no day")
    return days


def _words(value: Any, where: str) -> tuple[str, ...]:
    if str(value).strip().lower() == "none":
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    found = tuple(str(v).strip().lower() for v in items if str(v).strip())
    for entry in found:
        if entry not in WEEKDAYS:
            try:
                date.fromisoformat(entry)
            except ValueError:
                raise ConfigError(f"{where}: {entry!r} is neither a weekday nor a date (YYYY-MM-DD)") from None
    return found


def _team_day(value: Any, where: str) -> str:
    day = str(value).strip().lower()
    if day not in (*WEEKDAYS, "daily"):
        raise ConfigError(f"{where} must be a weekday (monday … sunday) or daily, not {value!r}")
    return day


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be text")
    return value.strip()


def _url(value: Any, where: str) -> str:
    # The URL is a secret (and Slack's carries the credential): never echoed, never sent in clear off this machine.
    text = _text(value, where)
    parts = urlsplit(text)
    loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if not parts.hostname or (parts.scheme != "https" and not loopback):
        raise ConfigError(f"{where} is not an https:// URL (the URL itself is not shown: it is a secret)")
    return text


def _flag(value: Any, where: str) -> bool:
    text = str(value).strip().lower()
    if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{where} must be true or false, not {value!r}")
    return text in ("1", "true", "yes", "on")


def _cadence(source: _Source) -> Cadence:
    values: dict[str, Any] = {
        "days_before_due": source.typed("remind", "days_before_due", _numbers),
        "overdue_every": source.typed("remind", "overdue_every", _number),
        "stale_after": source.typed("remind", "stale_after", _number),
        "undecided_after": source.typed("remind", "undecided_after", _number),
        "quiet_days": source.typed("remind", "quiet_days", _words),
        "team_digest_day": source.typed("remind", "team_digest_day", _team_day),
        "max_items": source.typed("remind", "max_items", _number),
    }
    if values["max_items"] is not None and values["max_items"] > 200:
        raise ConfigError("max_items must be at most 200 (a message lists that many items; the rest are counted)")
    return Cadence(**{k: v for k, v in values.items() if v is not None})


def _smtp(source: _Source) -> SmtpConfig | None:
    host = source.typed("email", "host", _text)
    if not host:
        return None
    wanted = source.typed("email", "security", _text) or "starttls"
    security = _SECURITY.get(wanted)
    if security is None:
        raise ConfigError(f"the SMTP security must be starttls, ssl or none, not {wanted!r}")
    port = source.typed("email", "port", lambda v, w: _port(v, w)) or {"ssl": 465, "starttls": 587}.get(security, 25)
    username, password = source.typed("email", "username", _text), source.typed("email", "password", _text)
    if security == "none" and (username or password):
        raise ConfigError("SMTP credentials are never sent over an unencrypted connection: use starttls or ssl")
    sender = source.typed("email", "from", _text)
    if not sender or "@" not in sender:
        raise ConfigError("email needs a sender address: set POSTMORTEM_ACTIONS_SMTP_FROM or from in [email]")
    cafile = source.typed("email", "cafile", _text)
    return SmtpConfig(host, port, security, sender, username or None, password or None, cafile or None)


def _port(value: Any, where: str) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ConfigError(f"{where} must be a port number, not {value!r}")
    return int(text)


def _leads(tables: dict[str, Any], path: Path) -> dict[int, str]:
    leads: dict[int, str] = {}
    for key, name in tables.get("leads", {}).items():
        if not str(key).isascii() or not str(key).isdigit() or not isinstance(name, str) or not name.strip():
            raise ConfigError(f'[leads] in {path}: write each lead as "POSTMORTEM_ID" = "name", not {key} = {name!r}')
        leads[int(key)] = name.strip()
    return leads


def _due_table(env: Mapping[str, str], tables: dict[str, Any], path: Path) -> DueTable:
    from_file = ",".join(f"{k}={v}" for k, v in tables.get("due_days", {}).items())
    try:
        DueTable.parse(from_file)
    except ConfigError as exc:
        raise ConfigError(f"[due_days] in {path}: {exc}") from None
    return DueTable.parse(f"{from_file},{env.get('POSTMORTEM_ACTIONS_DUE_DAYS', '')}")


def load_policy(env: Mapping[str, str]) -> Policy:
    """The reminder policy and due-date table from the environment first, then the policy file, then defaults.

    Raises:
        ConfigError: the file cannot be read, or a value cannot be used (the message names the variable or key).
    """
    path = Path(env.get("POSTMORTEM_ACTIONS_POLICY") or default_file(env)).expanduser()
    tables = read_tables(path, "the policy file")
    source = _Source(env, tables, path)
    channels = Channels(
        slack_url=source.typed("slack", "webhook_url", _url),
        webhook_url=source.typed("webhook", "url", _url),
        smtp=_smtp(source),
        team_email=source.typed("email", "team", _text) or None,
        stdout=source.typed("stdout", "enabled", _flag),
    )
    item_url = source.typed("remind", "item_url", _text)
    if item_url and "{id}" not in item_url:
        raise ConfigError("item_url must contain {id}, where the item's number goes")
    return Policy(
        cadence=_cadence(source),
        due_table=_due_table(env, tables, path),
        leads=_leads(tables, path),
        report_hint=source.typed("remind", "report_hint", _text) or REPORT_HINT,
        item_url=item_url or None,
        channels=channels,
    )
