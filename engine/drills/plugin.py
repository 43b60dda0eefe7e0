"""The contract of a drill's checks: ``drills/<id>/checks.py`` defines ``checks``, an instance of
:class:`DrillChecks`.

A run has two halves in two processes. :meth:`DrillChecks.probe` runs in the sandboxed child,
with the learner's module loaded: it calls the learner's code on the drill's cases and returns a
:data:`~engine.drills.records.ProbeRecord` of plain data. :meth:`DrillChecks.grade` runs in the
grader, which the learner's code never touched: it recomputes what the reference gives for the
same cases and reports each declared check and any diagnosis on a
:class:`~engine.drills.grading.Grading`.

The toolkit (engine/drills/toolkit/) implements the common ladders — function drills, module
drills and samplers — so that most drills only declare their cases.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from types import ModuleType
from typing import TYPE_CHECKING

from engine.drills.catalog import Drill, DrillContentError

if TYPE_CHECKING:
    import torch

    from engine.drills.capture import Attempt
    from engine.drills.grading import Grading
    from engine.drills.records import ProbeRecord

CHECKS_ATTRIBUTE = "checks"


class DrillChecks(ABC):
    @abstractmethod
    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        """In the sandbox: run the learner's ``module`` on the drill's cases and record what it did."""

    @abstractmethod
    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        """In the grader: judge ``record`` against the reference and report every check that applies."""


def load_checks(drill: Drill) -> DrillChecks:
    """The drill's checks object (this imports torch and the reference, through the drill's module)."""
    module = importlib.import_module(drill.checks_module)
    checks = getattr(module, CHECKS_ATTRIBUTE, None)
    if not isinstance(checks, DrillChecks):
        raise DrillContentError(f"{drill.checks_module} must define `{CHECKS_ATTRIBUTE}`, an instance of engine.drills.plugin.DrillChecks")
    return checks
