"""The `drill` command line: exit codes, messages for user mistakes, and the learner's loop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.drills.catalog import get_drill

SOLUTION = Path(__file__).resolve().parents[1] / "drills" / "forward_diffusion" / "solution.py"


def drill(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=120, env=os.environ, cwd=cwd
    )


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert "dli-drill" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "run" in capsys.readouterr().out


def test_unknown_drill_is_a_usage_error_with_a_suggestion(capsys):
    assert main(["run", "forward"]) == 2
    err = capsys.readouterr().err
    assert "no drill called 'forward'" in err and "forward_diffusion" in err
    assert "Traceback" not in err


def test_missing_file_is_a_usage_error(capsys, tmp_path):
    assert main(["run", "forward_diffusion", "--file", str(tmp_path / "nope.py")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_running_before_starting_says_how_to_start(capsys):
    assert main(["run", "forward_diffusion"]) == 2
    assert "drill start forward_diffusion" in capsys.readouterr().err


def test_start_writes_a_failing_starter_then_a_fix_passes(tmp_path):
    started = drill("start", "forward_diffusion", "--workspace", str(tmp_path))
    assert started.returncode == 0
    path = Path(started.stdout.strip())
    assert path == tmp_path / "forward_diffusion.py" and path.exists()

    failing = drill("run", "forward_diffusion", "--workspace", str(tmp_path))
    assert failing.returncode == 1
    assert "NotImplementedError" in failing.stdout and "drill hint forward_diffusion" in failing.stdout

    path.write_text(SOLUTION.read_text())
    passing = drill("run", "forward_diffusion", "--workspace", str(tmp_path))
    assert passing.returncode == 0
    assert "✓" in passing.stdout and "✗" not in passing.stdout


def test_a_diagnosed_bug_is_explained_in_the_terminal(tmp_path):
    buggy = tmp_path / "fd.py"
    buggy.write_text(SOLUTION.read_text().replace("sqrt_ab * x_0 + sqrt_omab * noise", "sqrt_omab * x_0 + sqrt_ab * noise"))
    result = drill("run", "forward_diffusion", "--file", str(buggy))
    assert result.returncode == 1
    assert "Diagnosis: Signal and noise coefficients swapped" in result.stdout
    assert "largest error" in result.stdout


def test_hints_progress_and_then_repeat_the_last(capsys):
    texts = []
    for _ in range(4):
        assert main(["hint", "forward_diffusion"]) == 0
        texts.append(capsys.readouterr().out)
    assert texts[0].startswith("Hint 1/3") and texts[1].startswith("Hint 2/3") and texts[2].startswith("Hint 3/3")
    assert texts[3] == texts[2]


def test_the_solution_is_locked_until_a_pass_unless_forced(capsys):
    assert main(["solution", "forward_diffusion"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["solution", "forward_diffusion", "--force"]) == 0
    captured = capsys.readouterr()
    assert "Warning" in captured.err and "def forward_diffusion" in captured.out


def test_list_shows_status_after_an_attempt(capsys):
    assert main(["run", "forward_diffusion", "--file", str(SOLUTION), "--json"]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if row.split()[:1] == ["forward_diffusion"])
    assert " done " in line


class LineReader:
    """Collects a child's output lines on a thread, so the test can wait for one with a timeout."""

    def __init__(self, stream):
        import queue
        import threading

        self.lines = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in stream], daemon=True).start()

    def until(self, marker: str, timeout: float) -> str:
        import queue
        import time

        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            seen.append(line)
            if marker in line:
                return "".join(seen)
        raise AssertionError(f"never saw {marker!r} in:\n{''.join(seen)}")


def test_watch_mode_regrades_on_every_save(tmp_path):
    import signal

    path = tmp_path / "forward_diffusion.py"
    path.write_text("def forward_diffusion(x_0, t, noise_schedule):\n    raise NotImplementedError\n")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "run", "forward_diffusion", "--file", str(path), "--watch"],
        stdout=subprocess.PIPE, text=True, env=os.environ,
    )
    output = LineReader(watcher.stdout)
    try:
        assert "NotImplementedError" in output.until("Watching", timeout=60)
        path.write_text(SOLUTION.read_text())
        assert "All checks pass" in output.until("Watching", timeout=60)
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)


def test_a_debug_drill_names_its_bug_only_once_it_is_fixed(tmp_path):
    started = drill("start", "debug_sampler", "--workspace", str(tmp_path), "--seed", "3")
    path = Path(started.stdout.strip())
    failing = drill("run", "debug_sampler", "--workspace", str(tmp_path), "--json")
    data = json.loads(failing.stdout)
    assert failing.returncode == 1 and data["status"] == "fail"
    assert data["diagnoses"] == []
    titles = [bug.title for bug in get_drill("debug_sampler").bugs]
    assert not any(title in failing.stdout for title in titles)

    path.write_text((Path(__file__).resolve().parents[1] / "drills" / "sample_ddpm" / "solution.py").read_text())
    fixed = drill("run", "debug_sampler", "--workspace", str(tmp_path))
    assert fixed.returncode == 0
    assert "Fixed! The bug you removed:" in fixed.stdout


def test_the_shapes_worksheet_draws_its_config_from_the_seed_at_start(tmp_path):
    from drills.unet_shapes.worksheet import draw

    first = Path(drill("start", "unet_shapes", "--workspace", str(tmp_path), "--seed", "4").stdout.strip())
    assert draw(4).describe() in first.read_text()
    again = Path(drill("start", "unet_shapes", "--workspace", str(tmp_path), "--seed", "11", "--fresh").stdout.strip())
    assert draw(11).describe() in again.read_text()
    assert draw(11) != draw(4)


@pytest.mark.parametrize(
    "command", [["list"], ["quiz", "--count", "1"], ["exam"], ["report", "--format", "md"], ["hint", "forward_diffusion"]]
)
def test_a_database_from_a_newer_version_is_one_usage_line_everywhere(command, drill_home, capsys):
    import sqlite3

    with sqlite3.connect(drill_home / "progress.sqlite3") as connection:
        connection.execute("PRAGMA user_version = 999")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("drill: ") and "newer" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


# Usage errors are not attempts


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "forward"], "no drill called 'forward'"),
        (["run", "forward_diffusion", "--file", "{tmp}/nope.py"], "No such file: {tmp}/nope.py"),
        (["run", "forward_diffusion", "--file", "{tmp}"], "{tmp} is a folder, not a file"),
        (["run", "forward_diffusion"], "drill start forward_diffusion"),
    ],
)
def test_usage_errors_are_one_line_and_never_recorded(args, says, tmp_path, capsys):
    from engine.drills import progress
    from engine.store import Store

    assert main([arg.format(tmp=tmp_path) for arg in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("drill: ") and len(err.strip().splitlines()) == 1
    assert says.format(tmp=tmp_path) in err
    with Store() as store:
        assert store.drill_attempts() == []
        assert progress.status(store, get_drill("forward_diffusion")) == progress.NEW


# Hints


def test_the_first_hint_after_a_diagnosis_is_the_diagnosed_bugs_own(tmp_path, capsys):
    drill_ = get_drill("forward_diffusion")
    bug = drill_.bug("forward.swapped_coefficients")
    buggy = tmp_path / "fd.py"
    buggy.write_text(SOLUTION.read_text().replace("sqrt_ab * x_0 + sqrt_omab * noise", "sqrt_omab * x_0 + sqrt_ab * noise"))

    def hint() -> str:
        assert main(["hint", drill_.id]) == 0
        return capsys.readouterr().out

    assert main(["run", drill_.id, "--file", str(buggy)]) == 1
    capsys.readouterr()
    assert hint() == f"Your last run found: {bug.title} ({drill_.id})\n  {bug.hint}\n"
    assert hint().startswith("Hint 1/3 ")
    # Each run that names the bug puts its fix first again; a passing run names none.
    assert main(["run", drill_.id, "--file", str(buggy)]) == 1
    capsys.readouterr()
    assert hint().startswith(f"Your last run found: {bug.title}")
    assert hint().startswith("Hint 2/3 ")
    assert main(["run", drill_.id, "--file", str(SOLUTION)]) == 0
    capsys.readouterr()
    assert hint().startswith("Hint 3/3 ")


def test_a_debug_drills_held_back_diagnosis_gives_no_hint(drill_home):
    from engine.drills import progress
    from engine.store import Store

    debug = get_drill("debug_sampler")
    with Store() as store:
        store.record_drill_attempt(debug.id, "fail", 1, 4, [debug.bugs[0].key], 1.0, None)
        hint = progress.next_hint(store, debug)
    assert not hint.mistake and (hint.number, hint.text) == (1, debug.hints[0])


# Small messages


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["quiz", "--count", "abc"], "argument --count: 'abc' is not a whole number"),
        (["quiz", "--resume", "x"], "argument --resume: 'x' is not a whole number"),
        (["exam", "--minutes", "soon"], "argument --minutes: 'soon' is not a number"),
        (["exam", "--drills", "1.5"], "argument --drills: '1.5' is not a whole number"),
        (["exam", "--resume", "last"], "argument --resume: 'last' is not a whole number"),
    ],
)
def test_a_number_that_is_not_one_is_named_plainly(args, says, capsys):
    with pytest.raises(SystemExit) as stop:
        main(args)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and says in err and "invalid" not in err


def test_a_review_quiz_says_how_much_was_due(monkeypatch, capsys):
    import io
    from datetime import datetime, timedelta, timezone

    from engine.quiz import review
    from engine.quiz.bank import load_bank
    from engine.store import Store

    def review_quiz(count: int) -> str:
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        assert main(["quiz", "--review", "--count", str(count), "--seed", "1"]) == 0
        return capsys.readouterr().out.splitlines()[0]

    assert review_quiz(3) == "Nothing is due for review: these questions come from your weakest topics."
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    with Store() as store:
        for question in list(load_bank())[:2]:
            review.update_card(store, question.id, False, 5.0, yesterday)
    assert review_quiz(3) == "2 due for review, then 1 more from your weakest topics."
    assert review_quiz(2) == "2 due for review."


# A folder that cannot be written

EVERY_COMMAND = [
    ["list"], ["start", "forward_diffusion"], ["run", "forward_diffusion"], ["run", "forward_diffusion", "--file", str(SOLUTION)],
    ["hint", "forward_diffusion"], ["solution", "forward_diffusion"], ["quiz", "--count", "1"], ["exam"],
    ["report", "--format", "md"], ["report"],
]


def read_only(monkeypatch, folder: Path) -> None:
    """Creating a file in ``folder`` fails as on a read-only mount (tests run as root, whom chmod does not stop)."""
    import errno

    real_open = os.open

    def guarded(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and Path(path).parent == folder:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


@pytest.mark.parametrize("command", EVERY_COMMAND)
def test_a_home_that_is_a_file_is_one_line_for_every_command(command, tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("DRILL_HOME", str(home))
    assert main(command) == 2
    assert capsys.readouterr().err == f"drill: {home} is a file, not a folder: set DRILL_HOME to a folder you can write to\n"


@pytest.mark.parametrize("command", EVERY_COMMAND)
def test_a_read_only_home_is_one_line_for_every_command(command, tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DRILL_HOME", str(home))
    read_only(monkeypatch, home)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err == f"drill: cannot write to {home} (Read-only file system): set DRILL_HOME to a folder you can write to\n"


def test_the_app_reports_an_unwritable_home_in_one_line(tmp_path, monkeypatch, capsys):
    from engine.app.app import DrillApp

    monkeypatch.setattr(DrillApp, "run", lambda self: pytest.fail("the app started on a home it cannot write"))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DRILL_HOME", str(home / "data"))
    read_only(monkeypatch, home / "data")
    assert main([]) == 2
    assert capsys.readouterr().err == (
        f"drill: cannot write to {home / 'data'} (Read-only file system): set DRILL_HOME to a folder you can write to\n"
    )


def test_an_unwritable_workspace_names_the_option_that_chooses_another(tmp_path, capsys):
    from engine.drills import progress
    from engine.store import Store

    folder = tmp_path / "ws"
    folder.write_text("")
    assert main(["start", "forward_diffusion", "--workspace", str(folder)]) == 2
    assert capsys.readouterr().err == f"drill: {folder} is a file, not a folder: pass --workspace a folder you can write to\n"
    assert main(["exam", "--workspace", str(folder)]) == 2
    assert "pass --workspace a folder you can write to" in capsys.readouterr().err
    with Store() as store:
        assert progress.status(store, get_drill("forward_diffusion")) == progress.NEW


def test_drill_list_groups_the_course_track_under_its_own_heading(capsys):
    from engine.drills.catalog import all_drills

    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    course = lines.index(next(line for line in lines if line.startswith("Course:")))
    listed_after = {line.split()[0] for line in lines[course + 1 :]}
    assert listed_after == {d.id for d in all_drills() if d.track == "course"} and listed_after
    assert lines[0].startswith("Lessons:") and all(line.startswith("  ") for line in lines[1:course])


@pytest.mark.parametrize("command", [["quiz", "--count", "1"], ["exam", "--minutes", "1"], ["quiz", "--check"]])
def test_a_malformed_bank_is_one_usage_error_naming_the_file(command, tmp_path, monkeypatch, capsys):
    (tmp_path / "ddpm.json").write_text('{"topic": "ddpm", "questions": [', encoding="utf-8")
    monkeypatch.setattr("engine.quiz.bank.default_folder", lambda: tmp_path)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("drill: ") and "ddpm.json" in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["quiz", "--count", "1"], ["report", "--format", "md"], ["list"]])
def test_a_progress_file_that_is_not_a_database_is_one_line(command, drill_home, capsys):
    (drill_home / "progress.sqlite3").mkdir()
    code = main(command)
    err = capsys.readouterr().err
    assert code in (1, 2) and err.startswith("drill: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
