"""Settings in one place: database path, readable folders, size limit, and who the human is."""

from __future__ import annotations

import getpass
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from postmortem_actions.store.errors import ConfigError
from postmortem_actions.store.text import refusal
from postmortem_actions.tools.decisions import DueTable
from postmortem_actions.tools.document_files import DEFAULT_MAX_BYTES, ReadPolicy
from postmortem_actions.tools.nudges.policy import Policy, load_policy
from postmortem_actions.tools.trackers.config import Trackers, load_trackers

APP = "postmortem-actions"
# A human answers a question when they get to it: four hours before a pending answer expires.
DEFAULT_ANSWER_TTL = 4 * 3600.0
KEY_SUFFIX = ".request-state.key"  # the file beside a database that holds the key sealing its pending questions
BOARD_KEY_SUFFIX = ".web.key"  # the board's secret, beside the database
BOARD_STATE_SUFFIX = ".web.json"  # where a running board says which port it answers on
DEFAULT_WEB_PORT = 8787
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_LEVELS: tuple[LogLevel, ...] = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def default_db_path(env: Mapping[str, str]) -> Path:
    """`$XDG_DATA_HOME/postmortem-actions/actions.db`, else `~/.local/share/postmortem-actions/actions.db`."""
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP / "actions.db"


def human_name(env: Mapping[str, str]) -> str:
    """The person at this terminal: POSTMORTEM_ACTIONS_USER, else git's user.name, else the OS user.

    Over HTTP (later) the authenticated principal replaces this; decisions record whichever applies.
    """
    configured = env.get("POSTMORTEM_ACTIONS_USER", "").strip()
    if configured:
        return configured
    try:
        found = subprocess.run(
            ["git", "config", "--get", "user.name"], capture_output=True, text=True, timeout=2, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found:
        return found
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown-user"


def _implicit_allowed_dir() -> tuple[Path, ...]:
    # Hosts often start servers in / or the home folder; allowing that by default would expose every
    # document on the machine, so reading files is then off until the user names a folder.
    cwd = Path.cwd().resolve()
    return () if cwd in (Path(cwd.anchor), Path.home().resolve()) else (cwd,)


@dataclass(frozen=True)
class Settings:
    """Everything the server and CLI are configured with."""

    db_path: Path
    allowed_dirs: tuple[Path, ...]
    max_bytes: int
    user: str
    log_level: LogLevel = "INFO"
    due_table: DueTable = field(default_factory=DueTable)
    answer_ttl: float = DEFAULT_ANSWER_TTL
    trackers: Trackers = field(default_factory=Trackers)
    policy: Policy = field(default_factory=Policy)  # reminders, and the due-date table (due_table is its own)
    web_port: int = DEFAULT_WEB_PORT
    # A server on the human's own machine (stdio) may open their browser; a shared server never does.
    local: bool = True
    # The team server's address as people reach it (behind a proxy: the proxy's https URL); decision links use it.
    public_url: str | None = None

    def _beside(self, suffix: str) -> Path:
        real = Path(os.path.realpath(self.db_path))
        return real.with_name(f"{real.name}{suffix}")

    @property
    def board_key_path(self) -> Path:
        """The web board's secret, beside the database like the question key (one board per database)."""
        return self._beside(BOARD_KEY_SUFFIX)

    @property
    def board_state_path(self) -> Path:
        """Where a running board writes its port, so a server finds it instead of starting another."""
        return self._beside(BOARD_STATE_SUFFIX)

    @property
    def state_key_path(self) -> Path:
        """Where the key that seals pending questions lives: beside the database, so a restart keeps it, and
        named after it, so an answer sealed for one database is never accepted by another in the same folder. A
        symlinked database name leads to the real file's key: one database, one key, whatever path reaches it."""
        real = Path(os.path.realpath(self.db_path))
        return real.with_name(f"{real.name}{KEY_SUFFIX}")

    @property
    def protected_paths(self) -> tuple[Path, ...]:
        """Files no command may write its output over, even with --force: the database, the files SQLite keeps
        beside it (-wal, -shm, -journal) and every key kept beside it. The one list; add a new key file here.

        SQLite follows a symlinked database name and keeps its sidecars beside the real file: both are listed.
        """
        names = dict.fromkeys((self.db_path, Path(os.path.realpath(self.db_path))))
        suffixes = ("", "-wal", "-shm", "-journal", KEY_SUFFIX, BOARD_KEY_SUFFIX, BOARD_STATE_SUFFIX)
        return tuple(name.with_name(name.name + suffix) for name in names for suffix in suffixes)

    @property
    def read_policy(self) -> ReadPolicy:
        """The file-read policy for `parse_postmortem`."""
        return ReadPolicy(allowed_dirs=self.allowed_dirs, max_bytes=self.max_bytes)

    @classmethod
    def load(
        cls, env: Mapping[str, str] | None = None, *, db: str | None = None, allow_dirs: Sequence[str] = ()
    ) -> Settings:
        """Settings from command-line values, then environment variables, then defaults.

        POSTMORTEM_ACTIONS_DB, POSTMORTEM_ACTIONS_ALLOWED_DIRS (os.pathsep-separated),
        POSTMORTEM_ACTIONS_MAX_BYTES, POSTMORTEM_ACTIONS_USER, POSTMORTEM_ACTIONS_LOG_LEVEL,
        POSTMORTEM_ACTIONS_DUE_DAYS ('SEV1=7,SEV2=30,...', over the policy file's [due_days]),
        POSTMORTEM_ACTIONS_ANSWER_TTL (seconds), POSTMORTEM_ACTIONS_WEB_PORT (the board's port),
        POSTMORTEM_ACTIONS_PUBLIC_URL (the team server's address, checked by `serve --http`), the trackers
        (tools/trackers/config.py) and the reminder policy (POSTMORTEM_ACTIONS_POLICY and its variables,
        tools/nudges/policy.py). With no folder named, the working directory is allowed, unless it is / or the home
        folder (then none is).

        Raises:
            ConfigError: a setting has an unusable value.
        """
        env = os.environ if env is None else env
        db_path = Path(db or env.get("POSTMORTEM_ACTIONS_DB") or default_db_path(env)).expanduser()
        dirs = list(allow_dirs) or [d for d in env.get("POSTMORTEM_ACTIONS_ALLOWED_DIRS", "").split(os.pathsep) if d]
        allowed = tuple(Path(d).expanduser().resolve() for d in dirs) or _implicit_allowed_dir()
        raw_max = env.get("POSTMORTEM_ACTIONS_MAX_BYTES") or str(DEFAULT_MAX_BYTES)
        if not raw_max.isascii() or not raw_max.isdigit() or int(raw_max) < 1:
            raise ConfigError(f"POSTMORTEM_ACTIONS_MAX_BYTES={raw_max!r} is not a positive number of bytes")
        max_bytes = int(raw_max)
        wanted = env.get("POSTMORTEM_ACTIONS_LOG_LEVEL", "INFO").upper()
        level: LogLevel = next((known for known in _LEVELS if known == wanted), "INFO")
        ttl_text = env.get("POSTMORTEM_ACTIONS_ANSWER_TTL") or str(int(DEFAULT_ANSWER_TTL))
        if not ttl_text.isascii() or not ttl_text.isdigit() or int(ttl_text) < 60:
            raise ConfigError(f"POSTMORTEM_ACTIONS_ANSWER_TTL={ttl_text!r} is not a number of seconds (60 or more)")
        raw_port = env.get("POSTMORTEM_ACTIONS_WEB_PORT") or str(DEFAULT_WEB_PORT)
        if not raw_port.isascii() or not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise ConfigError(f"POSTMORTEM_ACTIONS_WEB_PORT={raw_port!r} is not a port number (1-65535)")
        user = human_name(env)
        if (why := refusal(user)) is not None:
            # The name is recorded on every decision and shown wherever the decision is.
            raise ConfigError(
                f"the user name {user!r} (POSTMORTEM_ACTIONS_USER, else git's user.name) {why}; set "
                "POSTMORTEM_ACTIONS_USER to a plain name"
            )
        policy = load_policy(env)
        return cls(
            db_path=db_path,
            allowed_dirs=allowed,
            max_bytes=max_bytes,
            user=user,
            log_level=level,
            due_table=policy.due_table,
            answer_ttl=float(ttl_text),
            trackers=load_trackers(env),
            web_port=int(raw_port),
            policy=policy,
            public_url=env.get("POSTMORTEM_ACTIONS_PUBLIC_URL", "").strip() or None,
        )
