"""Aggregating the seeded history (see conftest.py for what the learner did)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.reports.history import one_line


def test_summary(history):
    s = history.summary
    assert (s.quiz_answers, s.quiz_correct, round(s.quiz_accuracy, 2)) == (7, 3, 42.86)
    assert (s.questions_seen, s.questions_mastered, s.bank_size) == (5, 3, 8)
    assert (s.drills_total, s.drills_passed, s.drill_attempts) == (3, 1, 5)
    assert (s.exams_taken, round(s.best_exam_percent, 1), s.reviews_due, s.active_days) == (1, 41.7, 1, 3)
    assert (s.first_activity.date(), s.last_activity.date()) == (date(2025, 1, 6), date(2025, 1, 10))
    assert not history.empty and history.notes == ()


def test_mastery_by_topic_and_section(history):
    topics = {row.name: row for row in history.topics}
    assert list(topics) == ["ddpm", "cfg", "unet"]  # the catalog's topic order
    assert (topics["ddpm"].questions_mastered, topics["ddpm"].questions_total, topics["ddpm"].drills_passed) == (2, 4, 1)
    assert topics["ddpm"].percent == 75.0
    assert round(topics["unet"].percent, 2) == 16.67 and topics["cfg"].percent == 0.0
    assert (topics["ddpm"].attempts, topics["ddpm"].correct, topics["ddpm"].accuracy) == (4, 2, 50.0)
    sections = {row.name: row for row in history.sections}
    assert list(sections) == ["ddpm.forward", "cfg.sampling", "unet.groupnorm", "unet.residual_block"]
    assert sections["ddpm.forward"].percent == 75.0 and round(sections["unet.groupnorm"].percent) == 33
    assert (sections["unet.residual_block"].questions_total, sections["unet.residual_block"].percent) == (0, 0.0)


def test_scores_over_time(history):
    days = [(d.day, d.quiz_answers, d.quiz_percent, d.drill_attempts, d.drill_percent, d.exam_percent) for d in history.days]
    assert days[0] == (date(2025, 1, 6), 4, 50.0, 1, pytest.approx(40.0), None)
    assert days[1][:4] == (date(2025, 1, 8), 2, 50.0, 3) and days[1][4] == pytest.approx(160 / 3)
    assert days[2][:5] == (date(2025, 1, 10), 1, 0.0, 1, 50.0) and round(days[2][5], 1) == 41.7


def test_drill_attempts_and_the_bugs_made_most_often(history):
    rows = [(r.drill_id, r.attempts, r.passed, r.best_percent, r.last_status) for r in history.drills]
    assert rows == [("fake_forward", 3, True, 100.0, "pass"), ("fake_block", 1, False, 0.0, "error"),
                    ("fake_cfg", 1, False, 50.0, "fail")]
    bugs = [(b.key, b.count, b.title, b.drill_title) for b in history.bugs]
    assert bugs == [("fwd.a", 2, "Title of fwd.a", "Title of fake_forward"), ("cfgd.a", 1, "Title of cfgd.a", "Title of fake_cfg"),
                    ("fwd.b", 1, "Title of fwd.b", "Title of fake_forward")]
    assert history.bugs[0].explanation == "Explanation of fwd.a, with `code`." and history.bugs[0].hint == "Hint of fwd.a."


def test_questions_missed_most_often(history):
    missed = [(m.question_id, m.misses, m.attempts, m.last_correct) for m in history.missed]
    assert missed == [("ddpm-0", 2, 3, True), ("cfg-0", 1, 1, False), ("unet-1", 1, 1, False)]
    assert history.missed[0].prompt == "What is `q(x_t | x_0)` in closed form?"


def test_mock_exams_with_their_time_use(history):
    (exam,) = history.exams
    assert (exam.points, exam.max_points, exam.time_used_s, exam.time_limit_s) == (2.5, 6.0, 150, 600)
    assert [(t.topic, t.points, t.time_s) for t in exam.by_topic] == [("cfg", 2.5, 150)]
    assert history.exams_in_progress == 0


def test_what_to_study_next(history):
    assert [(a.title, a.command) for a in history.advice] == [
        ("Review what is due", "drill quiz --review"),
        ("Break the habit: Title of fwd.a", "drill run fake_forward"),
        ("Finish Title of fake_block", "drill hint fake_block"),
        ("Finish Title of fake_cfg", "drill hint fake_cfg"),
        ("Strengthen cfg", "drill quiz --topic cfg"),
        ("Strengthen unet", "drill quiz --topic unet"),
    ]
    assert history.advice[0].detail.startswith("1 question is due")
    assert history.advice[1].detail == "Seen 2 times in Title of fake_forward. Hint of fwd.a."


def test_an_empty_history_suggests_a_start(empty_history):
    assert empty_history.empty and empty_history.summary.quiz_accuracy is None
    assert [a.command for a in empty_history.advice] == ["drill start fake_forward", "drill quiz --count 10", "drill exam --minutes 45"]


def test_an_unloadable_bank_is_a_note_not_an_error(seeded, drills, monkeypatch):
    from engine.quiz.bank import BankError, Problem
    from engine.reports import history as module

    def broken():
        raise BankError([Problem("x.json", "-", "-", "broken")])

    monkeypatch.setattr(module, "load_bank", broken)
    report = module.collect(seeded, drills=drills)
    assert report.notes and report.missed[0].prompt == "ddpm-0"


@pytest.mark.parametrize(
    ("markdown", "line"),
    [("Plain **bold** prompt?", "Plain bold prompt?"), ("Two\nlines.\n\nNext paragraph", "Two lines."),
     ("Code:\n```python\nx\n```", "Code:"), ("x" * 200, "x" * 139 + "…")],
)
def test_one_line(markdown, line):
    assert one_line(markdown) == line


def test_a_topic_without_drills_is_advised_on_its_questions_alone(seeded, bank, drills, history):
    from engine.reports.history import collect

    report = collect(seeded, bank, [drill for drill in drills if drill.topic != "cfg"], now=history.generated_at)
    [advice] = [a for a in report.advice if a.title == "Strengthen cfg"]
    assert advice.detail == "Mastery 0%: 0 of 1 questions right at the last answer."
    [unet] = [a for a in report.advice if a.title == "Strengthen unet"]
    assert unet.detail.endswith(", 0 of 1 drills passed.")


def test_an_unfinished_exam_changes_nothing_in_the_report(seeded, bank, drills, history):
    from engine.drills.results import PASS, Check, RunResult
    from engine.exam.compose import ExamSpec
    from engine.exam.session import Exam
    from engine.reports.history import collect

    moment = [history.generated_at.timestamp() - 600]
    exam = Exam.start(bank, seeded, ExamSpec(minutes=30, seed=4, questions_per_topic=1, drills=1, topics=("unet",)),
                      lambda: moment[0], drills=drills,
                      grader=lambda *args, **kwargs: RunResult("fake_block", PASS, [Check("f", "formula", PASS, "ok", 1, 1)]))
    exam.answer_question([next(i for i, c in enumerate(exam.current_item.choices) if c.correct)])
    exam.submit_drill(seeded.path)
    exam.pause()

    during = collect(seeded, bank, drills, now=history.generated_at)
    assert during.summary == history.summary and during.topics == history.topics and during.advice == history.advice
    assert during.exams == history.exams and during.exams_in_progress == 1
