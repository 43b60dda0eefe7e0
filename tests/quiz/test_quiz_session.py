"""Sessions: selection, determinism, answering, scoring, resuming, and FSRS review."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating

from engine.quiz import review
from engine.quiz.session import EmptySelection, QuizSession, SessionSpec, choice_order, score_answer
from engine.store import Store

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)


def ids(session: QuizSession) -> list[str]:
    return [question.id for question in session.questions]


def answer_right(session: QuizSession, **kwargs):
    presented = session.current()
    positions = [i for i, choice in enumerate(presented.choices) if choice.correct]
    return session.answer(positions, **kwargs)


def answer_wrong(session: QuizSession, **kwargs):
    presented = session.current()
    return session.answer([next(i for i, choice in enumerate(presented.choices) if not choice.correct)], **kwargs)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (SessionSpec(topics=("unet",), count=50), {f"unet-gn-{i}" for i in range(6)}),
        (SessionSpec(sections=("ddpm.loss",), count=50), {"ddpm-loss-multi"}),
        (SessionSpec(difficulties=(1,), count=50), {"ddpm-fwd-0", "ddpm-fwd-3", "unet-gn-0", "unet-gn-3"}),
        (SessionSpec(tags=("closed-form",), count=50), {"ddpm-fwd-1", "ddpm-fwd-3"}),
        (SessionSpec(tags=("closed-form", "norm"), difficulties=(2,), count=50), {"ddpm-fwd-1", "unet-gn-1", "unet-gn-4"}),
        (SessionSpec(topics=("ddpm", "unet"), sections=("unet.groupnorm",), difficulties=(3,), count=50), {"unet-gn-2", "unet-gn-5"}),
    ],
)
def test_filters(small_bank, store, spec, expected):
    assert set(ids(QuizSession.start(small_bank, store, spec))) == expected


def test_count_limits_the_draw(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(count=5, seed=3))
    assert len(session.questions) == 5 == len(set(ids(session)))


def test_nothing_matches(small_bank, store):
    with pytest.raises(EmptySelection):
        QuizSession.start(small_bank, store, SessionSpec(topics=("cfg",)))


def test_count_must_be_positive():
    with pytest.raises(ValueError):
        SessionSpec(count=0)


def test_same_seed_same_session(small_bank, store):
    first = QuizSession.start(small_bank, store, SessionSpec(count=6, seed=42))
    second = QuizSession.start(small_bank, store, SessionSpec(count=6, seed=42))
    assert ids(first) == ids(second)
    assert first.current().choices == second.current().choices


def test_seeds_differ(small_bank, store):
    draws = {tuple(ids(QuizSession.start(small_bank, store, SessionSpec(count=6, seed=seed)))) for seed in range(5)}
    assert len(draws) > 1
    orders = {tuple(choice_order(seed, small_bank["ddpm-loss-multi"])) for seed in range(20)}
    assert len(orders) > 1


def test_a_seed_is_chosen_and_saved_when_none_is_given(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(count=3))
    assert session.spec.seed is not None
    assert store.quiz_session(session.id).spec["seed"] == session.spec.seed


def test_answer_gives_feedback_in_presented_order(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(topics=("unet",), count=1, seed=1))
    presented = session.current()
    result = answer_wrong(session)
    assert not result.correct and result.credit == 0
    assert [f.text for f in result.feedback] == [c.text for c in presented.choices]
    assert [f.why for f in result.feedback] == [c.why for c in presented.choices]
    assert sum(f.picked for f in result.feedback) == 1
    assert not next(f for f in result.feedback if f.picked).correct
    assert result.explanation == presented.question.explanation


@pytest.mark.parametrize("positions", [[], [3], [-1], [0, 1]])
def test_invalid_answers_are_refused(small_bank, store, positions):
    session = QuizSession.start(small_bank, store, SessionSpec(topics=("unet",), count=1, seed=1))
    with pytest.raises(ValueError):
        session.answer(positions)
    assert store.quiz_attempts() == []
    assert session.current() is not None


@pytest.mark.parametrize(
    ("picked", "correct", "credit"),
    [
        ({0, 1}, True, 1.0),
        ({0}, False, 0.5),
        ({0, 2}, False, 0.0),
        ({0, 1, 2}, False, 0.5),
        ({0, 1, 2, 3}, False, 0.0),
        ({2}, False, 0.0),
    ],
)
def test_multi_answer_scoring(small_bank, picked, correct, credit):
    assert score_answer(small_bank["ddpm-loss-multi"], picked) == (correct, credit)


def test_session_score_and_attempts(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(sections=("ddpm.loss", "unet.groupnorm"), count=3, seed=5))
    answer_right(session, duration_s=4.0)
    answer_wrong(session)
    presented = session.current()
    if presented.question.multi:
        session.answer([next(i for i, c in enumerate(presented.choices) if c.correct)])
        expected_credit = 1.5
    else:
        answer_wrong(session)
        expected_credit = 1.0
    assert session.finished and session.current() is None
    score = session.score()
    assert (score.answered, score.correct, score.total, score.credit) == (3, 1, 3, expected_credit)
    attempts = store.quiz_attempts(session_id=session.id)
    assert [a.question_id for a in attempts] == ids(session)
    assert [a.correct for a in attempts] == [True, False, False]
    assert attempts[0].duration_s == 4.0
    assert store.quiz_session(session.id).finished_at is not None
    with pytest.raises(ValueError):
        session.answer([0])


def test_resume_carries_on_where_it_stopped(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(count=4, seed=9))
    answer_right(session)
    answer_wrong(session)
    waiting = session.current()

    resumed = QuizSession.resume(small_bank, Store(), None)
    assert resumed.id == session.id
    assert ids(resumed) == ids(session)
    assert resumed.current() == waiting
    assert resumed.score() == session.score()
    answer_right(resumed)
    answer_right(resumed)
    assert resumed.finished
    assert QuizSession.resume(small_bank, store) is None
    assert QuizSession.resume(small_bank, store, session.id).finished


def test_resume_drops_questions_gone_from_the_bank(small_bank, store, bank_dir, bank_writer, make_question):
    session = QuizSession.start(small_bank, store, SessionSpec(topics=("unet",), count=6, seed=2))
    answer_right(session)
    bank_writer("unet", [make_question(qid, "unet.groupnorm") for qid in ids(session)[:3]])
    from engine.quiz.bank import load_bank

    resumed = QuizSession.resume(load_bank(bank_dir), store)
    assert ids(resumed) == ids(session)[:3]
    assert resumed.score().answered == 1


def test_fsrs_ratings():
    assert review.rating_for(False, 1.0) == Rating.Again
    assert review.rating_for(True, 5.0) == Rating.Good
    assert review.rating_for(True, None) == Rating.Good
    assert review.rating_for(True, review.SLOW_SECONDS + 1) == Rating.Hard


def test_every_answer_updates_the_card(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(topics=("unet",), count=2, seed=4))
    first, second = ids(session)
    right = answer_right(session, now=NOW)
    wrong = answer_wrong(session, now=NOW)
    assert NOW < wrong.due < right.due
    dates = store.review_due_dates()
    assert list(dates) == [second, first]
    assert dates[first] == right.due
    card_before = store.review_card(first)
    assert card_before["last_review"] is not None
    assert review.update_card(store, first, True, 3.0, now=right.due) > right.due
    assert store.review_card(first)["stability"] > card_before["stability"]


def test_review_draws_due_questions_first_then_weakest_topic(small_bank, store):
    for qid, correct in [("unet-gn-0", False), ("unet-gn-1", False), ("ddpm-fwd-0", True), ("ddpm-fwd-1", True)]:
        question = small_bank[qid]
        store.record_quiz_attempt(qid, question.topic, question.section, correct, float(correct), [0], 2.0, None, NOW)
        review.update_card(store, qid, correct, 2.0, now=NOW)
    later = NOW + timedelta(hours=1)
    # The failed cards come back after ten minutes; the passed ones days later.
    assert all(store.review_due_dates()[qid] <= later for qid in ("unet-gn-0", "unet-gn-1"))

    session = QuizSession.start(small_bank, store, SessionSpec(review=True, count=8, seed=1), now=later)
    chosen = ids(session)
    assert set(chosen[:2]) == {"unet-gn-0", "unet-gn-1"}
    assert {small_bank[qid].topic for qid in chosen[2:6]} == {"unet"}
    # Then the stronger topic, its unseen questions before those scheduled days ahead.
    assert set(chosen[6:8]) <= {"ddpm-fwd-2", "ddpm-fwd-3", "ddpm-fwd-4", "ddpm-loss-multi"}


def test_review_order_puts_unseen_before_scheduled_within_a_topic(small_bank, store):
    review.update_card(store, "unet-gn-0", True, 2.0, now=NOW)
    order = review.review_order([q for q in small_bank if q.topic == "unet"], store, NOW, random.Random(0))
    assert order[-1].id == "unet-gn-0"


@pytest.fixture
def typed_bank(bank_dir, bank_writer, make_typed, make_question):
    from engine.quiz.bank import load_bank

    bank_writer("ddpm", [make_typed("t-1"), make_question("q-1")])
    return load_bank(bank_dir)


def test_a_typed_answer_is_judged_recorded_and_saved(typed_bank, store):
    session = QuizSession.start(typed_bank, store, SessionSpec(count=2, seed=1))
    while session.current().question.id != "t-1":
        answer_right(session)
    assert session.current().choices == []
    result = session.answer_typed("c * (w + 1) - u * w", duration_s=3.0, now=NOW)
    assert result.correct and result.credit == 1.0 and result.feedback == []
    assert result.typed.accepted and result.typed.line == "e = c * (w + 1) - u * w"
    attempt = store.quiz_attempts(question_id="t-1")[-1]
    assert attempt.correct and attempt.picked == [] and attempt.duration_s == 3.0
    saved = store.quiz_session(session.id).state["outcomes"]["t-1"]
    assert saved == {"picked": [], "typed": "c * (w + 1) - u * w", "diagnosis": None, "correct": True, "credit": 1.0}


def test_a_wrong_typed_answer_keeps_its_diagnosis(typed_bank, store):
    session = QuizSession.start(typed_bank, store, SessionSpec(sections=("ddpm.forward",), count=2, seed=1))
    while session.current().question.id != "t-1":
        answer_right(session)
    result = session.answer_typed("u + w * (c - u)")
    assert not result.correct and result.credit == 0.0 and not result.partial
    assert result.typed.feedback.key == "guidance.lessons_form"
    assert store.quiz_session(session.id).state["outcomes"]["t-1"]["diagnosis"] == "guidance.lessons_form"
    resumed = QuizSession.resume(typed_bank, store, session.id)
    assert resumed.score() == session.score()


def test_answers_of_the_wrong_kind_are_refused(typed_bank, store):
    session = QuizSession.start(typed_bank, store, SessionSpec(count=2, seed=1))
    presented = session.current()
    with pytest.raises(ValueError):
        if presented.question.id == "t-1":
            session.answer([0])
        else:
            session.answer_typed("0")
    if presented.question.id == "t-1":
        with pytest.raises(ValueError, match="type what goes in the blank"):
            session.answer_typed("   ")
    assert store.quiz_attempts() == []


def test_partial_credit_is_only_meaningful_with_multi_answer_questions(small_bank, typed_bank, store):
    assert not QuizSession.start(typed_bank, store, SessionSpec(count=2, seed=1)).score().partial
    assert QuizSession.start(small_bank, store, SessionSpec(sections=("ddpm.loss",), count=1, seed=1)).score().partial
