"""The grader: one run of a learner's file, from a sandboxed child to a graded result.

A grader process imports torch and the drill's checks, forks the child that runs the learner's
file (:mod:`engine.drills.sandbox`), waits for it within the time and memory limits, kills
whatever the child left behind, and grades the child's record against values it computes itself.
The same code serves both process models:

- cold: ``python -m engine.drills.grader REQUEST --deadline EPOCH``, a fresh process per run,
  whose stdout carries exactly one JSON answer;
- warm: a copy forked from the warm template (:mod:`engine.drills.template`) per run, answering
  on a socket.

Expected values are computed here, in a process the learner's code never ran in, so patching
torch, the reference or the comparison functions inside the learner's file changes nothing.

CUDA and fork: the grader never touches CUDA before it forks the child. Whether CUDA is there
is asked through NVML (``PYTORCH_NVML_BASED_CUDA_CHECK=1``), which does not initialise the CUDA
driver; the child initialises its own context, and the grader initialises one only to grade,
after its last fork. (Spawning the child instead would be CUDA-safe too, but it pays a torch
import per run, the very cost the warm template exists to avoid.) A crash of our own code (the checks' ``grade``, the probe machinery) is
logged under ``$DRILL_HOME/logs`` and reported as ours, never blamed on the learner.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NVML_CHECK = "PYTORCH_NVML_BASED_CUDA_CHECK"
# Set before torch is imported, so that no CUDA availability check in this process initialises CUDA.
os.environ.setdefault(NVML_CHECK, "1")

import torch  # noqa: E402 - after the NVML switch on purpose

from engine.devices import choose_device  # noqa: E402
from engine.drills import containment, honesty  # noqa: E402
from engine.drills.blame import report  # noqa: E402
from engine.drills.catalog import get_drill  # noqa: E402
from engine.drills.grading import Grading  # noqa: E402
from engine.drills.limits import memory_message  # noqa: E402
from engine.drills.plugin import load_checks  # noqa: E402
from engine.drills.request import RESULT, USAGE_ERROR, Request  # noqa: E402
from engine.drills.results import RunResult, error_result, overall_status  # noqa: E402
from engine.drills.sandbox import run_child  # noqa: E402
from engine.errors import UsageError  # noqa: E402

OUTPUT_LIMIT = 8000
GRADING_MARGIN_S = 0.3
MEMORY_POLL_S = 0.02
_SIGNAL_NAMES = {signal.SIGSEGV: "a segmentation fault", signal.SIGXFSZ: "writing more output than allowed"}


def read_output(path: Path) -> str:
    """The learner's captured stdout/stderr, capped so that a flood stays readable."""
    with open(path, "rb") as handle:
        head = handle.read(OUTPUT_LIMIT + 1)
    text = head[:OUTPUT_LIMIT].decode("utf-8", errors="replace")
    return text + "\n… (output cut)" if len(head) > OUTPUT_LIMIT else text


def _wait(pid: int, deadline: float, memory_limit: int, baseline: int) -> tuple[int | None, str]:
    """Wait for the child until ``deadline``: (wait status, "") or (None, "time" | "memory")."""
    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status, ""
            # Everything below this process is the learner's: the child and whatever it started.
            if containment.anonymous_memory(containment.descendants(os.getpid())) - baseline > memory_limit:
                return None, "memory"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, "time"
            if pidfd is None:
                time.sleep(min(remaining, 0.005))
            else:
                select.select([pidfd], [], [], min(remaining, MEMORY_POLL_S))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status))
        return f"Your code was stopped by {_SIGNAL_NAMES.get(sig, sig.name)}."
    return f"Your code ended the process (exit code {os.WEXITSTATUS(status)}) before the checks finished."


@dataclass
class Outcome:
    """What the learner's run left: a record to grade, or why there is none, and their output."""

    record: dict[str, Any] | None
    output: str
    error: str = ""
    grader_failure: str = ""


def run_learner(
    checks: Any, request: Request, device: torch.device, deadline: float, workdir: Path, fences: honesty.Fences,
    inherited: Iterable[int] = (),
) -> Outcome:
    """Fork, run the learner in the child, contain it, and read back what it recorded."""
    capture_path, record_path = workdir / "output.txt", workdir / "record.pt"
    baseline = containment.anonymous_memory([os.getpid()])
    pid = os.fork()
    if pid == 0:
        run_child(checks, request.file, str(device), workdir, fences, request.memory_limit, inherited)
    status, overrun = _wait(pid, deadline, request.memory_limit, baseline)
    # Whatever the child started is now below this process (a subreaper): none of it outlives the run.
    containment.kill_group(pid)
    containment.kill_descendants()
    output = read_output(capture_path) if capture_path.exists() else ""
    if overrun == "memory":
        return Outcome(None, output, memory_message(request.memory_limit))
    if status is None:
        return Outcome(None, output, "Your code did not finish within the time limit (an endless loop, or far too much work?).")
    if not record_path.exists() or os.WIFSIGNALED(status) or os.WEXITSTATUS(status) != 0:
        return Outcome(None, output, _describe_exit(status))
    try:
        record = torch.load(record_path, weights_only=True)
    except Exception:  # noqa: BLE001 - an unreadable record means the run cannot be trusted
        return Outcome(None, output, "The result of your run could not be read back; it was overwritten or corrupted.")
    if not isinstance(record, dict):
        return Outcome(None, output, "The result of your run could not be read back; it was overwritten or corrupted.")
    if record.get("grader_failure"):
        return Outcome(None, output, grader_failure=str(record["grader_failure"]))
    if not record.get("ok"):
        return Outcome(None, output, str(record.get("error", "Your code could not be run.")))
    return Outcome(record, output)


def grade_record(drill_id: str, checks: Any, record: dict[str, Any], device: torch.device) -> RunResult:
    """Turn the child's record into checks and diagnoses (used in-process by the content tests too)."""
    grading = Grading(get_drill(drill_id), device.type)
    checks.grade(record["calls"], device, grading)
    graded = grading.checks()
    return RunResult(drill=drill_id, status=overall_status(graded), checks=graded, diagnoses=grading.diagnoses)


def ours(request: Request, details: str, output: str = "", duration_s: float = 0.0) -> RunResult:
    """An error result that blames the grader, with the traceback logged rather than shown."""
    return error_result(request.drill, report(request, details), output, duration_s)


def grade_file(
    request: Request, device: torch.device, deadline: float, fences: honesty.Fences, inherited: Iterable[int] = ()
) -> RunResult:
    """Grade ``request.file``; the child is stopped at ``deadline`` (a time.monotonic() value)."""
    started = time.monotonic()
    checks = load_checks(get_drill(request.drill))
    with tempfile.TemporaryDirectory(prefix="drill-") as tmp:
        outcome = run_learner(checks, request, device, deadline, Path(tmp), fences, inherited)
    if outcome.grader_failure:
        return ours(request, outcome.grader_failure, outcome.output, time.monotonic() - started)
    if outcome.record is None:
        return error_result(request.drill, outcome.error, outcome.output, time.monotonic() - started)
    # One thread: drill-sized tensors gain nothing from more, and on a busy machine (or a batch
    # filling every core) more threads spin against each other and run many times slower.
    torch.set_num_threads(1)
    try:
        result = grade_record(request.drill, checks, outcome.record, device)
    except Exception:  # noqa: BLE001 - our checks crashed on this output: ours to report, not the learner's
        return ours(request, traceback.format_exc(), outcome.output, time.monotonic() - started)
    result.output = outcome.output
    result.duration_s = time.monotonic() - started
    return result


def answer(request: Request, deadline: float, fences: honesty.Fences, inherited: Iterable[int] = ()) -> dict[str, Any]:
    """The grader's reply to the runner: ``{"result": …}``, or ``{"usage_error": …}`` for a run that must not count."""
    try:
        device = choose_device(request.device)
    except UsageError as problem:
        return {USAGE_ERROR: str(problem)}
    try:
        result = grade_file(request, device, deadline, fences, inherited)
    except Exception:  # noqa: BLE001 - any other failure of the grader is ours as well
        result = ours(request, traceback.format_exc())
    return {RESULT: result.to_dict()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="engine.drills.grader")
    parser.add_argument("request", help="the run, as JSON")
    parser.add_argument("--deadline", type=float, required=True, help="wall-clock time (epoch s) to stop the learner")
    args = parser.parse_args(argv)
    request = Request.from_json(args.request)
    # Leave a moment after the learner's deadline to grade and answer before the caller gives up.
    deadline = time.monotonic() + (args.deadline - time.time()) - GRADING_MARGIN_S
    containment.become_subreaper()
    with tempfile.TemporaryDirectory(prefix="drill-fences-") as shadow:
        reply = answer(request, deadline, honesty.prepare(shadow))
    sys.stdout.write(json.dumps(reply, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
