"""Function drills: the learner's function is called on each declared case, and its output is
compared with the reference's, shapes first.

A drill subclasses :class:`FunctionDrill`, lists its :class:`Case`\\ s, implements ``reference``
and, where it has one, lists its catalog as ``variants`` (functions of the same inputs, one per
catalogued mistake). Each case reports ``shape.<case>`` and then ``formula.<case>``; a drill adds
its own checks in ``more_checks``. When any check fails, the catalog is matched across all cases
and, if no variant explains the learner's output, the drill's open diagnosers (``open_diagnoses``)
are asked.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

import torch

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.plugin import DrillChecks
from engine.drills.records import Capture, ProbeRecord
from engine.drills.results import Diagnosis
from engine.drills.toolkit import layouts
from engine.drills.toolkit.variants import Output, Variant, matching_keys, predictions

if TYPE_CHECKING:
    from engine.drills.capture import Attempt
    from engine.drills.grading import Grading, Verdict


@dataclass(frozen=True)
class Case:
    name: str
    label: str  # how messages name the case: "T=150 (the course's value)"
    inputs: Callable[[torch.device], tuple[Any, ...]]  # the positional arguments, on the device


@dataclass
class Observation:
    """One case as the grader sees it: the inputs, the learner's output (None when it raised or is
    not made of tensors) and, once its layout is right, the reference's answer."""

    case: Case
    inputs: tuple[Any, ...]
    observed: Output = None
    expected: Output = None
    raised: bool = False
    problem: Diagnosis | None = None  # what the layout check or the error says of the learner's mistake


def tensors(captured: Capture, device: torch.device) -> Output:
    """A captured value as tensors on the grading device: a tensor, a tuple of them, a dict of them, or None."""
    if captured["kind"] == "tensor":
        return captured["data"].to(device)
    if captured["kind"] == "seq":
        items = [tensors(item, device) for item in captured["items"]]
        return tuple(items) if all(isinstance(item, torch.Tensor) for item in items) else None
    if captured["kind"] == "dict":
        mapped = {key: tensors(item, device) for key, item in captured["items"].items()}
        return mapped if all(isinstance(item, torch.Tensor) for item in mapped.values()) else None
    return None


class FunctionDrill(DrillChecks):
    entry: ClassVar[str]
    cases: ClassVar[Sequence[Case]]
    variants: ClassVar[Sequence[Variant]] = ()
    output_name: ClassVar[str] = "The output"
    area: ClassVar[str] = ""  # the prefix of open diagnoses' keys; the entry's name when empty
    atol: ClassVar[float] = 1e-5
    rtol: ClassVar[float] = 1e-4
    # Whether a variant must also give the learner's dtype to match (a float64 schedule is a mistake
    # of its own); variants that compute in float64 to stay exact leave this off.
    variants_match_dtype: ClassVar[bool] = False

    @abstractmethod
    def reference(self, *inputs: Any) -> Output:
        """The reference's answer for the arguments it depends on (see :meth:`reference_inputs`)."""

    def reference_inputs(self, observation: Observation) -> tuple[Any, ...]:
        """What the answer depends on: the case's inputs, and for a drill whose answer depends on the
        learner's own random draws, those draws as the learner returned them."""
        return observation.inputs

    def expected(self, observation: Observation) -> Output:
        """The answer the learner's output is compared with."""
        return self.reference(*self.reference_inputs(observation))

    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        function = entry(module, self.entry)
        return {case.name: attempt(function, *case.inputs(device)) for case in self.cases}

    def layout(self, observation: Observation, captured: Capture, device: torch.device) -> Verdict:
        """Shape, dtype and device of the learner's output (one tensor, unless a drill says otherwise):
        those of the reference's answer, which lives where the inputs do (on the CPU for a schedule)."""
        expected = self.reference(*observation.inputs)
        assert isinstance(expected, torch.Tensor)
        name = f"{self.output_name} for {observation.case.label}"
        return compare.layout(name, captured, tuple(expected.shape), expected.dtype, expected.device)

    def layout_expected(self, observation: Observation) -> torch.Tensor | tuple[torch.Tensor, ...]:
        """What the output's layout should be, for naming a layout mistake (the reference's answer by default)."""
        expected = self.reference(*observation.inputs)
        assert isinstance(expected, torch.Tensor | tuple)
        return expected

    def values(self, observation: Observation) -> Verdict:
        """The learner's values against the reference's, once the layout is right."""
        assert isinstance(observation.observed, torch.Tensor) and isinstance(observation.expected, torch.Tensor)
        name = f"{self.output_name} for {observation.case.label}"
        return compare.values(name, observation.observed, observation.expected, self.atol, self.rtol)

    def variant_inputs(self, observation: Observation) -> tuple[Any, ...]:
        """The arguments the catalog's variants run on (a drill may widen them to float64)."""
        return observation.inputs

    def more_checks(self, observations: Sequence[Observation], device: torch.device, grading: Grading) -> None:
        """Checks beyond the per-case ones (a statistic over all cases, say); none by default."""

    def comparable(self, observation: Observation) -> Output:
        """What of the learner's output the variants predict (all of it, unless a drill says otherwise)."""
        return observation.observed

    def recognised(self, observations: Sequence[Observation], device: torch.device) -> list[str]:
        """Catalog keys recognised other than by a variant (a statistic, a call pattern); none by default."""
        return []

    def open_diagnoses(self, observations: Sequence[Observation], device: torch.device) -> list[Diagnosis]:
        """Diagnoses for a mistake the catalog does not explain; a drill with open diagnosers overrides this."""
        return []

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        observations = [self._grade_case(case, record[case.name], device, grading) for case in self.cases]
        self.more_checks(observations, device, grading)
        if not grading.all_passed():
            self.diagnose(observations, device, grading)

    def _grade_case(self, case: Case, call: dict[str, Any], device: torch.device, grading: Grading) -> Observation:
        observation = Observation(case, case.inputs(device))
        if not call["ok"]:
            observation.raised = True
            observation.problem = layouts.error_diagnosis(self.prefix, call["error"])
            grading.error(f"shape.{case.name}", f"Your function raised for {case.label}:\n{call['error']}")
            grading.skip(f"formula.{case.name}", "Not checked: your function raised.")
            return observation
        observation.observed = tensors(call["value"], device)
        if grading.check(f"shape.{case.name}", self.layout(observation, call["value"], device)):
            observation.expected = self.expected(observation)
            grading.check(f"formula.{case.name}", self.values(observation))
        else:
            observation.problem = layouts.layout_diagnosis(self.prefix, self.output_name, call["value"], self.layout_expected(observation))
            grading.skip(f"formula.{case.name}", "Not checked: fix the shape first.")
        return observation

    @property
    def prefix(self) -> str:
        return self.area or self.entry.lower()

    def diagnose(self, observations: Sequence[Observation], device: torch.device, grading: Grading) -> None:
        cases = [(self.comparable(o), predictions(self.variants, *self.variant_inputs(o))) for o in observations]
        keys = matching_keys(cases, self.atol, 1e-3, self.variants_match_dtype) or self.recognised(observations, device)
        for key in keys:
            grading.diagnose(key)
        if not keys:
            # The drill's own open diagnosers know its maths; what a layout or an error says comes after.
            problems = [o.problem for o in observations if o.problem is not None]
            for diagnosis in self.open_diagnoses(observations, device) or problems[:1]:
                grading.add_diagnosis(diagnosis)
