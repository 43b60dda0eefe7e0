"""The plain-terminal quiz, for when the Textual app isn't wanted. It reads one answer per line, so
it also runs from a script: ``printf '1\\n2\\n' | drill quiz --count 2 --seed 1``.

An answer is a choice number (``2``), several for a "select all that apply" question (``1,3`` or
``1 3``), the text for the blank of a typed question (``torch.cumprod``), or ``q`` to stop. The
session is saved after every answer; when the input ends or the learner stops, the command says
how to resume.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from engine.quiz.blank_code import BLANK
from engine.quiz.models import Choice, ChoiceQuestion, Question, TypedQuestion
from engine.quiz.session import AnswerResult, PresentedQuestion, QuizSession
from engine.quiz.typed import TypedVerdict

_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def plain_text(markdown: str) -> str:
    """Markdown as terminal text: fenced code indented by four spaces, bold markers dropped."""
    lines, in_code = [], False
    for line in markdown.strip().splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        lines.append(f"    {line}" if in_code else _EMPHASIS.sub(r"\2", line))
    return "\n".join(lines)


def parse_answer(text: str) -> list[int]:
    """``"1,3"`` -> ``[0, 2]``: positions from 0. Raises ValueError on anything but numbers."""
    parts = [part for part in re.split(r"[\s,]+", text.strip()) if part]
    if not parts or not all(part.isdigit() for part in parts):
        raise ValueError("answer with choice numbers, such as 2 or 1,3")
    return [int(part) - 1 for part in parts]


def _choice(number: int, text: str) -> str:
    return f"  {number}) " + plain_text(text).replace("\n", "\n     ") + "\n"


def code_block(code: str) -> str:
    return "\n".join(f"    {line}" for line in code.splitlines())


def show_body(question: Question, choices: Sequence[Choice], out: TextIO) -> None:
    """The prompt, then the choices as presented or the code with its blank, and how to answer."""
    out.write(plain_text(question.prompt) + "\n\n")
    if isinstance(question, TypedQuestion):
        out.write(code_block(question.code) + f"\n\nType what goes in the blank {BLANK}.\n")
        return
    for number, choice in enumerate(choices, start=1):
        out.write(_choice(number, choice.text))
    if isinstance(question, ChoiceQuestion) and question.multi:
        out.write("Several choices may be right: give all their numbers, such as 1,3.\n")


def _show_question(presented: PresentedQuestion, out: TextIO) -> None:
    question = presented.question
    out.write(
        f"\nQuestion {presented.number}/{presented.total}"
        f"  [{question.topic} / {question.section} / difficulty {question.difficulty}]\n"
    )
    show_body(question, presented.choices, out)


def typed_review(verdict: TypedVerdict) -> str:
    """What a typed answer's verdict says: the learner's line, and for a wrong one why, and the course's answer."""
    lines = [f"Your line: {verdict.line}"]
    if verdict.feedback is not None:
        lines.append(f"{verdict.feedback.title}: {plain_text(verdict.feedback.explanation)}")
        lines.append(f"The course writes: {verdict.answer}")
    return "\n".join(lines)


def _show_result(result: AnswerResult, out: TextIO) -> None:
    if result.correct:
        out.write("\nCorrect.\n")
    elif result.partial:
        out.write(f"\nIncorrect (partial credit {result.credit:.2f}).\n")
    else:
        out.write("\nIncorrect.\n")
    if result.typed is not None:
        out.write(typed_review(result.typed) + "\n")
    for number, choice in enumerate(result.feedback, start=1):
        verdict = "right" if choice.correct else "wrong"
        pick = ", your pick" if choice.picked else ""
        out.write(_choice(number, choice.text) + f"     {verdict}{pick}: {plain_text(choice.why)}\n")
    out.write("\nExplanation: " + plain_text(result.explanation) + "\n")


def _answer(session: QuizSession, presented: PresentedQuestion, line: str, duration_s: float) -> AnswerResult:
    if isinstance(presented.question, TypedQuestion):
        return session.answer_typed(line, duration_s=duration_s)
    return session.answer(parse_answer(line), duration_s=duration_s)


def run_session(
    session: QuizSession, stdin: TextIO, stdout: TextIO, clock: Callable[[], float] = time.monotonic
) -> int:
    """Ask the session's remaining questions on ``stdout`` and read answers from ``stdin``."""
    score = session.score()
    stdout.write(
        f"Quiz session {session.id} (seed {session.spec.seed}): {score.total} questions"
        + (f", {score.answered} already answered" if score.answered else "")
        + '. Type "q" to stop; the session is saved after every answer.\n'
    )
    while (presented := session.current()) is not None:
        _show_question(presented, stdout)
        started = clock()
        while True:
            stdout.write("> ")
            stdout.flush()
            line = stdin.readline()
            if not line or line.strip().lower() in ("q", "quit"):
                _say_stopped(session, stdout, input_ended=not line)
                return 0
            try:
                result = _answer(session, presented, line, clock() - started)
            except ValueError as error:
                stdout.write(f"{error}.\n")
                continue
            break
        _show_result(result, stdout)

    score = session.score()
    credit = f" (partial credit {score.credit:.2f}/{score.total})" if score.partial else ""
    stdout.write(f"\nScore: {score.correct}/{score.total} correct{credit}.\n")
    return 0


def _say_stopped(session: QuizSession, out: TextIO, input_ended: bool) -> None:
    score = session.score()
    out.write(
        ("\nThe input ended. " if input_ended else "\n")
        + f"Stopped after {score.answered} of {score.total} questions ({score.correct} correct). "
        + f"Resume with: drill quiz --resume {session.id}\n"
    )
