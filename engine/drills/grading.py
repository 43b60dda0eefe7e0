"""What a drill's ``grade`` fills in: verdicts for its declared checks, and diagnoses.

A drill reports a check by id only; its category and points come from ``drill.json`` (see
engine/drills/contract.py). A declared check that a run never reports is skipped with the reason
the drill gave for the case it belongs to, or a general one; a check id that is not declared, or
reported twice, is a bug in the drill's checks and raises :class:`GraderBug`, which the grader turns
into "the grader failed on your output — please report it" instead of blaming the learner.

Diagnoses explain a failure and never earn points: a catalogued bug is named by its key; an open
diagnoser (engine/drills/toolkit/diagnosis.py) builds its own :class:`Diagnosis` with a key of the
same form, so the app, the reports and the hints treat both alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.drills.catalog import DeclaredCheck, Drill
from engine.drills.results import ERROR, FAIL, PASS, SKIPPED, Check, Diagnosis

NOT_REACHED = "Not checked: fix the failing checks above first."


class GraderBug(Exception):
    """The drill's own checks broke the contract (an undeclared or repeated check id)."""


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    evidence: str = ""


def passed(message: str) -> Verdict:
    return Verdict(True, message)


def failed(message: str, evidence: str = "") -> Verdict:
    return Verdict(False, message, evidence)


@dataclass(frozen=True)
class _Reported:
    status: str
    message: str
    evidence: str = ""


class Grading:
    def __init__(self, drill: Drill, device_type: str = "cpu"):
        self.drill = drill
        self.declared = drill.checks_on(device_type)
        self.diagnoses: list[Diagnosis] = []
        self._reported: dict[str, _Reported] = {}

    def _declaration(self, check_id: str) -> DeclaredCheck:
        for declared in self.declared:
            if declared.covers(check_id):
                return declared
        raise GraderBug(f"drill {self.drill.id} reports check {check_id!r}, which its drill.json does not declare")

    def _report(self, check_id: str, reported: _Reported) -> None:
        self._declaration(check_id)
        if check_id in self._reported:
            raise GraderBug(f"drill {self.drill.id} reports check {check_id!r} twice")
        self._reported[check_id] = reported

    def check(self, check_id: str, verdict: Verdict) -> bool:
        """Record a verdict; returns whether it passed, so that later checks can depend on it."""
        self._report(check_id, _Reported(PASS if verdict.ok else FAIL, verdict.message, verdict.evidence))
        return verdict.ok

    def error(self, check_id: str, message: str) -> None:
        """The learner's code raised while this check ran."""
        self._report(check_id, _Reported(ERROR, message))

    def skip(self, check_id: str, message: str) -> None:
        """Not gradable because of an earlier failure; it still counts towards the maximum."""
        self._report(check_id, _Reported(SKIPPED, message))

    def reported(self, check_id: str) -> bool:
        return check_id in self._reported

    def all_passed(self) -> bool:
        """Whether every check reported so far passed (a diagnosis is looked for otherwise)."""
        return all(reported.status == PASS for reported in self._reported.values())

    def diagnose(self, key: str) -> None:
        """Name a catalogued bug of this drill (or of the drills it shares a catalog with)."""
        bug = self.drill.bug(key)
        self.add_diagnosis(Diagnosis(bug.key, bug.title, bug.explanation, bug.hint))

    def add_diagnosis(self, diagnosis: Diagnosis) -> None:
        if all(existing.key != diagnosis.key for existing in self.diagnoses):
            self.diagnoses.append(diagnosis)

    @property
    def diagnosed(self) -> bool:
        return bool(self.diagnoses)

    def checks(self) -> list[Check]:
        """Every declared check in declaration order, with its points; a group's points shared
        equally by its reported members; what was never reported, skipped."""
        checks: list[Check] = []
        for declared in self.declared:
            members = [check_id for check_id in self._reported if declared.covers(check_id)]
            if not members:
                checks.append(Check(declared.id, declared.category, SKIPPED, NOT_REACHED, 0.0, declared.points))
                continue
            share = declared.points / len(members)
            for check_id in members:
                reported = self._reported[check_id]
                points = share if reported.status == PASS else 0.0
                checks.append(Check(check_id, declared.category, reported.status, reported.message, points, share, reported.evidence))
        return checks
