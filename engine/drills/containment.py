"""Keeping a learner's processes inside the run: finding, measuring and killing a process tree.

No torch here: the runner (the CLI side) uses these too. Linux-specific pieces (``prctl``,
``/proc``) degrade to no-ops elsewhere, where the process-group kill still applies.

The grader makes itself a *child subreaper* (``PR_SET_CHILD_SUBREAPER``): a process the learner
starts and orphans, even one that double-forks and calls ``setsid`` to leave the session, is
re-parented to the grader instead of init, so it stays a descendant and is killed with the rest.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PROC = Path("/proc")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# How long a clean-up waits for killed processes to be gone (a fork bomb is killed round after round).
KILL_WAIT_S = 5.0


def _prctl(option: int, value: int) -> bool:
    try:
        return int(ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Adopt every orphan among this process's descendants (True where the kernel supports it)."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Have the kernel send ``sig`` to this process when its parent exits."""
    _prctl(PR_SET_PDEATHSIG, int(sig))


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state is [0], ppid [1]); None once gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may itself contain spaces or parentheses.
    return text[text.rindex(")") + 2 :].split()


def state(pid: int) -> str | None:
    """The process's state letter (R, S, D, T for stopped, Z for zombie…), or None once gone."""
    fields = _stat_fields(pid)
    return fields[0] if fields else None


def parent_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    return state(pid) not in (None, "Z")


def stopped(pid: int) -> bool:
    """True when ``pid`` is stopped by a signal (SIGSTOP, SIGTSTP) or a tracer."""
    return state(pid) in ("T", "t")


def children(pid: int) -> list[int]:
    """The direct children of ``pid``, from /proc/PID/task/*/children, or a scan of /proc."""
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            return [other for other in _all_pids() if parent_of(other) == pid]
        except (ProcessLookupError, PermissionError):
            continue
    return found


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()] if PROC.is_dir() else []


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, parents before their children."""
    found: list[int] = []
    frontier = children(pid)
    while frontier:
        found += frontier
        frontier = [grandchild for child in frontier for grandchild in children(child)]
    return found


def _reap_children() -> None:
    """Collect this process's exited children so that they leave the process table."""
    with suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            continue


def kill_all(pids: Iterable[int]) -> None:
    for pid in pids:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def kill_descendants(pid: int | None = None, keep: frozenset[int] = frozenset(), wait_s: float = KILL_WAIT_S) -> None:
    """SIGKILL every descendant of ``pid`` (this process by default) and wait until they are gone.

    Children listed in ``keep`` are spared with everything below them, and are never looked into:
    a kept child may be forking at this very moment, and what it forks is its own to clean up.
    Killing repeats until a scan finds nothing alive (a process that forks while SIGKILL is
    pending cannot complete the fork, and a killed process takes a moment to release its memory),
    or until ``wait_s`` has passed. This process's exited children are collected as it goes.
    """
    root = os.getpid() if pid is None else pid
    deadline = time.monotonic() + wait_s
    while True:
        if root == os.getpid():
            _reap_children()
        tops = [child for child in children(root) if child not in keep]
        targets = [p for p in tops + [below for top in tops for below in descendants(top)] if alive(p)]
        if not targets or time.monotonic() > deadline:
            return
        kill_all(targets)
        time.sleep(0.002)


def kill_tree(pid: int) -> None:
    """Kill ``pid`` and everything below it, below first (so that nothing is orphaned to init)."""
    # Stop the root first so that it cannot start anything more while its tree is killed.
    with suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGSTOP)
    kill_descendants(pid)
    kill_all([pid])


def kill_group(pgid: int) -> None:
    """Kill a process group, whatever is left of it (the portable part of the clean-up)."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def marked(token: str) -> list[int]:
    """Processes whose environment carries ``token`` (set when the grader was started).

    A forked process keeps its parent's environment block, and a started program inherits it
    unless told otherwise: this finds what escaped the tree because its parent was killed
    before it could be adopted.
    """
    needle = token.encode()
    found = []
    for pid in _all_pids():
        if pid == os.getpid():
            continue
        try:
            if needle in (PROC / str(pid) / "environ").read_bytes():
                found.append(pid)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def anonymous_memory(pids: Iterable[int]) -> int:
    """Bytes of private (anonymous) memory resident in ``pids``, from /proc/PID/statm.

    statm gives resident and shared (file-backed) pages; their difference is the memory the
    process allocated itself. Pages a forked child still shares with its parent are counted in
    both, so callers subtract what the first process had when it was forked.
    """
    total = 0
    for pid in pids:
        try:
            fields = (PROC / str(pid) / "statm").read_text().split()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        total += (int(fields[1]) - int(fields[2])) * _PAGE
    return total
