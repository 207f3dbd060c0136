"""The distribution installs only under `postmortem_actions`, with every subpackage and data file, and the built
wheel runs the demo the three ways the README installs it: a clean virtual environment, `uvx` and `pipx`.

The wheel is built once per test run (shared by the xdist workers through a lock file). The `uvx` and `pipx`
tests skip only when the tool is missing; the test extra installs both, so CI runs them.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from dockerfile import copied_from_context, instructions, stages

from postmortem_actions.server.version import VERSION

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "tools", "store")
INSTALL_TIMEOUT_S = 300
DEMO_TIMEOUT_S = 180
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The wheel built once for all workers of this run, from only what the Dockerfile's build stage copies: a
    file the build needs and the image leaves out fails here, not in somebody's `docker build`."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    folder = shared / "wheel"
    with (shared / "wheel.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not list(folder.glob("postmortem_actions-*.whl")):
            context = shared / "image-build-context"
            shutil.rmtree(context, ignore_errors=True)
            context.mkdir()
            for source in copied_from_context(stages(instructions())[0]):
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, context / source, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(ROOT / source, context / source)
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
                    folder,
                    context,
                ],
                check=True,
                timeout=INSTALL_TIMEOUT_S,
                capture_output=True,
                # the pure wheel, whatever the developer's shell asks for (setup.py)
                env={k: v for k, v in os.environ.items() if k != "POSTMORTEM_ACTIONS_COMPILE"},
            )
    return next(folder.glob("postmortem_actions-*.whl"))


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment a person's shell would give: no settings of ours, this Python's tools first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTMORTEM_ACTIONS_", "VIRTUAL_ENV", "PYTHON"))}
    return {
        **env,
        "PATH": os.pathsep.join([str(BIN), env.get("PATH", "")]),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "POSTMORTEM_ACTIONS_USER": "tester",
    }


def run_demo(command: list[str], env: dict[str, str]) -> None:
    version = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, timeout=DEMO_TIMEOUT_S, env=env, check=False
    )
    assert version.stdout.strip() == f"postmortem-actions {VERSION}", version.stderr
    demo = subprocess.run(
        [*command, "demo"], capture_output=True, text=True, timeout=DEMO_TIMEOUT_S, env=env, check=False
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "REJECTED" in demo.stdout
    assert "1-4 of 4" in demo.stdout


def tool(name: str) -> str:
    found = shutil.which(name, path=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return found


def source_files() -> set[str]:
    """Every file of the three packages as the wheel should name it (code, py.typed, samples, static assets)."""
    names = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                names.add(f"postmortem_actions/{path.relative_to(ROOT).as_posix()}")
    return names


@pytest.mark.slow
def test_the_wheel_holds_every_subpackage_and_data_file_and_nothing_outside_its_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"postmortem_actions", wheel.name.split("-py3")[0] + ".dist-info"}
    missing = sorted(source_files() - names)
    assert not missing, (
        "not in the wheel (a new subpackage goes in [tool.setuptools] packages, a data file in package-data): "
        f"{missing}"
    )
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        "postmortem_actions." + ".".join(init.parent.relative_to(ROOT).parts)
        for package in PACKAGES
        for init in (ROOT / package).rglob("__init__.py")
    }
    assert declared == on_disk
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(wheel) as zf:
        assert "postmortem-actions = postmortem_actions.server.cli:console" in zf.read(entry_points).decode()


@pytest.mark.slow
def test_without_the_compile_switch_the_wheel_is_pure_python_for_every_platform(wheel: Path) -> None:
    """setup.py compiles the extractor only under POSTMORTEM_ACTIONS_COMPILE=1, and empties setuptools' staging
    folder first: a module compiled by an earlier build in this tree must not ride along in a pure wheel."""
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    compiled = [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith((".so", ".pyd"))]
    assert not compiled, compiled


@pytest.mark.install
def test_a_clean_virtual_environment_installs_the_wheel_with_pip_and_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = clean_env(tmp_path)
    # Without its own pip, and pip not compiling every module: the same install, in half the time.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=60)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-compile", wheel],
        check=True,
        timeout=INSTALL_TIMEOUT_S,
        capture_output=True,
        env=env,
    )
    run_demo([str(venv / "bin" / "postmortem-actions")], env)


@pytest.mark.install
def test_uvx_runs_the_demo_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    uvx = tool("uvx")
    # This interpreter, never a Python uv would download.
    env = {**clean_env(tmp_path), "UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never"}
    run_demo([uvx, "--from", str(wheel), "postmortem-actions"], env)


@pytest.mark.install
def test_pipx_installs_the_wheel_and_runs_the_demo(wheel: Path, tmp_path: Path) -> None:
    pipx = tool("pipx")
    env = {**clean_env(tmp_path), "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    installed = subprocess.run(
        [pipx, "install", "--python", sys.executable, str(wheel)],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        env=env,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    run_demo([str(tmp_path / "bin" / "postmortem-actions")], env)


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
