"""The mock exam in the plain terminal: ``drill exam --minutes 45 --seed 7``.

Questions are answered one line at a time, as in ``drill quiz`` (``2``, ``1,3``, or the text for
a typed question's blank); ``s`` skips to the next unanswered item and ``q`` stops. A drill item prints the path of its starter file and
waits for Enter to grade it. Answers are not marked until the exam is submitted, as in the real
assessment; the drill grader's score is shown, its failed checks and diagnoses only at the end.
Once every item is answered the exam is submitted, but while time is left and a drill has not
passed yet, the learner is asked first and may go back to it instead. Points are shown rounded
(``points_text``); the store keeps them exact.

Stopping, the end of the input and Ctrl-C all pause the exam (its timer stops) and say how to
resume it. On a real terminal the prompt gives up waiting when the time runs out, so the exam is
submitted on time; piped input is read line by line and an answer that arrives late is refused.
"""

from __future__ import annotations

import os
import select
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine.drills.results import ERROR, PASS
from engine.drills.view import points_text
from engine.exam.compose import ExamError
from engine.exam.items import DRILL, ExamResult
from engine.exam.review import review
from engine.exam.session import Exam, PresentedItem, TimeUp
from engine.quiz.models import TypedQuestion
from engine.quiz.terminal import parse_answer, show_body

if TYPE_CHECKING:
    from engine.drills.catalog import Drill

_STOP, _SKIP, _YES = ("q", "quit"), ("s", "skip", "n", "next"), ("y", "yes")


class _Stopped(Exception):
    """The learner stopped or the input ended."""

    def __init__(self, input_ended: bool):
        self.input_ended = input_ended


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def clock_text(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def read_line(stdin: TextIO, timeout: float | None) -> str | None:
    """The next line ('' at the end of the input), or None when a terminal stays silent past ``timeout``."""
    # Only a terminal hands lines over one read at a time; for a pipe select() would miss lines
    # already sitting in Python's buffer.
    if timeout is not None and os.name == "posix" and stdin.isatty():
        ready, _, _ = select.select([stdin], [], [], max(0.0, timeout))
        if not ready:
            return None
    return stdin.readline()


def _prompt(exam: Exam, stdin: TextIO, stdout: TextIO) -> str:
    """One line of input, stripped; raises _Stopped, and TimeUp when the time runs out while waiting."""
    while True:
        stdout.write(f"[{clock_text(exam.time_left())} left] > ")
        stdout.flush()
        line = read_line(stdin, exam.time_left())
        if line is None:
            if exam.check_time():
                stdout.write("\n")
                raise TimeUp(exam.result())
            continue
        if not line or line.strip().lower() in _STOP:
            raise _Stopped(input_ended=not line)
        return line.strip()


def _ask_question(exam: Exam, presented: PresentedItem, stdin: TextIO, stdout: TextIO) -> None:
    question = presented.question
    assert question is not None
    stdout.write(f"\nItem {presented.number}/{presented.total}  [question · {question.topic} / {question.section}]\n")
    show_body(question, presented.choices, stdout)
    while True:
        line = _prompt(exam, stdin, stdout)
        if line.lower() in _SKIP:
            exam.skip()
            return
        try:
            if isinstance(question, TypedQuestion):
                exam.answer_typed(line)
            else:
                exam.answer_question(parse_answer(line))
        except (ValueError, ExamError) as error:
            stdout.write(f"{error}.\n")
            continue
        return


def _work_on_drill(
    exam: Exam, presented: PresentedItem, drill: Drill, stdin: TextIO, stdout: TextIO, workspace: Path | None, device: str | None
) -> None:
    path = exam.prepare_drill(workspace)
    stdout.write(f"\nItem {presented.number}/{presented.total}  [coding drill · {drill.topic} / {drill.section}]\n")
    stdout.write(f"{drill.title}: {drill.summary}\n\nYour file: {path}\n")
    stdout.write("Write your code there, then press Enter to grade it (s: next item, q: stop).\n")
    while True:
        line = _prompt(exam, stdin, stdout)
        if line.lower() in _SKIP:
            exam.skip()
            return
        try:
            result = exam.submit_drill(device=device)
        except ExamError as error:
            stdout.write(f"{error}.\n")
            continue
        stdout.write(f"Graded: {points_text(result.score)}/{points_text(result.max_score)} ({result.status}).\n")
        if result.status == ERROR:
            # Why the code could not run is no hint about the answer, so it is shown now, as a traceback would be.
            reason = result.error or next((check.message for check in result.checks if check.status == ERROR), "")
            stdout.write(textwrap.indent(reason.strip(), "  ") + "\n" if reason else "")
        if exam.finished:
            raise TimeUp(exam.result())
        if result.status == PASS:
            exam.skip()
            return
        stdout.write("Edit your file and press Enter to grade it again, or s for the next item.\n")


def run_exam(
    exam: Exam, stdin: TextIO, stdout: TextIO, workspace: Path | None = None, device: str | None = None
) -> int:
    """Work through the exam on ``stdout`` with answers from ``stdin``, then show the result."""
    result = exam.result()
    if not exam.finished:
        questions = sum(item.kind != DRILL for item in exam.items)
        stdout.write(
            f"Mock exam {exam.id} (seed {exam.spec.seed}): {_count(questions, 'question')} and"
            f" {_count(len(exam.items) - questions, 'coding drill')}, {exam.spec.minutes:g} minutes"
            + (f", {result.answered} already answered" if result.answered else "")
            + ". Answers are final and marked at the end. s skips an item, q stops (the timer stops with it).\n"
        )
    try:
        while not exam.finished:
            presented = exam.current_item
            if presented is None:
                if _confirm_submit(exam, stdin, stdout):
                    exam.finish()
            elif presented.drill is not None:
                _work_on_drill(exam, presented, presented.drill, stdin, stdout, workspace, device)
            else:
                _ask_question(exam, presented, stdin, stdout)
    except TimeUp:
        stdout.write("\nTime is up: the exam was submitted.\n")
    except (_Stopped, KeyboardInterrupt) as stop:
        exam.pause()
        ended = "The input ended. " if isinstance(stop, _Stopped) and stop.input_ended else ""
        stdout.write(
            f"\n{ended}Exam {exam.id} paused with {clock_text(exam.time_left())} left"
            f" ({exam.result().answered} of {len(exam.items)} items answered). Resume with: drill exam --resume\n"
        )
        return 0
    show_result(exam, exam.result(), stdout)
    return 0


def _confirm_submit(exam: Exam, stdin: TextIO, stdout: TextIO) -> bool:
    """With every item answered: True to submit; else the exam goes back to the first drill not yet passing."""
    unpassed = [index for index, item in enumerate(exam.items) if item.kind == DRILL and item.status != PASS]
    if not unpassed or exam.is_expired():
        return True
    stdout.write(
        f"\nEvery item is answered and {clock_text(exam.time_left())} is left. Submit the exam now?"
        f" y submits; anything else goes back to {exam.items[unpassed[0]].ref}, which does not pass yet.\n"
    )
    if _prompt(exam, stdin, stdout).lower() in _YES:
        return True
    exam.goto(unpassed[0])
    return False


def show_result(exam: Exam, result: ExamResult, out: TextIO) -> None:
    how = "time ran out" if result.auto_submitted else "submitted"
    out.write(
        f"\nExam {result.exam_id} ({how}): {points_text(result.points)}/{points_text(result.max_points)} points"
        f" ({result.percent:.0f}%),"
        f" {clock_text(result.time_used_s)} used of {clock_text(result.time_limit_s)}.\n\nBy topic:\n"
    )
    for topic in result.by_topic:
        parts = []
        if topic.questions:
            parts.append(f"{topic.correct}/{topic.questions} questions")
        if topic.drills:
            parts.append(f"{topic.drills_passed}/{topic.drills} drills passed")
        out.write(
            f"  {topic.topic:10} {points_text(topic.points):>5}/{points_text(topic.max_points):<4} {topic.percent:4.0f}%"
            f"  {', '.join(parts)}  ({clock_text(topic.time_s)})\n"
        )
    out.write("\nItems:\n")
    for number, item in enumerate(result.items, start=1):
        if item.kind == DRILL:
            verdict = f"{item.status or 'not submitted'} {points_text(item.points)}/{points_text(item.max_points)}"
        else:
            verdict = ("right" if item.correct else "wrong") if item.answered else "not answered"
        out.write(f"  {number:2}. {item.kind:8} {item.ref:28} {verdict:24} {clock_text(item.time_s)}\n")
    _show_review(exam, result, out)


def _show_review(exam: Exam, result: ExamResult, out: TextIO) -> None:
    """What to learn from the exam (engine/exam/review.py): each missed question and each drill short of full marks."""
    for entry in review(exam, result):
        out.write(f"\n{entry.number}. {entry.heading}\n")
        if entry.code:
            out.write(textwrap.indent(entry.code, "   ") + "\n")
        out.write("".join(f"   {line}\n" for line in entry.lines))
