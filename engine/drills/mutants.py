"""Bugs written as small edits of one correct file.

A drill folder's ``mutants.json`` names a correct base file and, for each catalog key, the edits
(old text → new text) that inject that bug. A debug drill hands out one mutant as the learner's
starter; the bug catalogs load mutants as learner-shaped modules to validate themselves. Each
``old`` text occurs exactly once in the base, and all edits of a mutant apply at once.
"""

from __future__ import annotations

import json
import types
from functools import cache
from pathlib import Path

from engine.drills.sources import content_source

MUTANTS_FILE = "mutants.json"


def has_mutants(folder: Path) -> bool:
    return (folder / MUTANTS_FILE).is_file()


@cache
def mutant_sources(folder: Path) -> dict[str, str]:
    """The source text of every mutant in ``folder``, by catalog key."""
    spec = json.loads((folder / MUTANTS_FILE).read_text(encoding="utf-8"))
    base = content_source(folder / spec["base"], folder.parent)
    return {key: apply_edits(base, edits) for key, edits in spec["mutants"].items()}


def apply_edits(base: str, edits: list[list[str]]) -> str:
    spots = []
    for old, new in edits:
        if base.count(old) != 1:
            raise ValueError(f"a mutant's edit must match its base exactly once: {old!r}")
        spots.append((base.index(old), old, new))
    pieces, position = [], 0
    for start, old, new in sorted(spots):
        if start < position:
            raise ValueError(f"a mutant's edits overlap at {old!r}")
        pieces += [base[position:start], new]
        position = start + len(old)
    return "".join(pieces) + base[position:]


def mutant_modules(folder: Path) -> dict[str, types.ModuleType]:
    """Every mutant imported as a module (this runs its imports: torch, for most drills)."""
    modules = {}
    for key, source in mutant_sources(folder).items():
        module = types.ModuleType(f"mutant_{folder.name}_{key.replace('.', '_')}")
        exec(compile(source, f"{folder / key}.py", "exec"), module.__dict__)  # noqa: S102 - our own content
        modules[key] = module
    return modules
