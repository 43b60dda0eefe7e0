"""Running a rehearsal from the CLI or the app: torch-free; the child process does the work.

:class:`Rehearsal` reads the learner's file and gives the feedback that needs no running (syntax,
empty blanks, class names). When that passes it starts ``engine.rehearse.child`` in its own
session, reads its events line by line, hands each to the caller and records every finished
stage in the store. :meth:`Rehearsal.stop` (from another thread) ends the child and everything
it started; so does the end of the calling process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.drills.containment import kill_group
from engine.errors import UsageError
from engine.rehearse import record
from engine.rehearse.data import idx_parts
from engine.rehearse.events import Checked, Classified, Event, Failed, Sampled, Trained, parse
from engine.rehearse.notebook import Feedback, static_feedback
from engine.rehearse.profiles import Profile
from engine.store import Store

WORKSPACE_NAME = "rehearsal.py"
STDERR_TAIL = 2000


@dataclass(frozen=True)
class Request:
    path: Path
    profile: Profile
    device: str | None = None
    minutes: float | None = None
    seed: int = 0
    mnist: Path | None = None


@dataclass
class Outcome:
    """Where a rehearsal ended. ``status``: pass, fail (blanks or accuracy), error or stopped."""

    status: str | None = None  # None until the rehearsal ends
    stage: str = "started"
    feedback: list[Feedback] = field(default_factory=list)
    parameters: int | None = None
    trained: Trained | None = None
    pixels: bytes | None = None
    classified: Classified | None = None
    message: str = ""
    rehearsal_id: int | None = None


def learner_file(file: str | os.PathLike[str] | None, workspace: Path) -> Path:
    path = Path(file).expanduser() if file else workspace / WORKSPACE_NAME
    if not path.is_file():
        if file:
            raise UsageError(f"No such file: {path}. Pass the path of your notebook with --file.")
        raise UsageError(f"You have no rehearsal notebook yet. Run `drill rehearse start` to create {path}.")
    return path.resolve()


class Rehearsal:
    def __init__(self, request: Request, store: Store):
        self.request = request
        self.store = store
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = threading.Event()
        if request.mnist is not None:
            idx_parts(request.mnist)

    def stop(self) -> None:
        """End the run: the child and everything it started are killed; run() returns 'stopped'."""
        self._stopped.set()
        if self._process is not None:
            kill_group(self._process.pid)

    def run(self, on_event: Callable[[Event], None]) -> Outcome:
        path = self.request.path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read {path}: {error}") from error
        outcome = Outcome()
        static = static_feedback(text, str(path))
        if not all(item.ok for item in static):
            event = Checked(static, passed=False)
            on_event(event)
            return self._finish(outcome, event)
        return self._run_child(outcome, static, on_event)

    def _command(self) -> list[str]:
        request = self.request
        command = [sys.executable, "-m", "engine.rehearse.child", str(request.path), "--profile", request.profile.name,
                   "--seed", str(request.seed)]
        for flag, value in (("--device", request.device), ("--minutes", request.minutes), ("--mnist", request.mnist)):
            if value is not None:
                command += [flag, str(value)]
        return command

    def _run_child(self, outcome: Outcome, static: list[Feedback], on_event: Callable[[Event], None]) -> Outcome:
        with tempfile.TemporaryFile() as errors:
            # Busy-waiting OpenMP threads collapse when the CPU is shared (five times slower measured on a
            # loaded 2-core machine); sleeping ones cost little when it is not.
            environment = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
            self._process = subprocess.Popen(
                self._command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, start_new_session=True,
                env=environment,
            )
            if self._stopped.is_set():
                kill_group(self._process.pid)
            try:
                self._follow(outcome, static, on_event)
            except KeyboardInterrupt:
                self._stopped.set()
            finally:
                kill_group(self._process.pid)
                self._process.wait()
            if outcome.status is not None:
                return outcome
            if self._stopped.is_set():
                outcome.message = f"Stopped by you after the stage '{outcome.stage}'."
                return self._end(outcome, record.STOPPED)
            errors.seek(0)
            tail = errors.read().decode("utf-8", errors="replace")[-STDERR_TAIL:].strip()
            outcome.message = f"The rehearsal's process ended without a result (exit status {self._process.returncode}). {tail}".strip()
            return self._end(outcome, record.ERROR)

    def _follow(self, outcome: Outcome, static: list[Feedback], on_event: Callable[[Event], None]) -> None:
        """Read the child's events until one ends the rehearsal or the child is gone."""
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            event = parse(line.decode("utf-8", errors="replace"))
            if event is None:
                continue
            if isinstance(event, Failed) and event.stage == "setup":
                raise UsageError(event.message)
            if isinstance(event, Checked):
                event = Checked(sorted([*static, *event.feedback], key=_order), event.passed, event.parameters)
            # Whatever the child wrote after a stop was asked for does not count.
            if self._stopped.is_set():
                return
            self._finish(outcome, event)
            on_event(event)
            if outcome.status is not None:
                return

    def _id(self, outcome: Outcome) -> int:
        if outcome.rehearsal_id is None:
            outcome.rehearsal_id = record.create(self.store, self.request.profile.name, str(self.request.path))
        return outcome.rehearsal_id

    def _end(self, outcome: Outcome, status: str) -> Outcome:
        outcome.status = status
        record.advance(self.store, self._id(outcome), detail={"message": outcome.message}, status=status)
        return outcome

    def _finish(self, outcome: Outcome, event: Event) -> Outcome:
        """Apply ``event`` to the outcome and record the stage it finishes."""
        if isinstance(event, Checked):
            outcome.stage, outcome.feedback, outcome.parameters = "checked", event.feedback, event.parameters
            detail: dict[str, Any] = {"feedback": [item.to_dict() for item in event.feedback], "parameters": event.parameters}
            record.advance(self.store, self._id(outcome), stage="checked", detail=detail,
                           status=None if event.passed else record.FAIL)
            if not event.passed:
                outcome.status = record.FAIL
        elif isinstance(event, Trained):
            outcome.stage, outcome.trained = "trained", event
            training = {"steps": event.steps, "loss": event.loss, "elapsed_s": event.elapsed_s, "stopped_by": event.stopped_by}
            record.advance(self.store, self._id(outcome), stage="trained", detail={"training": training})
        elif isinstance(event, Sampled):
            outcome.stage, outcome.pixels = "sampled", event.pixels
            record.advance(self.store, self._id(outcome), stage="sampled", images=event.pixels, detail={"sampling_s": event.elapsed_s})
        elif isinstance(event, Classified):
            outcome.stage, outcome.classified = "classified", event
            outcome.status = record.PASS if event.passed else record.FAIL
            record.advance(self.store, self._id(outcome), stage="classified", detail={"predictions": event.predictions},
                           accuracy=event.accuracy, status=outcome.status)
        elif isinstance(event, Failed):
            outcome.message = event.message
            self._end(outcome, record.ERROR)
        return outcome


def _order(item: Feedback) -> tuple[int, int]:
    return (item.blank is None, item.blank or 0)
