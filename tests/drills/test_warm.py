"""The warm graders' lifecycle: the per-user one in $DRILL_HOME (started on first use, private,
replaced when stale or unhealthy, gone after its idle time) and the private one an app holds.

Each test that starts a per-user grader has its own DRILL_HOME; the shared fixture stops it.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.drills import containment
from engine.drills.results import PASS
from engine.drills.runner import COLD, run_drill
from engine.drills.warm import SOCKET_NAME, PrivateGrader, UserGrader

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"
STARTER = ROOT / "drills" / "forward_diffusion" / "starter.py"


def eventually(condition, seconds: float = 30.0) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (processes leave asynchronously)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def templates_for(socket_path: Path) -> list[int]:
    """Live template processes listening (or about to) on ``socket_path``; not the graders they fork."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"engine.drills.template" in command and os.fsencode(socket_path) in command and containment.alive(int(entry.name)):
            found.append(int(entry.name))
    return [pid for pid in found if containment.parent_of(pid) not in found]


def test_the_first_run_starts_a_user_grader_on_a_private_socket_and_the_next_run_reuses_it(drill_home):
    assert run_drill("forward_diffusion", SOLUTION, device="cpu").status == PASS
    path = drill_home / SOCKET_NAME
    info = os.lstat(path)
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    first = templates_for(path)
    assert len(first) == 1
    assert run_drill("forward_diffusion", STARTER, device="cpu").status != PASS
    assert templates_for(path) == first


def test_cold_bypasses_the_warm_grader(drill_home):
    assert run_drill("forward_diffusion", SOLUTION, device="cpu", grader=COLD).status == PASS
    assert not (drill_home / SOCKET_NAME).exists()


def test_concurrent_first_runs_start_one_grader_and_all_land(drill_home):
    results = []
    threads = [threading.Thread(target=lambda: results.append(run_drill("forward_diffusion", SOLUTION, device="cpu")))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [result.status for result in results] == [PASS] * 3
    assert len(templates_for(drill_home / SOCKET_NAME)) == 1


def test_a_stale_grader_is_replaced(drill_home, monkeypatch):
    grader = UserGrader(drill_home)
    old = grader.ready()
    # The fingerprint covers the environment torch starts with: a grader started without this is stale.
    monkeypatch.setenv("MKL_NUM_THREADS", "1")
    new = grader.ready()
    assert new["fingerprint"] != old["fingerprint"]
    template = containment.parent_of(new["pid"])
    assert eventually(lambda: templates_for(drill_home / SOCKET_NAME) == [template])
    assert run_drill("forward_diffusion", SOLUTION, device="cpu").status == PASS


def test_a_stopped_grader_is_killed_and_replaced(drill_home):
    grader = UserGrader(drill_home)
    template = containment.parent_of(grader.ready()["pid"])
    os.kill(template, signal.SIGSTOP)
    assert run_drill("forward_diffusion", SOLUTION, device="cpu").status == PASS
    assert not containment.alive(template)
    assert len(templates_for(drill_home / SOCKET_NAME)) == 1


def test_a_socket_that_others_could_open_is_never_trusted(drill_home):
    path = drill_home / SOCKET_NAME
    impostor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    impostor.bind(str(path))
    impostor.listen(1)
    os.chmod(path, 0o666)
    try:
        result = run_drill("forward_diffusion", STARTER, device="cpu")
    finally:
        impostor.close()
    assert result.status != PASS
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600


def test_the_user_grader_leaves_after_its_idle_time_and_removes_its_socket(tmp_path):
    path = tmp_path / SOCKET_NAME
    subprocess.run(
        [sys.executable, "-m", "engine.drills.template", "--socket", str(path), "--idle", "1", "--daemon"], check=True, timeout=120
    )
    assert eventually(path.exists, 120)
    assert eventually(lambda: not path.exists() and not templates_for(path), 60)


def test_the_template_has_not_initialised_cuda(drill_home):
    assert UserGrader(drill_home).ready()["cuda_initialized"] is False
    with PrivateGrader() as grader:
        assert grader.ready()["cuda_initialized"] is False


def test_the_grader_checks_cuda_through_nvml():
    from engine.drills import grader

    assert os.environ[grader.NVML_CHECK] == "1"


def test_a_private_grader_leaves_with_the_process_that_holds_it(tmp_path):
    script = (
        "import os, sys\n"
        "from engine.drills.warm import PrivateGrader\n"
        "grader = PrivateGrader()\n"
        "grader.ready()\n"
        "print(grader.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, cwd=ROOT)
    template = int(completed.stdout.split()[0])
    assert eventually(lambda: not containment.alive(template), 30)


def test_closing_a_private_grader_stops_its_template():
    grader = PrivateGrader()
    assert run_drill("forward_diffusion", SOLUTION, device="cpu", grader=grader).status == PASS
    template = grader.pid
    grader.close()
    assert template is not None and not containment.alive(template)


@pytest.mark.gpu
@pytest.mark.parametrize("mode", ["cold", "warm"])
def test_a_drill_runs_on_cuda_through_the_real_grader(mode):
    grader = COLD if mode == "cold" else PrivateGrader()
    try:
        result = run_drill("forward_diffusion", SOLUTION, device="cuda", grader=grader)
        failing = run_drill("forward_diffusion", STARTER, device="cuda", grader=grader)
    finally:
        if grader is not COLD:
            grader.close()
    assert result.status == PASS, result.error or [check.message for check in result.checks if not check.passed]
    assert failing.status != PASS


@pytest.mark.gpu
@pytest.mark.parametrize("mode", ["cold", "warm"])
def test_running_out_of_gpu_memory_is_reported_and_the_next_run_works(tmp_path, mode):
    path = tmp_path / "forward_diffusion.py"
    path.write_text("import torch\nhoard = torch.empty(8 * 1024**3, dtype=torch.uint8, device='cuda')\n")
    grader = COLD if mode == "cold" else PrivateGrader()
    try:
        result = run_drill("forward_diffusion", path, device="cuda", memory_limit=1024**3, grader=grader)
        after = run_drill("forward_diffusion", SOLUTION, device="cuda", grader=grader)
    finally:
        if grader is not COLD:
            grader.close()
    assert result.status == "error"
    assert "out of GPU memory" in result.error
    assert after.status == PASS


def test_when_no_warm_grader_can_start_the_run_is_graded_cold(tmp_path, drill_home, monkeypatch):
    # A drill whose checks do not import stops the template at start-up, before it detaches.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import sys\n"
        "class Broken:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'drills.unet.checks':\n"
        "            raise ImportError('deliberately broken drill')\n"
        "sys.meta_path.insert(0, Broken())\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(site))
    assert run_drill("forward_diffusion", SOLUTION, device="cpu").status == PASS
    assert not templates_for(drill_home / SOCKET_NAME)
    assert "deliberately broken drill" in (drill_home / "logs" / "template.log").read_text()
