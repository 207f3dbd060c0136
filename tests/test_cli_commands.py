"""The everyday commands a person runs without an assistant, in-process on real database files: `show`,
`postmortems`, `status`, `revise`, `add` on a stored document, `verify`, and the formats every listing offers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from cli_fixture import AS_OF, BY, Listed, _new, listed_database

from postmortem_actions.server.cli.main import main
from postmortem_actions.store import Store
from postmortem_actions.tools import decisions
from postmortem_actions.tools.decisions import DueTable

DOCUMENT = """\
# Queue outage

Severity: SEV2
Incident date: 2026-02-03

## Action items

- Add an alert on queue depth above 10,000 messages.
- Write the replay procedure into the runbook.
"""


@pytest.fixture
def listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Listed:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "carol")
    monkeypatch.setenv("COLUMNS", "100")
    return listed_database(tmp_path)


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def flat(text: str) -> str:
    return " ".join(text.split())


# -- show ----------------------------------------------------------------------------------------------------------


def test_show_tells_an_item_s_whole_story(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, listed.db, "show", str(listed.ids["ci"]))

    assert status == 0
    text = flat(out)
    assert text.startswith(f"#{listed.ids['ci']} Fail CI when worker connections exceed 80%")
    assert "state accepted, blocked: waiting on the database team's sizing · owner lee, due 2026-03-05" in text
    assert "postmortem #1 Checkout outage (SEV1, 2026-01-20)" in text
    assert 'evidence "Add a CI check that fails when worker connections exceed 80% of max_connections"' in text
    assert "proposed by claude-code/2.1" in text
    assert "Decisions (1)" in text
    assert "accept carol via terminal owner lee, due 2026-03-05" in text
    assert "Changes (2)" in text
    assert "status lee (cli) work status: - → blocked; status note: - → waiting on the database team's sizing" in text


def test_show_of_a_killed_deferred_or_done_item_says_why(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    _, killed, _ = run(capsys, listed.db, "show", str(listed.ids["dashboards"]))
    _, deferred, _ = run(capsys, listed.db, "show", str(listed.ids["drill"]))
    _, done, _ = run(capsys, listed.db, "show", str(listed.ids["replay"]))

    assert "reason: too vague; the 5xx page covers detection" in flat(killed)
    assert "vague Look into: it names an activity, not a result" in flat(killed)
    assert "deferred until 2026-04-01: after the provider migration (carol," in flat(deferred)
    assert "revisit on 2026-04-01" in flat(deferred)
    assert "evidence: https://git.example.com/billing/pull/42" in flat(done)


def test_show_as_json_and_markdown(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, listed.db, "show", str(listed.ids["drill"]), "--format", "json")
    data = json.loads(out)
    assert data["action"]["id"] == listed.ids["drill"]
    assert data["postmortem"]["title"] == "Checkout outage"
    assert [(d["kind"], d["revisit_on"]) for d in data["decisions"]] == [("defer", "2026-04-01")]
    assert data["tickets"] == []
    assert data["lint"] == []

    _, out, _ = run(capsys, listed.db, "show", str(listed.ids["drill"]), "--format", "md")
    assert out.startswith(f"# #{listed.ids['drill']} Run a quarterly payment provider failover drill\n")
    assert "- **deferred**: until 2026-04-01: after the provider migration" in out
    assert "## Decisions (1)" in out


def test_show_of_an_unknown_item_says_so(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, listed.db, "show", "999")[2] == "postmortem-actions: no action has id 999\n"


# -- postmortems ---------------------------------------------------------------------------------------------------


def test_postmortems_lists_the_documents_with_their_items_by_state(
    listed: Listed, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, listed.db, "postmortems", "--format", "json")
    data = json.loads(out)
    assert data["total"] == 2
    assert [(p["id"], p["title"], p["candidate"], p["accepted"], p["done"], p["killed"]) for p in data["items"]] == [
        (listed.queue, "Queue backlog", 1, 1, 1, 0),
        (listed.checkout, "Checkout outage", 2, 2, 0, 1),
    ]

    _, out, _ = run(capsys, listed.db, "postmortems", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "title", "severity", "incident_date", "candidate", "accepted", "done", "killed", "source"]
    assert rows[2][:4] == [str(listed.checkout), "Checkout outage", "SEV1", "2026-01-20"]

    _, out, _ = run(capsys, listed.db, "postmortems", "--format", "md")
    assert out.startswith("# Postmortems\n\n| id | title |")


def test_postmortems_of_an_empty_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store(tmp_path / "a.db").close()
    assert run(capsys, tmp_path / "a.db", "postmortems", "--format", "md")[1].endswith("No postmortem is stored yet.\n")
    assert run(capsys, tmp_path / "a.db", "postmortems")[1].endswith("0 postmortem(s)\n")


# -- status --------------------------------------------------------------------------------------------------------


def test_status_is_the_person_s_own_report_and_commits_no_one(
    listed: Listed, capsys: pytest.CaptureFixture[str]
) -> None:
    item = listed.ids["page"]
    status, out, _ = run(capsys, listed.db, "status", str(item), "blocked", "waiting", "on", "the", "vendor")

    assert status == 0
    assert out.startswith(f"#{item} is blocked: waiting on the vendor\n  reported by carol;")
    store = Store(listed.db, create=False)
    action = store.get_action(item)
    assert (action.work_status, action.status_note, action.owner, action.due) == (
        "blocked",
        "waiting on the vendor",
        "dana",
        date(2026, 2, 10),
    )
    last = store.audit_log("action", item)[-1]
    assert (last.op, last.actor, last.via) == ("status", "carol", "cli status")
    assert len(store.decisions(item)) == 1  # no decision: a status is not one


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["blocked"], "a blocked status needs a note"),
        (["in_progress"], "only accepted items have a working status"),
    ],
    ids=["blocked-without-a-note", "not-accepted"],
)
def test_status_refusals_say_what_is_needed(
    listed: Listed, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    item = listed.ids["page"] if args == ["blocked"] else listed.ids["runbook"]
    status, _, err = run(capsys, listed.db, "status", str(item), *args)
    assert status == 2
    assert says in err


# -- revise --------------------------------------------------------------------------------------------------------


def test_revise_rewords_a_candidate_keeping_its_proposer_and_its_history(
    listed: Listed, capsys: pytest.CaptureFixture[str]
) -> None:
    item = listed.ids["handover"]
    status, out, _ = run(
        capsys,
        listed.db,
        "revise",
        str(item),
        "--text",
        "Add handover notes to the weekly ops agenda template",
        "--category",
        "process",
        "--proposed-owner",
        "kim",
    )

    assert status == 0
    assert out.startswith(f"#{item} revised: text, proposed owner (kept in its history)")
    store = Store(listed.db, create=False)
    action = store.get_action(item)
    assert (action.text, action.proposed_owner, action.proposed_by) == (
        "Add handover notes to the weekly ops agenda template",
        "kim",
        "extractor",
    )
    last = store.audit_log("action", item)[-1]
    assert (last.op, last.actor, last.via) == ("revise", "carol", "cli revise")
    assert run(capsys, listed.db, "revise", str(item), "--category", "process")[1].endswith("nothing was changed\n")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "say what to change (--text, --done-when, --problem, --category"),
        (["--text", "ab"], "--text must have at least 3 characters (it has 2)"),
        (["--done-when", "x" * 501], "--done-when must have at most 500 characters"),
        (["--text", "Add\u202e alert"], "--text"),
    ],
    ids=["nothing", "too-short", "too-long", "hidden"],
)
def test_revise_refuses_what_does_not_fit_naming_the_option(
    listed: Listed, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    status, _, err = run(capsys, listed.db, "revise", str(listed.ids["handover"]), *args)
    assert status == 2
    assert says in err
    assert "nothing was changed" in err
    assert "pydantic" not in err


def test_revise_refuses_an_accepted_item(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, listed.db, "revise", str(listed.ids["page"]), "--text", "Something else entirely")
    assert status == 2
    assert "only candidates can be revised" in err


# -- add on a stored document ----------------------------------------------------------------------------------


def test_add_on_a_stored_document_corrects_its_severity_date_and_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "carol")
    file = tmp_path / "queue.md"
    file.write_text(DOCUMENT, encoding="utf-8")
    db = tmp_path / "a.db"
    assert run(capsys, db, "add", str(file))[1].startswith("postmortem 1 stored: Queue outage\n  severity SEV2,")

    status, out, _ = run(
        capsys, db, "add", str(file), "--severity", "sev1", "--date", "2026-02-04", "--title", "Billing queue outage"
    )

    assert status == 0
    assert out.splitlines() == [
        "postmortem 1 already stored: Billing queue outage",
        "  severity SEV1, incident date 2026-02-04, 2 sections, sha256 " + out.split("sha256 ")[1][:12],
        "  changed title Queue outage → Billing queue outage, severity SEV2 → SEV1, incident date 2026-02-03 → "
        "2026-02-04 (kept in its history; the text itself never changes)",
    ]
    store = Store(db, create=False)
    pm = store.get_postmortem(1)
    assert (pm.title, pm.severity, pm.incident_date, pm.text) == (
        "Billing queue outage",
        "SEV1",
        date(2026, 2, 4),
        DOCUMENT,
    )
    edit = store.audit_log("postmortem", 1)[-1]
    assert (edit.op, edit.actor, edit.via) == ("edit", "carol", "cli add")
    assert edit.changes["severity"] == ["SEV2", "SEV1"]
    assert run(capsys, db, "add", str(file), "--severity", "SEV1")[1].endswith(
        "nothing to change: it already says that\n"
    )


def test_the_corrected_severity_drives_the_default_due_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "queue.md"
    file.write_text(DOCUMENT, encoding="utf-8")
    db = tmp_path / "a.db"
    run(capsys, db, "add", str(file))
    store = Store(db)
    [(action, _)] = store.add_actions(
        1, [_new("Alert on depth", "Add an alert on queue depth", DOCUMENT, "detect")], BY
    )
    today = date(2026, 5, 1)
    before = decisions.ask_decide(
        store, action.id, proposed_owner=None, proposed_due=None, note=None, table=DueTable(), today=today
    )
    run(capsys, db, "add", str(file), "--severity", "SEV1")
    after = decisions.ask_decide(
        store, action.id, proposed_owner=None, proposed_due=None, note=None, table=DueTable(), today=today
    )

    assert (before.due, after.due) == (today + timedelta(days=30), today + timedelta(days=7))


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--severity", "high"], "severity 'high' is not one of SEV0..SEV5"), (["--title", " "], "the title is blank")],
)
def test_add_refuses_a_bad_correction_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    file = tmp_path / "queue.md"
    file.write_text(DOCUMENT, encoding="utf-8")
    run(capsys, tmp_path / "a.db", "add", str(file))
    status, _, err = run(capsys, tmp_path / "a.db", "add", str(file), *args)
    assert status == 2
    assert says in err
    assert Store(tmp_path / "a.db", create=False).get_postmortem(1).severity == "SEV2"


def test_a_file_named_like_secrets_that_the_person_typed_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / ".incidents" / "webhook-secrets-incident.md"
    file.parent.mkdir()
    file.write_text(DOCUMENT, encoding="utf-8")
    assert run(capsys, tmp_path / "a.db", "extract", str(file), "--json")[0] == 0
    assert run(capsys, tmp_path / "a.db", "add", str(file))[0] == 0


def test_a_missing_file_names_the_path_it_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, _, err = run(capsys, tmp_path / "a.db", "add", "missing.md")
    assert err == f"postmortem-actions: {str(tmp_path / 'missing.md')!r} does not exist\n"


# -- verify --------------------------------------------------------------------------------------------------------


def test_verify_reads_as_a_verdict_or_as_json(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, listed.db, "verify", "--format", "text")
    assert status == 0
    assert out.startswith(f"{listed.db}: OK\n  7 decision(s), every one chained to the one before (head ")
    status, out, _ = run(capsys, listed.db, "verify")  # a pipe: JSON, as scripts read it
    assert (status, json.loads(out)["ok"], json.loads(out)["decisions"]) == (0, True, 7)


def test_verify_names_each_problem_in_its_verdict(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    with sqlite3.connect(listed.db, isolation_level=None) as raw:
        raw.execute("CREATE TRIGGER sneaky AFTER INSERT ON actions BEGIN SELECT 1; END")
    raw.close()
    status, out, err = run(capsys, listed.db, "verify", "--format", "text")
    assert status == 1
    assert "1 PROBLEM(S)" in out
    assert "  - trigger sneaky is not one of ours" in out
    assert err == "verify: 1 problem(s) found\n"


# -- the formats of the listings ---------------------------------------------------------------------------------


def test_list_writes_the_same_items_as_csv_md_and_json(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, listed.db, "list", "--state", "candidate", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["proposed_owner"], r["proposed_due"]) for r in rows] == [
        (str(listed.ids["runbook"]), "alexandra.konstantinopoulou", "2026-03-20"),
        (str(listed.ids["drill"]), "", ""),
        (str(listed.ids["handover"]), "", ""),
    ]
    _, out, _ = run(capsys, listed.db, "list", "--state", "candidate", "--format", "md")
    assert out.startswith("# Action items\n\n| id | postmortem | state |")
    assert out.endswith("\n1-3 of 3 action(s)\n")
    _, out, _ = run(capsys, listed.db, "list", "--state", "candidate", "--format", "json")
    assert json.loads(out)["total"] == 3
    _, out, _ = run(capsys, listed.db, "list", "--state", "done", "--owner", "nobody", "--format", "md")
    assert "No action items match." in out


def test_extract_writes_csv_md_and_json_with_the_contract_s_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "queue.md"
    file.write_text(DOCUMENT + "- Look into better monitoring.\n", encoding="utf-8")
    _, as_json, _ = run(capsys, tmp_path / "a.db", "extract", str(file), "--json")
    assert run(capsys, tmp_path / "a.db", "extract", str(file), "--format", "json")[1] == as_json
    _, out, _ = run(capsys, tmp_path / "a.db", "extract", str(file), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(json.loads(as_json)[0])
    assert rows[2]["vague"] == "True"
    assert "it names an activity" in rows[2]["vague_reasons"]
    _, out, _ = run(capsys, tmp_path / "a.db", "extract", str(file), "--format", "md")
    assert out.startswith("# Follow-ups found\n\n| text | quote |")


@pytest.mark.parametrize("name", ["overdue", "agenda", "summary", "report"])
def test_the_review_writes_markdown_into_a_pipe_by_default(
    listed: Listed, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _, out, _ = run(capsys, listed.db, name, "--as-of", str(AS_OF))
    assert out.startswith("# ")


def test_a_deferred_candidate_is_on_the_agenda_with_its_note_and_date(
    listed: Listed, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, listed.db, "agenda", "--as-of", str(AS_OF), "--format", "json")
    [undecided] = [s for s in json.loads(out)["sections"] if s["key"] == "undecided"]
    [drill] = [i for i in undecided["items"] if i["action_id"] == listed.ids["drill"]]
    assert (drill["deferred"], drill["revisit_on"], drill["defer_note"]) == (
        True,
        "2026-04-01",
        "after the provider migration",
    )
    assert drill["prompt"] == "Deferred until 2026-04-01 (after the provider migration): nothing to decide before then."
    _, out, _ = run(capsys, listed.db, "agenda", "--as-of", "2026-04-02", "--format", "md")
    assert (
        f"#{listed.ids['drill']} Run a quarterly payment provider failover drill — no owner. Deferred until 2026-04-01 "
        "(after the provider migration), which has come: accept with an owner and date, or kill?"
    ) in out
    assert "Undecided for" in out  # the others, never looked at
