"""The drill catalog: metadata read from ``drills/<id>/drill.json`` without importing torch.

A drill folder holds ``drill.json`` (title, topic, hints, bug catalog, and ``bugs_from`` to
reuse another drill's catalog, ``solution_from`` to reuse its model solution), ``starter.py`` (what
the learner starts from; it must fail — or ``starter_factory``, a torch-free "module:function"
that writes a fresh starter from a seed), ``solution.py`` (the model answer; it must score full
marks), ``checks.py`` (trusted grading code) and, where it has bugs, ``mutants.json`` (per
catalog key, a correct file with that one bug written in, used to validate the catalog).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from engine.errors import UsageError

DRILLS_PACKAGE = "drills"


class DrillNotFound(UsageError, LookupError):
    def __init__(self, drill_id: str, known: list[str]):
        close = [name for name in known if drill_id in name or name in drill_id]
        suggestion = f" Did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"There is no drill called '{drill_id}'.{suggestion} Run `drill list` to see them all.")


@dataclass(frozen=True)
class Bug:
    key: str
    title: str
    explanation: str
    hint: str


@dataclass(frozen=True)
class Drill:
    id: str
    title: str
    topic: str
    lesson: str
    section: str
    entry: str
    summary: str
    hints: tuple[str, ...]
    bugs: tuple[Bug, ...] = field(default=())
    time_limit_s: float = 20.0
    order: int = 0
    debug: bool = False
    starter_factory: str = ""
    solution_from: str = ""

    @property
    def folder(self) -> Path:
        return Path(str(resources.files(DRILLS_PACKAGE).joinpath(self.id)))

    @property
    def starter_path(self) -> Path:
        return self.folder / "starter.py"

    @property
    def solution_path(self) -> Path:
        # A debug drill's answer is its underlying drill's model solution.
        return self.folder.parent / (self.solution_from or self.id) / "solution.py"

    @property
    def checks_module(self) -> str:
        return f"{DRILLS_PACKAGE}.{self.id}.checks"

    def bug(self, key: str) -> Bug:
        return next(bug for bug in self.bugs if bug.key == key)


def _read(folder: Path) -> dict:
    return json.loads((folder / "drill.json").read_text(encoding="utf-8"))


def _load(folder: Path) -> Drill:
    data = _read(folder)
    # "bugs_from" shares another drill's catalog (the samplers share theirs) instead of copying it.
    shared = [bug for other in data.pop("bugs_from", []) for bug in _read(folder.parent / other).get("bugs", [])]
    bugs = tuple(Bug(**bug) for bug in [*data.pop("bugs", []), *shared])
    data["hints"] = tuple(data["hints"])
    return Drill(id=folder.name, bugs=bugs, **data)


@lru_cache(maxsize=1)
def all_drills() -> tuple[Drill, ...]:
    root = Path(str(resources.files(DRILLS_PACKAGE)))
    folders = [path for path in root.iterdir() if (path / "drill.json").is_file()]
    return tuple(sorted((_load(folder) for folder in folders), key=lambda d: (d.order, d.id)))


def get_drill(drill_id: str) -> Drill:
    drills = {drill.id: drill for drill in all_drills()}
    if drill_id not in drills:
        raise DrillNotFound(drill_id, list(drills))
    return drills[drill_id]
