"""engine.overview: what the home and progress screens summarise, without any UI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine import overview
from engine.drills import progress
from engine.drills.catalog import get_drill
from engine.store import Store

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)
DRILLS = tuple(get_drill(drill_id) for drill_id in ("linear_beta_schedule", "forward_diffusion", "sample_ddpm"))


@pytest.fixture
def store(drill_home):
    with Store() as opened:
        yield opened


@pytest.fixture
def bank():
    from engine.quiz.bank import load_bank

    return load_bank()


def answer(store: Store, question, correct: bool, when: datetime = NOW) -> None:
    store.record_quiz_attempt(question.id, question.topic, question.section, correct, float(correct), [0], answered_at=when)


def test_next_drill_prefers_one_already_begun(store):
    assert overview.next_drill(store, DRILLS) == (DRILLS[0], progress.NEW)
    progress.mark_started(store, DRILLS[2])
    assert overview.next_drill(store, DRILLS) == (DRILLS[2], progress.STARTED)
    for drill in DRILLS:
        store.record_drill_attempt(drill.id, "pass", 1.0, 1.0, [], 1.0, None)
    assert overview.next_drill(store, DRILLS) == (None, progress.DONE)


def test_streak_counts_consecutive_days_and_survives_a_quiet_morning(store, bank):
    question = next(iter(bank))
    assert overview.streak(store, NOW) == 0
    for days_ago in (1, 2, 3, 5):
        answer(store, question, True, NOW - timedelta(days=days_ago))
    assert overview.streak(store, NOW) == 3
    answer(store, question, False, NOW)
    assert overview.streak(store, NOW) == 4
    assert overview.streak(store, NOW + timedelta(days=2)) == 0


def test_weakest_topic_is_the_least_mastered_and_untouched_counts_as_weak(store, bank):
    rows = overview.mastery(store, bank, DRILLS, NOW)
    assert overview.weakest_topic(rows).name == rows[0].name
    for question in bank:
        if question.topic == rows[0].name:
            answer(store, question, True)
    rows = overview.mastery(store, bank, DRILLS, NOW)
    assert overview.weakest_topic(rows).name != rows[0].name
    assert overview.weakest_topic(()) is None


def test_due_reviews_and_the_unfinished_quiz(store, bank):
    from engine.quiz.session import QuizSession, SessionSpec

    question = next(iter(bank))
    store.put_review_card(question.id, {}, NOW - timedelta(hours=1))
    store.put_review_card("gone-from-the-bank", {}, NOW - timedelta(hours=1))
    assert overview.due_reviews(store, bank, NOW) == [question.id]

    session = QuizSession.start(bank, store, SessionSpec(count=3, seed=1), now=NOW)
    assert overview.unfinished_quiz(store, bank) == overview.UnfinishedQuiz(session.id, 0, 3)
    for _ in range(3):
        presented = session.current()
        if presented.choices:
            session.answer([0], now=NOW)
        else:  # a typed question of the shipped bank
            session.answer_typed(presented.question.answer, now=NOW)
    assert overview.unfinished_quiz(store, bank) is None


def test_histories_over_time(store, bank):
    question = next(iter(bank))
    for correct in (False, True, True):
        answer(store, question, correct)
    store.record_drill_attempt("forward_diffusion", "fail", 3.0, 12.0, [], 1.0, None)
    store.record_drill_attempt("forward_diffusion", "pass", 12.0, 12.0, [], 1.0, None)
    assert overview.topic_history(store) == {question.topic: [0.0, 1.0, 1.0]}
    records = {record.drill.id: record for record in overview.drill_records(store, DRILLS)}
    assert records["forward_diffusion"].scores == [0.25, 1.0] and records["forward_diffusion"].best == 1.0
    assert records["sample_ddpm"].best is None and records["sample_ddpm"].status == progress.NEW
    assert overview.rolling_mean([0.0, 1.0, 1.0, 0.0], 2) == [0.0, 0.5, 1.0, 0.5]


def test_the_overview_puts_it_together(store, bank):
    summary = overview.overview(store, bank, DRILLS, NOW)
    assert summary.due == [] and summary.streak == 0 and summary.unfinished_quiz is None
    assert summary.next_drill == DRILLS[0]
    assert [row.name for row in summary.mastery][:2] == ["ddpm", "schedules"]


def test_an_exam_in_progress_shows_its_progress_and_time_but_no_marks(store, bank):
    from engine.exam.compose import ExamSpec
    from engine.exam.session import Exam

    moment = [NOW.timestamp()]
    exam = Exam.start(bank, store, ExamSpec(minutes=30, seed=1, questions_per_topic=1, drills=0), lambda: moment[0])
    for _ in range(2):
        moment[0] += 60
        presented = exam.current_item
        if presented.choices:
            exam.answer_question([next(i for i, c in enumerate(presented.choices) if c.correct)])
        else:
            exam.answer_typed(presented.question.answer)
    moment[0] += 60
    exam.pause()
    later = NOW + timedelta(hours=5)
    summary = overview.overview(store, bank, DRILLS, later)
    assert summary.unfinished_exam == overview.UnfinishedExam(exam.id, 2, len(exam.items), 27 * 60)
    assert summary.due == [] and summary.streak == 0
    assert sum(row.attempts for row in summary.mastery) == 0 and overview.topic_history(store) == {}

    # Left running (the process was killed), its time keeps going until it is up.
    Exam.resume(store, bank, lambda: moment[0])
    assert overview.unfinished_exam(store, datetime.fromtimestamp(moment[0] + 100, timezone.utc)).time_left_s == 27 * 60 - 100
    assert overview.unfinished_exam(store, later).time_left_s == 0
    Exam.resume(store, bank, lambda: later.timestamp())
    assert overview.unfinished_exam(store, later) is None
    assert len(store.quiz_attempts()) == 2 and overview.streak(store, later) == 1
