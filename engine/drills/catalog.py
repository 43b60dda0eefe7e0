"""The drill catalog: ``drills/<id>/drill.json`` read through :class:`~engine.drills.contract.DrillSpec`,
without importing torch.

The folder layout and the fields are described in engine/drills/contract.py and in the README's
"Writing a drill". A drill folder that breaks the contract raises :class:`DrillContentError`
naming the file and each problem.

What the engine holds of a drill are plain records (:class:`Drill`, :class:`DeclaredCheck`,
:class:`Bug`). Validating drill.json with pydantic costs about a tenth of a second of imports in
every process, on the path of every ``drill run``, so a catalog that validated is kept as JSON in
``$DRILL_HOME/cache/``, under a digest of every drill.json and of the contract's code; a later
process reads that file instead, and any edit to a drill.json or to the contract validates afresh.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import __version__
from engine.errors import UsageError

if TYPE_CHECKING:
    from engine.drills.contract import DrillSpec

DRILLS_PACKAGE = "drills"
SPEC_FILE = "drill.json"
CATEGORIES = ("shape", "formula", "behaviour")


class DrillNotFound(UsageError, LookupError):
    def __init__(self, drill_id: str, known: list[str]):
        close = [name for name in known if drill_id in name or name in drill_id]
        suggestion = f" Did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"There is no drill called '{drill_id}'.{suggestion} Run `drill list` to see them all.")


class DrillContentError(Exception):
    """A drill folder breaks the contract: a content bug of ours, reported with every problem."""


@dataclass(frozen=True)
class DeclaredCheck:
    """A check as the grader uses it: id, category, points and the device types it runs on."""

    id: str
    category: str
    points: float
    devices: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.id.endswith(".*")

    def covers(self, check_id: str) -> bool:
        return check_id == self.id or (self.is_group and check_id.startswith(self.id[:-1]))

    def runs_on(self, device_type: str) -> bool:
        return not self.devices or device_type in self.devices


@dataclass(frozen=True)
class Bug:
    """One catalogued mistake: how the grader names it when it recognises it."""

    key: str
    title: str
    explanation: str
    hint: str


@dataclass(frozen=True)
class Starter:
    """A starter derived from the model solution: the bodies to blank, with their messages."""

    blank: dict[str, str | None]


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
    starter: Starter | None = None

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
    def checks_module(self) -> str:
        # A debug drill is graded by its underlying drill's checks.
        return f"{DRILLS_PACKAGE}.{self.checks_from or self.id}.checks"

    def bug(self, key: str) -> Bug:
        return next(bug for bug in self.bugs if bug.key == key)

    def checks_on(self, device_type: str) -> tuple[DeclaredCheck, ...]:
        return tuple(check for check in self.checks if check.runs_on(device_type))

    def max_score(self, device_type: str = "cpu") -> float:
        return round(sum(check.points for check in self.checks_on(device_type)), 3)


    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Drill:
        return cls(**{
            **record,
            "hints": tuple(record["hints"]),
            "checks": tuple(DeclaredCheck(**{**check, "devices": tuple(check["devices"])}) for check in record["checks"]),
            "bugs": tuple(Bug(**bug) for bug in record["bugs"]),
            "starter": Starter(**record["starter"]) if record["starter"] is not None else None,
        })


def read_spec(folder: Path) -> DrillSpec:
    from pydantic import ValidationError

    from engine.drills.contract import DrillSpec

    path = folder / SPEC_FILE
    try:
        return DrillSpec.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as error:
        raise DrillContentError(f"{path}: not valid JSON: {error}") from None
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(part) for part in e['loc']) or '(top)'}: {e['msg']}" for e in error.errors())
        raise DrillContentError(f"{path}: {problems}") from None


def declared_checks(spec: DrillSpec) -> tuple[DeclaredCheck, ...]:
    from engine.drills.contract import CheckSpec

    checks = []
    for check_id, value in spec.checks.items():
        detail = value if isinstance(value, CheckSpec) else CheckSpec(points=float(value))
        checks.append(DeclaredCheck(id=check_id, category=check_id.split(".")[0], points=detail.points, devices=detail.devices))
    return tuple(checks)


def drill_from_spec(drill_id: str, spec: DrillSpec, checks: tuple[DeclaredCheck, ...], shared_bugs: tuple[Bug, ...] = ()) -> Drill:
    """The engine's record of a validated drill.json."""
    return Drill(
        id=drill_id,
        title=spec.title,
        topic=spec.topic,
        lesson=spec.lesson,
        section=spec.section,
        entry=spec.entry,
        summary=spec.summary,
        hints=spec.hints,
        checks=checks,
        bugs=(*(Bug(**bug.model_dump()) for bug in spec.bugs), *shared_bugs),
        track=spec.track,
        time_limit_s=spec.time_limit_s,
        order=spec.order,
        debug=spec.debug,
        starter_factory=spec.starter_factory,
        solution_from=spec.solution_from,
        checks_from=spec.checks_from,
        starter=Starter(dict(spec.starter.blank)) if spec.starter is not None else None,
    )


def _load(folder: Path) -> Drill:
    spec = read_spec(folder)
    # "bugs_from" shares another drill's catalog (the samplers share theirs) instead of copying it.
    shared = tuple(Bug(**bug.model_dump()) for other in spec.bugs_from for bug in read_spec(folder.parent / other).bugs)
    checks = declared_checks(read_spec(folder.parent / spec.checks_from) if spec.checks_from else spec)
    return drill_from_spec(folder.name, spec, checks, shared)


def _spec_files() -> list[Path]:
    root = Path(str(resources.files(DRILLS_PACKAGE)))
    return sorted(path / SPEC_FILE for path in root.iterdir() if (path / SPEC_FILE).is_file())


def _digest(files: list[Path]) -> str:
    """What a cached catalog is valid for: every drill.json and the code that validates them."""
    from engine.drills.fingerprint import stat_digest

    here = Path(__file__).parent
    return stat_digest([*files, here / "contract.py", here / "catalog.py"], __version__)[:24]


def _cache_file(digest: str) -> Path | None:
    from engine.paths import data_home

    try:
        return data_home() / "cache" / f"drills-{digest}.json"
    except UsageError:
        # No writable data folder: every process validates, which is slower and no less right.
        return None


def _read_cache(path: Path | None) -> tuple[Drill, ...] | None:
    if path is None:
        return None
    try:
        return tuple(Drill.from_record(record) for record in json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write_cache(path: Path | None, drills: tuple[Drill, ...]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("drills-*.json"):
            stale.unlink(missing_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps([drill.to_record() for drill in drills], ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError:
        return


@lru_cache(maxsize=1)
def all_drills() -> tuple[Drill, ...]:
    files = _spec_files()
    cache = _cache_file(_digest(files))
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    drills = tuple(sorted((_load(path.parent) for path in files), key=lambda d: (d.order, d.id)))
    _write_cache(cache, drills)
    return drills


def get_drill(drill_id: str) -> Drill:
    drills = {drill.id: drill for drill in all_drills()}
    if drill_id not in drills:
        raise DrillNotFound(drill_id, list(drills))
    return drills[drill_id]
