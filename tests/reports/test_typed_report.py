"""Typed questions in the report: a missed one shows its line with the blank, what the course writes,
and what the learner typed last, from a quiz session or from a mock exam."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.exam.compose import ExamSpec
from engine.exam.session import Exam
from engine.quiz.bank import load_bank
from engine.quiz.session import QuizSession, SessionSpec
from engine.reports.history import collect
from engine.reports.render import render

NOW = datetime(2025, 2, 1, 12, 0, tzinfo=timezone.utc)


def typed(qid: str, code: str, answer: str, wrong: str, title: str) -> dict:
    return {
        "id": qid, "kind": "typed", "section": "course.assessment", "difficulty": 1, "prompt": f"Fill the blank of {qid}.",
        "code": code, "answer": answer,
        "mistakes": [{"answer": wrong, "key": f"course.{qid.replace('-', '_')}", "title": title, "explanation": "e"}],
        "explanation": "x",
    }


@pytest.fixture
def bank(tmp_path: Path):
    folder = tmp_path / "bank"
    folder.mkdir()
    questions = [
        typed("loss-blank", "return F.____(noise, noise_pred)", "mse_loss", "l1_loss", "Absolute error"),
        typed("mask-blank", "c_mask = torch.____(keep)", "bernoulli", "rand_like", "Uniform numbers & no mask"),
    ]
    (folder / "course.json").write_text(json.dumps({"topic": "course", "questions": questions}), encoding="utf-8")
    return load_bank(folder)


@pytest.fixture
def history(bank, store):
    start = datetime(2025, 1, 30, 9, 0, tzinfo=timezone.utc)
    session = QuizSession.start(bank, store, SessionSpec(count=2, seed=1), now=start)
    for _ in range(2):
        question = session.current().question
        session.answer_typed("l1_loss" if question.id == "loss-blank" else "bernoulli", now=start)
    clock = [datetime(2025, 1, 31, 9, 0, tzinfo=timezone.utc).timestamp()]
    exam = Exam.start(bank, store, ExamSpec(minutes=5, seed=2, questions_per_topic=2, drills=0), lambda: clock[0], drills=[])
    while (presented := exam.current_item) is not None:
        clock[0] += 30
        exam.answer_typed("torch.rand_like" if presented.question.id == "mask-blank" else "mse_loss")
    exam.finish()
    return collect(store, bank, [], now=NOW)


def test_missed_typed_questions_carry_the_blank_and_the_last_answer(history):
    rows = {row.question_id: row for row in history.missed}
    assert set(rows) == {"loss-blank", "mask-blank"}
    loss = rows["loss-blank"]
    assert (loss.blank, loss.answer, loss.last_typed, loss.mistake, loss.last_correct) == (
        "return F.____(noise, noise_pred)", "mse_loss", "mse_loss", "", True
    )
    mask = rows["mask-blank"]
    # The exam's answer is the later one; `torch.rand_like` is not a name, so it is no catalogued mistake.
    assert (mask.last_typed, mask.last_correct, mask.mistake) == ("torch.rand_like", False, "Not something this blank can hold")


def test_both_formats_show_the_blank(history):
    html = render(history, "html")
    assert "<code>c_mask = torch.____(keep)</code>: the course writes <code>bernoulli</code>" in html
    assert "you typed <code>torch.rand_like</code>" in html
    markdown = render(history, "md")
    assert "`c_mask = torch.____(keep)`: the course writes `bernoulli`; you typed `torch.rand_like`" in markdown


def test_a_title_is_escaped_in_html(bank, store):
    session = QuizSession.start(bank, store, SessionSpec(topics=("course",), count=2, seed=1), now=NOW)
    for _ in range(2):
        question = session.current().question
        session.answer_typed("rand_like" if question.id == "mask-blank" else "mse_loss", now=NOW)
    html = render(collect(store, bank, [], now=NOW), "html")
    assert "(Uniform numbers &amp; no mask)" in html
