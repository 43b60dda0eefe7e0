"""Keeping borrowed answers out: the learner's code may not import or read dli-drill itself.

Installed in the sandboxed child just before the learner's file loads. The child already holds
the trusted code (the drill's checks, the engine, the reference) because the probe needs it, so
two fences go up:

- The project's packages leave ``sys.modules``, so ``import reference`` cannot be answered from
  the cache. A trusted import of one of them later is served back from a stash that lives only in
  the audit hook's closure (the interpreter keeps the hook; no Python object refers to it).
- An audit hook (``sys.addaudithook``: it cannot be removed) refuses, whenever a frame of the
  learner's file is on the stack, a fresh import of those packages, opening any file under them
  (the shipped ``solution.py`` included), hard-linking or renaming one, starting a program whose
  arguments name one, and the ``gc`` calls that would walk the heap to the stash.

The rule is "a frame of the learner's file is on the stack" rather than "the learner's code is
running", because the drill's probe (trusted) calls the learner's functions and the learner's
functions call back into objects the probe handed over: those trusted frames must keep working.
This stops borrowing, not a determined attacker with ctypes or the object graph; the expected
values are computed in a process the learner's code never ran in either way.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

PROTECTED = ("reference", "engine", "drills", "quiz_bank")
IMPORT_REFUSED = (
    "your file imports dli-drill's {what} ({name}); write it yourself — "
    "only torch, einops, numpy and the standard library are yours to use"
)
READ_REFUSED = "your file reads dli-drill's own files ({path}); write the code yourself"
RESTORE_EVENT = "dli_drill.restore"
_WHAT = {"reference": "reference implementation", "drills": "drills and their solutions"}
_SPAWN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn")
_FILE_EVENTS = ("open", "os.link", "os.rename", "os.remove", "os.rmdir", "os.truncate")
_HEAP_EVENTS = ("gc.get_objects", "gc.get_referrers", "gc.get_referents")


class BorrowedCode(ImportError):
    """The learner's file imported one of dli-drill's own packages."""


def is_protected(name: str) -> bool:
    return name.partition(".")[0] in PROTECTED


def refusal(name: str) -> str:
    top = name.partition(".")[0]
    return IMPORT_REFUSED.format(what=_WHAT.get(top, "grading code"), name=name)


def protected_roots() -> tuple[str, ...]:
    """The folders the project's packages are installed in, resolved (found without importing them)."""
    roots = []
    for name in PROTECTED:
        spec = importlib.util.find_spec(name)
        roots += [os.path.realpath(folder) for folder in (spec.submodule_search_locations or [])] if spec else []
    return tuple(roots)


def protected_inodes(roots: Sequence[str]) -> frozenset[tuple[int, int]]:
    """(device, inode) of every file and folder under ``roots``: a hard link or a bind mount has another path, not another inode."""
    found = set()
    for root in roots:
        for folder, _, files in os.walk(root):
            for name in [".", *files]:
                try:
                    info = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                found.add((info.st_dev, info.st_ino))
    return frozenset(found)


class _StashFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves a trusted import of a hidden package by asking the audit hook for the module."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not is_protected(fullname):
            return None
        box: list[types.ModuleType] = []
        sys.audit(RESTORE_EVENT, fullname, box)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True) if box else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system returns whatever sys.modules holds once this returns: the original.
        box: list[types.ModuleType] = []
        sys.audit(RESTORE_EVENT, module.__name__, box)
        if not box:
            raise BorrowedCode(refusal(module.__name__))
        sys.modules[module.__name__] = box[0]


def _under(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root + os.sep) for root in roots)


def _names_protected(argument: object, roots: Sequence[str], inodes: frozenset[tuple[int, int]]) -> bool:
    if isinstance(argument, int) or argument is None:
        return False
    try:
        text = os.fsdecode(argument)  # type: ignore[arg-type]
    except TypeError:
        return False
    if _under(os.path.realpath(text), roots):
        return True
    try:
        info = os.stat(text)
    except (OSError, ValueError):
        return False
    return (info.st_dev, info.st_ino) in inodes


def _spawn_arguments(event: str, args: tuple[Any, ...]) -> Sequence[object]:
    """The program and its arguments, from the event's (program, argv, …) or a shell command."""
    if event == "os.system":
        return str(args[0]).split()
    # os.spawn* reports (mode, path, argv, env); the others (program, argv, …).
    program, argv = (args[1], args[2]) if event == "os.spawn" else (args[0], args[1])
    words = os.fsdecode(argv).split() if isinstance(argv, (str, bytes)) else list(argv or [])
    return [program, *words]


def make_hook(
    learner_file: str, roots: Sequence[str], inodes: frozenset[tuple[int, int]], stash: dict[str, types.ModuleType]
) -> Callable[[str, tuple[Any, ...]], None]:
    """The audit hook: refuses what the learner's code may not do, serves trusted restores."""
    learner = os.path.realpath(learner_file)
    getframe = sys._getframe

    def learner_on_stack() -> bool:
        frame: types.FrameType | None = getframe(2)
        while frame is not None:
            if frame.f_code.co_filename in (learner, learner_file):
                return True
            frame = frame.f_back
        return False

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "import":
            if is_protected(args[0]) and learner_on_stack():
                raise BorrowedCode(refusal(args[0]))
        elif event in _FILE_EVENTS:
            if _names_protected(args[0], roots, inodes) and learner_on_stack():
                raise PermissionError(READ_REFUSED.format(path=os.fsdecode(args[0])))
        elif event.startswith(_SPAWN_EVENTS):
            if any(_names_protected(word, roots, inodes) for word in _spawn_arguments(event, args)) and learner_on_stack():
                raise PermissionError(READ_REFUSED.format(path="a program given their path"))
        elif event in _HEAP_EVENTS:
            if learner_on_stack():
                raise RuntimeError(f"{event} is not available to drill code")
        elif event == RESTORE_EVENT:
            # importlib.import_module raises no "import" event: its request for a hidden package ends here.
            if learner_on_stack():
                raise BorrowedCode(refusal(args[0]))
            if args[0] in stash:
                args[1].append(stash[args[0]])

    return hook


def write_shadow_packages(folder: str) -> None:
    """Packages named like the project's whose import fails with the refusal.

    The child puts ``folder`` first on ``PYTHONPATH``, so that a Python interpreter the learner's
    code starts (where no audit hook runs) finds these before the real ones.
    """
    for name in PROTECTED:
        package = os.path.join(folder, name)
        os.makedirs(package, exist_ok=True)
        with open(os.path.join(package, "__init__.py"), "w", encoding="utf-8") as handle:
            handle.write(f"raise ImportError({refusal(name)!r})\n")


@dataclass(frozen=True)
class Fences:
    """What the child needs to fence the learner's code off, prepared once per grader process."""

    roots: tuple[str, ...]
    inodes: frozenset[tuple[int, int]]
    shadow: str


def prepare(folder: str) -> Fences:
    """Find the project's folders and write the shadow packages into ``folder``."""
    roots = protected_roots()
    write_shadow_packages(folder)
    return Fences(roots, protected_inodes(roots), folder)


def install(learner_file: str, fences: Fences) -> None:
    """Hide the project's packages and add the audit hook; irreversible, so only in the child."""
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [fences.shadow, os.environ.get("PYTHONPATH")]))
    stash = {name: module for name, module in sys.modules.items() if is_protected(name)}
    for name in stash:
        del sys.modules[name]
    # The process may have been started as `python -m engine.drills.grader`: its __main__ is ours.
    sys.modules["__main__"] = types.ModuleType("__main__")
    sys.meta_path.insert(0, _StashFinder())
    sys.addaudithook(make_hook(learner_file, fences.roots, fences.inodes, stash))


def _owners(value: object) -> list[str]:
    if isinstance(value, types.ModuleType):
        return [value.__name__]
    if isinstance(value, type):
        return [str(getattr(owner, "__module__", "")) for owner in value.__mro__]
    try:
        return [str(getattr(value, "__module__", ""))]
    except Exception:  # noqa: BLE001 - a learner's object may raise anything from __getattr__
        return []


def borrowed_names(module: types.ModuleType) -> str | None:
    """Why the learner's loaded module is not their own work, or None.

    The import fence stops ``from reference import …``; this catches what reached the module by
    another road: a reference function or class (or a subclass of one) among its names.
    """
    for value in list(vars(module).values()):
        for owner in _owners(value):
            if owner.partition(".")[0] == "reference":
                return refusal(owner)
    return None
