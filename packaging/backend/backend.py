"""The build backend: setuptools, and mypy (mypyc) as well when POSTMORTEM_ACTIONS_COMPILE=1 asks for a compiled
extractor (setup.py says what that builds). An editable install is never compiled: it runs the sources being
edited, and a compiled module would shadow them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every hook this file does not change is setuptools' own

# The compiler is mypy's: pinned, so a wheel is built by the version CI tested it with.
MYPYC = "mypy==2.4.1"
SWITCH = "POSTMORTEM_ACTIONS_COMPILE"


def _compiling() -> bool:
    return os.environ.get(SWITCH) == "1"


@contextmanager
def _switched(value: str | None) -> Iterator[None]:
    """The compile switch set to `value` (None: unset) while setuptools runs, then put back exactly as it was."""
    asked = os.environ.get(SWITCH)
    if value is None:
        os.environ.pop(SWITCH, None)
    else:
        os.environ[SWITCH] = value
    try:
        yield
    finally:
        if asked is None:
            os.environ.pop(SWITCH, None)
        else:
            os.environ[SWITCH] = asked


def get_requires_for_build_wheel(config_settings: dict[str, str] | None = None) -> list[str]:
    """setuptools' requirements, and the compiler when a compiled wheel is asked for."""
    compiling = _compiling()
    with _switched("0"):  # setuptools runs setup.py to list them: before the compiler is installed
        required = _setuptools.get_requires_for_build_wheel(config_settings)
    return [*required, *([MYPYC] if compiling else [])]


# pip calls each hook in a process of its own: every editable hook runs setup.py, so each one turns the switch off.
def get_requires_for_build_editable(config_settings: dict[str, str] | None = None) -> list[str]:
    """setuptools' requirements for an editable install, which is never compiled (see the module's docstring)."""
    with _switched("0"):
        return list(_setuptools.get_requires_for_build_editable(config_settings))


def prepare_metadata_for_build_editable(metadata_directory: str, config_settings: dict[str, str] | None = None) -> str:
    """setuptools' metadata for an editable install, never compiled."""
    with _switched("0"):
        return str(_setuptools.prepare_metadata_for_build_editable(metadata_directory, config_settings))


def build_editable(
    wheel_directory: str, config_settings: dict[str, str] | None = None, metadata_directory: str | None = None
) -> str:
    """setuptools' editable install, never compiled."""
    with _switched("0"):
        return str(_setuptools.build_editable(wheel_directory, config_settings, metadata_directory))
