"""``drill exam`` in the plain terminal: piped answers, drills graded on Enter, pausing, timing out."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.drills.catalog import get_drill
from engine.drills.results import ERROR, FAIL, PASS, Check, RunResult
from engine.exam.compose import ExamSpec
from engine.exam.session import Exam
from engine.exam.terminal import clock_text, read_line, run_exam

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"


def key_for(exam: Exam) -> list[str]:
    """The lines a perfect learner would type for the exam's questions, in order."""
    lines = []
    for index in range(len(exam.items)):
        presented = exam.item_at(index)
        if presented.question is not None:
            lines.append(",".join(str(i + 1) for i, c in enumerate(presented.choices) if c.correct))
    return lines


class SlowInput(io.StringIO):
    """Piped input whose every line takes ``seconds`` on the fake clock to arrive."""

    def __init__(self, text: str, clock, seconds: float):
        super().__init__(text)
        self.clock, self.seconds = clock, seconds

    def readline(self, *args) -> str:
        self.clock.advance(self.seconds)
        return super().readline(*args)


def test_clock_text():
    assert [clock_text(s) for s in (0, 59.6, 61, 2700, -3)] == ["0:00", "1:00", "1:01", "45:00", "0:00"]


def test_a_whole_exam_from_piped_answers(bank, store, clock, grader, drills):
    exam = Exam.start(bank, store, ExamSpec(seed=5, questions_per_topic=1, drills=0), clock, drills=drills, grader=grader)
    out = io.StringIO()
    assert run_exam(exam, SlowInput("\n".join(key_for(exam)) + "\n", clock, 30), out) == 0
    text = out.getvalue()
    assert "Mock exam 1 (seed 5): 3 questions and 0 coding drills, 45 minutes" in text
    assert "Exam 1 (submitted): 3/3 points (100%), 1:30 used of 45:00." in text
    assert "ddpm" in text and "right" in text and "0:30" in text
    assert exam.finished and not exam.auto_submitted


def test_wrong_answers_are_explained_at_the_end_only(bank, store, clock, grader, drills):
    exam = Exam.start(bank, store, ExamSpec(seed=5, questions_per_topic=1, drills=0, topics=("cfg",)), clock,
                      drills=drills, grader=grader)
    wrong = next(str(i + 1) for i, c in enumerate(exam.current_item.choices) if not c.correct)
    out = io.StringIO()
    run_exam(exam, io.StringIO(f"7\n{wrong}\n"), out)
    text = out.getvalue()
    assert "choices are numbered 1 to 4." in text
    assert text.index("Exam 1 (submitted): 0/1") < text.index("Explanation of cfg-")
    assert "Answer: choice 0 of cfg-" in text


def test_stopping_or_running_out_of_input_pauses_and_says_how_to_resume(bank, store, clock, grader, drills):
    exam = Exam.start(bank, store, ExamSpec(seed=5, questions_per_topic=1, drills=0), clock, drills=drills, grader=grader)
    first = key_for(exam)[0]
    out = io.StringIO()
    assert run_exam(exam, SlowInput(f"{first}\nq\n", clock, 60), out) == 0
    assert "Exam 1 paused with 43:00 left (1 of 3 items answered). Resume with: drill exam --resume" in out.getvalue()
    assert exam.paused
    clock.advance(10_000)
    back = Exam.resume(store, bank, clock, drills=drills, grader=grader)
    out = io.StringIO()
    run_exam(back, io.StringIO(""), out)
    assert "The input ended. Exam 1 paused with 43:00 left" in out.getvalue()
    assert "1 already answered" in out.getvalue()


def test_skipping_comes_back_to_the_skipped_question(bank, store, clock, grader, drills):
    exam = Exam.start(bank, store, ExamSpec(seed=5, questions_per_topic=1, drills=0), clock, drills=drills, grader=grader)
    first, second, third = key_for(exam)
    out = io.StringIO()
    run_exam(exam, io.StringIO(f"s\n{second}\n{third}\n{first}\n"), out)
    assert "3/3 points" in out.getvalue()
    assert out.getvalue().count("Item 1/3") == 2


def test_late_piped_answers_are_refused_and_the_exam_submitted(bank, store, clock, grader, drills):
    exam = Exam.start(bank, store, ExamSpec(minutes=2, seed=5, questions_per_topic=1, drills=0), clock,
                      drills=drills, grader=grader)
    out = io.StringIO()
    run_exam(exam, SlowInput("\n".join(key_for(exam)) + "\n", clock, 50), out)
    text = out.getvalue()
    assert "Time is up: the exam was submitted." in text
    assert "Exam 1 (time ran out): 2/3 points (67%), 2:00 used of 2:00." in text
    assert "not answered" in text


def test_a_drill_item_hands_out_the_file_and_grades_on_enter(bank, store, clock, grader, drills, tmp_path):
    drill = get_drill("forward_diffusion")
    exam = Exam.start(bank, store, ExamSpec(seed=2, questions_per_topic=0, drills=1), clock, drills=[drill], grader=grader)
    grader.queue(drill.id, 4, diagnoses=("forward.no_sqrt",))
    grader.queue(drill.id, 10)
    out = io.StringIO()
    run_exam(exam, io.StringIO("\n\n"), out, workspace=tmp_path, device="cpu")
    text = out.getvalue()
    path = tmp_path / "exam-1" / "forward_diffusion.py"
    assert f"Your file: {path}" in text and path.is_file()
    assert "Graded: 4/10 (fail)." in text and "press Enter to grade it again" in text and "Graded: 10/10 (pass)." in text
    assert "5/5 points (100%)" in text
    assert [call[1:] for call in grader.calls] == [(path, "cpu"), (path, "cpu")]


def test_leaving_the_last_item_with_time_left_asks_before_submitting(bank, store, clock, grader, drills, tmp_path):
    drill = get_drill("forward_diffusion")
    exam = Exam.start(bank, store, ExamSpec(seed=2, questions_per_topic=0, drills=1), clock, drills=[drill], grader=grader)
    grader.queue(drill.id, 4)
    grader.queue(drill.id, 10)
    out = io.StringIO()
    # Grade (fails), leave it, decline to submit, grade again (passes): then it submits without asking.
    run_exam(exam, io.StringIO("\ns\nn\n\n"), out, workspace=tmp_path)
    text = out.getvalue()
    question = "Every item is answered and 45:00 is left. Submit the exam now?"
    assert text.count(question) == 1 and "goes back to forward_diffusion" in text
    assert text.index(question) < text.index("Graded: 10/10 (pass).")
    assert exam.finished and "5/5 points (100%)" in text


def test_yes_submits_at_once(bank, store, clock, grader, drills, tmp_path):
    drill = get_drill("forward_diffusion")
    exam = Exam.start(bank, store, ExamSpec(seed=2, questions_per_topic=0, drills=1), clock, drills=[drill], grader=grader)
    grader.queue(drill.id, 4)
    out = io.StringIO()
    run_exam(exam, io.StringIO("\ns\ny\n"), out, workspace=tmp_path)
    text = out.getvalue()
    assert text.index("Submit the exam now?") < text.index("Exam 1 (submitted): 2/5 points (40%)")
    assert exam.finished and len(grader.calls) == 1


def test_points_are_rounded_for_display_and_kept_exact(bank, store, clock, grader, drills, tmp_path):
    drill = get_drill("forward_diffusion")
    exam = Exam.start(bank, store, ExamSpec(seed=2, questions_per_topic=0, drills=1), clock, drills=[drill], grader=grader)
    grader.queue(drill.id, 7.333)
    out = io.StringIO()
    run_exam(exam, io.StringIO("\ns\ny\n"), out, workspace=tmp_path)
    text = out.getvalue()
    assert "Graded: 7.3/10 (fail)." in text and "Exam 1 (submitted): 3.7/5 points (73%)" in text
    assert "fail 3.7/5" in text and "3.666" not in text and "3.667" not in text
    assert store.exam(exam.id).state["items"][0]["points"] == 5 * 7.333 / 10


def test_the_review_names_the_checks_each_drill_failed(bank, store, clock, grader, drills, tmp_path):
    drill = get_drill("forward_diffusion")
    exam = Exam.start(bank, store, ExamSpec(seed=2, questions_per_topic=0, drills=1), clock, drills=[drill], grader=grader)
    grader.results.append(RunResult(drill.id, FAIL, [
        Check("shape.x_t", "shape", PASS, "x_t keeps the shape of x_0", 1, 1),
        Check("formula.x_t", "formula", FAIL, "x_t differs from the reference at t=3\nlargest error 0.41", 0, 2),
        Check("behaviour.noise", "behaviour", ERROR, "your function raised ValueError", 0, 1),
    ]))
    out = io.StringIO()
    run_exam(exam, io.StringIO("\ns\ny\n"), out, workspace=tmp_path)
    review = out.getvalue().split("Items:")[1]
    assert "1. forward_diffusion: checks that did not pass\n" in review
    assert "   ✗ formula: x_t differs from the reference at t=3\n   ! behaviour: your function raised ValueError\n" in review
    assert "shape" not in review and "largest error" not in review


def test_a_drill_item_is_graded_by_the_real_grader(bank, store, clock, tmp_path):
    """Enter grades the starter (it fails); the learner then writes a solution and Enter grades that."""
    drill = get_drill("forward_diffusion")
    exam = Exam.start(bank, store, ExamSpec(seed=2, questions_per_topic=0, drills=1), clock, drills=[drill])
    path = tmp_path / "exam-1" / "forward_diffusion.py"

    class Learner(io.StringIO):
        def readline(self, *args) -> str:
            line = super().readline(*args)
            if self.tell() > 1:
                path.write_text(SOLUTION.read_text())
            return line

    out = io.StringIO()
    run_exam(exam, Learner("\n\n"), out, workspace=tmp_path, device="cpu")
    text = out.getvalue()
    assert "(error)" in text and "NotImplementedError" in text
    assert "(pass)" in text and "5/5 points (100%)" in text
    assert exam.items[0].submissions == 2


def test_read_line_gives_up_on_a_silent_terminal():
    master, slave = os.openpty()
    with open(slave, encoding="utf-8") as terminal:
        assert read_line(terminal, 0.01) is None
        os.write(master, b"2\n")
        assert read_line(terminal, 5) == "2\n"
    os.close(master)


def test_read_line_on_a_pipe_reads_buffered_lines():
    assert read_line(io.StringIO("1\n2\n"), 0.0) == "1\n"


def drill(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, env=os.environ, cwd=ROOT)


def test_drill_exam_pauses_resumes_and_refuses_a_second_open_exam():
    started = drill("exam", "--seed", "7", "--questions-per-topic", "1", "--drills", "0", stdin="1\n")
    assert started.returncode == 0, started.stderr
    assert "Mock exam 1 (seed 7): 6 questions" in started.stdout and "paused" in started.stdout

    blocked = drill("exam", "--seed", "8")
    assert blocked.returncode == 2
    assert blocked.stderr.startswith("drill: exam 1 is not finished") and "Traceback" not in blocked.stderr

    resumed = drill("exam", "--resume", stdin="1\n" * 5)
    assert resumed.returncode == 0 and "1 already answered" in resumed.stdout
    assert "Exam 1 (submitted)" in resumed.stdout and "By topic:" in resumed.stdout

    nothing = drill("exam", "--resume")
    assert nothing.returncode == 2 and "no unfinished exam" in nothing.stderr


def test_drill_exam_new_submits_the_open_exam_first():
    assert drill("exam", "--seed", "1", "--questions-per-topic", "1", "--drills", "0").returncode == 0
    fresh = drill("exam", "--new", "--seed", "2", "--questions-per-topic", "1", "--drills", "0")
    assert fresh.returncode == 0 and "Mock exam 2" in fresh.stdout


@pytest.mark.parametrize("args", [["--questions-per-topic", "0", "--drills", "0"], ["--minutes", "0"], ["--topic", "nope"]])
def test_drill_exam_usage_errors_are_one_line(args):
    result = drill("exam", *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_drill_exam_starts_without_torch_or_textual(drill_home):
    code = (
        "import sys, io\n"
        "from engine.cli import main\n"
        "sys.stdin = io.StringIO('')\n"
        "assert main(['exam', '--seed', '3']) == 0\n"
        "assert main(['exam', '--new', '--questions-per-topic', '0', '--drills', '1']) == 0\n"
        "print('MODULES=' + ','.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env=os.environ)
    assert result.returncode == 0, result.stderr
    assert "Your file:" in result.stdout
    modules = set(result.stdout.split("MODULES=")[1].strip().split(","))
    assert "engine" in modules and not modules & {"torch", "textual"}
