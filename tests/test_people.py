"""The people table and the `people` command: names and aliases matched ignoring case, addresses checked, no name
shared, and an existing database upgraded by migration 0008 keeping everything it held."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from postmortem_actions.server.cli.main import main
from postmortem_actions.store import Actor, HumanDecision, NewAction, NewPostmortem, Store, migrations
from postmortem_actions.store.errors import InvalidInput, PersonNotFound
from postmortem_actions.store.schema import KNOWN_MIGRATIONS
from postmortem_actions.tools import people
from postmortem_actions.tools.people import Directory


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "actions.db")


def test_a_name_or_alias_finds_its_person_whatever_the_case_or_spacing(store: Store) -> None:
    people.add_person(store, "Alice  Ng", email="alice@example.com", slack_id="U0ALICE", aliases=["alice", "ang"])
    directory = Directory.load(store)
    for written in ("alice ng", "ALICE NG", " Alice   Ng ", "Alice", "ANG"):
        found = directory.find(written)
        assert found is not None, written
        assert found.name == "Alice Ng", written
    assert directory.find("Alise") is None  # close is not the same: never guessed
    assert store.find_person("ang").aliases == ("alice", "ang")


def test_no_two_people_share_a_name_or_an_alias(store: Store) -> None:
    people.add_person(store, "Alice", aliases=["al"])
    for name, aliases in (("alice", []), ("AL", []), ("Bob", ["ALICE"]), ("Bob", ["b", "B"])):
        with pytest.raises(InvalidInput, match=r"already names|nothing was changed"):
            people.add_person(store, name, aliases=aliases)
    with pytest.raises(InvalidInput, match="'AL' already names 'Alice'"):
        people.add_alias(store, "Alice", "AL")
    assert [p.name for p in store.people()] == ["Alice"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("email", "alice at example", "is not an email address"),
        ("email", "alice@example", "is not an email address"),
        ("slack_id", "@alice", "is not a Slack member id"),
        ("slack_id", "u0alice", "is not a Slack member id"),
        ("name", "", "the name is blank"),
        ("name", "Al\u202eice", "the name "),
        ("name", "x" * 101, "longer than 100 characters"),
    ],
)
def test_a_malformed_address_or_name_is_refused_and_nothing_is_added(
    store: Store, field: str, value: str, says: str
) -> None:
    values = {"name": "Alice", "email": None, "slack_id": None, field: value}
    with pytest.raises(InvalidInput, match=says):
        people.add_person(store, str(values["name"]), email=values["email"], slack_id=values["slack_id"])
    assert store.people() == []


def test_contacts_change_and_clear_aliases_and_people_go(store: Store) -> None:
    people.add_person(store, "Bob", email="bob@example.com", aliases=["robert"])
    assert people.set_contacts(store, "ROBERT", slack_id="W0BOB").slack_id == "W0BOB"
    assert people.set_contacts(store, "bob", email="").email is None
    assert store.remove_alias("Robert").aliases == ()
    with pytest.raises(PersonNotFound, match="nobody has the alias 'robert'"):
        store.remove_alias("robert")
    with pytest.raises(InvalidInput, match="only email and slack_id can be changed"):
        store.update_person("bob", {"name": "Rob"})
    store.remove_person("bob")
    with pytest.raises(PersonNotFound, match="nobody is called 'bob'"):
        store.find_person("bob")


def test_the_people_command_adds_lists_aliases_and_removes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.db"
    assert (
        main(
            [
                "--db",
                str(db),
                "people",
                "add",
                "Alice",
                "--email",
                "alice@example.com",
                "--slack",
                "U0ALICE",
                "--alias",
                "alice.ng",
            ]
        )
        == 0
    )
    assert main(["people", "add", "Bob", "--db", str(db)]) == 0
    assert main(["people", "alias", "bob", "Robert", "--db", str(db)]) == 0
    assert main(["people", "set", "robert", "--email", "bob@example.com", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["people", "list", "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["Alice", "alice@example.com", "U0ALICE", "(also:", "alice.ng)"]
    assert out[2].split() == ["Bob", "bob@example.com", "-", "(also:", "Robert)"]
    assert out[3] == "2 person(s)"
    assert main(["people", "unalias", "ROBERT", "--db", str(db)]) == 0
    assert main(["people", "remove", "bob", "--db", str(db)]) == 0
    assert "removed Bob; the items they own keep the owner's name as written" in capsys.readouterr().err
    assert main(["people", "remove", "bob", "--db", str(db)]) == 2
    assert "nobody is called 'bob'" in capsys.readouterr().err
    assert main(["people", "add", "alice", "--db", str(db)]) == 2
    assert "'alice' already names 'Alice'" in capsys.readouterr().err


def test_people_list_names_the_owners_of_open_items_nobody_knows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    store = Store(db)
    text = "# Outage\n\n- Add an alert on queue depth.\n"
    pm, _ = store.add_postmortem(
        NewPostmortem(title="Outage", source="pasted", text=text, sha256="0" * 63 + "1"), Actor(actor="t", via="t")
    )
    start = text.index("Add")
    made = store.add_actions(
        pm.id,
        [
            NewAction(
                text=f"Alert {n}",
                done_when="d",
                problem="p",
                category="detect",
                quote="Add",
                quote_start=start,
                quote_end=start + 3,
            )
            for n in range(3)
        ],
        Actor(actor="t", via="t"),
    )
    for (action, _), owner in zip(made, ("alice", "Dana", "dana"), strict=True):
        store.record_decision(
            action.id, HumanDecision(kind="accept", owner=owner, due="2027-01-01", decided_by="x", channel="terminal")
        )
    people.add_person(store, "Alice")
    assert main(["people", "list", "--db", str(db)]) == 0
    assert "who match no one (reminders cannot reach them): Dana (2)" in capsys.readouterr().out
    assert main(["people", "list", "--format", "json", "--db", str(db)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in data["people"]] == ["Alice"]
    assert data["unknown_owners"] == [{"name": "Dana", "open_items": 2}]


def test_people_commands_other_than_add_need_an_existing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.db"
    assert main(["people", "list", "--db", str(missing)]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not missing.exists()


def test_migration_0008_adds_the_tables_to_a_database_of_0005_and_keeps_what_it_held(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    old = Migrations(migrations.MIGRATION_SET)
    for name in KNOWN_MIGRATIONS[:5]:
        old(name=name)(next(m.fn for m in migrations.migrations._migrations if m.name == name))
    old.apply(sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 5")
    text = "# Old\n\n- Add an alert.\n"
    conn.execute(
        "INSERT INTO postmortems (title, source, text, sha256, created_by) VALUES ('Old', 'pasted', ?, ?, 'x')",
        [text, "a" * 64],
    )
    conn.close()
    store = Store(db)
    assert [p.title for p in store.list_postmortems()] == ["Old"]
    assert "0008_people_and_deliveries" in migrations.applied(sqlite3.connect(db))
    people.add_person(store, "Alice")
    assert store.deliveries() == []
    assert store.verify().ok
