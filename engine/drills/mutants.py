"""Bugs written as small edits of a correct file.

A drill folder's ``mutants.json`` names a correct base file and, for each catalog key, the edits
(old text → new text) that inject that bug: the file a learner would write with that one mistake.
A mutant is either a plain list of edits to that base, or ``{"base": ..., "edits": [...]}`` where
the bug reads more naturally as a slip in another correct file of the folder (one of its
``alternatives/``). A debug drill hands out one mutant as the learner's starter; every drill's
catalog is validated by grading its mutants. Each ``old`` text occurs exactly once in its base,
and all edits of a mutant apply at once.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from engine.drills.sources import content_source

MUTANTS_FILE = "mutants.json"

Edits = list[list[str]]


def has_mutants(folder: Path) -> bool:
    return (folder / MUTANTS_FILE).is_file()


@cache
def mutant_sources(folder: Path) -> dict[str, str]:
    """The source text of every mutant in ``folder``, by catalog key."""
    spec = json.loads((folder / MUTANTS_FILE).read_text(encoding="utf-8"))
    sources = {}
    for key, mutant in spec["mutants"].items():
        base, edits = (spec["base"], mutant) if isinstance(mutant, list) else (mutant["base"], mutant["edits"])
        sources[key] = apply_edits(content_source(folder / base, folder.parent), edits)
    return sources


def apply_edits(base: str, edits: Edits) -> str:
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
