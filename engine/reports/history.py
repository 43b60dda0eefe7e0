"""The learner's history, aggregated for a report from the store, the quiz bank and the drill catalog.

Mastery of a topic or lesson section is the mean of two shares, over the parts it has: the
share of its bank questions whose latest answer was right (an unanswered question counts as not
mastered), and the share of its drills passed at least once. Accuracy is plain: right answers
over all answers. Days are UTC days, so a report reads the same wherever it is rendered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any

from engine.drills.catalog import Drill, all_drills
from engine.drills.results import PASS
from engine.exam.items import ExamResult, result_of
from engine.quiz.bank import Bank, BankError, load_bank
from engine.quiz.blank_code import BLANK, shown
from engine.quiz.catalog import SECTIONS, TOPICS
from engine.quiz.models import TypedQuestion
from engine.quiz.typed import judge
from engine.reports.advice import Advice, study_next
from engine.reports.rehearsals import NO_REHEARSALS, RehearsalHistory, rehearsal_history
from engine.store import DrillAttempt, ExamRecord, QuizAttempt, Store

MAX_BUGS = 8
MAX_MISSED = 10
PROMPT_CHARS = 140


@dataclass(frozen=True)
class Summary:
    quiz_answers: int
    quiz_correct: int
    questions_seen: int
    questions_mastered: int
    bank_size: int
    drills_total: int
    drills_passed: int
    drill_attempts: int
    exams_taken: int
    best_exam_percent: float | None
    reviews_due: int
    active_days: int
    first_activity: datetime | None
    last_activity: datetime | None

    @property
    def quiz_accuracy(self) -> float | None:
        return 100.0 * self.quiz_correct / self.quiz_answers if self.quiz_answers else None


@dataclass(frozen=True)
class Mastery:
    """One topic or lesson section."""

    name: str
    questions_total: int
    questions_seen: int
    questions_mastered: int
    attempts: int
    correct: int
    drills_total: int
    drills_passed: int

    @property
    def accuracy(self) -> float | None:
        return 100.0 * self.correct / self.attempts if self.attempts else None

    @property
    def percent(self) -> float:
        shares = []
        if self.questions_total:
            shares.append(self.questions_mastered / self.questions_total)
        if self.drills_total:
            shares.append(self.drills_passed / self.drills_total)
        return 100.0 * sum(shares) / len(shares) if shares else 0.0


@dataclass(frozen=True)
class DayPoint:
    day: date
    quiz_answers: int
    quiz_percent: float | None
    drill_attempts: int
    drill_percent: float | None
    exam_percent: float | None


@dataclass(frozen=True)
class DrillRow:
    drill_id: str
    title: str
    topic: str
    attempts: int
    passed: bool
    best_percent: float
    last_status: str
    last_at: datetime


@dataclass(frozen=True)
class BugRow:
    drill_id: str
    drill_title: str
    key: str
    title: str
    explanation: str
    hint: str
    count: int
    last_seen: datetime


@dataclass(frozen=True)
class MissedQuestion:
    """A question answered wrong at least once. For a typed question, ``blank`` is its line with the
    blank, ``answer`` what the course writes there, and ``last_typed`` and ``mistake`` what the
    learner typed last and what that answer was recognised as (empty when unknown)."""

    question_id: str
    topic: str
    section: str
    prompt: str
    misses: int
    attempts: int
    last_correct: bool
    blank: str = ""
    answer: str = ""
    last_typed: str = ""
    mistake: str = ""


@dataclass(frozen=True)
class History:
    generated_at: datetime
    summary: Summary
    topics: tuple[Mastery, ...]
    sections: tuple[Mastery, ...]
    days: tuple[DayPoint, ...]
    drills: tuple[DrillRow, ...]
    bugs: tuple[BugRow, ...]
    missed: tuple[MissedQuestion, ...]
    exams: tuple[ExamResult, ...]
    exams_in_progress: int
    advice: tuple[Advice, ...]
    notes: tuple[str, ...]
    rehearsals: RehearsalHistory = NO_REHEARSALS

    @property
    def empty(self) -> bool:
        return not (self.summary.quiz_answers or self.summary.drill_attempts or self.exams or self.rehearsals.rows)


def one_line(markdown: str, limit: int = PROMPT_CHARS) -> str:
    """The first paragraph of a Markdown prompt as one short line (code blocks dropped)."""
    words = []
    for line in markdown.strip().splitlines():
        if line.lstrip().startswith("```") or not line.strip():
            break
        words += line.split()
    text = " ".join(words).replace("**", "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _share(part: float, whole: float) -> float | None:
    return 100.0 * part / whole if whole else None


def collect(
    store: Store, bank: Bank | None = None, drills: Sequence[Drill] | None = None, now: datetime | None = None
) -> History:
    now = now or datetime.now(timezone.utc)
    notes = []
    if bank is None:
        try:
            bank = load_bank()
        except BankError:
            bank = Bank(())
            notes.append("The quiz bank could not be loaded, so questions are shown by id only.")
    drills = tuple(drills) if drills is not None else all_drills()
    quiz = store.quiz_attempts()
    attempts = store.drill_attempts()
    records = store.exams()
    exams = tuple(result_of(record) for record in records if record.finished_at is not None)

    latest = {attempt.question_id: attempt for attempt in quiz}
    passed = {attempt.drill_id for attempt in attempts if attempt.status == PASS}
    topics = _mastery("topic", TOPICS, bank, quiz, latest, drills, passed)
    sections = _mastery("section", SECTIONS, bank, quiz, latest, drills, passed)
    moments = [a.answered_at for a in quiz] + [a.created_at for a in attempts] + [e.started_at for e in exams]
    summary = Summary(
        quiz_answers=len(quiz),
        quiz_correct=sum(attempt.correct for attempt in quiz),
        questions_seen=len(latest),
        questions_mastered=sum(attempt.correct for attempt in latest.values()),
        bank_size=len(bank),
        drills_total=len(drills),
        drills_passed=len(passed & {drill.id for drill in drills}),
        drill_attempts=len(attempts),
        exams_taken=len(exams),
        best_exam_percent=max((exam.percent for exam in exams), default=None),
        reviews_due=sum(due <= now for due in store.review_due_dates().values()),
        active_days=len({_day(moment) for moment in moments}),
        first_activity=min(moments, default=None),
        last_activity=max(moments, default=None),
    )
    drill_rows = _drill_rows(attempts, drills)
    bugs = _bugs(attempts, drills)
    history = History(
        generated_at=now,
        summary=summary,
        topics=topics,
        sections=sections,
        days=_days(quiz, attempts, exams),
        drills=drill_rows,
        bugs=bugs,
        missed=_missed(quiz, bank, _typed_answers(store, quiz, records)),
        exams=exams,
        exams_in_progress=len(records) - len(exams),
        advice=(),
        notes=tuple(notes),
        rehearsals=rehearsal_history(store),
    )
    return replace(history, advice=study_next(history, drills))


def _day(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def _mastery(
    key: str,
    names: Iterable[str],
    bank: Bank,
    quiz: list[QuizAttempt],
    latest: dict[str, QuizAttempt],
    drills: Sequence[Drill],
    passed: set[str],
) -> tuple[Mastery, ...]:
    """One row per topic or section that has questions, drills or answers, in the catalog's order."""
    in_bank = {question.id: getattr(question, key) for question in bank}
    rows = []
    for name in names:
        # A question answered but since dropped from the bank still counts as seen, not in the total.
        total = sum(value == name for value in in_bank.values())
        answered = [a for a in quiz if getattr(a, key) == name]
        last = [a for qid, a in latest.items() if getattr(a, key) == name]
        own = [drill.id for drill in drills if getattr(drill, key) == name]
        if not (total or answered or own):
            continue
        rows.append(
            Mastery(
                name=name,
                questions_total=total,
                questions_seen=len(last),
                questions_mastered=sum(a.correct for a in last if a.question_id in in_bank),
                attempts=len(answered),
                correct=sum(a.correct for a in answered),
                drills_total=len(own),
                drills_passed=len(passed & set(own)),
            )
        )
    return tuple(rows)


def _days(quiz: list[QuizAttempt], attempts: list[DrillAttempt], exams: tuple[ExamResult, ...]) -> tuple[DayPoint, ...]:
    # Per day: each answer's correctness, each drill run's share of points, each exam's percent.
    by_day: dict[date, tuple[list[bool], list[float], list[float]]] = {}
    for answer in quiz:
        by_day.setdefault(_day(answer.answered_at), ([], [], []))[0].append(answer.correct)
    for attempt in attempts:
        share = attempt.score / attempt.max_score if attempt.max_score else 0.0
        by_day.setdefault(_day(attempt.created_at), ([], [], []))[1].append(share)
    for exam in exams:
        by_day.setdefault(_day(exam.started_at), ([], [], []))[2].append(exam.percent)
    return tuple(
        DayPoint(
            day=day,
            quiz_answers=len(answers),
            quiz_percent=_share(sum(answers), len(answers)),
            drill_attempts=len(shares),
            drill_percent=_share(sum(shares), len(shares)),
            exam_percent=max(percents, default=None),
        )
        for day, (answers, shares, percents) in sorted(by_day.items())
    )


def _drill_rows(attempts: list[DrillAttempt], drills: Sequence[Drill]) -> tuple[DrillRow, ...]:
    by_drill: dict[str, list[DrillAttempt]] = {}
    for attempt in attempts:
        by_drill.setdefault(attempt.drill_id, []).append(attempt)
    known = {drill.id: drill for drill in drills}
    # Catalog order first, then drills that have left the catalog since.
    order = [drill.id for drill in drills if drill.id in by_drill] + sorted(set(by_drill) - set(known))
    rows = []
    for drill_id in order:
        tries = by_drill[drill_id]
        drill = known.get(drill_id)
        rows.append(
            DrillRow(
                drill_id=drill_id,
                title=drill.title if drill else drill_id,
                topic=drill.topic if drill else "",
                attempts=len(tries),
                passed=any(a.status == PASS for a in tries),
                best_percent=max(100.0 * a.score / a.max_score if a.max_score else 0.0 for a in tries),
                last_status=tries[-1].status,
                last_at=tries[-1].created_at,
            )
        )
    return tuple(rows)


def _bugs(attempts: list[DrillAttempt], drills: Sequence[Drill]) -> tuple[BugRow, ...]:
    counts: Counter[tuple[str, str]] = Counter()
    last_seen: dict[tuple[str, str], datetime] = {}
    for attempt in attempts:
        for key in attempt.diagnoses:
            counts[attempt.drill_id, key] += 1
            last_seen[attempt.drill_id, key] = attempt.created_at
    known = {drill.id: drill for drill in drills}
    rows = []
    for (drill_id, key), count in counts.items():
        drill = known.get(drill_id)
        bug = next((bug for bug in drill.bugs if bug.key == key), None) if drill else None
        rows.append(
            BugRow(
                drill_id=drill_id,
                drill_title=drill.title if drill else drill_id,
                key=key,
                title=bug.title if bug else key,
                explanation=bug.explanation if bug else "This bug is no longer in the drill's catalog.",
                hint=bug.hint if bug else "",
                count=count,
                last_seen=last_seen[drill_id, key],
            )
        )
    rows.sort(key=lambda row: (-row.count, -row.last_seen.timestamp(), row.key))
    return tuple(rows[:MAX_BUGS])


def _missed(quiz: list[QuizAttempt], bank: Bank, typed: dict[str, str]) -> tuple[MissedQuestion, ...]:
    tries: dict[str, list[QuizAttempt]] = {}
    for attempt in quiz:
        tries.setdefault(attempt.question_id, []).append(attempt)
    rows = []
    for qid, answers in tries.items():
        misses = [a for a in answers if not a.correct]
        if not misses:
            continue
        question = bank.get(qid)
        row = MissedQuestion(
            question_id=qid,
            topic=answers[-1].topic,
            section=answers[-1].section,
            prompt=one_line(question.prompt) if question else qid,
            misses=len(misses),
            attempts=len(answers),
            last_correct=answers[-1].correct,
        )
        if isinstance(question, TypedQuestion):
            row = _with_blank(row, question, typed.get(qid, ""))
        rows.append((-len(misses), -misses[-1].answered_at.timestamp(), row))
    rows.sort(key=lambda row: (*row[:2], row[2].question_id))
    return tuple(row[2] for row in rows[:MAX_MISSED])


def _with_blank(row: MissedQuestion, question: TypedQuestion, last_typed: str) -> MissedQuestion:
    verdict = judge(question, last_typed) if last_typed else None
    mistake = verdict.feedback.title if verdict is not None and verdict.feedback is not None else ""
    return replace(row, blank=shown(question.code, BLANK), answer=question.answer, last_typed=last_typed, mistake=mistake)


def _typed_answers(store: Store, quiz: list[QuizAttempt], records: Sequence[ExamRecord]) -> dict[str, str]:
    """The text of every typed question's latest answer, read from the quiz session or the mock exam
    that asked it (the attempts table keeps only whether it was right)."""
    latest: dict[str, str] = {}
    sessions: dict[int, dict[str, Any]] = {}
    exams = sorted((record for record in records if record.state.get("items")), key=lambda record: record.started_at)
    for attempt in quiz:
        if attempt.session_id is not None:
            if attempt.session_id not in sessions:
                record = store.quiz_session(attempt.session_id)
                sessions[attempt.session_id] = record.state.get("outcomes", {}) if record else {}
            text = sessions[attempt.session_id].get(attempt.question_id, {}).get("typed")
        else:
            text = _exam_answer(exams, attempt)
        if text:
            latest[attempt.question_id] = text
    return latest


def _exam_answer(exams: Sequence[ExamRecord], attempt: QuizAttempt) -> str | None:
    """The typed text of an exam attempt: from the latest exam begun before it that answered the question."""
    for record in reversed(exams):
        if record.started_at <= attempt.answered_at:
            for item in record.state["items"]:
                if item.get("ref") == attempt.question_id and item.get("typed"):
                    return str(item["typed"])
    return None
