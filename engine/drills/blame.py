"""Whose fault a run's failure is, in words: the learner's code, or the grader (ours).

A crash of our own code (a drill's ``grade`` or probe machinery, the grader itself) is never
the learner's: they are told so, and the traceback goes to ``$DRILL_HOME/logs/grader-errors.log``
for a bug report. No torch here: the runner reports a cold grader's crash too.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from engine import __version__
from engine.drills.request import Request

LOG_NAME = "grader-errors.log"


def log_failure(request: Request, details: str) -> Path:
    """Append a crash of our code, with what was being graded, to the grader's log."""
    folder = Path(request.log_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"=== {stamp} dli-drill {__version__} · drill {request.drill} · file {request.file} · device {request.device}\n")
        log.write(details.rstrip() + "\n\n")
    return path


def report(request: Request, details: str) -> str:
    """Log ``details`` (a traceback of ours) and return the message the learner sees."""
    try:
        where = f"; the details are in {log_failure(request, details)}"
    except OSError:
        where = ""
    return f"The grader failed on your output — please report it{where}. This is our bug, not a verdict on your code."


def failure_message(problem: str, time_limit: float) -> str:
    """Why a grader gave no answer at all: it was stopped, it ran out of time, or it vanished."""
    if problem == "stopped":
        return "Your code stopped the grader (a SIGSTOP to its parent process), so nothing from this run can be trusted."
    if problem == "timeout":
        return f"The run was stopped after {time_limit:.0f} s."
    return (
        "The grader did not return one clean result, so nothing can be trusted from this run "
        "(did your code kill the grader or write to its output?)"
    )
