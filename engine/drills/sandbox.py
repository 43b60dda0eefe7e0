"""The forked child that runs the learner's file.

It becomes its own process group (so the grader can kill everything it starts), dies with
its parent, caps the size of every file it writes (a flood of output is stopped, not stored),
sends stdout/stderr to a capture file and writes one record with ``torch.save``. It never
returns: it leaves with ``os._exit``.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import resource
import signal
import sys
import traceback
from contextlib import suppress

import torch

from engine.drills.capture import LEARNER_MODULE, Attempt, MissingEntry, learner_traceback

MAX_FILE_BYTES = 64 * 1024 * 1024
LEARNER_SEED = 20_261_125
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the grader's process-group kill still cleans up


def load_learner_module(path: str):
    spec = importlib.util.spec_from_file_location(LEARNER_MODULE, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[LEARNER_MODULE] = module
    spec.loader.exec_module(module)
    return module


def run_child(checks, learner_file: str, device: str, capture_path: str, record_path: str) -> None:
    status = 0
    try:
        os.setpgid(0, 0)
        _die_with_parent()
        # A forked copy of a process whose torch thread pool has already run can deadlock on its
        # first parallel op; one thread is safe and costs nothing at drill sizes.
        torch.set_num_threads(1)
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        out = os.open(capture_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        record = _probe(checks, learner_file, torch.device(device))
        torch.save(record, record_path)
    except BaseException:  # noqa: BLE001 - the child must leave through os._exit whatever happens
        traceback.print_exc()
        status = 70
    finally:
        for stream in (sys.stdout, sys.stderr):
            # A learner may have replaced or closed the stream; the child must still leave.
            with suppress(BaseException):
                stream.flush()
        os._exit(status)


def _probe(checks, learner_file: str, device: torch.device) -> dict:
    # The checks never depend on which random numbers the learner draws, but a fixed seed makes
    # the same file give the same verdict and evidence on every run.
    torch.manual_seed(LEARNER_SEED)
    try:
        module = load_learner_module(learner_file)
        return {"ok": True, "calls": checks.probe(module, device, Attempt(learner_file))}
    except SystemExit as stop:
        return {"ok": False, "error": f"Your code called sys.exit({stop.code!r}); the drill's functions must return instead."}
    except MissingEntry as missing:
        return {"ok": False, "error": str(missing)}
    except KeyboardInterrupt:
        return {"ok": False, "error": "Your code raised KeyboardInterrupt."}
    except BaseException as error:  # noqa: BLE001 - reported to the learner as an error result
        return {"ok": False, "error": learner_traceback(error, learner_file)}
