"""Running a drill from the CLI or the app: no torch here, the grader process imports it.

The grader runs in its own session (process group); whatever happens inside it, this call
returns within the drill's time limit plus a second, and only a single well-formed JSON
result from the grader can produce a pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from engine.drills.catalog import Drill, get_drill
from engine.drills.results import RunResult, error_result
from engine.errors import UsageError

HARD_STOP_MARGIN_S = 1.0


def syntax_problem(path: Path) -> str | None:
    """A friendly description of a syntax error in the learner's file, checked before any process starts."""
    try:
        compile(path.read_bytes(), str(path), "exec")
    except SyntaxError as error:
        pointer = f"\n    {error.text.rstrip()}" if error.text else ""
        return f"Syntax error in {path.name}, line {error.lineno}: {error.msg}{pointer}"
    except ValueError as error:
        return f"{path.name} cannot be compiled: {error}"
    return None


def learner_file(drill: Drill, file: str | os.PathLike[str] | None, workspace: Path) -> Path:
    """The file to grade: ``file`` when given, else the drill's file in ``workspace``; a UsageError when there is none."""
    path = Path(file).expanduser() if file else workspace / f"{drill.id}.py"
    if not path.is_file():
        if file and path.is_dir():
            raise UsageError(f"{path} is a folder, not a file. Pass the path of your solution with --file.")
        if file:
            raise UsageError(f"No such file: {path}. Pass the path of your solution with --file.")
        raise UsageError(f"You have no file for '{drill.id}' yet. Run `drill start {drill.id}` to create {path}.")
    return path.resolve()


def _parse(drill_id: str, stdout: bytes) -> RunResult | None:
    try:
        data = json.loads(stdout.decode("utf-8"))
        return RunResult.from_dict(data) if isinstance(data, dict) and data.get("drill") == drill_id else None
    except (ValueError, KeyError, TypeError):
        return None


def kill_group(pid: int) -> None:
    """Kill a process group, whatever is left of it."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_drill(
    drill_id: str, path: Path, device: str | None = None, time_limit: float | None = None
) -> RunResult:
    """Grade ``path`` for ``drill_id`` in a separate process and return the structured result."""
    drill = get_drill(drill_id)
    started = time.monotonic()
    problem = syntax_problem(path)
    if problem:
        return error_result(drill.id, problem)
    limit = time_limit or drill.time_limit_s
    command = [sys.executable, "-m", "engine.drills.grader", drill.id, str(path), "--deadline", str(time.time() + limit)]
    if device:
        command += ["--device", device]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=limit + HARD_STOP_MARGIN_S)
    except subprocess.TimeoutExpired:
        kill_group(process.pid)
        process.communicate()
        return error_result(drill.id, f"The run was stopped after {limit:.0f} s.", duration_s=time.monotonic() - started)
    finally:
        kill_group(process.pid)
    result = _parse(drill.id, stdout) if process.returncode == 0 else None
    if result is None:
        detail = stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:] or ["no result"]
        return error_result(
            drill.id,
            "The grader did not return one clean result, so nothing can be trusted from this run "
            f"(did your code write to the grader's output or kill it?): {detail[0]}",
            duration_s=time.monotonic() - started,
        )
    result.duration_s = time.monotonic() - started
    return result
