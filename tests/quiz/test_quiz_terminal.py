"""The plain-terminal quiz and the ``drill quiz`` subcommand, driven with piped input."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys

import pytest

from engine.quiz import cli
from engine.quiz.session import QuizSession, SessionSpec
from engine.quiz.terminal import parse_answer, plain_text, run_session
from engine.store import Store


class Ticks:
    """A clock that advances one second per reading."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def answer_key(tmp_path):
    """``answer_key(bank, spec)``: the lines a perfect learner would type, worked out on a scratch database."""

    def lines_for(bank, spec) -> list[str]:
        with Store(tmp_path / "scratch.sqlite3") as scratch:
            session = QuizSession.start(bank, scratch, spec)
            lines = []
            while (presented := session.current()) is not None:
                positions = [i for i, choice in enumerate(presented.choices) if choice.correct]
                lines.append(",".join(str(p + 1) for p in positions))
                session.answer(positions)
        return lines

    return lines_for


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="drill")
    cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["quiz", *argv])


@pytest.fixture
def shipped_bank_is(monkeypatch, bank_dir):
    """Make ``load_bank()`` with no folder read ``bank_dir``."""
    monkeypatch.setattr("engine.quiz.bank.default_folder", lambda: bank_dir)
    return bank_dir


def test_plain_text():
    markdown = "Which **line** is wrong?\n```python\nx = a + b\n```\nPick `one`."
    assert plain_text(markdown) == "Which line is wrong?\n    x = a + b\nPick `one`."


@pytest.mark.parametrize(("text", "positions"), [("2", [1]), (" 1,3\n", [0, 2]), ("1 3", [0, 2]), ("1, 2,3", [0, 1, 2])])
def test_parse_answer(text, positions):
    assert parse_answer(text) == positions


@pytest.mark.parametrize("text", ["", "a", "1;2", "-1", "1.5"])
def test_parse_answer_refuses(text):
    with pytest.raises(ValueError):
        parse_answer(text)


def test_a_whole_session_from_piped_input(small_bank, store, answer_key):
    spec = SessionSpec(topics=("ddpm",), count=6, seed=11)
    lines = answer_key(small_bank, spec)
    session = QuizSession.start(small_bank, store, spec)
    out = io.StringIO()
    assert run_session(session, io.StringIO("".join(f"{line}\n" for line in lines)), out, clock=Ticks()) == 0
    text = out.getvalue()
    assert text.count("Correct.") == 6
    assert "Question 6/6" in text
    assert "Several choices may be right" in text
    assert "Explanation of ddpm-fwd-0." in text
    assert "right, your pick: it is right" in text
    assert "Score: 6/6 correct (partial credit 6.00/6)." in text
    assert [attempt.duration_s for attempt in store.quiz_attempts()] == [1.0] * 6


def test_wrong_and_invalid_answers(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(topics=("unet",), count=1, seed=3))
    wrong = next(i for i, c in enumerate(session.current().choices) if not c.correct) + 1
    out = io.StringIO()
    run_session(session, io.StringIO(f"banana\n9\n1,2\n{wrong}\n"), out)
    text = out.getvalue()
    assert "answer with choice numbers" in text
    assert "choices are numbered 1 to 3." in text
    assert "pick exactly one choice." in text
    assert "Incorrect." in text and "partial credit" not in text
    assert "wrong, your pick: it is wrong" in text
    assert "Score: 0/1 correct" in text


def test_typed_questions_in_the_plain_terminal(bank_dir, bank_writer, make_typed, store):
    from engine.quiz.bank import load_bank

    bank_writer("ddpm", [make_typed("t-1"), make_typed("t-2", code="def f(w, c, u):\n    return ____")])
    bank = load_bank(bank_dir)
    session = QuizSession.start(bank, store, SessionSpec(count=2, seed=4))
    first, second = (question.id for question in session.questions)
    out = io.StringIO()
    # An empty line is refused; an equivalent spelling is right; a catalogued mistake gets its feedback.
    run_session(session, io.StringIO("\n(w + 1) * c - w * u\nu + w * (c - u)\n"), out)
    text = out.getvalue()
    assert "Type what goes in the blank ____." in text
    assert "    def f(w, c, u):\n        return ____" in text
    assert "type what goes in the blank." in text
    assert text.count("Correct.") == 1 and "Incorrect." in text and "partial credit" not in text
    assert f"Your line: {'e =' if second == 't-1' else 'return'} u + w * (c - u)\n" in text
    assert "The lessons' form: That is the lessons' w·(c − u); this code writes (1 + w)·c − w·u." in text
    assert "The course writes: (1 + w) * c - w * u" in text
    assert "Score: 1/2 correct." in text
    assert store.quiz_attempts()[0].question_id == first


def test_end_of_input_saves_and_says_how_to_resume(small_bank, store, answer_key):
    spec = SessionSpec(count=3, seed=8)
    first = answer_key(small_bank, spec)[0]
    session = QuizSession.start(small_bank, store, spec)
    out = io.StringIO()
    assert run_session(session, io.StringIO(f"{first}\n"), out) == 0
    assert f"The input ended. Stopped after 1 of 3 questions (1 correct). Resume with: drill quiz --resume {session.id}" in out.getvalue()
    assert QuizSession.resume(small_bank, store).score().answered == 1


def test_quit(small_bank, store):
    session = QuizSession.start(small_bank, store, SessionSpec(count=3, seed=8))
    out = io.StringIO()
    assert run_session(session, io.StringIO("q\n1\n"), out) == 0
    assert "Stopped after 0 of 3 questions" in out.getvalue()
    assert store.quiz_attempts() == []


def test_cli_quiz_then_resume(small_bank, shipped_bank_is, answer_key):
    args = parse(["--topic", "unet", "--count", "3", "--seed", "5"])
    lines = answer_key(small_bank, SessionSpec(topics=("unet",), count=3, seed=5))
    out, err = io.StringIO(), io.StringIO()
    assert args.func(args, io.StringIO(lines[0] + "\n"), out, err) == 0
    assert "Stopped after 1 of 3" in out.getvalue() and err.getvalue() == ""

    resumed = parse(["--resume"])
    out = io.StringIO()
    assert resumed.func(resumed, io.StringIO("".join(f"{line}\n" for line in lines[1:])), out, err) == 0
    assert "1 already answered" in out.getvalue()
    assert "Score: 3/3 correct" in out.getvalue()

    again = parse(["--resume"])
    assert again.func(again, io.StringIO(), io.StringIO(), err) == 1
    assert "no quiz session to resume" in err.getvalue()


def test_cli_filters_and_review_reach_the_session(small_bank, shipped_bank_is):
    args = parse(["--section", "unet.groupnorm", "--difficulty", "3", "--tag", "norm", "--review", "--count", "9", "--seed", "1"])
    out = io.StringIO()
    assert args.func(args, io.StringIO(), out, io.StringIO()) == 0
    assert "(seed 1): 2 questions" in out.getvalue()
    with Store() as store:
        assert store.latest_unfinished_quiz_session().spec["review"] is True


def test_cli_nothing_matches(small_bank, shipped_bank_is):
    args = parse(["--topic", "cfg"])
    err = io.StringIO()
    assert args.func(args, io.StringIO(), io.StringIO(), err) == 1
    assert err.getvalue() == "no question matches these filters.\n"


def test_cli_malformed_bank_prints_one_line_per_problem(shipped_bank_is, bank_writer, make_question, capsys):
    from engine.cli import main

    bank_writer("ddpm", [make_question("q-1", difficulty=5), make_question("q-1")])
    (shipped_bank_is / "cfg.json").write_text("{oops", encoding="utf-8")
    assert main(["quiz", "--count", "2"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "drill: the quiz bank cannot be loaded; fix these problems in its files (or reinstall dli-drill):",
        "  cfg.json: -: -: invalid JSON at line 1, column 2: Expecting property name enclosed in double quotes",
        "  ddpm.json: q-1: id: duplicate id, first used in ddpm.json",
        "  ddpm.json: q-1: difficulty: Input should be less than or equal to 3",
    ]


def test_cli_check_reports_fact_problems(small_bank, shipped_bank_is, monkeypatch):
    monkeypatch.setattr("engine.quiz.facts.registry", dict)
    args = parse(["--check"])
    out, err = io.StringIO(), io.StringIO()
    assert args.func(args, io.StringIO(), out, err) == 0
    assert out.getvalue().startswith("12 questions\nby kind:\n  choice                       12\nby topic:\n")
    assert "unet.groupnorm" in out.getvalue() and err.getvalue() == ""


def test_cli_warns_about_a_damaged_database(small_bank, shipped_bank_is, drill_home):
    drill_home.mkdir(parents=True, exist_ok=True)
    (drill_home / "progress.sqlite3").write_bytes(b"not a database at all" * 100)
    args = parse(["--count", "1", "--seed", "1"])
    err = io.StringIO()
    assert args.func(args, io.StringIO(), io.StringIO(), err) == 0
    assert err.getvalue().startswith("warning: The database ")


def test_no_heavy_imports():
    # The parser is built on every `drill` call; a quiz never needs torch or textual.
    code = """
import argparse, sys
from engine.quiz import cli
cli.register(argparse.ArgumentParser().add_subparsers())
print(sorted(m for m in ('torch', 'textual', 'pydantic', 'fsrs') if m in sys.modules))
from engine.quiz import bank, session, terminal
bank.load_bank()
print(sorted(m for m in ('torch', 'textual') if m in sys.modules))
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.split("\n")[:2] == ["[]", "[]"]
