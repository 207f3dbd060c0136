"""The distribution installs only under `postmortem_actions`, with its data files."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_holds_only_the_postmortem_actions_package_and_its_data(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("postmortem_actions-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"postmortem_actions", wheel.name.split("-py3")[0] + ".dist-info"}
    for forbidden in ("server/", "tools/", "store/", "tests/", "bench/"):
        assert not any(n.startswith(forbidden) for n in names), forbidden
    for package in ("server", "tools", "store"):
        assert f"postmortem_actions/{package}/__init__.py" in names
        assert f"postmortem_actions/{package}/py.typed" in names
    assert "postmortem_actions/server/samples/checkout-outage.md" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(wheel) as zf:
        assert "postmortem-actions = postmortem_actions.server.cli:main" in zf.read(entry_points).decode()


def test_the_installed_package_is_importable_only_under_its_own_name() -> None:
    probe = (
        "import importlib.util as u, sys; "
        "print([m for m in ('server', 'tools', 'store') if u.find_spec(m) is not None])"
    )
    # Run outside the repository so its folders are not on sys.path by accident.
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd="/", check=True
    ).stdout.strip()
    assert out == "[]"
    import postmortem_actions.server
    import postmortem_actions.store
    import postmortem_actions.tools

    for package in (postmortem_actions.store, postmortem_actions.tools, postmortem_actions.server):
        assert package.__doc__
