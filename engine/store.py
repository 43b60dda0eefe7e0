"""The learner's data: one SQLite file, ``engine.paths.database_path()`` unless told otherwise.

Sharing: the app and a CLI in another terminal may use the file at once. The journal is WAL, every
connection waits for a lock (``busy_timeout``) instead of failing, and every write is a short
``BEGIN IMMEDIATE`` transaction. A Store keeps one connection per thread, so that a Textual worker
thread can use it too.

Damage: when SQLite reports the file as corrupt or not a database, or ``PRAGMA quick_check`` fails,
the file (with its ``-wal`` and ``-shm``) is renamed to ``<name>.corrupt-<timestamp>``, a
:class:`DatabaseRecoveredWarning` is issued, the notice is kept in ``Store.notices`` for a UI to
show, and a fresh database takes its place. Nothing is deleted. A busy or locked database is not
damage: that error propagates.

Versioning: ``PRAGMA user_version`` counts the migrations applied; ``MIGRATIONS[i]`` takes the
schema from version ``i`` to ``i + 1``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from engine.errors import UsageError
from engine.paths import database_path

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

_GROUPS = ("topic", "section", "question_id")


class DatabaseRecoveredWarning(UserWarning):
    """A damaged database file was set aside and a fresh one started."""


class StoreError(UsageError):
    """The database cannot be used as it is, and setting it aside would be wrong."""


class _Damaged(Exception):
    """``PRAGMA quick_check`` found the file inconsistent."""


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


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    name = getattr(error, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return type(error) is sqlite3.DatabaseError


class Store:
    def __init__(self, path: str | Path | None = None, *, timeout: float = 10.0):
        self.path = Path(path) if path is not None else database_path()
        self.timeout = timeout
        self.notices: list[str] = []
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
            self._set_aside(str(error))
            self._prepare()

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

    def _prepare(self) -> None:
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

    def _set_aside(self, reason: str) -> None:
        moment = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{moment}")
        # The -wal and -shm files keep their suffix after the new name, where SQLite looks for them.
        for suffix in ("", "-wal", "-shm"):
            # Missing: never created, or another process set it aside first.
            with suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").rename(f"{target}{suffix}")
        notice = f"The database {self.path} was damaged ({reason}). It was moved to {target} and a new one was started."
        self.notices.append(notice)
        warnings.warn(notice, DatabaseRecoveredWarning, stacklevel=3)

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
            return cursor.lastrowid

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
                answered_at=_parse(row["answered_at"]), duration_s=row["duration_s"], session_id=row["session_id"],
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

    def put_review_card(self, question_id: str, card: dict[str, Any], due: datetime) -> None:
        with self.transaction() as connection:
            connection.execute(
                "INSERT INTO review_cards (question_id, card, due) VALUES (?, ?, ?)"
                " ON CONFLICT (question_id) DO UPDATE SET card = excluded.card, due = excluded.due",
                (question_id, json.dumps(card), _stamp(due)),
            )

    def review_due_dates(self) -> dict[str, datetime]:
        """Every card's due date, soonest first."""
        rows = self._query("SELECT question_id, due FROM review_cards ORDER BY due, question_id")
        return {row["question_id"]: _parse(row["due"]) for row in rows}

    # Quiz sessions

    def create_quiz_session(self, spec: dict[str, Any], state: dict[str, Any]) -> int:
        now = _stamp()
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO quiz_sessions (spec, state, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (json.dumps(spec), json.dumps(state), now, now),
            )
            return cursor.lastrowid

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
            created_at=_parse(row["created_at"]), updated_at=_parse(row["updated_at"]),
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
            return cursor.lastrowid

    def drill_attempts(self, drill_id: str | None = None) -> list[DrillAttempt]:
        """Attempts in the order they were made, of one drill or of all."""
        rows = self._query("SELECT * FROM drill_attempts WHERE ?1 IS NULL OR drill_id = ?1 ORDER BY id", (drill_id,))
        return [
            DrillAttempt(
                id=row["id"], drill_id=row["drill_id"], status=row["status"], score=row["score"],
                max_score=row["max_score"], diagnoses=json.loads(row["diagnoses"]), duration_s=row["duration_s"],
                file_path=row["file_path"], created_at=_parse(row["created_at"]),
                extra=json.loads(row["extra"]) if row["extra"] is not None else None,
            )
            for row in rows
        ]

    # Mock exams

    def create_exam(self, spec: dict[str, Any], state: dict[str, Any], started_at: datetime) -> int:
        with self.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO exams (spec, state, started_at, updated_at) VALUES (?, ?, ?, ?)",
                (json.dumps(spec), json.dumps(state), _stamp(started_at), _stamp()),
            )
            return cursor.lastrowid

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
            started_at=_parse(row["started_at"]), updated_at=_parse(row["updated_at"]),
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


def open_store(report: TextIO) -> Store:
    """Open the default store for a command; a damaged database that was set aside is
    reported on ``report`` as one plain warning line instead of a Python warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatabaseRecoveredWarning)
        store = Store()
    for notice in store.notices:
        print(f"warning: {notice}", file=report)
    return store
