"""The package version, read from the installed distribution's metadata (pyproject.toml is the one place it is
written), kept apart so that the CLI can show it without importing the SDK."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("postmortem-actions")
except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    VERSION = "0+unknown"
