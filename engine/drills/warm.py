"""Holding a warm grader (:mod:`engine.drills.template`) from the runner's side. No torch here.

Two kinds, one protocol:

- :class:`UserGrader`, what plain ``drill run`` uses: one per user, listening on
  ``$DRILL_HOME/grader.sock`` (mode 0600). The first run starts it, detached; it leaves after
  10 idle minutes. Every connection checks it first: a grader that answers with another code
  fingerprint (a different version or edited code) is stale and is told to leave; one that does
  not greet in time, or is stopped, is unhealthy and is killed with everything below it. Either
  way a fresh one replaces it; its greeting is never trusted for a run.
- :class:`PrivateGrader`, what the app, ``--watch`` and batch grading use: started by this
  process, in a private folder, and gone when this process exits.

When a run goes wrong on the runner's side of the socket (the grader stops answering, or a
learner stopped it with SIGSTOP), the runner kills that grader's whole tree: the grader is a
child subreaper, so whatever the learner started is still below it.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from engine.drills import containment, wire
from engine.drills.blame import failure_message
from engine.drills.fingerprint import code_fingerprint
from engine.drills.request import RESULT, Request
from engine.drills.results import error_result
from engine.paths import data_home

IDLE_S = 600.0
SOCKET_NAME, LOCK_NAME = "grader.sock", "grader.lock"
HELLO_S = 10.0
START_S = 120.0
ANSWER_MARGIN_S = 1.0
WATCH_S = 0.05


# Unix sockets with peer credentials, fork and /proc: Linux. Elsewhere every run is cold.
SUPPORTED = hasattr(socket, "SO_PEERCRED") and hasattr(os, "fork") and Path("/proc/self").exists()


class WarmUnavailable(RuntimeError):
    """No warm grader could be started here; the runner grades cold instead."""


class WarmGrader(ABC):
    """A warm template reached through a Unix socket; subclasses say where it is and how it starts."""

    def __init__(self, socket_path: Path, log_path: Path) -> None:
        self.socket_path = socket_path
        self.log_path = log_path
        self._starting = threading.Lock()

    # -- what subclasses provide -------------------------------------------------------------
    @abstractmethod
    def _spawn(self) -> None:
        """Start the template process that will listen on ``socket_path``."""

    def _failed_to_start(self) -> bool:
        """True once it is certain that the template just spawned will never listen."""
        return False

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._starting:
            yield

    # -- the protocol ----------------------------------------------------------------------------
    def answer(self, request: Request) -> dict[str, Any]:
        """Send ``request`` to a fresh forked grader and return its answer (or an error result).

        Raises WarmUnavailable when no warm grader can run here; the runner then grades cold.
        """
        if not SUPPORTED:
            raise WarmUnavailable("warm graders need Linux")
        connection, hello = self._connect()
        grader = int(hello["pid"])
        started = time.monotonic()
        with connection:
            try:
                connection.sendall(request.to_json().encode("utf-8") + b"\n")
                reply, problem = _await_answer(connection, request, grader)
            except BaseException:
                # Interrupted (Ctrl-C): the learner's code must not run on without anyone waiting.
                _kill_grader(grader)
                raise
        if reply is not None:
            return reply
        _kill_grader(grader)
        message = failure_message(problem, request.time_limit)
        return {RESULT: error_result(request.drill, message, duration_s=time.monotonic() - started).to_dict()}

    def ready(self) -> dict[str, Any]:
        """Make sure a healthy, current grader listens; its greeting (pid, fingerprint, cuda_initialized)."""
        connection, hello = self._connect()
        connection.close()
        return hello

    def _connect(self) -> tuple[socket.socket, dict[str, Any]]:
        fingerprint = code_fingerprint()
        found = self._greet(fingerprint)
        if found is not None:
            return found
        with self._exclusive():
            found = self._greet(fingerprint)
            if found is not None:
                return found
            self._spawn()
            deadline = time.monotonic() + START_S
            while time.monotonic() < deadline:
                found = self._greet(fingerprint, replace=False)
                if found is not None:
                    return found
                if self._failed_to_start():
                    break
                time.sleep(0.05)
        raise WarmUnavailable(f"no warm grader answered on {self.socket_path}; see {self.log_path}")

    def _greet(self, fingerprint: str, replace: bool = True) -> tuple[socket.socket, dict[str, Any]] | None:
        """A connection whose grader greeted with ``fingerprint``; None (after replacing a bad one) otherwise."""
        if not wire.private_socket(self.socket_path):
            return None
        try:
            connection = wire.connect(self.socket_path, HELLO_S)
        except OSError:
            return None
        template, uid, _ = wire.peer(connection)
        hello = _read_hello(connection, template) if uid == os.getuid() else None
        if hello is not None and hello.get("fingerprint") == fingerprint:
            return connection, hello
        connection.close()
        if replace:
            # Stale: let it finish the runs it has; it leaves when its socket file is replaced.
            # Unhealthy or foreign: kill it and everything below it.
            stale = hello is not None and uid == os.getuid()
            with suppress(ProcessLookupError, PermissionError):
                if stale:
                    os.kill(template, signal.SIGTERM)
                elif uid == os.getuid():
                    containment.kill_tree(template)
            self.socket_path.unlink(missing_ok=True)
        return None


def _read_line(connection: socket.socket, deadline: float, watched: int | None = None) -> tuple[bytes, str]:
    """Read one line before ``deadline``: (line, "") or (b"", "timeout" | "stopped" | "closed")."""
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", "timeout"
        if watched is not None and containment.stopped(watched):
            return b"", "stopped"
        ready, _, _ = select.select([connection], [], [], min(remaining, WATCH_S))
        if ready:
            try:
                chunk = connection.recv(65536)
            except OSError:
                return b"", "closed"
            if not chunk:
                return b"", "closed"
            data += chunk
    return data, ""


def _read_hello(connection: socket.socket, template: int) -> dict[str, Any] | None:
    line, _ = _read_line(connection, time.monotonic() + HELLO_S, watched=template)
    try:
        hello = json.loads(line) if line else None
    except ValueError:
        return None
    # The greeting must come from a grader the template forked, never from anything else.
    if not isinstance(hello, dict) or containment.parent_of(int(hello.get("pid", -1))) != template:
        return None
    return hello


def _await_answer(connection: socket.socket, request: Request, grader: int) -> tuple[dict[str, Any] | None, str]:
    """(the grader's answer, "") or (None, why there is none) within the time limit and a margin."""
    line, problem = _read_line(connection, time.monotonic() + request.time_limit + ANSWER_MARGIN_S, watched=grader)
    if problem:
        return None, problem
    try:
        reply = json.loads(line)
    except ValueError:
        return None, "closed"
    return (reply, "") if isinstance(reply, dict) else (None, "closed")


def _kill_grader(grader: int) -> None:
    """Kill a forked grader and its tree, if it is still one of a template's (its pid may be gone, or reused)."""
    parent = containment.parent_of(grader)
    if parent is not None and _is_template(parent):
        containment.kill_tree(grader)


def _is_template(pid: int) -> bool:
    try:
        return b"engine.drills.template" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _template_command(socket_path: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "engine.drills.template", "--socket", str(socket_path), *options]


def _log(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


class UserGrader(WarmGrader):
    """The per-user warm grader in ``home`` (``$DRILL_HOME``): started on first use, detached."""

    def __init__(self, home: Path) -> None:
        super().__init__(home / SOCKET_NAME, home / "logs" / "template.log")
        self.home = home

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        # Two runs that start at once must not start two graders: a lock file, across processes.
        with self._starting, open(self.home / LOCK_NAME, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _spawn(self) -> None:
        log = _log(self.log_path)
        try:
            # The launcher forks the template and leaves; waiting for it reaps it at once.
            launcher = subprocess.Popen(
                _template_command(self.socket_path, "--idle", str(IDLE_S), "--daemon"),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )
        finally:
            os.close(log)
        if launcher.wait(timeout=START_S) != 0:
            raise WarmUnavailable(f"the warm grader could not start; see {self.log_path}")

    def stop(self) -> None:
        """Ask a running user grader to leave (tests and ``drill`` maintenance)."""
        if not wire.private_socket(self.socket_path):
            return
        with suppress(OSError), wire.connect(self.socket_path, HELLO_S) as connection:
            template, uid, _ = wire.peer(connection)
            if uid == os.getuid():
                os.kill(template, signal.SIGTERM)


class PrivateGrader(WarmGrader):
    """A warm grader owned by this process: the app, ``--watch`` and batch grading hold one."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="drill-grader-")
        super().__init__(Path(self._folder.name) / SOCKET_NAME, data_home() / "logs" / "template.log")
        self._process: subprocess.Popen[bytes] | None = None

    def _spawn(self) -> None:
        self.close_process()
        log = _log(self.log_path)
        try:
            # Its own session: a Ctrl-C in the terminal is for the holder, which closes it.
            self._process = subprocess.Popen(
                _template_command(self.socket_path, "--idle", "0", "--parent", str(os.getpid())),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )
        finally:
            os.close(log)

    def _failed_to_start(self) -> bool:
        return self._process is None or self._process.poll() is not None

    @property
    def pid(self) -> int | None:
        """The template's process id, once started."""
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Start the template now, without waiting for it (the first run waits if it must)."""
        with self._exclusive():
            if self._process is None and SUPPORTED:
                self._spawn()

    def close_process(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            containment.kill_tree(self._process.pid)
        self._process.wait()
        self._process = None

    def close(self) -> None:
        self.close_process()
        self._folder.cleanup()

    def __enter__(self) -> PrivateGrader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_session: PrivateGrader | None = None
_session_lock = threading.Lock()


def session_grader() -> PrivateGrader:
    """This process's own warm grader, started on first use and closed when the process exits."""
    global _session
    with _session_lock:
        if _session is None:
            _session = PrivateGrader()
            atexit.register(_session.close)
        return _session
