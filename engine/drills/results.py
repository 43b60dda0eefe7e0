"""The structured result of a drill run (the JSON shape of `drill run --json`, in the README).

Modelled on Exercism's test-runner interface: one status for the run, one entry per check with
its own message, keyed diagnoses, and the learner's captured output. No torch here: the CLI
and the app read these without importing it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"


@dataclass
class Check:
    id: str
    category: str
    status: str
    message: str
    points: float = 0.0
    max_points: float = 1.0
    evidence: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASS


@dataclass
class Diagnosis:
    key: str
    title: str
    explanation: str
    hint: str


@dataclass
class RunResult:
    drill: str
    status: str
    checks: list[Check] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    output: str = ""
    duration_s: float = 0.0
    error: str = ""

    @property
    def score(self) -> float:
        return round(sum(check.points for check in self.checks), 3)

    @property
    def max_score(self) -> float:
        return round(sum(check.max_points for check in self.checks), 3)

    def to_dict(self) -> dict[str, Any]:
        checks = []
        for check in self.checks:
            entry = asdict(check)
            if check.evidence:
                entry["message"] = f"{check.message}\n{check.evidence}"
            del entry["evidence"]
            checks.append(entry)
        return {
            "drill": self.drill,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "checks": checks,
            "diagnoses": [asdict(d) for d in self.diagnoses],
            "output": self.output,
            "duration_s": round(self.duration_s, 3),
            **({"error": self.error} if self.error else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        return cls(
            drill=data["drill"],
            status=data["status"],
            checks=[Check(**{k: v for k, v in c.items() if k in Check.__dataclass_fields__}) for c in data["checks"]],
            diagnoses=[Diagnosis(**d) for d in data["diagnoses"]],
            output=data.get("output", ""),
            duration_s=data.get("duration_s", 0.0),
            error=data.get("error", ""),
        )


def error_result(drill: str, message: str, output: str = "", duration_s: float = 0.0, device_type: str = "cpu") -> RunResult:
    """A run whose code could not be graded at all: every declared check skipped (so it scores 0 of the
    drill's real maximum), and ``message`` says why."""
    from engine.drills.catalog import get_drill

    checks = [
        Check(c.id, c.category, SKIPPED, "Not checked: your code could not be graded.", 0.0, c.points)
        for c in get_drill(drill).checks_on(device_type)
    ]
    return RunResult(drill=drill, status=ERROR, checks=checks, error=message, output=output, duration_s=duration_s)


def overall_status(checks: list[Check]) -> str:
    """``pass`` when every graded check passed, ``error`` when none could run, else ``fail``."""
    graded = [check for check in checks if check.status != SKIPPED]
    if not graded or all(check.status == ERROR for check in graded):
        return ERROR
    return PASS if all(check.passed for check in graded) else FAIL
