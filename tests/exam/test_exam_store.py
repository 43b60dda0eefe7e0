"""The store's exams table (migration 2) and its upgrade of an existing database."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from engine.store import MIGRATIONS, SCHEMA_VERSION, Store


def test_a_version_1_database_gains_the_exams_table_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        connection.execute(statement)
    connection.execute("INSERT INTO state (key, value, updated_at) VALUES ('hints:x', '2', '2025-01-01')")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    with Store(path) as store:
        assert store.get_state("hints:x") == 2 and store.exams() == []
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_exams_are_stored_listed_and_finished(store):
    started = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    first = store.create_exam({"seed": 1}, {"items": []}, started)
    second = store.create_exam({"seed": 2}, {"items": []}, started)
    assert store.latest_unfinished_exam().id == second
    store.save_exam(second, {"items": [1]}, finished_at=started)
    assert store.latest_unfinished_exam().id == first
    record = store.exam(second)
    assert (record.spec, record.state, record.started_at, record.finished_at) == ({"seed": 2}, {"items": [1]}, started, started)
    assert [r.id for r in store.exams()] == [first, second] and store.exam(99) is None


def test_drill_attempts_take_a_date(store):
    moment = datetime(2025, 1, 2, tzinfo=timezone.utc)
    store.record_drill_attempt("d", "pass", 1.0, 1.0, [], 1.0, None, created_at=moment)
    store.record_drill_attempt("d", "pass", 1.0, 1.0, [], 1.0, None)
    first, second = store.drill_attempts()
    assert first.created_at == moment and second.created_at > moment
