"""`drill run` as a process: usage errors record nothing, the limits' flags, and `--watch` keeping
one warm grader for its lifetime."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.drills import containment

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"


def drill(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})}
    )


def attempts(home: Path) -> int:
    database = home / "progress.sqlite3"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM drill_attempts").fetchone()[0])


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.parametrize("mode", [[], ["--cold"]], ids=["warm", "cold"])
def test_a_device_this_machine_lacks_is_a_usage_error_and_nothing_is_recorded(drill_home, mode):
    if cuda_available():
        pytest.skip("this machine has CUDA")
    completed = drill("run", "forward_diffusion", "--file", str(SOLUTION), "--device", "cuda", *mode)
    assert completed.returncode == 2
    assert completed.stderr.startswith("drill: ") and completed.stderr.count("\n") == 1
    assert "CUDA is not available" in completed.stderr
    assert completed.stdout == ""
    assert attempts(drill_home) == 0
    assert "new" in drill("list").stdout.splitlines()[3]


@pytest.mark.parametrize(
    "args, env",
    [
        (["--device", "gpu"], {}),
        (["--memory-limit", "lots"], {}),
        (["--memory-limit", "1M"], {}),
        ([], {"DRILL_MEMORY_LIMIT": "lots"}),
        ([], {"DRILL_DEVICE": "tpu"}),
    ],
    ids=["device-name", "memory-word", "memory-tiny", "memory-env", "device-env"],
)
def test_malformed_limits_and_devices_are_usage_errors(drill_home, args, env):
    completed = drill("run", "forward_diffusion", "--file", str(SOLUTION), "--cold", *args, env=env)
    assert completed.returncode == 2
    assert completed.stderr.startswith("drill: ") and completed.stderr.count("\n") == 1
    assert attempts(drill_home) == 0


def test_the_memory_limit_flag_reaches_the_run(tmp_path, drill_home):
    path = tmp_path / "forward_diffusion.py"
    path.write_text("import torch\nhoard = [torch.ones(16 * 1024 * 1024) for _ in range(64)]\n")
    completed = drill("run", "forward_diffusion", "--file", str(path), "--cold", "--memory-limit", "256M")
    assert completed.returncode == 1
    assert "used more than 256 MB of memory" in completed.stdout
    assert attempts(drill_home) == 1


def template_children(pid: int) -> list[int]:
    found = []
    for child in containment.children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"engine.drills.template" in command:
            found.append(child)
    return found


def read_until(stream, marker: str, timeout: float = 120.0) -> str:
    """What the watcher printed up to the line holding ``marker``."""
    import select

    seen = b""
    deadline = time.monotonic() + timeout
    while marker.encode() not in seen:
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([stream], [], [], max(remaining, 0))
        if not ready:
            raise AssertionError(f"never saw {marker!r} in:\n{seen.decode()}")
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            raise AssertionError(f"the watcher ended before {marker!r}:\n{seen.decode()}")
        seen += chunk
    return seen.decode()


def test_watch_keeps_one_warm_grader_for_its_lifetime_and_closes_it(tmp_path):
    path = tmp_path / "forward_diffusion.py"
    path.write_text("def forward_diffusion(x_0, t, noise_schedule):\n    raise NotImplementedError\n")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "run", "forward_diffusion", "--file", str(path), "--watch"],
        stdout=subprocess.PIPE, env=os.environ,
    )
    try:
        assert "NotImplementedError" in read_until(watcher.stdout, "Watching")
        first = template_children(watcher.pid)
        path.write_text(SOLUTION.read_text())
        assert "All checks pass" in read_until(watcher.stdout, "Watching")
        assert len(first) == 1 and template_children(watcher.pid) == first
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
    deadline = time.monotonic() + 10
    while containment.alive(first[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not containment.alive(first[0])
