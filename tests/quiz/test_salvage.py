"""A damaged database is set aside and what can still be read is copied into the new one.

The files are damaged for real (a torn run of pages, a cut tail, a garbage header), and what
should survive is worked out independently of the salvage code: SQLite's ``dbstat`` table, read
on the intact file, says which table owns each page and how many rows each leaf page holds.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.paths import database_path
from engine.quiz import review
from engine.store import TABLES, DatabaseRecoveredWarning, Store

T0 = datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc)
TORN_BYTES = 8192


def fill(store: Store) -> None:
    """The issue's learner: 24 answers (each with its review card), 9 drill attempts and a mock exam."""
    session = store.create_quiz_session({"count": 24, "seed": 1}, {"question_ids": [], "outcomes": {}})
    for i in range(24):
        moment = T0 + timedelta(minutes=i)
        store.record_quiz_attempt(f"ddpm-q{i:02d}", "ddpm", "ddpm.forward", i % 3 > 0, float(i % 3 > 0), [i % 4],
                                  12.5, session, moment)
        review.update_card(store, f"ddpm-q{i:02d}", i % 3 > 0, 12.5, moment)
    for i in range(9):
        store.record_drill_attempt("forward_diffusion", "pass" if i == 8 else "fail", i, 10, ["forward.no_sqrt"] * (i < 5),
                                   1.2, "/w/forward_diffusion.py", None, T0 + timedelta(hours=1, minutes=i))
    items = [{"kind": "question", "ref": f"ddpm-q{i:02d}", "topic": "ddpm", "section": "ddpm.forward",
              "max_points": 1.0, "answered": True, "points": 1.0} for i in range(12)]
    state = {"items": items, "current": None, "elapsed_s": 600.0, "running_since": None, "auto_submitted": False}
    exam = store.create_exam({"minutes": 45, "seed": 7}, state, T0)
    store.save_exam(exam, state, T0 + timedelta(minutes=10))
    store.set_state("hints:forward_diffusion", 2)
    store.set_state("started:forward_diffusion", True)


def dump(path: Path) -> dict[str, dict[int, tuple]]:
    """Every row of every table, by rowid."""
    with closing(sqlite3.connect(path)) as connection:
        return {table: {row[0]: row[1:] for row in connection.execute(f"SELECT rowid, * FROM {table}")} for table in TABLES}


def layout(path: Path) -> list[tuple[str, int, str, int]]:
    """``(b-tree name, page number, page type, cells)`` for every page, from SQLite's dbstat table."""
    with closing(sqlite3.connect(path)) as connection:
        try:
            return connection.execute("SELECT name, pageno, pagetype, ncell FROM dbstat").fetchall()
        except sqlite3.OperationalError:
            pytest.skip("this SQLite is built without the dbstat table")


def survivors(pages: list[tuple[str, int, str, int]], torn: set[int], rows: dict[str, dict[int, tuple]]) -> dict[str, int]:
    """How many rows of each table a salvage must keep: those on leaf pages left whole, unless the
    table's root (an interior page here: the trees are two levels deep at most) is torn."""
    assert all(kind != "overflow" for _, _, kind, _ in pages), "every row fits its leaf, so a torn leaf loses only its own"
    expected = {}
    for table in TABLES:
        own = [(page, kind, cells) for name, page, kind, cells in pages if name == table]
        if any(kind == "internal" and page in torn for page, kind, _ in own):
            expected[table] = 0
        else:
            expected[table] = len(rows[table]) - sum(cells for page, kind, cells in own if kind == "leaf" and page in torn)
    return expected


@pytest.fixture
def learner(drill_home: Path) -> dict[str, dict[int, tuple]]:
    with Store() as store:
        fill(store)
    rows = dump(database_path())
    assert {table: len(rows[table]) for table in ("quiz_attempts", "drill_attempts", "exams")} == {
        "quiz_attempts": 24, "drill_attempts": 9, "exams": 1}
    return rows


def reopen() -> Store:
    with pytest.warns(DatabaseRecoveredWarning) as caught:
        store = Store()
    assert len(caught) == 1 and len(store.notices) == 1
    return store


def kept_rows(store: Store, before: dict[str, dict[int, tuple]], expected: dict[str, int]) -> None:
    """The new file holds exactly the expected number of rows per table, each one unchanged."""
    after = dump(store.path)
    assert {table: len(after[table]) for table in TABLES} == expected
    for table in TABLES:
        assert all(before[table][rowid] == row for rowid, row in after[table].items())


def test_a_torn_run_of_pages_in_the_middle_loses_only_what_was_on_them(learner, drill_home):
    path = database_path()
    data = bytearray(path.read_bytes())
    page = 4096
    offset = len(data) // 2 // page * page
    torn = {offset // page + 1, offset // page + 2}
    expected = survivors(layout(path), torn, learner)
    data[offset:offset + TORN_BYTES] = os.urandom(TORN_BYTES)
    path.write_bytes(bytes(data))

    with reopen() as store:
        kept_rows(store, learner, expected)
        notice = store.notices[0]
    assert sum(expected.values()) > 0 and expected != {table: len(learner[table]) for table in TABLES}
    assert notice.title == "Database partly recovered"
    assert "kept " in notice.message and "; lost " in notice.message
    [aside] = drill_home.glob("progress.sqlite3.corrupt-*[0-9Z]")
    assert aside.read_bytes() == bytes(data)


def test_rows_between_two_torn_leaves_are_found_one_by_one(drill_home):
    with Store() as store:
        for i in range(300):
            store.record_drill_attempt("forward_diffusion", "fail", i, 300, ["x" * 50], 1.0, None)
    path = database_path()
    rows = dump(path)
    pages = layout(path)
    leaves = sorted(page for name, page, kind, _ in pages if name == "drill_attempts" and kind == "leaf")
    assert len(leaves) >= 5
    # The second and the fourth leaf: neither scan from the ends reaches the third.
    torn = {leaves[1], leaves[3]}
    expected = survivors(pages, torn, rows)
    lost = len(rows["drill_attempts"]) - expected["drill_attempts"]
    data = bytearray(path.read_bytes())
    for page in torn:
        data[(page - 1) * 4096:page * 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))

    with reopen() as store:
        kept_rows(store, rows, expected)
        # The index on drill_id still lists every rowid, so the loss is counted exactly.
        assert f"kept {expected['drill_attempts']} drill attempts; lost {lost} drill attempts." in store.notices[0].message


def test_a_truncated_tail_keeps_the_pages_before_the_cut(learner):
    path = database_path()
    data = path.read_bytes()
    cut = len(data) - 3 * 4096 - 1000
    torn = set(range(cut // 4096 + 1, len(data) // 4096 + 1))
    expected = survivors(layout(path), torn, learner)
    path.write_bytes(data[:cut])

    with reopen() as store:
        kept_rows(store, learner, expected)
        title = store.notices[0].title
    assert 0 < sum(expected.values()) < sum(len(rows) for rows in learner.values())
    assert title == "Database partly recovered"


def test_a_garbage_header_is_rebuilt_and_every_row_kept(learner):
    path = database_path()
    data = path.read_bytes()
    path.write_bytes(os.urandom(100) + data[100:])

    with reopen() as store:
        kept_rows(store, learner, {table: len(learner[table]) for table in TABLES})
        notice = store.notices[0]
        assert len(store.quiz_attempts()) == 24 and store.review_card("ddpm-q05") is not None
    assert notice.title == "Database recovered"
    assert notice.message.endswith(
        "Every row was copied into a new one: 24 quiz answers, 24 review cards, 1 quiz session, 9 drill attempts,"
        " 2 drill state entries and 1 mock exam."
    )


def test_a_file_of_garbage_keeps_nothing_and_says_so(drill_home):
    database_path().write_bytes(os.urandom(3 * 4096))
    with reopen() as store:
        assert dump(store.path) == {table: {} for table in TABLES}
        notice = store.notices[0]
    assert notice.title == "Database could not be recovered"
    assert notice.message.endswith("Nothing in it could be read, so a new one was started.")


def test_rows_that_no_longer_parse_are_not_copied(learner):
    path = database_path()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE state SET value = 'not json' WHERE key = 'hints:forward_diffusion'")
        connection.commit()
    data = path.read_bytes()
    path.write_bytes(os.urandom(100) + data[100:])

    with reopen() as store:
        assert store.get_state("hints:forward_diffusion") is None
        assert store.get_state("started:forward_diffusion") is True
        assert store.notices[0].message.endswith("; lost 1 drill state entry.")


def test_drill_reports_the_salvage_in_one_line_and_the_report_keeps_the_answers(learner, capsys):
    from engine.cli import main

    path = database_path()
    data = path.read_bytes()
    path.write_bytes(os.urandom(100) + data[100:])
    assert main(["list"]) == 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("warning: The database") and "24 quiz answers" in err and "Traceback" not in err

    assert main(["report", "--format", "md"]) == 0
    report = capsys.readouterr()
    assert report.err == ""
    assert "(16 of 24 answers)" in report.out and "(9 attempts)" in report.out and "(1 taken)" in report.out


def test_rows_still_in_the_write_ahead_log_are_kept(learner):
    path = database_path()
    wal = Path(f"{path}-wal")
    # A process killed before a checkpoint leaves its last writes in the -wal file only.
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    with writer:
        for i in range(5):
            writer.execute("INSERT INTO state (key, value, updated_at) VALUES (?, '1', ?)", (f"late{i}", T0.isoformat()))
    main, log = path.read_bytes(), wal.read_bytes()
    writer.close()
    assert b"late4" in log and b"late4" not in main
    path.write_bytes(os.urandom(100) + main[100:])
    wal.write_bytes(log)

    with reopen() as store:
        assert [store.get_state(f"late{i}") for i in range(5)] == [1] * 5
        assert len(store.quiz_attempts()) == 24 and len(store.drill_attempts()) == 9
        assert store.notices[0].title == "Database recovered"
