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
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("forward_diffusion"))
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


@pytest.mark.parametrize("command", [["list"], ["quiz", "--count", "1"], ["exam"], ["report", "--format", "md"], ["hint", "forward_diffusion"]])
def test_a_database_from_a_newer_version_is_one_usage_line_everywhere(command, drill_home, capsys):
    import sqlite3

    with sqlite3.connect(drill_home / "progress.sqlite3") as connection:
        connection.execute("PRAGMA user_version = 999")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("drill: ") and "newer" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
