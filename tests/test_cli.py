"""The human CLI in-process: exit codes and messages a person sees on bad input."""

from pathlib import Path

import pytest

from postmortem_actions.server.cli import main
from postmortem_actions.server.settings import Settings
from postmortem_actions.store.errors import InvalidInput

SAMPLE = "# Queue outage\n\nSeverity: SEV2\n\n## Action items\n\n- Add an alert on queue depth above 10,000.\n"


def test_verify_of_a_database_that_is_not_there_says_so_and_creates_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "typo" / "actions.db"
    assert main(["--db", str(missing), "verify"]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_list_of_a_database_that_is_not_there_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database at" in capsys.readouterr().err


def test_db_is_accepted_before_or_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "pm.md"
    file.write_text(SAMPLE)
    db = tmp_path / "a.db"
    assert main(["add", str(file), "--db", str(db)]) == 0
    assert main(["--db", str(db), "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("none of 0 action(s)")
    assert main(["verify", "--db", str(db)]) == 0


def test_a_bad_size_limit_setting_is_reported_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_MAX_BYTES", "5MB")
    assert main(["--db", str(tmp_path / "a.db"), "list"]) == 2
    assert "POSTMORTEM_ACTIONS_MAX_BYTES='5MB' is not a positive number" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "1e6", "\u0665"])
def test_a_size_limit_must_be_a_positive_ascii_number(value: str) -> None:
    with pytest.raises(InvalidInput):
        Settings.load({"POSTMORTEM_ACTIONS_MAX_BYTES": value})


def test_a_server_started_in_the_home_folder_reads_no_files_until_a_folder_is_allowed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert Settings.load({}).allowed_dirs == ()
    assert Settings.load({"POSTMORTEM_ACTIONS_ALLOWED_DIRS": str(tmp_path)}).allowed_dirs == (tmp_path.resolve(),)
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    assert Settings.load({}).allowed_dirs == (project.resolve(),)


def test_a_malformed_date_is_refused_by_the_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(tmp_path / "a.db"), "add", "x.md", "--date", "2026-02-30"])
    assert exited.value.code == 2
    assert "invalid fromisoformat value" in capsys.readouterr().err
