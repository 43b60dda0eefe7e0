"""What a drill's ``grade`` function fills in: checks with points, and diagnoses from its catalog."""

from __future__ import annotations

from dataclasses import dataclass

from engine.drills.catalog import Drill
from engine.drills.results import ERROR, FAIL, PASS, SKIPPED, Check, Diagnosis


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    evidence: str = ""


def passed(message: str) -> Verdict:
    return Verdict(True, message)


def failed(message: str, evidence: str = "") -> Verdict:
    return Verdict(False, message, evidence)


CATALOG_CHECK = "bug.catalog"


class Grading:
    def __init__(self, drill: Drill):
        self.drill = drill
        self.checks: list[Check] = []
        self.diagnoses: list[Diagnosis] = []

    def check(self, check_id: str, category: str, verdict: Verdict, points: float = 1.0) -> bool:
        status = PASS if verdict.ok else FAIL
        self.checks.append(
            Check(check_id, category, status, verdict.message, points if verdict.ok else 0.0, points, verdict.evidence)
        )
        return verdict.ok

    def error(self, check_id: str, category: str, message: str, points: float = 1.0) -> None:
        """The learner's code raised while this check ran."""
        self.checks.append(Check(check_id, category, ERROR, message, 0.0, points))

    def skip(self, check_id: str, category: str, message: str, points: float = 1.0) -> None:
        """Not gradable because an earlier check failed; it still counts towards the maximum."""
        self.checks.append(Check(check_id, category, SKIPPED, message, 0.0, points))

    def diagnose(self, key: str) -> None:
        if all(existing.key != key for existing in self.diagnoses):
            bug = self.drill.bug(key)
            self.diagnoses.append(Diagnosis(bug.key, bug.title, bug.explanation, bug.hint))

    @property
    def diagnosed(self) -> bool:
        return bool(self.diagnoses)

    def catalog_check(self, gradable: bool) -> None:
        """One ``bug`` check: it fails when a catalogued bug was recognised in the learner's code."""
        if self.diagnoses:
            titles = "; ".join(d.title for d in self.diagnoses)
            self.check(CATALOG_CHECK, "bug", failed(f"A known bug was recognised: {titles}."))
        elif gradable:
            self.check(CATALOG_CHECK, "bug", passed("None of the catalogued bugs matches your code"))
        else:
            self.skip(CATALOG_CHECK, "bug", "Known bugs could not be looked for: fix the errors above first.")
