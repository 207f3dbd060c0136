"""Tracker configuration: where tickets go and the credentials, from the environment or a config file.

Credentials never come from tool arguments. Environment variables win over the file:

    POSTMORTEM_ACTIONS_GITHUB_TOKEN (or GITHUB_TOKEN), POSTMORTEM_ACTIONS_GITHUB_REPO ("owner/repo"),
    POSTMORTEM_ACTIONS_GITHUB_URL (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3)
    POSTMORTEM_ACTIONS_JIRA_URL (https://SITE.atlassian.net), POSTMORTEM_ACTIONS_JIRA_EMAIL,
    POSTMORTEM_ACTIONS_JIRA_TOKEN, POSTMORTEM_ACTIONS_JIRA_PROJECT, POSTMORTEM_ACTIONS_JIRA_ISSUE_TYPE
    POSTMORTEM_ACTIONS_LINEAR_API_KEY, POSTMORTEM_ACTIONS_LINEAR_TEAM ("ENG"),
    POSTMORTEM_ACTIONS_LINEAR_URL (default https://api.linear.app)

The file (POSTMORTEM_ACTIONS_TRACKERS, default $XDG_CONFIG_HOME/postmortem-actions/trackers.toml) has a
table per tracker with the keys `url`, `token`, `target` (repo / project / team), `email`, `issue_type`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from postmortem_actions.store.errors import ConfigError, InvalidInput
from postmortem_actions.tools.config_files import read_tables
from postmortem_actions.tools.trackers.base import TRACKERS, TrackerConfig, TrackerName
from postmortem_actions.tools.trackers.errors import TrackerNotConfigured

_DEFAULT_URL: Final[dict[TrackerName, str]] = {
    "github": "https://api.github.com",
    "jira": "",
    "linear": "https://api.linear.app",
}
_ENV: Final[dict[TrackerName, dict[str, tuple[str, ...]]]] = {
    "github": {
        "token": ("POSTMORTEM_ACTIONS_GITHUB_TOKEN", "GITHUB_TOKEN"),
        "target": ("POSTMORTEM_ACTIONS_GITHUB_REPO",),
        "url": ("POSTMORTEM_ACTIONS_GITHUB_URL",),
    },
    "jira": {
        "token": ("POSTMORTEM_ACTIONS_JIRA_TOKEN",),
        "target": ("POSTMORTEM_ACTIONS_JIRA_PROJECT",),
        "url": ("POSTMORTEM_ACTIONS_JIRA_URL",),
        "email": ("POSTMORTEM_ACTIONS_JIRA_EMAIL",),
        "issue_type": ("POSTMORTEM_ACTIONS_JIRA_ISSUE_TYPE",),
    },
    "linear": {
        "token": ("POSTMORTEM_ACTIONS_LINEAR_API_KEY",),
        "target": ("POSTMORTEM_ACTIONS_LINEAR_TEAM",),
        "url": ("POSTMORTEM_ACTIONS_LINEAR_URL",),
    },
}
_WHAT: Final[dict[TrackerName, str]] = {
    "github": "repository (owner/repo)",
    "jira": "project key",
    "linear": "team key",
}


def default_file(env: Mapping[str, str]) -> Path:
    """Where the trackers file is looked for when POSTMORTEM_ACTIONS_TRACKERS is not set."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "postmortem-actions" / "trackers.toml"


def how_to_configure(name: TrackerName, path: Path | None = None) -> str:
    """The sentence that says how to configure a tracker: its variables, or a table in the trackers file."""
    variables = ", ".join(v for key in ("token", "target", "url", "email") for v in _ENV[name].get(key, ())[:1])
    where = str(path) if path is not None else "the trackers file (POSTMORTEM_ACTIONS_TRACKERS)"
    return (
        f"Set {variables} (in your shell for a command, in the MCP host's `env` for the server), or add a [{name}] "
        f"table to {where} (see docs/trackers.md)."
        " Credentials are never passed as tool arguments"
    )


def _file_tables(path: Path) -> dict[str, Any]:
    return read_tables(path, "the trackers file")


def load_tracker(tracker: str, env: Mapping[str, str]) -> TrackerConfig:
    """The configuration of one tracker, from the environment first and then the trackers file.

    Raises:
        InvalidInput: an unknown tracker name.
        ConfigError: an unreadable trackers file.
        TrackerNotConfigured: no token or no target for it (the message names the variables to set).
    """
    name = next((t for t in TRACKERS if t == tracker), None)
    if name is None:
        raise InvalidInput(f"unknown tracker {tracker!r}; use one of {', '.join(TRACKERS)}")
    path = Path(env.get("POSTMORTEM_ACTIONS_TRACKERS") or default_file(env)).expanduser()
    table = _file_tables(path).get(name) or {}
    if not isinstance(table, dict):
        raise ConfigError(f"[{name}] in {path} is not a table")

    def value(key: str) -> str | None:
        for variable in _ENV[name].get(key, ()):
            if env.get(variable, "").strip():
                return env[variable].strip()
        found = table.get(key)
        return str(found).strip() if found else None

    token, target = value("token"), value("target")
    url = (value("url") or _DEFAULT_URL[name]).rstrip("/")
    missing = [
        label
        for label, present in (
            ("token", token),
            (_WHAT[name], target),
            ("url", url),
            ("email", value("email") if name == "jira" else "n/a"),
        )
        if not present
    ]
    if missing:
        raise TrackerNotConfigured(
            f"{name} is not configured: missing {', '.join(missing)}. " + how_to_configure(name, path)
        )
    assert token is not None
    assert target is not None
    return TrackerConfig(
        tracker=name,
        base_url=url,
        target=target,
        token=token,
        email=value("email"),
        issue_type=value("issue_type") or "Task",
    )


@dataclass(frozen=True)
class Trackers:
    """The trackers a server or CLI can file into, and for every other one why not (the variables to set)."""

    configured: Mapping[TrackerName, TrackerConfig] = field(default_factory=dict)
    missing: Mapping[TrackerName, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[TrackerName, ...]:
        """The configured trackers, in the order of TRACKERS."""
        return tuple(t for t in TRACKERS if t in self.configured)

    def get(self, tracker: str) -> TrackerConfig:
        """The configuration of a tracker.

        Raises:
            InvalidInput: an unknown tracker name.
            TrackerNotConfigured: it is not configured (the message names the variables or the trackers file).
        """
        if tracker not in TRACKERS:
            raise InvalidInput(f"unknown tracker {tracker!r}; use one of {', '.join(TRACKERS)}")
        config = self.configured.get(tracker)
        if config is None:
            raise TrackerNotConfigured(self.missing.get(tracker, f"{tracker} is not configured"))
        return config


def load_trackers(env: Mapping[str, str]) -> Trackers:
    """Every tracker's configuration from the environment and the trackers file: the complete ones, and why each
    other one is not.

    Raises:
        ConfigError: the trackers file cannot be read or holds something that is not a table.
    """
    configured: dict[TrackerName, TrackerConfig] = {}
    missing: dict[TrackerName, str] = {}
    for name in TRACKERS:
        try:
            configured[name] = load_tracker(name, env)
        except TrackerNotConfigured as exc:
            missing[name] = str(exc)
    return Trackers(configured=configured, missing=missing)
