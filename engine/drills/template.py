"""The warm template: ``python -m engine.drills.template --socket PATH [--idle S] [--daemon]``.

It imports torch and every drill's checks once, then listens on a Unix socket. For every
connection it forks a grader (:func:`engine.drills.grader.answer`) that runs one learner file in
its own sandboxed child and answers on that connection. The template itself never runs learner
code, never grades and never initialises CUDA, so every fork starts from the same clean state.

Each forked grader is a child subreaper, and so is the template: if a learner kills its grader,
what it started is adopted by the template, which kills every child that is not one of its
graders. The template leaves after ``--idle`` seconds without a connection (0: never), on
SIGTERM, when its socket file is replaced, or (``--parent``) when the process that started it exits.

Wire protocol, one JSON line each way, initiated by the grader's greeting:
``{"pid", "fingerprint", "cuda_initialized"}`` → request (:class:`engine.drills.grader.Request`)
→ ``{"result": …}`` or ``{"usage_error": …}``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import select
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine.drills.fingerprint import code_fingerprint

# Taken before anything of ours is imported: files changed after this make the template stale.
FINGERPRINT = code_fingerprint()

import torch  # noqa: E402

from engine.drills import containment, grader, honesty, wire  # noqa: E402
from engine.drills.catalog import all_drills  # noqa: E402
from engine.drills.request import Request, encode  # noqa: E402

HELLO_WAIT_S = 10.0
SWEEP_S = 1.0
# The template does not wait long for orphans to die: the next sweep kills what is left.
ORPHAN_WAIT_S = 0.1
_stop = False


def _request_stop(signum: int, frame: Any) -> None:
    global _stop
    _stop = True


def _child_exited(signum: int, frame: Any) -> None:
    """Only there so that SIGCHLD reaches the wake-up pipe: the loop then sweeps at once."""


def _serve_one(connection: socket.socket, template_fds: list[int], fingerprint: str, fences: honesty.Fences) -> None:
    """In the forked grader: greet, read the request, grade, answer."""
    containment.become_subreaper()
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    for fd in template_fds:
        os.close(fd)
    if wire.peer(connection)[1] != os.getuid():
        return
    hello = {"pid": os.getpid(), "fingerprint": fingerprint, "cuda_initialized": bool(torch.cuda.is_initialized())}
    connection.sendall(encode(hello))
    connection.settimeout(HELLO_WAIT_S)
    with connection.makefile("rb") as stream:
        line = stream.readline()
    if not line:
        return
    request = Request.from_json(line)
    deadline = time.monotonic() + request.time_limit - grader.GRADING_MARGIN_S
    reply = grader.answer(request, deadline, fences, inherited=[connection.fileno()])
    connection.settimeout(None)
    connection.sendall(encode(reply))


def _fork_grader(connection: socket.socket, template_fds: list[int], fingerprint: str, fences: honesty.Fences) -> int:
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            _serve_one(connection, template_fds, fingerprint, fences)
        except BaseException:  # noqa: BLE001 - a forked grader must never return into the template's loop
            status = 1
        finally:
            os._exit(status)
    return pid


def _still_ours(path: Path, inode: int) -> bool:
    try:
        return path.stat().st_ino == inode
    except FileNotFoundError:
        return False


def warm_up() -> None:
    """Import every drill's checks, so that a forked grader has nothing left to load.

    No torch op runs here: a thread pool started in the template would not survive the fork.
    """
    for drill in all_drills():
        importlib.import_module(drill.checks_module)


def finish_warming() -> None:
    """Import what only some drills need, once the template has nothing else to do.

    The op traces' dispatch mode loads torch._dynamo on its first use: about a second in every
    forked grader that traces a model, unless the template has it already. Importing it here,
    while idle, keeps it off the first run's path too.
    """
    importlib.import_module("torch._dynamo")


def serve(path: Path, idle_s: float, parent: int | None, fingerprint: str) -> None:
    """Listen on ``path`` until idle, stopped or orphaned; fork one grader per connection."""
    containment.become_subreaper()
    if parent is not None:
        containment.die_with_parent(signal.SIGTERM)
        if os.getppid() != parent:
            return
    wake, waker = os.pipe()
    for fd in (wake, waker):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(waker, warn_on_full_buffer=False)
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGCHLD, _child_exited)
    with tempfile.TemporaryDirectory(prefix="drill-fences-") as shadow:
        fences = honesty.prepare(shadow)
        listener = wire.listen(path)
        inode = path.stat().st_ino
        graders: set[int] = set()
        last_used = time.monotonic()
        try:
            while not _stop and _still_ours(path, inode):
                ready, _, _ = select.select([listener.fileno(), wake], [], [], SWEEP_S)
                if wake in ready:
                    os.read(wake, 4096)
                if listener.fileno() in ready:
                    connection, _ = listener.accept()
                    graders.add(_fork_grader(connection, [listener.fileno(), wake, waker], fingerprint, fences))
                    connection.close()
                    last_used = time.monotonic()
                graders = {pid for pid in graders if containment.alive(pid)}
                if not ready and not graders:
                    finish_warming()
                # Any other child was orphaned by a grader that was killed: the template adopted it.
                containment.kill_descendants(keep=frozenset(graders), wait_s=ORPHAN_WAIT_S)
                if graders:
                    last_used = time.monotonic()
                elif idle_s and time.monotonic() - last_used > idle_s:
                    break
        finally:
            listener.close()
            if _still_ours(path, inode):
                path.unlink(missing_ok=True)


def _daemonize() -> None:
    """Leave the starting process at once (it waits for this one to exit) and lose the terminal."""
    if os.fork():
        os._exit(0)
    os.setsid()
    os.chdir("/")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="engine.drills.template")
    parser.add_argument("--socket", required=True, type=Path)
    parser.add_argument("--idle", type=float, default=600.0, help="seconds without a run before leaving (0: never)")
    parser.add_argument("--parent", type=int, help="leave when this process (the one that started us) exits")
    parser.add_argument("--daemon", action="store_true", help="detach from the starting process")
    args = parser.parse_args(argv)
    # Before detaching: a checks module that does not import fails the launch, which the runner sees.
    warm_up()
    if args.daemon:
        _daemonize()
    serve(args.socket.absolute(), args.idle, args.parent, FINGERPRINT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
