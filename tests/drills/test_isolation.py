"""The learner's code runs in its own process: nothing it does can pass, hang or break the caller.

These go through the real runner (a grader process that forks the learner's child), so each
costs about one torch import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine.drills.results import ERROR, FAIL, PASS
from engine.drills.runner import run_drill

SOLUTION = Path(__file__).resolve().parents[2] / "drills" / "forward_diffusion" / "solution.py"
TIME_LIMIT = 6.0


def learner_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "forward_diffusion.py"
    path.write_text(textwrap.dedent(body))
    return path


def run(path: Path, time_limit: float = TIME_LIMIT):
    return run_drill("forward_diffusion", path, device="cpu", time_limit=time_limit)


def test_the_model_solution_passes_through_the_real_process_boundary():
    result = run(SOLUTION)
    assert result.status == PASS
    assert result.score == result.max_score > 0


def test_an_endless_loop_is_stopped_within_the_time_limit_plus_a_second(tmp_path):
    path = learner_file(tmp_path, """
        def forward_diffusion(x_0, t, noise_schedule):
            while True:
                pass
    """)
    started = time.monotonic()
    result = run(path, time_limit=4.0)
    assert time.monotonic() - started < 4.0 + 1.0
    assert result.status == ERROR
    assert "time limit" in result.error


def test_a_hang_at_import_time_is_stopped_too(tmp_path):
    path = learner_file(tmp_path, "import time\ntime.sleep(60)\n")
    result = run(path, time_limit=4.0)
    assert result.status == ERROR


@pytest.mark.parametrize(
    "body, phrase",
    [
        ("import sys\nsys.exit(0)\n", "sys.exit(0)"),
        ("import os\nos._exit(0)\n", "exit code 0"),
        ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
        ("import ctypes\nctypes.string_at(0)\n", "segmentation fault"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "SIGKILL"),
    ],
)
def test_leaving_the_process_is_an_error_never_a_pass(tmp_path, body, phrase):
    result = run(learner_file(tmp_path, body))
    assert result.status == ERROR
    assert phrase in result.error


def test_sys_exit_inside_the_function_is_an_error(tmp_path):
    path = learner_file(tmp_path, """
        import sys
        def forward_diffusion(x_0, t, noise_schedule):
            sys.exit(3)
    """)
    result = run(path)
    assert result.status == ERROR
    assert "sys.exit(3)" in result.error


def test_a_flood_of_output_is_cut_and_cannot_pass(tmp_path):
    path = learner_file(tmp_path, f"""
        print("x" * 200_000_000)
        {SOLUTION.read_text()}
    """.replace("\n    ", "\n"))
    result = run(path, time_limit=10.0)
    assert result.status == ERROR
    assert len(result.output) < 10_000


def test_a_moderate_amount_of_output_is_shown_capped_and_the_run_still_grades(tmp_path):
    path = tmp_path / "forward_diffusion.py"
    path.write_text('print("hello from the learner")\nprint("y" * 50_000)\n' + SOLUTION.read_text())
    result = run(path)
    assert result.status == PASS
    assert result.output.startswith("hello from the learner")
    assert "output cut" in result.output


def test_patching_torch_and_the_comparisons_only_fools_the_learners_own_process(tmp_path):
    path = learner_file(tmp_path, """
        import torch
        import engine.drills.compare as compare
        torch.allclose = lambda *args, **kwargs: True
        torch.equal = lambda *args, **kwargs: True
        compare.matches = lambda *args, **kwargs: True
        compare.values = lambda *args, **kwargs: compare.passed("ok")

        def forward_diffusion(x_0, t, noise_schedule):
            noise = torch.randn_like(x_0)
            return x_0 * 0, noise
    """)
    result = run(path)
    assert result.status == FAIL


def test_writing_a_fake_result_into_the_graders_output_is_an_error(tmp_path):
    fake = json.dumps({"drill": "forward_diffusion", "status": "pass", "score": 1, "max_score": 1,
                       "checks": [], "diagnoses": [], "output": "", "duration_s": 0})
    path = learner_file(tmp_path, f"""
        import os
        with open(f"/proc/{{os.getppid()}}/fd/1", "w") as channel:
            channel.write({fake!r})
        def forward_diffusion(x_0, t, noise_schedule):
            return x_0, x_0
    """)
    result = run(path)
    assert result.status == ERROR


def test_killing_the_grader_is_an_error(tmp_path):
    path = learner_file(tmp_path, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    result = run(path)
    assert result.status == ERROR


def test_no_child_process_outlives_the_run(tmp_path):
    marker = tmp_path / "survivor.pid"
    path = learner_file(tmp_path, f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        open({str(marker)!r}, "w").write(str(child.pid))
    """)
    run(path)
    pid = int(marker.read_text())
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_syntax_error_is_reported_with_its_line_without_starting_a_process(tmp_path):
    path = learner_file(tmp_path, "def forward_diffusion(x_0, t, noise_schedule)\n    return x_0\n")
    result = run(path)
    assert result.status == ERROR
    assert "line 1" in result.error and "Syntax error" in result.error


def test_a_missing_function_is_named(tmp_path):
    result = run(learner_file(tmp_path, "def forward(x):\n    return x\n"))
    assert result.status == ERROR
    assert "does not define `forward_diffusion`" in result.error


def test_learner_tracebacks_show_only_the_learners_frames(tmp_path):
    path = learner_file(tmp_path, """
        def helper(x):
            return x.no_such_method()

        def forward_diffusion(x_0, t, noise_schedule):
            return helper(x_0)
    """)
    result = run(path)
    message = next(check.message for check in result.checks if check.status == ERROR)
    assert "line 3, in helper" in message and "line 6, in forward_diffusion" in message
    assert "engine" not in message and "site-packages" not in message


def test_cli_json_mode_prints_exactly_one_json_object(tmp_path):
    env = {**os.environ, "DRILL_HOME": str(tmp_path)}
    completed = subprocess.run(
        [sys.executable, "-m", "engine.cli", "run", "forward_diffusion", "--file", str(SOLUTION), "--json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert completed.returncode == 0
    data = json.loads(completed.stdout)
    assert data["status"] == "pass" and data["drill"] == "forward_diffusion"
    assert {"score", "max_score", "checks", "diagnoses", "output", "duration_s"} <= set(data)
