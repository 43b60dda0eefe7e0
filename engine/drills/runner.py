"""Running a drill from the CLI or the app: no torch here, a grader process imports it.

:func:`run_drill` builds one :class:`~engine.drills.request.Request` and hands it to a grader:

- by default the per-user warm grader (:class:`~engine.drills.warm.UserGrader`), started on
  first use; when none can be started, a cold one;
- ``grader=COLD`` (``--cold``): a fresh ``python -m engine.drills.grader`` for this run only;
- any :class:`Grader` the caller holds, such as the app's or ``--watch``'s private warm grader.

Whatever happens inside the grader, this call returns within the drill's time limit plus a
second, and only a single well-formed JSON answer from the grader can produce a pass. An answer
that says the request itself was wrong (a device this machine lacks) raises UsageError, so the
caller records nothing.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Protocol

from engine.drills import containment, limits
from engine.drills.blame import failure_message, report
from engine.drills.catalog import Drill, get_drill
from engine.drills.request import RESULT, USAGE_ERROR, Request
from engine.drills.results import RunResult, error_result
from engine.errors import UsageError
from engine.paths import data_home

HARD_STOP_MARGIN_S = 1.0
DEVICE_ENV = "DRILL_DEVICE"
# Marks the environment of a cold grader, so that what its learner left behind can be found even
# when the learner killed the grader before the grader could adopt it.
RUN_MARK = "DRILL_RUN_MARK"


class Grader(Protocol):
    def answer(self, request: Request) -> dict[str, Any]:
        """The grader's answer: ``{"result": …}`` or ``{"usage_error": …}``."""


class ColdGrader:
    """A fresh grader process for every run: what ``--cold`` asks for, and the fallback."""

    def answer(self, request: Request) -> dict[str, Any]:
        started = time.monotonic()
        mark = f"{RUN_MARK}={secrets.token_hex(8)}"
        command = [
            sys.executable, "-m", "engine.drills.grader", request.to_json(), "--deadline", str(time.time() + request.time_limit)
        ]
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            env={**os.environ, RUN_MARK: mark},
        )
        try:
            stdout, stderr, problem = _communicate(process, request.time_limit + HARD_STOP_MARGIN_S)
        finally:
            containment.kill_tree(process.pid)
            process.wait()
            containment.kill_all(containment.marked(mark))
        elapsed = time.monotonic() - started
        reply = _parse(stdout) if not problem and process.returncode == 0 else None
        if reply is not None:
            return reply
        if not problem and "Traceback (most recent call last)" in stderr.decode("utf-8", errors="replace"):
            message = report(request, stderr.decode("utf-8", errors="replace"))
        else:
            message = failure_message(problem or "closed", request.time_limit)
        return {RESULT: error_result(request.drill, message, duration_s=elapsed).to_dict()}


def _communicate(process: subprocess.Popen[bytes], timeout: float) -> tuple[bytes, bytes, str]:
    """The grader's (stdout, stderr, ""), or (…, "stopped" | "timeout") when it was stopped or ran out of time."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            stdout, stderr = process.communicate(timeout=min(0.05, max(0.0, deadline - time.monotonic())))
            return stdout, stderr, ""
        except subprocess.TimeoutExpired:
            if containment.stopped(process.pid):
                return b"", b"", "stopped"
            if time.monotonic() >= deadline:
                return b"", b"", "timeout"


def _parse(stdout: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(stdout.decode("utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) and (RESULT in data or USAGE_ERROR in data) else None


COLD = ColdGrader()


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


def make_request(
    drill: Drill, path: Path, device: str | None = None, time_limit: float | None = None,
    memory_limit: int | None = None,
) -> Request:
    """The run as a grader takes it, with the environment's defaults ($DRILL_DEVICE, $DRILL_MEMORY_LIMIT) resolved here."""
    return Request(
        drill=drill.id,
        file=str(path),
        device=device or os.environ.get(DEVICE_ENV) or None,
        time_limit=time_limit or drill.time_limit_s,
        memory_limit=memory_limit or limits.memory_limit(),
        log_dir=str(data_home() / "logs"),
    )


def user_grader() -> Grader:
    """The per-user warm grader in $DRILL_HOME."""
    from engine.drills.warm import UserGrader

    return UserGrader(data_home())


def run_drill(
    drill_id: str, path: Path, device: str | None = None, time_limit: float | None = None,
    memory_limit: int | None = None, grader: Grader | None = None,
) -> RunResult:
    """Grade ``path`` for ``drill_id`` in a grader process and return the structured result.

    Raises UsageError for a request no grader can serve (an unknown or missing device).
    """
    drill = get_drill(drill_id)
    problem = syntax_problem(path)
    if problem:
        return error_result(drill.id, problem)
    return result_of(ask(grader, make_request(drill, path, device, time_limit, memory_limit)))


def ask(grader: Grader | None, request: Request) -> dict[str, Any]:
    """``grader``'s answer to ``request`` (by default the user's warm grader); cold when a warm one cannot run."""
    from engine.drills.warm import WarmUnavailable

    try:
        return (grader or user_grader()).answer(request)
    except (WarmUnavailable, OSError):
        return COLD.answer(request)


def result_of(reply: dict[str, Any]) -> RunResult:
    """The RunResult in a grader's answer; UsageError when the answer is that the request was wrong."""
    if USAGE_ERROR in reply:
        raise UsageError(str(reply[USAGE_ERROR]))
    return RunResult.from_dict(reply[RESULT])
