"""The mock-exam engine on a fake clock: composition, timing, expiry, resume and scoring. No sleeps."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest

from engine.drills.catalog import get_drill
from engine.exam.compose import ExamError, ExamSpec, compose
from engine.exam.items import DRILL, QUESTION, result_of
from engine.exam.session import Exam, TimeUp
from engine.store import Store

LIMIT = 45 * 60


def right(presented) -> list[int]:
    return [i for i, choice in enumerate(presented.choices) if choice.correct]


def wrong(presented) -> list[int]:
    return [next(i for i, choice in enumerate(presented.choices) if not choice.correct)]


def start(bank, store, clock, grader, drills, **spec) -> Exam:
    spec = ExamSpec(**{"seed": 7, "questions_per_topic": 2, "drills": 1, **spec})
    return Exam.start(bank, store, spec, clock, drills=drills, grader=grader)


def answer_until_drill(exam: Exam, clock, seconds: float = 10.0) -> None:
    while (presented := exam.current_item) is not None and presented.question is not None:
        clock.advance(seconds)
        exam.answer_question(right(presented))


# Composition


def test_the_same_seed_composes_the_same_exam(bank, drills):
    spec = ExamSpec(seed=11, questions_per_topic=2, drills=2)
    first, second = compose(bank, drills, spec), compose(bank, drills, spec)
    assert [(i.kind, i.ref) for i in first] == [(i.kind, i.ref) for i in second]
    others = [[i.ref for i in compose(bank, drills, ExamSpec(seed=seed, questions_per_topic=2, drills=2))] for seed in range(12, 20)]
    assert any(refs != [i.ref for i in first] for refs in others)


def test_composition_takes_so_many_questions_per_topic_then_the_drills(bank, drills):
    items = compose(bank, drills, ExamSpec(seed=3, questions_per_topic=2, drills=2))
    questions = [i for i in items if i.kind == QUESTION]
    assert Counter(i.topic for i in questions) == {"ddpm": 2, "unet": 2, "cfg": 2}
    assert [i.kind for i in items[-2:]] == [DRILL, DRILL] and len(items) == 8
    assert {i.ref for i in items[-2:]} <= {d.id for d in drills}
    assert all(i.max_points == 1.0 for i in questions) and all(i.max_points == 5.0 for i in items[-2:])


def test_composition_caps_at_what_exists_and_filters_by_topic(bank, drills):
    items = compose(bank, drills, ExamSpec(seed=1, questions_per_topic=9, drills=9, topics=("cfg", "unet")))
    assert Counter(i.topic for i in items if i.kind == QUESTION) == {"cfg": 3, "unet": 4}
    assert [i.ref for i in items if i.kind == DRILL] == ["fake_block"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ExamSpec(seed=1, topics=("shapes",)), "no questions on shapes"),
        (ExamSpec(seed=1, drill_ids=("nope",)), "no drill called nope"),
        (ExamSpec(seed=1, questions_per_topic=0, drills=0), "would ask nothing"),
    ],
)
def test_composition_refuses_what_cannot_be_asked(bank, drills, spec, message):
    with pytest.raises(ExamError, match=message):
        compose(bank, drills, spec)


def test_a_spec_refuses_impossible_limits():
    with pytest.raises(ExamError):
        ExamSpec(minutes=0)
    with pytest.raises(ExamError):
        ExamSpec(drills=-1)


def test_start_draws_a_seed_when_none_is_given(bank, store, clock, grader, drills):
    exam = Exam.start(bank, store, ExamSpec(questions_per_topic=1, drills=0), clock, drills=drills, grader=grader)
    assert isinstance(exam.spec.seed, int)
    assert store.exam(exam.id).spec["seed"] == exam.spec.seed


# Timing


def test_each_item_is_timed_over_all_its_visits(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    first = exam.current_item
    clock.advance(30)
    exam.skip()
    second = exam.current_item
    clock.advance(50)
    exam.answer_question(right(second))
    exam.goto(first.index)
    clock.advance(12)
    exam.answer_question(wrong(first))
    assert exam.items[first.index].time_s == 42
    assert exam.items[second.index].time_s == 50
    assert exam.time_used() == 92 and exam.time_left() == LIMIT - 92
    assert exam.result().durations[first.index] == (first.item.ref, 42)


def test_grading_time_counts_for_the_drill(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    answer_until_drill(exam, clock)
    drill_index = exam.current_item.index
    grader.queue(exam.current_item.item.ref, 10)
    grader.grading_s = 3
    clock.advance(100)
    exam.submit_drill(store.path)  # any existing file will do for the fake grader
    assert exam.items[drill_index].time_s == 103


def test_a_clock_that_goes_backwards_adds_no_time(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    clock.advance(20)
    exam.skip()
    clock.advance(-500)
    exam.skip()
    assert exam.time_used() == 20


# Expiry


def test_an_answer_after_the_deadline_submits_the_exam_and_is_not_recorded(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills, minutes=2)
    clock.advance(30)
    exam.answer_question(right(exam.current_item))
    late = exam.current_item
    clock.advance(200)
    assert exam.is_expired() and exam.time_left() == 0
    with pytest.raises(TimeUp) as stop:
        exam.answer_question(right(late))
    result = stop.value.result
    assert exam.finished and result.auto_submitted and result.finished
    assert result.time_used_s == 120 and result.answered == 1 and result.points == 1
    assert exam.items[late.index].time_s == 90  # capped at the deadline
    assert len(store.quiz_attempts()) == 1
    assert store.latest_unfinished_exam() is None and store.exam(exam.id).finished_at is not None


def test_a_timer_tick_submits_an_exam_whose_time_is_up(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills, minutes=1)
    clock.advance(59)
    assert exam.check_time() is False
    clock.advance(1)
    assert exam.check_time() is True and exam.result().auto_submitted
    assert exam.current_item is None
    with pytest.raises(ExamError, match="submitted"):
        exam.skip()


def test_a_drill_submitted_in_time_counts_even_if_grading_ends_late(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills, minutes=5)
    answer_until_drill(exam, clock)
    grader.queue(exam.current_item.item.ref, 10)
    grader.grading_s = 600
    exam.submit_drill(store.path)
    assert exam.finished and exam.auto_submitted
    assert exam.result().points == exam.result().max_points


# Persistence and resume


def test_resume_after_a_crash_keeps_counting_the_time_away(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    clock.advance(600)
    exam.answer_question(right(exam.current_item))
    clock.advance(300)  # the process dies here, without a pause
    with Store(store.path) as other:
        back = Exam.resume(other, bank, clock, drills=drills, grader=grader)
        assert back.id == exam.id and not back.finished
        assert back.time_left() == LIMIT - 900
        assert [i.ref for i in back.items] == [i.ref for i in exam.items]
        assert back.current == exam.current and back.items[0].answered


def test_a_paused_exam_resumes_with_the_time_it_had_left(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    clock.advance(600)
    exam.answer_question(right(exam.current_item))
    clock.advance(40)
    exam.pause()
    assert exam.paused
    clock.advance(86_400)
    back = Exam.resume(store, bank, clock, drills=drills, grader=grader)
    assert back.time_left() == LIMIT - 640
    clock.advance(100)
    assert back.time_left() == LIMIT - 740
    second = back.current
    back.answer_question(right(back.current_item))
    assert back.items[second].time_s == 140 and back.items[second].answered


def test_an_exam_that_ran_out_while_away_comes_back_submitted(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills, minutes=10)
    exam.answer_question(right(exam.current_item))
    clock.advance(3600)
    back = Exam.resume(store, bank, clock, drills=drills, grader=grader)
    assert back.finished and back.auto_submitted and back.result().time_used_s == 600
    assert Exam.resume(store, bank, clock, drills=drills, grader=grader) is None


def test_resume_finds_nothing_when_no_exam_is_open(bank, store, clock, grader, drills):
    assert Exam.resume(store, bank, clock, drills=drills, grader=grader) is None


def test_a_stored_exam_scores_the_same_without_the_bank(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    clock.advance(40)
    exam.answer_question(right(exam.current_item))
    result = exam.finish()
    assert result_of(store.exam(exam.id)) == result


# Answering and scoring


def test_the_score_breaks_down_by_topic(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills, questions_per_topic=1, drill_ids=("fake_forward",))
    for index, item in enumerate(exam.items):
        if item.kind == QUESTION:
            exam.goto(index)
            clock.advance(20)
            presented = exam.current_item
            exam.answer_question(right(presented) if item.topic != "cfg" else wrong(presented))
    assert exam.current_item.drill.id == "fake_forward"
    grader.queue("fake_forward", 6, diagnoses=("fake_forward.bug",))
    clock.advance(300)
    exam.submit_drill(store.path)
    result = exam.finish()
    assert (result.points, result.max_points) == (5.0, 8.0) and result.percent == 62.5
    by_topic = {score.topic: score for score in result.by_topic}
    assert [score.topic for score in result.by_topic] == ["ddpm", "cfg", "unet"]
    ddpm = by_topic["ddpm"]
    assert (ddpm.points, ddpm.max_points, ddpm.questions, ddpm.correct, ddpm.drills, ddpm.drills_passed) == (4.0, 6.0, 1, 1, 1, 0)
    assert ddpm.time_s == 320
    assert (by_topic["cfg"].points, by_topic["cfg"].correct, by_topic["unet"].percent) == (0.0, 0, 100.0)
    drill_item = next(i for i in result.items if i.kind == DRILL)
    assert (drill_item.points, drill_item.status, drill_item.diagnoses) == (3.0, "fail", ["fake_forward.bug"])


def test_the_latest_drill_submission_is_the_one_that_counts(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    answer_until_drill(exam, clock)
    ref = exam.current_item.item.ref
    grader.queue(ref, 2)
    grader.queue(ref, 10)
    exam.submit_drill(store.path)
    exam.submit_drill(store.path, device="cpu")
    item = exam.items[exam.current]
    assert (item.points, item.status, item.submissions) == (5.0, "pass", 2)
    assert grader.calls[-1] == (ref, store.path, "cpu")


def test_marks_are_sealed_until_submission_then_join_the_learners_history(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    clock.advance(25)
    presented = exam.current_item
    exam.answer_question(wrong(presented))
    answered_at = clock.now
    answer_until_drill(exam, clock)
    grader.queue(exam.current_item.item.ref, 10, diagnoses=())
    exam.submit_drill(store.path)
    submitted_at = clock.now
    # Nothing of an unfinished exam reaches the history or the review schedule.
    assert store.quiz_attempts() == [] and store.drill_attempts() == [] and store.review_due_dates() == {}
    assert store.quiz_totals() == {}

    clock.advance(100)
    exam.finish()
    attempts = store.quiz_attempts()
    assert len(attempts) == sum(item.kind == QUESTION for item in exam.items)
    first = attempts[0]
    assert (first.question_id, first.correct, first.duration_s) == (presented.item.ref, False, 25)
    assert first.answered_at.timestamp() == answered_at
    # Reviewed when marked, which is when the learner learns the verdict.
    assert store.review_card(presented.item.ref)["last_review"] == datetime.fromtimestamp(clock.now, timezone.utc).isoformat()
    [drill_attempt] = store.drill_attempts()
    assert drill_attempt.extra == {"exam": exam.id} and drill_attempt.status == "pass"
    assert drill_attempt.created_at.timestamp() == submitted_at
    exam.finish()
    assert len(store.quiz_attempts()) == len(attempts) and len(store.drill_attempts()) == 1


def test_sealed_marks_survive_a_pause_and_are_released_when_time_runs_out(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    clock.advance(5)
    exam.answer_question(right(exam.current_item))
    exam.pause()
    with Store(store.path) as other:
        back = Exam.resume(other, bank, clock, drills=drills, grader=grader)
        assert other.quiz_attempts() == []
        clock.advance(LIMIT)
        assert back.check_time()
        [attempt] = other.quiz_attempts()
        assert attempt.correct and other.review_card(attempt.question_id) is not None


def test_presented_choices_are_shuffled_by_the_seed_and_mapped_back(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    presented = exam.current_item
    question = presented.question
    assert sorted(c.text for c in presented.choices) == sorted(c.text for c in question.choices)
    item = exam.answer_question(right(presented))
    assert item.correct and set(item.picked) == question.correct_indices


@pytest.mark.parametrize(("positions", "message"), [([], "at least one"), ([9], "numbered 1 to 4"), ([0, 1], "exactly one")])
def test_impossible_answers_are_refused(bank, store, clock, grader, drills, positions, message):
    exam = start(bank, store, clock, grader, drills, topics=("unet",))
    with pytest.raises(ExamError, match=message):
        exam.answer_question(positions)
    assert not store.quiz_attempts()


def test_answers_are_final_and_kinds_are_checked(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills)
    first = exam.current_item
    exam.answer_question(right(first))
    exam.goto(first.index)
    with pytest.raises(ExamError, match="already answered"):
        exam.answer_question(right(first))
    with pytest.raises(ExamError, match="not a drill"):
        exam.submit_drill(store.path)
    exam.skip()
    answer_until_drill(exam, clock)
    with pytest.raises(ExamError, match="not a question"):
        exam.answer_question([0])
    with pytest.raises(ExamError, match="no file to grade"):
        exam.submit_drill()


def test_navigation_ends_when_everything_is_answered(bank, store, clock, grader, drills):
    exam = start(bank, store, clock, grader, drills, questions_per_topic=1)
    assert (exam.current_item.number, exam.current_item.total) == (1, 4)
    answer_until_drill(exam, clock)
    exam.skip()  # the drill is the only unanswered item: it stays current
    assert exam.current_item.drill is not None
    grader.queue(exam.current_item.item.ref, 1)
    exam.submit_drill(store.path)
    exam.skip()
    assert exam.current_item is None and not exam.finished
    with pytest.raises(ExamError, match="numbered 1 to 4"):
        exam.goto(4)
    assert exam.finish().answered == 4 and exam.finish() == exam.result()


def test_a_drill_file_is_written_from_the_starter_apart_from_practice_files(bank, store, clock, grader, tmp_path):
    drill = get_drill("forward_diffusion")
    practice = tmp_path / "workspace" / "forward_diffusion.py"
    practice.parent.mkdir()
    practice.write_text("# my practice answer\n")
    exam = Exam.start(bank, store, ExamSpec(seed=1, questions_per_topic=0, drills=1), clock, drills=[drill], grader=grader)
    path = exam.prepare_drill(tmp_path / "workspace")
    assert path == tmp_path / "workspace" / f"exam-{exam.id}" / "forward_diffusion.py"
    assert path.read_text() == drill.starter_path.read_text()
    assert practice.read_text() == "# my practice answer\n"
    path.write_text("# edited in the exam\n")
    assert exam.prepare_drill(tmp_path / "elsewhere") == path and path.read_text() == "# edited in the exam\n"
    grader.queue("forward_diffusion", 10)
    exam.submit_drill()
    assert grader.calls == [("forward_diffusion", path, None)]


def test_questions_removed_from_the_bank_are_voided_on_resume(bank, store, clock, grader, drills, tmp_path):
    from engine.quiz.bank import Bank

    exam = start(bank, store, clock, grader, drills, questions_per_topic=1)
    exam.pause()
    gone = exam.items[0].ref
    smaller = Bank(q for q in bank if q.id != gone)
    back = Exam.resume(store, smaller, clock, drills=drills, grader=grader)
    assert back.items[0].max_points == 0 and back.items[0].answered
    assert back.current_item.item.ref != gone
