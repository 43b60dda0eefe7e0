"""The drill catalog: ``drills/<id>/drill.json`` read through :class:`~engine.drills.contract.DrillSpec`,
without importing torch.

The folder layout and the fields are described in engine/drills/contract.py and in the README's
"Writing a drill". A drill folder that breaks the contract raises :class:`DrillContentError`
naming the file and each problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from engine.drills.contract import Bug, DeclaredCheck, DrillSpec, StarterSpec, declared_checks
from engine.errors import UsageError

DRILLS_PACKAGE = "drills"
SPEC_FILE = "drill.json"


class DrillNotFound(UsageError, LookupError):
    def __init__(self, drill_id: str, known: list[str]):
        close = [name for name in known if drill_id in name or name in drill_id]
        suggestion = f" Did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"There is no drill called '{drill_id}'.{suggestion} Run `drill list` to see them all.")


class DrillContentError(Exception):
    """A drill folder breaks the contract: a content bug of ours, reported with every problem."""




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
    checks: tuple[DeclaredCheck, ...]
    bugs: tuple[Bug, ...] = field(default=())
    track: str = "lessons"
    time_limit_s: float = 20.0
    order: int = 0
    debug: bool = False
    starter_factory: str = ""
    solution_from: str = ""
    checks_from: str = ""
    starter: StarterSpec | None = None

    @property
    def folder(self) -> Path:
        return Path(str(resources.files(DRILLS_PACKAGE).joinpath(self.id)))

    @property
    def starter_path(self) -> Path:
        """The file the starter is made from: ``starter.py``, or the solution when the starter is derived from it."""
        return self.solution_path if self.starter is not None else self.folder / "starter.py"

    @property
    def solution_path(self) -> Path:
        # A debug drill's answer is its underlying drill's model solution.
        return self.folder.parent / (self.solution_from or self.id) / "solution.py"

    @property
    def has_starter(self) -> bool:
        return bool(self.starter_factory) or self.debug or self.starter_path.is_file()

    @property
    def checks_module(self) -> str:
        # A debug drill is graded by its underlying drill's checks.
        return f"{DRILLS_PACKAGE}.{self.checks_from or self.id}.checks"

    def bug(self, key: str) -> Bug:
        return next(bug for bug in self.bugs if bug.key == key)

    def checks_on(self, device_type: str) -> tuple[DeclaredCheck, ...]:
        return tuple(check for check in self.checks if check.runs_on(device_type))

    def max_score(self, device_type: str = "cpu") -> float:
        return round(sum(check.points for check in self.checks_on(device_type)), 3)


def read_spec(folder: Path) -> DrillSpec:
    path = folder / SPEC_FILE
    try:
        return DrillSpec.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as error:
        raise DrillContentError(f"{path}: not valid JSON: {error}") from None
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(part) for part in e['loc']) or '(top)'}: {e['msg']}" for e in error.errors())
        raise DrillContentError(f"{path}: {problems}") from None


def _load(folder: Path) -> Drill:
    spec = read_spec(folder)
    # "bugs_from" shares another drill's catalog (the samplers share theirs) instead of copying it.
    shared = [bug for other in spec.bugs_from for bug in read_spec(folder.parent / other).bugs]
    checks = declared_checks(read_spec(folder.parent / spec.checks_from) if spec.checks_from else spec)
    return Drill(
        id=folder.name,
        title=spec.title,
        topic=spec.topic,
        lesson=spec.lesson,
        section=spec.section,
        entry=spec.entry,
        summary=spec.summary,
        hints=spec.hints,
        checks=checks,
        bugs=(*spec.bugs, *shared),
        track=spec.track,
        time_limit_s=spec.time_limit_s,
        order=spec.order,
        debug=spec.debug,
        starter_factory=spec.starter_factory,
        solution_from=spec.solution_from,
        checks_from=spec.checks_from,
        starter=spec.starter,
    )


@lru_cache(maxsize=1)
def all_drills() -> tuple[Drill, ...]:
    root = Path(str(resources.files(DRILLS_PACKAGE)))
    folders = [path for path in root.iterdir() if (path / SPEC_FILE).is_file()]
    return tuple(sorted((_load(folder) for folder in folders), key=lambda d: (d.order, d.id)))


def get_drill(drill_id: str) -> Drill:
    drills = {drill.id: drill for drill in all_drills()}
    if drill_id not in drills:
        raise DrillNotFound(drill_id, list(drills))
    return drills[drill_id]
