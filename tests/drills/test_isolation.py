"""The learner's code runs in its own process: nothing it does can pass, hang, linger or break the caller.

Every attack goes through both process models: ``cold`` (a fresh grader process per run, as
``drill run --cold``) and ``warm`` (a grader forked from a warm template, as the app, ``--watch``
and plain ``drill run`` use). A cold run costs about one torch import; the warm template is
started once for this module.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine.drills import containment
from engine.drills.results import ERROR, FAIL, PASS
from engine.drills.runner import COLD, run_drill
from engine.drills.warm import PrivateGrader

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"
TIME_LIMIT = 6.0
MODES = ("cold", "warm")
SMALL_MEMORY = 512 * 1024**2


@pytest.fixture(scope="module")
def warm_grader():
    with PrivateGrader() as grader:
        grader.ready()  # started before any test times a run
        yield grader


@pytest.fixture(params=MODES)
def grader(request):
    return COLD if request.param == "cold" else request.getfixturevalue("warm_grader")


def learner_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "forward_diffusion.py"
    path.write_text(textwrap.dedent(body))
    return path


def run(path: Path, grader, time_limit: float = TIME_LIMIT, **options):
    return run_drill("forward_diffusion", path, device="cpu", time_limit=time_limit, grader=grader, **options)


def settled() -> list[int]:
    """Processes still below this test process once a run is over, other than the warm template itself."""

    def template(pid: int) -> bool:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"engine.drills.template" in command and containment.parent_of(pid) == os.getpid()

    deadline = time.monotonic() + 5.0
    while True:
        # A forked grader sends its answer before it exits: give it a moment to go.
        left = [pid for pid in containment.descendants(os.getpid()) if containment.alive(pid) and not template(pid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def test_the_model_solution_passes_through_the_real_process_boundary(grader):
    result = run(SOLUTION, grader)
    assert result.status == PASS
    assert result.score == result.max_score > 0


def test_an_endless_loop_is_stopped_within_the_time_limit_plus_a_second(tmp_path, grader):
    path = learner_file(tmp_path, """
        def forward_diffusion(x_0, t, noise_schedule):
            while True:
                pass
    """)
    started = time.monotonic()
    result = run(path, grader, time_limit=4.0)
    assert time.monotonic() - started < 4.0 + 1.0
    assert result.status == ERROR
    assert "time limit" in result.error


def test_a_hang_at_import_time_is_stopped_too(tmp_path, grader):
    path = learner_file(tmp_path, "import time\ntime.sleep(60)\n")
    result = run(path, grader, time_limit=4.0)
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
def test_leaving_the_process_is_an_error_never_a_pass(tmp_path, grader, body, phrase):
    result = run(learner_file(tmp_path, body), grader)
    assert result.status == ERROR
    assert phrase in result.error


def test_sys_exit_inside_the_function_is_an_error(tmp_path, grader):
    path = learner_file(tmp_path, """
        import sys
        def forward_diffusion(x_0, t, noise_schedule):
            sys.exit(3)
    """)
    result = run(path, grader)
    assert result.status == ERROR
    assert "sys.exit(3)" in result.error


def test_a_flood_of_output_is_cut_and_cannot_pass(tmp_path, grader):
    path = tmp_path / "forward_diffusion.py"
    path.write_text('print("x" * 200_000_000)\n' + SOLUTION.read_text())
    result = run(path, grader, time_limit=10.0)
    assert result.status == ERROR
    assert len(result.output) < 10_000


def test_a_moderate_amount_of_output_is_shown_capped_and_the_run_still_grades(tmp_path, grader):
    path = tmp_path / "forward_diffusion.py"
    path.write_text('print("hello from the learner")\nprint("y" * 50_000)\n' + SOLUTION.read_text())
    result = run(path, grader)
    assert result.status == PASS
    assert result.output.startswith("hello from the learner")
    assert "output cut" in result.output


def test_patching_torch_only_fools_the_learners_own_process(tmp_path, grader):
    path = learner_file(tmp_path, """
        import torch
        torch.allclose = lambda *args, **kwargs: True
        torch.equal = lambda *args, **kwargs: True
        torch.Tensor.__eq__ = lambda *args, **kwargs: True

        def forward_diffusion(x_0, t, noise_schedule):
            noise = torch.randn_like(x_0)
            return x_0 * 0, noise
    """)
    result = run(path, grader)
    assert result.status == FAIL


def test_writing_a_fake_result_into_the_graders_output_is_an_error(tmp_path, grader):
    fake = json.dumps({"result": {"drill": "forward_diffusion", "status": "pass", "score": 1, "max_score": 1,
                                  "checks": [], "diagnoses": [], "output": "", "duration_s": 0}})
    path = learner_file(tmp_path, f"""
        import os
        for fd in os.listdir(f"/proc/{{os.getppid()}}/fd"):
            try:
                with open(f"/proc/{{os.getppid()}}/fd/{{fd}}", "w") as channel:
                    channel.write({fake!r} + "\\n")
            except OSError:
                pass
        def forward_diffusion(x_0, t, noise_schedule):
            return x_0, x_0
    """)
    result = run(path, grader)
    assert result.status in (ERROR, FAIL)


def test_killing_the_grader_is_an_error(tmp_path, grader):
    path = learner_file(tmp_path, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    result = run(path, grader)
    assert result.status == ERROR
    assert not settled()


def test_no_child_process_outlives_the_run(tmp_path, grader):
    marker = tmp_path / "survivor.pid"
    path = learner_file(tmp_path, f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        open({str(marker)!r}, "w").write(str(child.pid))
    """)
    run(path, grader)
    assert not containment.alive(int(marker.read_text()))
    assert not settled()


def test_a_double_fork_with_setsid_does_not_outlive_the_run(tmp_path, grader):
    marker = tmp_path / "survivor.pid"
    path = learner_file(tmp_path, f"""
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                with open({str(marker)!r}, "w") as handle:
                    handle.write(str(os.getpid()))
                while True:
                    time.sleep(0.1)
            os._exit(0)
        while not os.path.exists({str(marker)!r}):
            time.sleep(0.01)

        def forward_diffusion(x_0, t, noise_schedule):
            return x_0, x_0
    """)
    result = run(path, grader)
    assert result.status in (ERROR, FAIL)
    assert not containment.alive(int(marker.read_text()))
    assert not settled()


def test_memory_growth_is_stopped_at_the_limit_with_a_memory_message(tmp_path, grader):
    path = learner_file(tmp_path, """
        import torch
        hoard = []
        while True:
            hoard.append(torch.ones(16 * 1024 * 1024))
    """)
    result = run(path, grader, time_limit=60.0, memory_limit=SMALL_MEMORY)
    assert result.status == ERROR
    assert "used more than 512 MB of memory" in result.error
    assert not settled()


def test_a_learner_that_stops_its_parent_gets_an_error_and_the_next_run_works(tmp_path, grader):
    path = learner_file(tmp_path, """
        import os, signal, time
        os.kill(os.getppid(), signal.SIGSTOP)
        time.sleep(60)
    """)
    result = run(path, grader, time_limit=20.0)
    assert result.status == ERROR
    assert "stopped the grader" in result.error
    assert not settled()
    assert run(SOLUTION, grader).status == PASS


@pytest.mark.parametrize(
    "body",
    [
        "from reference import q_sample\n",
        "import importlib\nq_sample = importlib.import_module('reference').q_sample\n",
        "import sys\nq_sample = sys.modules['reference'].q_sample\n",
        "from drills.forward_diffusion import checks\n",
        "import engine.drills.compare\n",
    ],
    ids=["from-import", "import_module", "sys.modules", "drills", "engine"],
)
def test_importing_dli_drill_itself_is_refused(tmp_path, grader, body):
    path = learner_file(tmp_path, body + "def forward_diffusion(x_0, t, noise_schedule):\n    return q_sample(x_0, t, noise_schedule)\n")
    result = run(path, grader)
    assert result.status == ERROR
    assert "write it yourself" in result.error or "KeyError" in result.error


def test_the_refusal_names_the_reference(tmp_path, grader):
    result = run(learner_file(tmp_path, "from reference import q_sample\n"), grader)
    assert "your file imports dli-drill's reference implementation" in result.error
    assert "line 1" in result.error


@pytest.mark.parametrize(
    "body",
    [
        f"exec(open({str(SOLUTION)!r}).read())\n",
        f"import pathlib\nexec(pathlib.Path({str(SOLUTION)!r}).read_text())\n",
        f"import runpy\nglobals().update(runpy.run_path({str(SOLUTION)!r}))\n",
        f"import os\nos.symlink({str(SOLUTION)!r}, 'borrowed.py')\nexec(open('borrowed.py').read())\n",
    ],
    ids=["open", "pathlib", "runpy", "symlink"],
)
def test_reading_a_shipped_solution_is_refused(tmp_path, grader, body):
    result = run(learner_file(tmp_path, body), grader)
    assert result.status == ERROR
    assert "reads dli-drill's own files" in result.error


def test_reading_a_solution_from_inside_the_function_is_refused_too(tmp_path, grader):
    path = learner_file(tmp_path, f"""
        def forward_diffusion(x_0, t, noise_schedule):
            scope = {{}}
            exec(open({str(SOLUTION)!r}).read(), scope)
            return scope["forward_diffusion"](x_0, t, noise_schedule)
    """)
    result = run(path, grader)
    assert result.status != PASS
    assert any("reads dli-drill's own files" in check.message for check in result.checks)


def test_a_python_started_by_the_learner_cannot_import_the_reference_either(tmp_path, grader):
    path = learner_file(tmp_path, """
        import subprocess, sys
        probe = subprocess.run([sys.executable, "-c", "import reference"], capture_output=True, text=True)
        print(probe.stderr.strip().splitlines()[-1])
    """)
    result = run(path, grader)
    assert "write it yourself" in result.output


def test_learner_tracebacks_show_only_the_learners_frames(tmp_path, grader):
    path = learner_file(tmp_path, """
        def helper(x):
            return x.no_such_method()

        def forward_diffusion(x_0, t, noise_schedule):
            return helper(x_0)
    """)
    result = run(path, grader)
    message = next(check.message for check in result.checks if check.status == ERROR)
    assert "line 3, in helper" in message and "line 6, in forward_diffusion" in message
    assert "engine" not in message and "site-packages" not in message


def test_a_syntax_error_is_reported_with_its_line_without_starting_a_process(tmp_path):
    path = learner_file(tmp_path, "def forward_diffusion(x_0, t, noise_schedule)\n    return x_0\n")
    result = run(path, grader=None)
    assert result.status == ERROR
    assert "line 1" in result.error and "Syntax error" in result.error
    assert not (Path(os.environ["DRILL_HOME"]) / "grader.sock").exists()


def test_a_missing_function_is_named(tmp_path, grader):
    result = run(learner_file(tmp_path, "def forward(x):\n    return x\n"), grader)
    assert result.status == ERROR
    assert "does not define `forward_diffusion`" in result.error


# Each attack first notes its own pid (and the double fork its grandchild's) in MARKER.
ATTACKS = {
    "double-fork": """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                with open(MARKER, "a") as note:
                    note.write(f"{os.getpid()}\\n")
                while True:
                    time.sleep(0.1)
            os._exit(0)
        while len(open(MARKER).read().split()) < 2:
            time.sleep(0.01)
    """,
    "memory": """
        import torch
        hoard = []
        while True:
            hoard.append(torch.ones(16 * 1024 * 1024))
    """,
    "import-reference": "from reference import q_sample\n",
    "read-solution": f"exec(open({str(SOLUTION)!r}).read())\n",
    "stop-parent": "import os, signal, time\nos.kill(os.getppid(), signal.SIGSTOP)\ntime.sleep(60)\n",
}


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    """One DRILL_HOME for the CLI attacks, so that the warm ones share one per-user grader."""
    home = tmp_path_factory.mktemp("attacks-home")
    yield home
    from engine.drills.warm import UserGrader

    UserGrader(home).stop()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_each_attack_through_the_cli_is_an_error_leaves_nothing_and_the_store_stays_intact(tmp_path, shared_home, attack, mode):
    marker = tmp_path / "pids"
    header = f"import os\nMARKER = {str(marker)!r}\nwith open(MARKER, 'a') as note:\n    note.write(f'{{os.getpid()}}\\n')\n"
    path = tmp_path / "forward_diffusion.py"
    path.write_text(header + textwrap.dedent(ATTACKS[attack]))
    flags = ["--cold"] if mode == "cold" else []
    completed = subprocess.run(
        [sys.executable, "-m", "engine.cli", "run", "forward_diffusion", "--file", str(path), "--json", "--device", "cpu",
         "--memory-limit", "512M", "--time-limit", "20", *flags],
        capture_output=True, text=True, env={**os.environ, "DRILL_HOME": str(shared_home)}, timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    status = json.loads(completed.stdout)["status"]
    assert status in (ERROR, FAIL)
    with sqlite3.connect(shared_home / "progress.sqlite3") as database:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        last = database.execute("SELECT status, file_path FROM drill_attempts ORDER BY id DESC LIMIT 1").fetchone()
    assert last == (status, str(path))
    started = [int(pid) for pid in marker.read_text().split()]
    assert started and not [pid for pid in started if containment.alive(pid)]


def test_cli_json_mode_prints_exactly_one_json_object(tmp_path, grader):
    flags = ["--cold"] if grader is COLD else []
    completed = subprocess.run(
        [sys.executable, "-m", "engine.cli", "run", "forward_diffusion", "--file", str(SOLUTION), "--json", *flags],
        capture_output=True, text=True, env={**os.environ, "DRILL_HOME": str(tmp_path)}, timeout=120,
    )
    assert completed.returncode == 0
    data = json.loads(completed.stdout)
    assert data["status"] == "pass" and data["drill"] == "forward_diffusion"
    assert {"score", "max_score", "checks", "diagnoses", "output", "duration_s"} <= set(data)
