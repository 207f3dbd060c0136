"""Reading the Dockerfile without a Docker daemon (none runs here): its instructions, its stages and what each
stage copies from the build context."""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """A Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1].strip()) for text in logical]


def stages(steps: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions split at each FROM, the FROM first in each stage."""
    found: list[list[tuple[str, str]]] = []
    for keyword, arguments in steps:
        if keyword == "FROM":
            found.append([])
        assert found, "the Dockerfile does not start with FROM"
        found[-1].append((keyword, arguments))
    return found


def copied_from_context(stage: list[tuple[str, str]]) -> set[str]:
    """The paths a stage copies from the build context (not from another stage)."""
    return {
        source
        for keyword, arguments in stage
        if keyword == "COPY" and not arguments.startswith("--from")
        for source in shlex.split(arguments)[:-1]
    }
