"""The forked child that runs the learner's file.

It becomes its own process group, dies with its parent, caps the size of every file it writes
(a flood of output is stopped, not stored), sends stdout/stderr to a capture file, works in an
empty folder of its own, fences off
dli-drill's own code (:mod:`engine.drills.honesty`), caps its GPU memory on CUDA, and writes one
record with ``torch.save``. It never returns: it leaves with ``os._exit``.

The record says whose fault a failure was: ``error`` is the learner's (shown to them), while
``grader_failure`` carries the traceback of a crash in the drill's own probe code, which the
grader logs and reports as ours.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import signal
import sys
import traceback
import types
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any, NoReturn

import torch

from engine.drills import containment, honesty
from engine.drills.capture import LEARNER_MODULE, Attempt, MissingEntry, learner_traceback
from engine.drills.limits import describe_bytes

MAX_FILE_BYTES = 64 * 1024 * 1024
LEARNER_SEED = 20_261_125
# Handlers the grader or the warm template installed for itself; the learner starts from defaults.
_RESET_SIGNALS = (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGPIPE)


def load_learner_module(path: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(LEARNER_MODULE, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[LEARNER_MODULE] = module
    spec.loader.exec_module(module)
    return module


def run_child(
    checks: Any,
    learner_file: str,
    device: str,
    workdir: Path,
    fences: honesty.Fences,
    memory_limit: int,
    inherited: Iterable[int] = (),
) -> NoReturn:
    """Run the learner's file in this (forked) process and leave; ``inherited`` fds are closed first."""
    status = 0
    try:
        os.setpgid(0, 0)
        containment.die_with_parent()
        for fd in inherited:
            with suppress(OSError):
                os.close(fd)
        for sig in _RESET_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        # A forked copy of a process whose torch thread pool has already run can deadlock on its
        # first parallel op; one thread is safe and costs nothing at drill sizes.
        torch.set_num_threads(1)
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        out = os.open(workdir / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        # An empty working directory: a Python the learner starts puts it first on its path, and
        # the caller's (say a clone of dli-drill) would hand it the real packages.
        os.mkdir(workdir / "cwd", 0o700)
        os.chdir(workdir / "cwd")
        record = _probe(checks, learner_file, torch.device(device), fences, memory_limit)
        torch.save(record, workdir / "record.pt")
    except BaseException:  # noqa: BLE001 - the child must leave through os._exit whatever happens
        traceback.print_exc()
        status = 70
    finally:
        for stream in (sys.stdout, sys.stderr):
            # A learner may have replaced or closed the stream; the child must still leave.
            with suppress(BaseException):
                stream.flush()
        os._exit(status)


def _limit_gpu_memory(device: torch.device, limit: int) -> None:
    index = device.index if device.index is not None else torch.cuda.current_device()
    total = torch.cuda.get_device_properties(index).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, limit / total), index)


def _gpu_out_of_memory(device: torch.device) -> bool:
    return device.type == "cuda" and int(torch.cuda.memory_stats(device).get("num_ooms", 0)) > 0


def gpu_memory_message(limit: int, device: torch.device) -> str:
    return (
        f"Your code ran out of GPU memory on {device}: an allocation failed "
        f"(the limit is {describe_bytes(limit)}, or the GPU's own memory if smaller)."
    )


def _probe(checks: Any, learner_file: str, device: torch.device, fences: honesty.Fences, memory_limit: int) -> dict[str, Any]:
    # The checks never depend on which random numbers the learner draws, but a fixed seed makes
    # the same file give the same verdict and evidence on every run.
    torch.manual_seed(LEARNER_SEED)
    if device.type == "cuda":
        _limit_gpu_memory(device, memory_limit)
    honesty.install(learner_file, fences)
    try:
        module = load_learner_module(learner_file)
        borrowed = honesty.borrowed_names(module)
        if borrowed:
            return {"ok": False, "error": f"Refused: {borrowed}."}
        calls = checks.probe(module, device, Attempt(learner_file))
    except SystemExit as stop:
        return {"ok": False, "error": f"Your code called sys.exit({stop.code!r}); the drill's functions must return instead."}
    except MissingEntry as missing:
        return {"ok": False, "error": str(missing)}
    except KeyboardInterrupt:
        return {"ok": False, "error": "Your code raised KeyboardInterrupt."}
    except BaseException as error:  # noqa: BLE001 - reported to the learner, or logged as ours
        if _gpu_out_of_memory(device):
            return {"ok": False, "error": gpu_memory_message(memory_limit, device)}
        if _raised_in(error, learner_file):
            return {"ok": False, "error": learner_traceback(error, learner_file)}
        return {"ok": False, "grader_failure": "".join(traceback.format_exception(error))}
    if _gpu_out_of_memory(device):
        return {"ok": False, "error": gpu_memory_message(memory_limit, device)}
    return {"ok": True, "calls": calls}


def _raised_in(error: BaseException, learner_file: str) -> bool:
    """True when the learner's file has a frame in the error's traceback (or its causes'): their code failed."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if any(Path(frame.f_code.co_filename) == Path(learner_file) for frame, _ in traceback.walk_tb(current.__traceback__)):
            return True
        current = current.__cause__ or current.__context__
    return False
