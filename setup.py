"""Builds postmortem-actions (everything else is declared in pyproject.toml).

With POSTMORTEM_ACTIONS_COMPILE=1 the extractor's modules are compiled to C extensions with mypyc, the compiler
that ships with mypy: the same typed sources, checked by mypy --strict in CI, run about 1.3 to 1.4 times faster
(issue 10, finding 5; docs/extraction.md, "Speed"). The wheel then holds each module twice, compiled and as
source; Python imports the compiled one. Without the switch the wheel is pure Python, for every platform.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import Extension, setup

ROOT = Path(__file__).resolve().parent
# Not compiled: pydantic models (mypyc cannot compile a class pydantic builds), the optional .docx reader (its
# library may be absent) and package files.
PURE = {"__init__.py", "models.py", "json_contract.py", "docx.py", "docx_package.py"}


def compiled_extractor() -> list[Extension]:
    """The extractor's modules as mypyc extensions when POSTMORTEM_ACTIONS_COMPILE=1, else none.

    mypyc names a module by its path, so the three packages are copied under the names they install as
    (postmortem_actions.server|tools|store) into build/mypyc-src first.
    """
    if os.environ.get("POSTMORTEM_ACTIONS_COMPILE") != "1":
        return []
    from mypyc.build import mypycify

    tree = ROOT / "build" / "mypyc-src"
    shutil.rmtree(tree, ignore_errors=True)
    for package in ("server", "tools", "store"):
        shutil.copytree(
            ROOT / package, tree / "postmortem_actions" / package, ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
    extraction = tree / "postmortem_actions" / "tools" / "extraction"
    modules = sorted(
        str(path.relative_to(tree))
        for path in [*extraction.glob("*.py"), *extraction.glob("readers/*.py")]
        if path.name not in PURE
    )
    os.chdir(tree)  # mypy names each module from its path below the working folder
    try:
        return mypycify(
            ["--config-file", str(ROOT / "packaging" / "backend" / "mypyc.ini"), *modules],
            target_dir=str(ROOT / "build" / "mypyc-c"),
            group_name="postmortem_actions",
        )
    finally:
        os.chdir(ROOT)


def without_earlier_builds() -> None:
    """Empty setuptools' staging folders: it reuses build/lib, so a compiled module from an earlier compiled build
    would otherwise go into a pure wheel (and an old one into a new compiled wheel)."""
    for staged in ROOT.glob("build/lib*"):
        shutil.rmtree(staged, ignore_errors=True)


without_earlier_builds()
setup(ext_modules=compiled_extractor())
