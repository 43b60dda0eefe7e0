"""The learner's data: one SQLite file, ``engine.paths.database_path()`` unless told otherwise.

Sharing: the app and a CLI in another terminal may use the file at once. The journal is WAL, every
connection waits for a lock (``busy_timeout``) instead of failing, and every write is a short
``BEGIN IMMEDIATE`` transaction. A Store keeps one connection per thread, so that a Textual worker
thread can use it too.

Damage: when SQLite reports the file as corrupt or not a database, or ``PRAGMA quick_check`` fails,
the file (with its ``-wal`` and ``-shm``) is renamed to ``<name>.corrupt-<timestamp>`` and a fresh
database takes its place, holding every row that could still be read from the damaged one
(``engine.salvage``), copied in the same transaction that creates the schema. A
:class:`DatabaseRecoveredWarning` says what was kept and what was lost, in numbers, and the same
:class:`Notice` is kept in ``Store.notices`` for a UI to show. Nothing is deleted. A busy or
locked database is not damage: that error propagates.

Versioning: ``PRAGMA user_version`` counts the migrations applied; ``MIGRATIONS[i]`` takes the
schema from version ``i`` to ``i + 1``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from engine.errors import UsageError
from engine.paths import database_path
from engine.salvage import Salvage, salvage

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE quiz_attempts (
            id INTEGER PRIMARY KEY,
            question_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            section TEXT NOT NULL,
            correct INTEGER NOT NULL,
            credit REAL NOT NULL,
            picked TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            duration_s REAL,
            session_id INTEGER
        )""",
        "CREATE INDEX quiz_attempts_question ON quiz_attempts (question_id)",
        """CREATE TABLE review_cards (
            question_id TEXT PRIMARY KEY,
            card TEXT NOT NULL,
            due TEXT NOT NULL
        )""",
        "CREATE INDEX review_cards_due ON review_cards (due)",
        """CREATE TABLE quiz_sessions (
            id INTEGER PRIMARY KEY,
            spec TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT
        )""",
        """CREATE TABLE drill_attempts (
            id INTEGER PRIMARY KEY,
            drill_id TEXT NOT NULL,
            status TEXT NOT NULL,
            score REAL NOT NULL,
            max_score REAL NOT NULL,
            diagnoses TEXT NOT NULL,
            duration_s REAL,
            file_path TEXT,
            created_at TEXT NOT NULL,
            extra TEXT
        )""",
        "CREATE INDEX drill_attempts_drill ON drill_attempts (drill_id)",
        """CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ),
    (
        # Mock exams (engine.exam): the composition and the whole in-progress state are JSON, so that an
        # exam resumes exactly where it stopped; finished_at is set once it is submitted.
        """CREATE TABLE exams (
            id INTEGER PRIMARY KEY,
            spec TEXT NOT NULL,
            state TEXT NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT
        )""",
    ),
    (
        # Rehearsals (engine.rehearse): a row per `drill rehearse run`, updated as each stage finishes
        # (stage: started, checked, trained, sampled, classified), so that a run killed halfway keeps
        # what it reached. status stays NULL until it ends: pass, fail, error or stopped.
        """CREATE TABLE rehearsals (
            id INTEGER PRIMARY KEY,
            profile TEXT NOT NULL,
            file_path TEXT NOT NULL,
            stage TEXT NOT NULL,
            status TEXT,
            accuracy REAL,
            detail TEXT NOT NULL,
            images BLOB,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# Every table, in schema order, with what one of its rows is to the learner (singular, plural).
TABLES: dict[str, tuple[str, str]] = {
    "quiz_attempts": ("quiz answer", "quiz answers"),
    "review_cards": ("review card", "review cards"),
    "quiz_sessions": ("quiz session", "quiz sessions"),
    "drill_attempts": ("drill attempt", "drill attempts"),
    "state": ("drill state entry", "drill state entries"),
    "exams": ("mock exam", "mock exams"),
}
# The columns the store reads back as JSON and as timestamps: a salvaged row must parse.
_JSON_COLUMNS = {
    "quiz_attempts": ("picked",),
    "review_cards": ("card",),
    "quiz_sessions": ("spec", "state"),
    "drill_attempts": ("diagnoses", "extra"),
    "state": ("value",),
    "exams": ("spec", "state"),
}
_TIME_COLUMNS = {
    "quiz_attempts": ("answered_at",),
    "review_cards": ("due",),
    "quiz_sessions": ("created_at", "updated_at", "finished_at"),
    "drill_attempts": ("created_at",),
    "state": ("updated_at",),
    "exams": ("started_at", "updated_at", "finished_at"),
}

_GROUPS = ("topic", "section", "question_id")


# A drill attempt's status while its run is under way, and once a run was cut off before it ended.
RUNNING, INTERRUPTED = "running", "interrupted"


class DatabaseRecoveredWarning(UserWarning):
    """A damaged database file was set aside and a fresh one started."""


class StoreError(UsageError):
    """The database cannot be used as it is, and setting it aside would be wrong."""


class _Damaged(Exception):
    """``PRAGMA quick_check`` found the file inconsistent."""


@dataclass(frozen=True)
class Notice:
    """Something a UI should tell the learner about their data: a short title and one line."""

    title: str
    message: str


@dataclass(frozen=True)
class QuizAttempt:
    id: int
    question_id: str
    topic: str
    section: str
    correct: bool
    credit: float
    picked: list[int]
    answered_at: datetime
    duration_s: float | None
    session_id: int | None


@dataclass(frozen=True)
class QuizSessionRecord:
    id: int
    spec: dict[str, Any]
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class DrillAttempt:
    id: int
    drill_id: str
    status: str
    score: float
    max_score: float
    diagnoses: list[str]
    duration_s: float | None
    file_path: str | None
    created_at: datetime
    extra: Any


@dataclass(frozen=True)
class ExamRecord:
    id: int
    spec: dict[str, Any]
    state: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def _stamp(moment: datetime | None = None) -> str:
    # One fixed UTC format, so that text order is time order in SQL comparisons.
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds")


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _moment(text: str) -> datetime:
    """A stamp from a NOT NULL column."""
    return datetime.fromisoformat(text)


def _new_id(cursor: sqlite3.Cursor) -> int:
    # An INSERT always sets lastrowid; it is None only for a cursor that inserted nothing.
    if cursor.lastrowid is None:
        raise RuntimeError("the insert recorded no row id")
    return cursor.lastrowid


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    name: str | None = getattr(error, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(error) is sqlite3.DatabaseError


class Store:
    def __init__(self, path: str | Path | None = None, *, timeout: float = 10.0):
        self.path = Path(path) if path is not None else database_path()
        self.timeout = timeout
        self.notices: list[Notice] = []
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._prepare()
        except (sqlite3.DatabaseError, _Damaged) as error:
            if isinstance(error, sqlite3.DatabaseError) and not _is_damage(error):
                raise
            self.close()
            aside = self._set_aside()
            if aside is None:
                # Another process set it aside first, and salvages it into the new file itself.
                self._prepare()
            else:
                self._report_salvage(_reason(error), aside, self._prepare(salvage_from=aside))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # Not shared between threads; check_same_thread is off only so that close() can run anywhere.
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # In WAL mode NORMAL loses no committed data on a crash of the process, only on power loss.
            connection.execute("PRAGMA synchronous = NORMAL")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _prepare(self, salvage_from: Path | None = None) -> Salvage:
        """Check the file, bring its schema up to date and, into a new file, copy what ``salvage_from`` still holds."""
        connection = self._connection()
        connection.execute("PRAGMA journal_mode = WAL")
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise _Damaged(verdict)
        with self.transaction() as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this dli-drill's {SCHEMA_VERSION}; "
                    "upgrade dli-drill to use it"
                )
            if version < SCHEMA_VERSION:
                for statements in MIGRATIONS[version:]:
                    for statement in statements:
                        connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            if salvage_from is None:
                return Salvage(())
            return salvage(salvage_from, connection, tuple(TABLES), _readable_row)

    def _set_aside(self) -> Path | None:
        """Rename the damaged file (and its -wal and -shm); its new path, or None when another process moved it first."""
        moment = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{moment}")
        moved = False
        # The -wal and -shm files keep their suffix after the new name, where SQLite looks for them.
        for suffix in ("", "-wal", "-shm"):
            # Missing: never created, or another process set it aside first.
            with suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").rename(f"{target}{suffix}")
                moved = moved or suffix == ""
        return target if moved else None

    def _report_salvage(self, reason: str, aside: Path, saved: Salvage) -> None:
        found = f"The database {self.path} was damaged ({reason}) and was moved to {aside}."
        if saved.complete:
            title = "Database recovered"
            outcome = f"Every row was copied into a new one: {_kept(saved)}." if saved.kept else "It held nothing to copy."
        elif saved.kept:
            title = "Database partly recovered"
            outcome = f"A new one holds what could still be read: kept {_kept(saved)}; lost {_lost(saved)}."
        else:
            title = "Database could not be recovered"
            known = _listing([_count(table.lost, table.table) for table in saved.tables if table.lost])
            outcome = "Nothing in it could be read, so a new one was started" + (f"; lost {known}." if known else ".")
        notice = Notice(title, f"{found} {outcome}")
        self.notices.append(notice)
        warnings.warn(notice.message, DatabaseRecoveredWarning, stacklevel=3)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; calls made inside it (on this thread) join it."""
        connection = self._connection()
        if connection.in_transaction:
            yield connection
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _query(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, parameters).fetchall()

    # Quiz attempts

    def record_quiz_attempt(
        self,
        question_id: str,
        topic: str,
        section: str,
        correct: bool,
        credit: float,
        picked: Sequence[int],
        duration_s: float | None = None,
        session_id: int | None = None,
        answered_at: datetime | None = None,
    ) -> int:
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO quiz_attempts (question_id, topic, section, correct, credit, picked, answered_at,"
                " duration_s, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (question_id, topic, section, int(correct), credit, json.dumps(list(picked)),
                 _stamp(answered_at), duration_s, session_id),
            )
            return _new_id(cursor)

    def quiz_attempts(self, question_id: str | None = None, session_id: int | None = None) -> list[QuizAttempt]:
        rows = self._query(
            "SELECT * FROM quiz_attempts WHERE (?1 IS NULL OR question_id = ?1) AND (?2 IS NULL OR session_id = ?2)"
            " ORDER BY id",
            (question_id, session_id),
        )
        return [
            QuizAttempt(
                id=row["id"], question_id=row["question_id"], topic=row["topic"], section=row["section"],
                correct=bool(row["correct"]), credit=row["credit"], picked=json.loads(row["picked"]),
                answered_at=_moment(row["answered_at"]), duration_s=row["duration_s"], session_id=row["session_id"],
            )
            for row in rows
        ]

    def quiz_totals(self, by: str = "topic") -> dict[str, tuple[int, int]]:
        """``{topic|section|question_id: (attempts, correct)}`` over every quiz attempt."""
        if by not in _GROUPS:
            raise ValueError(f"by must be one of {', '.join(_GROUPS)}")
        rows = self._query(f"SELECT {by} AS key, COUNT(*) AS n, SUM(correct) AS ok FROM quiz_attempts GROUP BY {by}")
        return {row["key"]: (row["n"], row["ok"]) for row in rows}

    # Review cards (the store keeps each card as the scheduler's JSON dict)

    def review_card(self, question_id: str) -> dict[str, Any] | None:
        rows = self._query("SELECT card FROM review_cards WHERE question_id = ?", (question_id,))
        return json.loads(rows[0]["card"]) if rows else None

    def put_review_card(self, question_id: str, card: Mapping[str, Any], due: datetime) -> None:
        with self.transaction() as connection:
            connection.execute(
                "INSERT INTO review_cards (question_id, card, due) VALUES (?, ?, ?)"
                " ON CONFLICT (question_id) DO UPDATE SET card = excluded.card, due = excluded.due",
                (question_id, json.dumps(card), _stamp(due)),
            )

    def review_due_dates(self) -> dict[str, datetime]:
        """Every card's due date, soonest first."""
        rows = self._query("SELECT question_id, due FROM review_cards ORDER BY due, question_id")
        return {row["question_id"]: _moment(row["due"]) for row in rows}

    # Quiz sessions

    def create_quiz_session(self, spec: dict[str, Any], state: dict[str, Any]) -> int:
        now = _stamp()
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO quiz_sessions (spec, state, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (json.dumps(spec), json.dumps(state), now, now),
            )
            return _new_id(cursor)

    def save_quiz_session(self, session_id: int, state: dict[str, Any], finished: bool = False) -> None:
        now = _stamp()
        with self.transaction() as connection:
            connection.execute(
                "UPDATE quiz_sessions SET state = ?, updated_at = ?, finished_at = ? WHERE id = ?",
                (json.dumps(state), now, now if finished else None, session_id),
            )

    def quiz_session(self, session_id: int) -> QuizSessionRecord | None:
        rows = self._query("SELECT * FROM quiz_sessions WHERE id = ?", (session_id,))
        return self._session_record(rows[0]) if rows else None

    def latest_unfinished_quiz_session(self) -> QuizSessionRecord | None:
        rows = self._query("SELECT * FROM quiz_sessions WHERE finished_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 1")
        return self._session_record(rows[0]) if rows else None

    @staticmethod
    def _session_record(row: sqlite3.Row) -> QuizSessionRecord:
        return QuizSessionRecord(
            id=row["id"], spec=json.loads(row["spec"]), state=json.loads(row["state"]),
            created_at=_moment(row["created_at"]), updated_at=_moment(row["updated_at"]),
            finished_at=_parse(row["finished_at"]),
        )

    # Drill attempts

    def record_drill_attempt(
        self,
        drill_id: str,
        status: str,
        score: float,
        max_score: float,
        diagnoses: Sequence[str],
        duration_s: float | None,
        file_path: str | Path | None,
        extra: Any = None,
        created_at: datetime | None = None,
    ) -> int:
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO drill_attempts (drill_id, status, score, max_score, diagnoses, duration_s, file_path,"
                " created_at, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (drill_id, status, score, max_score, json.dumps(list(diagnoses)), duration_s,
                 str(file_path) if file_path is not None else None, _stamp(created_at),
                 json.dumps(extra) if extra is not None else None),
            )
            return _new_id(cursor)

    def begin_drill_attempt(self, drill_id: str, max_score: float, file_path: str | Path | None, extra: Any = None) -> int:
        """Record a run as it starts, as ``running`` with no score: it is in the history from the first
        moment, whatever happens to the caller; :meth:`finish_drill_attempt` fills in the result."""
        return self.record_drill_attempt(drill_id, RUNNING, 0.0, max_score, [], None, file_path, extra=extra)

    def finish_drill_attempt(
        self, attempt_id: int, status: str, score: float, max_score: float, diagnoses: Sequence[str], duration_s: float | None,
        extra: Any = None,
    ) -> None:
        with self.transaction() as connection:
            connection.execute(
                "UPDATE drill_attempts SET status = ?, score = ?, max_score = ?, diagnoses = ?, duration_s = ?, extra = ? WHERE id = ?",
                (status, score, max_score, json.dumps(list(diagnoses)), duration_s,
                 json.dumps(extra) if extra is not None else None, attempt_id),
            )

    def discard_drill_attempt(self, attempt_id: int) -> None:
        """Remove a run that turned out to be a usage error (it is not an attempt)."""
        with self.transaction() as connection:
            connection.execute("DELETE FROM drill_attempts WHERE id = ? AND status = ?", (attempt_id, RUNNING))

    def interrupt_running_attempts(self, *, owner: int | None = None, started_before: datetime | None = None) -> int:
        """Mark ``running`` attempts as ``interrupted``: those of process ``owner`` (an app that quits mid-run),
        or those started before a moment no run can outlast (a process that was killed). Returns how many."""
        rows = self._query("SELECT id, extra, created_at FROM drill_attempts WHERE status = ?", (RUNNING,))
        stale = [
            row["id"] for row in rows
            if (owner is not None and _owner(row["extra"]) == owner)
            or (started_before is not None and row["created_at"] < _stamp(started_before))
        ]
        with self.transaction() as connection:
            connection.executemany("UPDATE drill_attempts SET status = ? WHERE id = ? AND status = ?",
                                   [(INTERRUPTED, attempt_id, RUNNING) for attempt_id in stale])
        return len(stale)

    def drill_attempts(self, drill_id: str | None = None) -> list[DrillAttempt]:
        """Attempts in the order they were made, of one drill or of all."""
        rows = self._query("SELECT * FROM drill_attempts WHERE ?1 IS NULL OR drill_id = ?1 ORDER BY id", (drill_id,))
        return [self._drill_attempt(row) for row in rows]

    def latest_drill_attempt(self, drill_id: str) -> DrillAttempt | None:
        rows = self._query("SELECT * FROM drill_attempts WHERE drill_id = ? ORDER BY id DESC LIMIT 1", (drill_id,))
        return self._drill_attempt(rows[0]) if rows else None

    @staticmethod
    def _drill_attempt(row: sqlite3.Row) -> DrillAttempt:
        return DrillAttempt(
            id=row["id"], drill_id=row["drill_id"], status=row["status"], score=row["score"],
            max_score=row["max_score"], diagnoses=json.loads(row["diagnoses"]), duration_s=row["duration_s"],
            file_path=row["file_path"], created_at=_moment(row["created_at"]),
            extra=json.loads(row["extra"]) if row["extra"] is not None else None,
        )

    # Mock exams

    def create_exam(self, spec: dict[str, Any], state: dict[str, Any], started_at: datetime) -> int:
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO exams (spec, state, started_at, updated_at) VALUES (?, ?, ?, ?)",
                (json.dumps(spec), json.dumps(state), _stamp(started_at), _stamp()),
            )
            return _new_id(cursor)

    def save_exam(self, exam_id: int, state: dict[str, Any], finished_at: datetime | None = None) -> None:
        with self.transaction() as connection:
            connection.execute(
                "UPDATE exams SET state = ?, updated_at = ?, finished_at = ? WHERE id = ?",
                (json.dumps(state), _stamp(), _stamp(finished_at) if finished_at else None, exam_id),
            )

    def exam(self, exam_id: int) -> ExamRecord | None:
        rows = self._query("SELECT * FROM exams WHERE id = ?", (exam_id,))
        return self._exam_record(rows[0]) if rows else None

    def latest_unfinished_exam(self) -> ExamRecord | None:
        rows = self._query("SELECT * FROM exams WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1")
        return self._exam_record(rows[0]) if rows else None

    def exams(self) -> list[ExamRecord]:
        """Every exam, finished or not, oldest first."""
        return [self._exam_record(row) for row in self._query("SELECT * FROM exams ORDER BY id")]

    @staticmethod
    def _exam_record(row: sqlite3.Row) -> ExamRecord:
        return ExamRecord(
            id=row["id"], spec=json.loads(row["spec"]), state=json.loads(row["state"]),
            started_at=_moment(row["started_at"]), updated_at=_moment(row["updated_at"]),
            finished_at=_parse(row["finished_at"]),
        )

    # Small per-drill state (hint levels, debug-drill draws), JSON values

    def get_state(self, key: str, default: Any = None) -> Any:
        rows = self._query("SELECT value FROM state WHERE key = ?", (key,))
        return json.loads(rows[0]["value"]) if rows else default

    def set_state(self, key: str, value: Any) -> None:
        with self.transaction() as connection:
            connection.execute(
                "INSERT INTO state (key, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, json.dumps(value), _stamp()),
            )


def _owner(extra: str | None) -> Any:
    """The process that recorded a running attempt (kept in its extra data)."""
    data = json.loads(extra) if extra else None
    return data.get("owner") if isinstance(data, dict) else None


def _reason(error: Exception) -> str:
    """SQLite's complaint on one line, without quick_check's "*** in database main ***" banner."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip() and not line.startswith("***")]
    return "; ".join(lines) or type(error).__name__


def _readable_row(table: str, row: dict[str, Any]) -> bool:
    """Whether a salvaged row can be read back: its JSON and timestamps parse."""
    try:
        for column in _JSON_COLUMNS[table]:
            if row.get(column) is not None:
                json.loads(row[column])
        for column in _TIME_COLUMNS[table]:
            if row.get(column) is not None:
                datetime.fromisoformat(row[column])
    except (TypeError, ValueError):
        return False
    return True


def _count(number: int, table: str) -> str:
    singular, plural = TABLES[table]
    return f"{number} {singular if number == 1 else plural}"


def _listing(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)


def _kept(saved: Salvage) -> str:
    return _listing([_count(table.kept, table.table) for table in saved.tables if table.kept])


def _lost(saved: Salvage) -> str:
    return _listing([
        _count(table.lost, table.table) if table.lost is not None else f"the {TABLES[table.table][1]} (how many is unknown)"
        for table in saved.tables
        if table.lost != 0
    ])


def open_store(report: TextIO) -> Store:
    """Open the default store for a command; a damaged database that was set aside is
    reported on ``report`` as one plain warning line instead of a Python warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatabaseRecoveredWarning)
        store = Store()
    for notice in store.notices:
        print(f"warning: {notice.message}", file=report)
    return store
