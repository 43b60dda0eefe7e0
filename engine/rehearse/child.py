"""The rehearsal's child process: the only place the learner's notebook runs.

    python -m engine.rehearse.child FILE --profile cpu [--device DEV] [--minutes M] [--seed S] [--mnist DIR]

It writes one JSON event per line (``engine.rehearse.events``) on the stdout it was started with,
and sends everything printed by the learner's code to stderr, so no print can break the
protocol. In order: run the cells, check the blanks, train, sample as the grader does, classify.
It stops at the first stage that fails, with a ``failed`` event (or a ``checked`` event that did
not pass). It runs in its own session and dies with its parent.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, TextIO

import torch

from engine.devices import choose_device
from engine.drills.runner import DEVICE_ENV
from engine.errors import UsageError
from engine.rehearse import assess, checks, data, execute, training
from engine.rehearse.classifier import load_classifier
from engine.rehearse.events import Checked, Classified, Event, Failed, Progress, Sampled, Sampling, Trained, encode
from engine.rehearse.notebook import Feedback
from engine.rehearse.profiles import Profile, get_profile

_PR_SET_PDEATHSIG = 1
SETUP, RUNNING, TRAINING, SAMPLING = "setup", "running", "training", "sampling"


def _die_with_parent() -> None:
    # Not Linux: no prctl, but the parent's process-group kill still cleans up.
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _channel() -> TextIO:
    """The protocol channel (the original stdout); fd 1 then points at stderr for the learner's prints."""
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def _sampling_hint(error: BaseException) -> str:
    if "dtype" in str(error):
        return (" The grader's contexts are int64 one-hots (what F.one_hot returns); convert them with .float() before"
                " they reach a Linear layer (the course's notebook gets away with it only under torch.compile).")
    return ""


def check_notebook(
    text: str, path: str, profile: Profile, device: torch.device, loader: training.DigitLoader
) -> tuple[dict[str, Any] | None, Checked]:
    """Run the learner's cells and check every blank; the namespace is None when a cell raised."""
    try:
        namespace = execute.run_cells(text, path, profile.overrides(str(device)), {"dataloader": loader})
    except execute.NotebookError as error:
        return None, Checked([Feedback(error.blank, False, str(error))], passed=False)

    def explain(error: BaseException, doing: str) -> Feedback:
        found = execute.explain(error, text, path, doing)
        return Feedback(found.blank, False, str(found))

    feedback = checks.check_blanks(namespace, device, explain)
    model = namespace.get("model")
    parameters = sum(p.numel() for p in model.parameters()) if isinstance(model, torch.nn.Module) else None
    return namespace, Checked(feedback, passed=all(item.ok for item in feedback), parameters=parameters)


def rehearse(args: argparse.Namespace, emit: Callable[[Event], None]) -> None:
    profile = get_profile(args.profile)
    if profile.threads:
        torch.set_num_threads(profile.threads)
    try:
        device = choose_device(args.device or os.environ.get(DEVICE_ENV))
    except UsageError as error:
        emit(Failed(SETUP, str(error)))
        return
    torch.manual_seed(args.seed)
    try:
        digits = data.read_mnist(Path(args.mnist)) if args.mnist else data.stratified_split(data.shipped_digits()).train
    except UsageError as problem:
        emit(Failed(SETUP, str(problem)))
        return
    loader = training.DigitLoader(digits, profile.batch_size, torch.Generator().manual_seed(args.seed))
    path = str(Path(args.file).resolve())
    text = Path(path).read_text(encoding="utf-8")
    namespace, checked = check_notebook(text, path, profile, device, loader)
    emit(checked)
    if namespace is None or not checked.passed:
        return

    torch.manual_seed(args.seed)
    budget_s = 60.0 * (args.minutes or profile.minutes)

    def report(progress: training.Progress) -> None:
        emit(Progress(progress.step, progress.steps, progress.loss, progress.elapsed_s, progress.left_s))

    try:
        trained = training.train(namespace["model"], namespace["training_step"], loader, profile, budget_s, report)
    except (training.Diverged, training.NotALoss) as error:
        emit(Failed(TRAINING, str(error)))
        return
    except Exception as error:  # noqa: BLE001 - the learner's code raised while training
        emit(Failed(TRAINING, str(execute.explain(error, text, path, "training"))))
        return
    emit(Trained(trained.steps, trained.loss, trained.elapsed_s, trained.stopped_by))

    started = time.monotonic()
    try:
        images = assess.sample_digits(namespace["sample_w"], namespace["model"], namespace["w"], device, lambda d: emit(Sampling(d)))
    except assess.WrongSamples as error:
        emit(Failed(SAMPLING, str(error)))
        return
    except Exception as error:  # noqa: BLE001 - the learner's sample_w raised
        emit(Failed(SAMPLING, str(execute.explain(error, text, path, "sampling as the grader does")) + _sampling_hint(error)))
        return
    emit(Sampled(assess.to_pixels(images), time.monotonic() - started))
    verdict = assess.classify(load_classifier(), images)
    emit(Classified(verdict.predictions, verdict.accuracy, verdict.passed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine.rehearse.child")
    parser.add_argument("file")
    parser.add_argument("--profile", required=True)
    parser.add_argument("--device")
    parser.add_argument("--minutes", type=float)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mnist")
    args = parser.parse_args(argv)
    _die_with_parent()
    channel = _channel()

    def emit(event: Event) -> None:
        channel.write(encode(event) + "\n")
        channel.flush()

    try:
        rehearse(args, emit)
    except SystemExit as stop:
        emit(Failed(RUNNING, f"Your notebook called sys.exit({stop.code!r}); a notebook cell must not end the process."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
