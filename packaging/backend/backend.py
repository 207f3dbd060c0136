"""The build backend: setuptools, and mypy (mypyc) as well when POSTMORTEM_ACTIONS_COMPILE=1 asks for a compiled
extractor (setup.py says what that builds). An editable install is never compiled: it runs the sources being
edited, and a compiled module would shadow them."""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every hook this file does not change is setuptools' own

# The compiler is mypy's: pinned, so a wheel is built by the version CI tested it with.
MYPYC = "mypy==2.4.1"
SWITCH = "POSTMORTEM_ACTIONS_COMPILE"


def _compiling() -> bool:
    return os.environ.get(SWITCH) == "1"


def get_requires_for_build_wheel(config_settings: dict[str, str] | None = None) -> list[str]:
    """setuptools' requirements, and the compiler when a compiled wheel is asked for."""
    asked = os.environ.get(SWITCH)
    os.environ[SWITCH] = "0"  # setuptools runs setup.py to list them: before the compiler is installed
    try:
        required = _setuptools.get_requires_for_build_wheel(config_settings)
    finally:
        if asked is None:
            del os.environ[SWITCH]
        else:
            os.environ[SWITCH] = asked
    return [*required, *([MYPYC] if _compiling() else [])]


def build_editable(
    wheel_directory: str, config_settings: dict[str, str] | None = None, metadata_directory: str | None = None
) -> str:
    """setuptools' editable install, never compiled (see the module's docstring)."""
    os.environ[SWITCH] = "0"
    return str(_setuptools.build_editable(wheel_directory, config_settings, metadata_directory))
