"""How the store holds connections across threads, and how it treats a file that is not there."""

import threading
from datetime import date
from pathlib import Path

import pytest

from postmortem_actions.store import Actor, HumanDecision, NewAction, NewPostmortem, Store
from postmortem_actions.store.errors import IllegalTransition, InvalidInput, StoreError

TEXT = "# Outage\n\n## Action items\n\n- Add an alert on queue depth above 10,000 messages.\n"
BY = Actor(actor="assistant", via="test")


def _store(tmp_path: Path) -> tuple[Store, int]:
    store = Store(tmp_path / "a.db")
    pm, _ = store.add_postmortem(NewPostmortem(title="Outage", source="pasted", text=TEXT, sha256="a" * 64), BY)
    return store, pm.id


def _candidate(text: str) -> NewAction:
    quote = "Add an alert on queue depth"
    start = TEXT.index(quote)
    return NewAction(
        text=text,
        done_when="the alert fires in staging",
        problem="backlog went unseen",
        category="detect",
        quote=quote,
        quote_start=start,
        quote_end=start + len(quote),
    )


def test_connections_of_finished_threads_are_closed_when_a_new_thread_connects(tmp_path: Path) -> None:
    store, pm_id = _store(tmp_path)
    for _ in range(20):
        worker = threading.Thread(target=store.get_postmortem, args=(pm_id,))
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive()
    # The main thread's connection, and at most the last worker's (closed when the next thread connects).
    assert store.open_connections() <= 2
    store.close()
    assert store.open_connections() == 0
    assert store.get_postmortem(pm_id).title == "Outage"  # reopens on next use


def test_a_store_that_must_not_create_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        Store(tmp_path / "typo" / "actions.db", create=False)
    assert not (tmp_path / "typo").exists()


def test_a_kill_complete_or_reopen_decision_may_not_carry_a_new_owner(tmp_path: Path) -> None:
    store, pm_id = _store(tmp_path)
    [(action, _)] = store.add_actions(pm_id, [_candidate("Add a queue depth alert")], BY)
    with pytest.raises(IllegalTransition, match="re-plan"):
        store.record_decision(
            action.id, HumanDecision(kind="kill", reason="dup", owner="mallory", decided_by="h", channel="terminal")
        )
    with pytest.raises(IllegalTransition, match="re-plan"):
        store.record_decision(
            action.id,
            HumanDecision(kind="kill", reason="dup", due=date(2030, 1, 1), decided_by="h", channel="terminal"),
        )
    assert store.decisions() == []


def test_revising_a_candidate_into_another_candidates_text_is_refused(tmp_path: Path) -> None:
    store, pm_id = _store(tmp_path)
    [(first, _), (second, _)] = store.add_actions(
        pm_id, [_candidate("Add a queue depth alert"), _candidate("Page on queue depth")], BY
    )
    with pytest.raises(InvalidInput, match=f"action {first.id} of this postmortem already says that"):
        store.revise_candidate(second.id, {"text": "  add a QUEUE depth alert "}, BY)
    assert store.get_action(second.id).text == "Page on queue depth"


def test_a_lone_surrogate_reaching_the_store_is_a_domain_error(tmp_path: Path) -> None:
    store, pm_id = _store(tmp_path)
    with pytest.raises(InvalidInput, match="surrogates"):
        store.add_actions(pm_id, [_candidate("Add a \ud800 alert")], BY)


def test_verify_reports_a_trigger_added_outside_the_store(tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    store, _ = _store(tmp_path)
    with closing(sqlite3.connect(store.path)) as raw:
        raw.execute("CREATE TRIGGER zz_hide_edits BEFORE INSERT ON audit_log BEGIN SELECT RAISE(IGNORE); END")
        raw.commit()
    report = store.verify()
    assert not report.ok
    assert any("zz_hide_edits" in problem and "not one of ours" in problem for problem in report.problems)


def test_a_lazy_store_touches_the_file_only_on_first_use_and_then_migrates(tmp_path: Path) -> None:
    path = tmp_path / "lazy.db"
    store = Store(path, lazy=True)
    assert not path.exists()
    assert store.list_postmortems() == []
    assert path.exists()
    assert store.verify().ok


def test_a_lazy_store_on_a_file_that_is_not_a_database_fails_readably_on_first_use(tmp_path: Path) -> None:
    from postmortem_actions.store.errors import SchemaMismatch

    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    store = Store(path, lazy=True)
    with pytest.raises(SchemaMismatch):
        store.list_postmortems()
