"""Headless Chromium (Debian's package, installed by .ci/run) driven through Playwright, for the pages people use.

Playwright is only the driver: it never downloads a browser here; it launches the system Chromium with no network
side channels. On a developer machine without Chromium the browser tests skip; in CI they fail instead.
"""

from __future__ import annotations

import os
import shutil
from typing import Final

import pytest

FLAGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    """The system Chromium, or skip (fail in CI, which installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium on PATH in CI: .ci/run should have installed it")
        pytest.skip("no chromium on PATH (apt-get install chromium); CI runs the browser tests")
    return found


def launch_options() -> dict[str, object]:
    """Keyword arguments for Playwright's `chromium.launch` (sync or async API)."""
    return {"executable_path": chromium_path(), "args": list(FLAGS), "headless": True}
