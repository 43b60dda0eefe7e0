"""Creating the learner's drill files in the workspace (torch-free)."""

from __future__ import annotations

import importlib
import random
from pathlib import Path

from engine.drills.catalog import Drill
from engine.drills.mutants import has_mutants, mutant_sources
from engine.drills.sources import starter_source
from engine.store import Store


def debug_variants(drill: Drill) -> list[str]:
    """For a debug drill, the bug keys it draws from: the mutants of its correct base file.

    Other drills have mutants too (they validate their catalogs) but hand out a plain starter.
    """
    return sorted(mutant_sources(drill.folder)) if drill.debug and has_mutants(drill.folder) else []


def start(drill: Drill, workspace: Path, store: Store, seed: int | None = None, fresh: bool = False) -> tuple[Path, bool]:
    """Write the drill's starter into the workspace; returns (path, created).

    A drill with a ``starter_factory`` gets a starter generated from the seed (random when none
    is given). A debug drill draws one mutant, its base file with one catalogued bug (seeded when
    ``seed`` is given), and records which, so that the bug can be named once it is fixed. An
    existing file is kept unless ``fresh``.
    """
    target = workspace / f"{drill.id}.py"
    if target.exists() and not fresh:
        return target, False
    if drill.starter_factory:
        module, function = drill.starter_factory.split(":")
        drawn = seed if seed is not None else random.SystemRandom().randrange(10_000)
        target.write_text(getattr(importlib.import_module(module), function)(drawn), encoding="utf-8")
        return target, True
    if drill.debug:
        bug = random.Random(seed).choice(debug_variants(drill))
        store.set_state(f"debug:{drill.id}", {"bug": bug, "seed": seed})
        target.write_text(mutant_sources(drill.folder)[bug], encoding="utf-8")
        return target, True
    target.write_text(starter_source(drill), encoding="utf-8")
    return target, True


def drawn_bug(drill: Drill, store: Store) -> str | None:
    """The catalog key of the bug a debug drill's current file was drawn with."""
    state = store.get_state(f"debug:{drill.id}")
    return state["bug"] if state else None
