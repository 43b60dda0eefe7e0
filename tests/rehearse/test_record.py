"""The rehearsals table: added to an older database without touching its data, and written stage by stage."""

from __future__ import annotations

import sqlite3

from engine.rehearse import record
from engine.store import MIGRATIONS, SCHEMA_VERSION, Store


def test_an_older_database_gains_the_rehearsals_table_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(path)
    before = next(index for index, statements in enumerate(MIGRATIONS) if any("rehearsals" in s for s in statements))
    for statements in MIGRATIONS[:before]:
        for statement in statements:
            connection.execute(statement)
    connection.execute("INSERT INTO state (key, value, updated_at) VALUES ('hints:x', '2', '2025-01-01')")
    connection.execute(f"PRAGMA user_version = {before}")
    connection.commit()
    connection.close()
    with Store(path) as store:
        assert store.get_state("hints:x") == 2 and record.rehearsals(store) == []
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_stages_merge_their_details_and_only_a_status_ends_the_run(tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        rehearsal_id = record.create(store, "cpu", "rehearsal.py")
        record.advance(store, rehearsal_id, stage="checked", detail={"feedback": [{"blank": 1, "ok": True, "message": "ok"}]})
        record.advance(store, rehearsal_id, stage="trained", detail={"training": {"steps": 5}})
        (running,) = record.rehearsals(store)
        assert running.stage == "trained" and running.status is None and running.finished_at is None
        assert set(running.detail) == {"feedback", "training"}
        record.advance(store, rehearsal_id, detail={"message": "Stopped"}, status=record.STOPPED)
        (stopped,) = record.rehearsals(store)
        assert stopped.stage == "trained" and stopped.status == record.STOPPED and stopped.finished_at is not None
        assert stopped.detail["training"] == {"steps": 5} and stopped.images is None and stopped.accuracy is None
