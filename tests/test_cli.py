"""The human CLI in-process: exit codes and messages a person sees on bad input."""

from pathlib import Path

import pytest

from postmortem_actions.server.cli.main import main
from postmortem_actions.server.settings import Settings
from postmortem_actions.store.errors import InvalidInput

SAMPLE = "# Queue outage\n\nSeverity: SEV2\n\n## Action items\n\n- Add an alert on queue depth above 10,000.\n"


def test_verify_of_a_database_that_is_not_there_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_MAX_BYTES", "5MB")
    assert main(["--db", str(tmp_path / "a.db"), "list"]) == 2
    assert "POSTMORTEM_ACTIONS_MAX_BYTES='5MB' is not a positive number" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "1e6", "\u0665"])
def test_a_size_limit_must_be_a_positive_ascii_number(value: str) -> None:
    with pytest.raises(InvalidInput):
        Settings.load({"POSTMORTEM_ACTIONS_MAX_BYTES": value})


def test_a_server_started_in_the_home_folder_reads_no_files_until_a_folder_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    assert "argument --date: '2026-02-30' is not a date; write it as YYYY-MM-DD" in capsys.readouterr().err


def _reviewed_db(tmp_path: Path) -> Path:
    from datetime import date, timedelta

    from postmortem_actions.store import Actor, HumanDecision, NewAction, NewPostmortem, Store

    db = tmp_path / "review.db"
    store = Store(db)
    text = "# Queue outage\n\n- Add an alert on queue depth above 10,000 messages.\n"
    pm, _ = store.add_postmortem(
        NewPostmortem(title="Queue outage", source="pasted", text=text, sha256="b" * 64, severity="SEV2"),
        Actor(actor="t", via="t"),
    )
    quote = "Add an alert on queue depth"
    start = text.index(quote)
    [(late, _), (fine, _)] = store.add_actions(
        pm.id,
        [
            NewAction(
                text=f"Item {n}",
                done_when="x",
                problem="y",
                category="prevent",
                quote=quote,
                quote_start=start,
                quote_end=start + len(quote),
            )
            for n in range(2)
        ],
        Actor(actor="t", via="t"),
    )
    today = date.today()
    for action_id, due in ((late.id, today - timedelta(days=5)), (fine.id, today + timedelta(days=40))):
        store.record_decision(
            action_id, HumanDecision(kind="accept", owner="dana", due=due, decided_by="h", channel="terminal")
        )
    store.close()
    return db


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["overdue", "--format", "csv"], "id,postmortem,owner,due,days_overdue,status,note,ticket,text\n1,1,dana,"),
        (["overdue", "--format", "md"], "5 days overdue"),
        (["agenda", "--format", "md"], "5 days overdue, what is blocking it?"),
        (["summary", "--format", "md"], "2 open, 0 done, 0 undecided, 0 killed"),
        (["report", "--format", "csv"], "total,2,0,0,0,2,1,0.0,"),
    ],
)
def test_review_commands_print_exact_figures_in_each_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], expected: str
) -> None:
    from datetime import date

    db = _reviewed_db(tmp_path)
    assert main(["--db", str(db), *command, "--as-of", date.today().isoformat()]) == 0
    assert expected in capsys.readouterr().out


def test_review_json_is_the_same_data_as_the_tools(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json
    from datetime import date

    db = _reviewed_db(tmp_path)
    assert main(["--db", str(db), "overdue", "--format", "json", "--as-of", date.today().isoformat()]) == 0
    page = json.loads(capsys.readouterr().out)
    assert (page["total"], page["items"][0]["days_overdue"]) == (1, 5)


# -- days outside the supported range, and malformed days (issue 10, finding 4) ---------------------------


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [
        (["overdue"], "--as-of", "0001-01-01"),
        (["overdue"], "--as-of", "9999-12-31"),
        (["agenda"], "--as-of", "9999-12-31"),
        (["summary"], "--since", "0001-01-01"),
        (["report"], "--until", "9999-12-31"),
        (["list"], "--due-before", "0001-01-01"),
        (["list"], "--due-after", "9999-12-31"),
    ],
)
def test_a_day_outside_the_supported_range_is_refused_naming_the_option_and_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], option: str, value: str
) -> None:
    db = _reviewed_db(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db), *command, option, value])

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: " in err
    assert "between 1970-01-01 and 2999-12-31" in err
    assert value in err


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["overdue"], "--as-of"),
        (["agenda"], "--as-of"),
        (["summary"], "--since"),
        (["summary"], "--until"),
        (["report"], "--since"),
        (["report"], "--until"),
        (["list"], "--due-before"),
        (["list"], "--due-after"),
    ],
)
@pytest.mark.parametrize("value", ["2026-02-30", "yesterday"])
def test_a_malformed_day_is_refused_naming_the_option_and_the_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(tmp_path / "a.db"), *command, option, value])

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: '{value}' is not a date" in err
    assert "YYYY-MM-DD" in err
    assert "fromisoformat" not in err
