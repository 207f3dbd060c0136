"""The container image, the compose file and the Litestream configuration say what docs/deploy.md says: a slim
Python base, a non-root user, the database on the /data volume, a health check on the served port, the team
server as the default command, replication of that same file. No Docker daemon runs here, so the files are read,
not built."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile import copied_from_context, instructions, stages

from postmortem_actions.server.cli.main import parser
from postmortem_actions.server.version import VERSION

ROOT = Path(__file__).resolve().parents[1]


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return stages(steps)[-1]


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list), f"not the exec (JSON array) form: {arguments}"
    return [str(item) for item in value]


def test_the_image_runs_the_team_server_as_a_non_root_user_with_the_database_on_a_volume() -> None:
    stage = final_stage(instructions(ROOT / "Dockerfile"))
    keywords = [keyword for keyword, _ in stage]
    base = stage[0][1]
    assert re.fullmatch(r"python:3\.1[1-9]-slim", base), base

    users = [arguments for keyword, arguments in stage if keyword == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")

    volumes = [v for keyword, arguments in stage if keyword == "VOLUME" for v in exec_form(arguments)]
    assert volumes == ["/data"]
    env = " ".join(arguments for keyword, arguments in stage if keyword == "ENV")
    assert "POSTMORTEM_ACTIONS_DB=/data/actions.db" in env

    command = exec_form(dict(stage)["ENTRYPOINT"]) + exec_form(dict(stage)["CMD"])
    assert command == ["postmortem-actions", "serve", "--http", "--host", "0.0.0.0", "--port", "8000"]
    port = command[command.index("--port") + 1]
    assert dict(stage)["EXPOSE"] == port
    health = dict(stage)["HEALTHCHECK"]
    assert "CMD" in health
    assert f"('127.0.0.1', {port})" in health


def test_the_default_command_is_one_the_cli_accepts() -> None:
    stage = final_stage(instructions(ROOT / "Dockerfile"))
    arguments = exec_form(dict(stage)["CMD"])
    _, unknown = parser().parse_known_args(arguments)
    if unknown:
        pytest.skip(f"serve does not take {unknown} in this tree yet (the team server adds them)")
    assert parser().parse_args(arguments).command == "serve"


def test_the_default_command_starts_with_the_images_environment_once_a_token_exists(tmp_path: Path) -> None:
    # The image's ENV and CMD as docker would run them (port 0 instead of 8000): the team server refuses to listen
    # on every address without a public URL or without a token, so the image must carry one and the docs say
    # how to make the other.
    stage = final_stage(instructions(ROOT / "Dockerfile"))
    env_line = dict(stage)["ENV"]
    image_env = dict(item.split("=", 1) for item in shlex.split(env_line))
    assert image_env["POSTMORTEM_ACTIONS_PUBLIC_URL"].startswith("http")
    db = tmp_path / "actions.db"
    env = {
        **os.environ,
        **image_env,
        "POSTMORTEM_ACTIONS_DB": str(db),
        "POSTMORTEM_ACTIONS_ALLOWED_DIRS": str(tmp_path),
    }
    command = [sys.executable, "-m", "postmortem_actions.server"]
    for setup in (["people", "add", "alice"], ["token", "create", "alice", "--role", "admin"]):
        subprocess.run([*command, *setup], env=env, check=True, capture_output=True, text=True, timeout=60)
    arguments = exec_form(dict(stage)["CMD"])
    arguments[arguments.index("--port") + 1] = "0"
    with subprocess.Popen(
        [*command, *arguments], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stderr is not None
            first = server.stderr.readline()  # the server says where it listens before it serves
            assert server.poll() is None, first + server.stderr.read()
            assert "refusing" not in first
        finally:
            server.kill()
            server.communicate(timeout=30)


def test_the_image_compiles_the_extractor_for_its_own_python_from_the_packages_and_build_files_only() -> None:
    build, runtime = stages(instructions(ROOT / "Dockerfile"))
    # The wheel is built on the full image of the runtime's Python (the compiler and headers are there), so the
    # compiled modules load in the slim runtime; the packaging tests build their wheel from this same copy set.
    build_image = build[0][1].split()[0]
    assert build_image + "-slim" == runtime[0][1], (build_image, runtime[0][1])
    [command] = [arguments for keyword, arguments in build if keyword == "RUN"]
    assert command.startswith("POSTMORTEM_ACTIONS_COMPILE=1 pip wheel "), command
    copied = copied_from_context(build)
    assert copied == {"pyproject.toml", "README.md", "setup.py", "MANIFEST.in", "packaging", "server", "tools", "store"}
    for source in copied:
        assert (ROOT / source).exists(), source
    assert not copied_from_context(runtime)
    ignored = (ROOT / ".dockerignore").read_text().split()
    for heavy in (".git", ".venv", "tests", "bench", "build"):
        assert heavy in ignored


def test_compose_serves_on_loopback_with_the_database_on_a_named_volume_and_replication_opt_in() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    server = compose["services"]["postmortem-actions"]
    assert server["build"] == "."
    assert server["image"] == f"postmortem-actions:{VERSION}"
    assert server["ports"] == ["127.0.0.1:8000:8000"]
    assert "data:/data" in server["volumes"]
    assert "data" in compose["volumes"]

    replica = compose["services"]["litestream"]
    assert replica["profiles"] == ["replicate"]
    assert "data:/data" in replica["volumes"]
    assert "./deploy/litestream.yml:/etc/litestream.yml:ro" in replica["volumes"]
    assert replica["command"][-1] == "/etc/litestream.yml"


def test_litestream_replicates_the_file_the_image_serves_with_credentials_left_to_the_environment() -> None:
    text = (ROOT / "deploy" / "litestream.yml").read_text()
    config = yaml.safe_load(text)
    [database] = config["dbs"]
    assert database["path"] == "/data/actions.db"
    [replica] = database["replicas"]
    assert replica["type"] == "s3"
    assert replica["bucket"] == "${LITESTREAM_BUCKET}"
    assert not re.search(r"(access-key-id|secret-access-key)\s*:", text)
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    passed = set(compose["services"]["litestream"]["environment"])
    assert set(re.findall(r"\$\{(\w+)\}", text)) <= passed


def test_the_deploy_guide_shows_the_restore_command_and_the_replication_caveats() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text()
    assert "litestream restore" in guide
    assert "-if-replica-exists" in guide
    for caveat in ("busy_timeout", "WAL", "checkpoint", "sync-interval"):
        assert caveat in guide, caveat
    assert "postmortem-actions backup" in guide
    assert "token create" in guide
