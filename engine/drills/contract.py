"""What a drill folder declares in ``drill.json``: the pydantic models, the JSON Schema's source.

A drill is a folder ``drills/<id>/``. Its ``drill.json`` holds what the learner reads (title,
summary, hints), where the drill sits (track, lesson, topic, section, order), how its files are
made (``starter``, ``solution_from``, ``starter_factory``), its bug catalog, and **every check it
can report with its points**. Points are declared here and nowhere else: the grader refuses a
check id that is not declared, fills in the declared ones a run never reached as skipped, and the
maximum score is known without importing torch (so a run that could not be graded at all still
scores 0 out of the drill's real maximum).

A check id starts with its category: ``shape.`` (shape, dtype and device before any value),
``formula.`` (values against the reference), ``behaviour.`` (gradients, dependencies, statistics).
Only checks that verify something right earn points; diagnoses (catalogued or found by the open
diagnosers) explain a failure and earn nothing. An id ending in ``.*`` declares a group whose
points are shared equally by the checks a run reports under that prefix (a worksheet with as many
lines as its drawn config has stages).

``drills/schema.json`` is generated from :class:`DrillSpec` (``python -m engine.drills.schema``)
and a test keeps it up to date.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.drills.catalog import CATEGORIES

_ID = r"^[a-z][a-z0-9_]*$"
_CHECK_ID = r"^(shape|formula|behaviour)(\.[A-Za-z0-9_]+)*(\.\*)?$"
_BUG_KEY = r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BugSpec(_Strict):
    """One catalogued mistake: how the grader names it when it recognises it."""

    key: str = Field(pattern=_BUG_KEY, description="Stable id, 'area.mistake'; reports count habits by it.")
    title: str = Field(min_length=3, description="The mistake in a few words.")
    explanation: str = Field(min_length=10, description="What the learner's code does, and why it is wrong.")
    hint: str = Field(min_length=3, description="How to fix it; also the first hint after this diagnosis.")


class CheckSpec(_Strict):
    """A declared check: its points, and the device types it runs on (all when empty)."""

    points: float = Field(gt=0)
    devices: tuple[Literal["cpu", "cuda"], ...] = ()


class StarterSpec(_Strict):
    """A starter derived from the model solution: these functions' bodies are replaced by their
    docstring and ``raise NotImplementedError(<message>)``; a helper mapped to null is left out."""

    blank: dict[str, str | None] = Field(
        min_length=1, description="'Class.method' or 'function' → the NotImplementedError message, or null to leave it out."
    )


class DrillSpec(_Strict):
    """The contents of ``drill.json``."""

    schema_: str | None = Field(default=None, alias="$schema")
    title: str = Field(min_length=3)
    track: Literal["lessons", "course"] = Field(default="lessons", description="'course' drills use the real course's code.")
    topic: str = Field(pattern=_ID)
    lesson: str = Field(min_length=1, description="The group the drill list shows it under.")
    section: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    entry: str = Field(min_length=1, description="The function, class or name the learner writes.")
    order: int = 0
    time_limit_s: float = Field(default=20.0, gt=0)
    summary: str = Field(min_length=10)
    hints: tuple[str, ...] = Field(min_length=1)
    checks: dict[str, float | CheckSpec] = Field(default_factory=dict, description="Every check the drill reports, with its points.")
    checks_from: str = Field(default="", description="Another drill whose checks (code and declarations) grade this one.")
    bugs: tuple[BugSpec, ...] = ()
    bugs_from: tuple[str, ...] = Field(default=(), description="Drills whose catalogs this drill shares.")
    solution_from: str = Field(default="", description="Another drill whose model solution this drill uses.")
    starter: StarterSpec | None = None
    starter_factory: str = Field(default="", pattern=r"^$|^[\w.]+:\w+$", description="'module:function' writing a starter from a seed.")
    debug: bool = Field(default=False, description="The starter is one catalogued bug, drawn at start; it is named once fixed.")

    @field_validator("checks")
    @classmethod
    def _check_ids(cls, checks: dict[str, float | CheckSpec]) -> dict[str, float | CheckSpec]:
        import re

        for check_id, spec in checks.items():
            if not re.match(_CHECK_ID, check_id):
                raise ValueError(f"check id {check_id!r} must start with one of {', '.join(CATEGORIES)}")
            if isinstance(spec, float | int) and spec <= 0:
                raise ValueError(f"check {check_id!r} must be worth more than 0 points")
        return checks

    @model_validator(mode="after")
    def _checks_declared_once(self) -> DrillSpec:
        if bool(self.checks) == bool(self.checks_from):
            raise ValueError("declare the checks, or name the drill whose checks grade this one in checks_from (one of the two)")
        return self

    @model_validator(mode="after")
    def _unique_bug_keys(self) -> DrillSpec:
        keys = [bug.key for bug in self.bugs]
        doubled = sorted({key for key in keys if keys.count(key) > 1})
        if doubled:
            raise ValueError(f"bug keys declared twice: {', '.join(doubled)}")
        return self
