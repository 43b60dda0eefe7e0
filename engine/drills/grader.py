"""The grader process: ``python -m engine.drills.grader DRILL FILE --device DEV --deadline EPOCH``.

It imports torch once, forks the sandboxed child that runs the learner's file, waits for it
within the time limit, kills whatever the child left behind, and grades the child's record
against values it computes itself. Its stdout carries exactly one JSON result.

Expected values are computed here, in a process the learner's code never ran in, so patching
torch, the reference or the comparison functions inside the learner's file changes nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import torch

from engine.drills.catalog import get_drill
from engine.drills.grading import Grading
from engine.drills.plugin import load_checks
from engine.drills.results import RunResult, error_result, overall_status
from engine.drills.runner import kill_group
from engine.drills.sandbox import run_child

OUTPUT_LIMIT = 8000
GRADING_MARGIN_S = 0.3
_SIGNAL_NAMES = {signal.SIGSEGV: "a segmentation fault", signal.SIGXFSZ: "writing more output than allowed"}


def read_output(path: Path) -> str:
    """The learner's captured stdout/stderr, capped so that a flood stays readable."""
    with open(path, "rb") as handle:
        head = handle.read(OUTPUT_LIMIT + 1)
    text = head[:OUTPUT_LIMIT].decode("utf-8", errors="replace")
    return text + "\n… (output cut)" if len(head) > OUTPUT_LIMIT else text


def _wait(pid: int, deadline: float) -> int | None:
    """Wait for the child until ``deadline``; its wait status, or None if it ran out of time."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return f"Your code was stopped by {_SIGNAL_NAMES.get(sig, signal.Signals(sig).name)}."
    return f"Your code ended the process (exit code {os.WEXITSTATUS(status)}) before the checks finished."


def run_learner(checks, learner_file: str, device: str, deadline: float, workdir: Path) -> tuple[dict | None, str, str]:
    """Fork, run the learner in the child, and return (record or None, output, error message)."""
    capture_path, record_path = workdir / "output.txt", workdir / "record.pt"
    pid = os.fork()
    if pid == 0:
        run_child(checks, learner_file, device, str(capture_path), str(record_path))
    status = _wait(pid, deadline)
    kill_group(pid)
    if status is None:
        os.waitpid(pid, 0)
    output = read_output(capture_path) if capture_path.exists() else ""
    if status is None:
        return None, output, "Your code did not finish within the time limit (an endless loop, or far too much work?)."
    if not record_path.exists() or os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
        return None, output, _describe_exit(status)
    try:
        record = torch.load(record_path, weights_only=True)
    except Exception:  # noqa: BLE001 - an unreadable record means the run cannot be trusted
        return None, output, "The result of your run could not be read back; it was overwritten or corrupted."
    if not isinstance(record, dict) or not record.get("ok"):
        return None, output, str(record.get("error", "Your code could not be run.")) if isinstance(record, dict) else "?"
    return record, output, ""


def grade_record(drill_id: str, checks, record: dict, device: torch.device) -> RunResult:
    """Turn the child's record into checks and diagnoses (used in-process by the content tests too)."""
    grading = Grading(get_drill(drill_id), device.type)
    checks.grade(record["calls"], device, grading)
    graded = grading.checks()
    return RunResult(drill=drill_id, status=overall_status(graded), checks=graded, diagnoses=grading.diagnoses)


def grade_file(drill_id: str, learner_file: str, device: torch.device, deadline: float) -> RunResult:
    """Grade ``learner_file``; the child is stopped at ``deadline`` (a time.monotonic() value)."""
    started = time.monotonic()
    checks = load_checks(get_drill(drill_id))
    with tempfile.TemporaryDirectory(prefix="drill-") as tmp:
        record, output, error = run_learner(checks, learner_file, str(device), deadline, Path(tmp))
    if record is None:
        return error_result(drill_id, error, output, time.monotonic() - started)
    result = grade_record(drill_id, checks, record, device)
    result.output = output
    result.duration_s = time.monotonic() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="engine.drills.grader")
    parser.add_argument("drill")
    parser.add_argument("file")
    parser.add_argument("--device", default=None)
    parser.add_argument("--deadline", type=float, required=True, help="wall-clock time (epoch s) to stop the learner")
    args = parser.parse_args(argv)
    # Leave a moment after the learner's deadline to grade and answer before the caller gives up.
    deadline = time.monotonic() + (args.deadline - time.time()) - GRADING_MARGIN_S
    from reference import pick_device

    try:
        device = pick_device(args.device)
    except RuntimeError as problem:
        result = error_result(args.drill, str(problem))
    else:
        result = grade_file(args.drill, os.path.abspath(args.file), device, deadline)
    sys.stdout.write(result.to_json())
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
