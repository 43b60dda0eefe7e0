"""The SQLite store: its API, concurrent writers, versioning and a damaged file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import pytest

from engine.paths import database_path
from engine.store import SCHEMA_VERSION, DatabaseRecoveredWarning, Store, StoreError

WRITER = textwrap.dedent(
    """
    import sys
    from engine.store import Store

    worker, rows = int(sys.argv[1]), int(sys.argv[2])
    store = Store()
    # A barrier: every writer is ready before any starts, so that they really run at once.
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(rows):
        store.record_drill_attempt("forward_diffusion", "pass", i, rows, ["k"], 0.1, None, {"worker": worker})
        store.record_quiz_attempt(f"q-{worker}-{i}", "ddpm", "ddpm.forward", True, 1.0, [0], 1.0, None)
        store.set_state(f"w{worker}", i)
    store.close()
    """
)


def test_default_path_is_under_drill_home(drill_home):
    with Store() as store:
        assert store.path == database_path() == drill_home / "progress.sqlite3"
        assert store.path.exists()


def test_schema_is_versioned_and_in_wal_mode(store):
    connection = sqlite3.connect(store.path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"quiz_attempts", "review_cards", "quiz_sessions", "drill_attempts", "state"} <= tables
    connection.close()


def test_reopening_keeps_data(store):
    store.set_state("hint:forward_diffusion", 2)
    with Store(store.path) as again:
        assert again.get_state("hint:forward_diffusion") == 2


def test_newer_schema_is_refused_not_set_aside(tmp_path):
    path = tmp_path / "future.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)
    assert path.exists()
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_drill_attempts(store):
    first = store.record_drill_attempt("forward_diffusion", "fail", 3.0, 10.0, ["ddpm.forward.sqrt_missing"], 1.5, "/w/f.py")
    store.record_drill_attempt("sample_ddpm", "error", 0.0, 10.0, [], None, None, extra={"message": "SyntaxError"})
    second = store.record_drill_attempt("forward_diffusion", "pass", 10.0, 10.0, [], 0.9, "/w/f.py")
    rows = store.drill_attempts("forward_diffusion")
    assert [row.id for row in rows] == [first, second]
    assert rows[0].status == "fail" and rows[0].score == 3.0 and rows[0].max_score == 10.0
    assert rows[0].diagnoses == ["ddpm.forward.sqrt_missing"]
    assert rows[0].duration_s == 1.5 and rows[0].file_path == "/w/f.py" and rows[0].extra is None
    assert rows[0].created_at.tzinfo is not None
    assert [row.drill_id for row in store.drill_attempts()] == ["forward_diffusion", "sample_ddpm", "forward_diffusion"]
    assert store.drill_attempts("sample_ddpm")[0].extra == {"message": "SyntaxError"}
    assert store.drill_attempts("unknown") == []


def test_state_holds_json_values(store):
    assert store.get_state("missing") is None
    assert store.get_state("missing", default=0) == 0
    store.set_state("debug:draw", {"bug": "plus_sign", "seed": 3})
    store.set_state("hint:x", 1)
    store.set_state("hint:x", 2)
    assert store.get_state("debug:draw") == {"bug": "plus_sign", "seed": 3}
    assert store.get_state("hint:x") == 2


def test_quiz_attempts_and_totals(store):
    moment = datetime(2025, 3, 1, tzinfo=timezone.utc)
    store.record_quiz_attempt("a", "ddpm", "ddpm.forward", True, 1.0, [1], 2.0, 7, moment)
    store.record_quiz_attempt("b", "ddpm", "ddpm.loss", False, 0.5, [0, 2], None, None)
    store.record_quiz_attempt("c", "unet", "unet.gelu", False, 0.0, [3], 1.0, 7)
    assert [a.question_id for a in store.quiz_attempts(session_id=7)] == ["a", "c"]
    [attempt] = store.quiz_attempts(question_id="b")
    assert attempt.picked == [0, 2] and attempt.credit == 0.5 and not attempt.correct
    assert store.quiz_attempts(question_id="a")[0].answered_at == moment
    assert store.quiz_totals("topic") == {"ddpm": (2, 1), "unet": (1, 0)}
    assert store.quiz_totals("section")["ddpm.loss"] == (1, 0)
    with pytest.raises(ValueError):
        store.quiz_totals("picked")


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.set_state("a", 1)
        store.record_drill_attempt("d", "pass", 1, 1, [], None, None)
        raise RuntimeError("boom")
    assert store.get_state("a") is None
    assert store.drill_attempts() == []


def test_concurrent_writers_lose_nothing(store):
    workers, rows = 4, 300
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(worker), str(rows)],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for worker in range(workers)
    ]
    for process in processes:
        assert process.stdout.readline() == "ready\n", process.stderr.read()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    for i in range(rows):
        store.set_state("main", i)
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors

    attempts = store.drill_attempts("forward_diffusion")
    assert len(attempts) == workers * rows
    for worker in range(workers):
        assert sorted(a.score for a in attempts if a.extra == {"worker": worker}) == list(range(rows))
        assert store.get_state(f"w{worker}") == rows - 1
    assert len(store.quiz_attempts()) == workers * rows
    check = sqlite3.connect(store.path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()


def test_damaged_file_is_set_aside_with_a_warning(drill_home):
    path = database_path()
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    (drill_home / "progress.sqlite3-wal").write_bytes(b"stale")
    with pytest.warns(DatabaseRecoveredWarning, match="was damaged"):
        store = Store()
    with store:
        [aside] = drill_home.glob("progress.sqlite3.corrupt-*[0-9Z]")
        assert aside.read_bytes() == garbage
        assert aside.with_name(aside.name + "-wal").read_bytes() == b"stale"
        assert len(store.notices) == 1 and str(aside) in store.notices[0].message
        store.set_state("fresh", True)
        assert store.get_state("fresh") is True


def test_damaged_pages_are_set_aside(drill_home):
    with Store() as store:
        for i in range(300):
            store.record_drill_attempt("d", "pass", i, 300, ["x" * 50], 1.0, None)
    path = database_path()
    data = bytearray(path.read_bytes())
    # Keep the header page, scramble every page after it.
    data[4096:] = os.urandom(len(data) - 4096)
    path.write_bytes(bytes(data))
    with pytest.warns(DatabaseRecoveredWarning):
        store = Store()
    with store:
        assert store.drill_attempts() == []
        assert store.notices[0].title == "Database could not be recovered"
    assert len(list(drill_home.glob("progress.sqlite3.corrupt-*"))) >= 1


def test_a_locked_database_is_not_taken_for_damage(tmp_path):
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            Store(path, timeout=0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert list(tmp_path.glob("*.corrupt-*")) == []
