"""Reading a configuration file in TOML (the trackers file, the reminder policy): absent is empty, unreadable is a
sentence that names the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from postmortem_actions.store.errors import ConfigError


def read_tables(path: Path, what: str) -> dict[str, Any]:
    """The TOML file at `path` as its tables, or {} when there is no such file.

    Raises:
        ConfigError: the file exists but cannot be read or parsed; `what` ("the policy file") names it.
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{what} {path} cannot be read: {type(exc).__name__}") from None
