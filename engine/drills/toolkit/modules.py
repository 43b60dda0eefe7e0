"""Module drills: the learner writes an ``nn.Module`` whose attribute layout the drill fixes; the
reference's seeded weights are loaded into it, and both run on the same inputs.

A drill subclasses :class:`ModuleDrill`, lists its :class:`ModuleCase`\\ s (constructor arguments
and forward inputs), says how to build the reference for a case, and lists its catalog as
``variants`` (functions of (a module holding the reference's weights, *inputs)). The toolkit does
the ladder: build the learner's class (an ``__init__`` that raises is reported as such), align
its ``state_dict`` with the reference's (``shape.parameters``), run it (``shape.<case>``, then
``formula.<case>``), and, where the drill asks, check that gradients reach its inputs
(``behaviour.gradients``). When something fails, it names the catalogued variant that behaves like
the learner's module, or else asks the open diagnosers: an input that must matter but changes
nothing, and a resampling done with the wrong operation.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import torch
from torch import nn

from engine.drills import compare
from engine.drills.capture import entry, learner_traceback
from engine.drills.grading import Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import Capture, ProbeRecord
from engine.drills.results import Diagnosis
from engine.drills.toolkit import layouts, optrace
from engine.drills.toolkit.functions import tensors
from engine.drills.toolkit.variants import Output, Variant, matching_keys, predictions

if TYPE_CHECKING:
    from engine.drills.capture import Attempt
    from engine.drills.grading import Grading

# GroupNorm and LayerNorm start with scale 1 and shift 0; moved off those values, a norm applied
# at the wrong place (or not at all) changes the output instead of hiding behind an identity.
ONE_D_JITTER = 0.2
# Relative to the output's largest value: an output that ignores an input reproduces itself
# exactly, one that uses it moves by a few percent.
SENSITIVITY = 1e-4


def strict_numerics() -> None:
    """Full float32 precision on CUDA (no TF32), so that the child and the grader agree to 1e-5."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


M = TypeVar("M", bound=nn.Module)


def seeded(factory: Callable[[], M], seed: int) -> M:
    """``factory()`` built on the CPU from ``seed``, the same in every process; the global RNG is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = factory()
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for parameter in module.parameters():
            if parameter.ndim == 1:
                parameter.add_(ONE_D_JITTER * torch.randn(parameter.shape, generator=generator))
    return module


def build(attempt: Attempt, factory: Callable[[], nn.Module]) -> tuple[nn.Module | None, dict[str, Any]]:
    """Instantiate the learner's class; the instance (or None) and a record of how it went."""
    try:
        return factory(), {"ok": True}
    except Exception as error:  # noqa: BLE001 - the learner's __init__ failing is reported, not raised
        return None, {"ok": False, "error": learner_traceback(error, attempt.learner_file)}


def alignment(module: nn.Module, reference_state: Mapping[str, torch.Tensor]) -> dict[str, list[Any]]:
    """Which keys and shapes of the learner's ``state_dict`` differ from the reference's (plain data)."""
    theirs = {key: tuple(value.shape) for key, value in module.state_dict().items()}
    ours = {key: tuple(value.shape) for key, value in reference_state.items()}
    return {
        "missing": [key for key in ours if key not in theirs],
        "unexpected": [key for key in theirs if key not in ours],
        "mismatched": [[key, list(ours[key]), list(theirs[key])] for key in ours if key in theirs and theirs[key] != ours[key]],
    }


def aligned(report: Mapping[str, Any]) -> bool:
    return bool(report.get("by_position")) or not (report["missing"] or report["unexpected"] or report["mismatched"])


def load_weights(module: nn.Module, reference_state: Mapping[str, torch.Tensor]) -> dict[str, Any]:
    """Load the reference's weights into ``module`` by name or, when only the names differ (an
    ``nn.Sequential`` indexed otherwise, another attribute name), by position; the alignment report."""
    report: dict[str, Any] = alignment(module, reference_state)
    if aligned(report):
        module.load_state_dict(reference_state, strict=True)
        return report
    theirs = module.state_dict()
    if [tuple(v.shape) for v in theirs.values()] == [tuple(v.shape) for v in reference_state.values()]:
        module.load_state_dict(dict(zip(theirs, reference_state.values())), strict=True)
        report["by_position"] = True
    return report


def alignment_message(report: Mapping[str, list[Any]], limit: int = 6) -> str:
    """The report in words: the keys the reference has and yours lacks, and the other way round."""

    def listed(keys: list[Any]) -> str:
        more = f" … and {len(keys) - limit} more" if len(keys) > limit else ""
        return ", ".join(str(key) for key in keys[:limit]) + more

    lines = []
    if report["missing"]:
        lines.append(f"missing from yours:    {listed(report['missing'])}")
    if report["unexpected"]:
        lines.append(f"not in the reference:  {listed(report['unexpected'])}")
    for key, ours, theirs in report["mismatched"][:limit]:
        lines.append(f"{key}: reference {tuple(ours)}, yours {tuple(theirs)}")
    return "\n".join(lines)


@contextmanager
def call_trace(module: nn.Module) -> Iterator[list[list[Any]]]:
    """Record ``[name, [input shapes]]`` for every named submodule call, in call order.

    Pre-hooks run before the submodule does, so the call that fails is recorded too: the trace
    shows where a wrong number of channels arrived.
    """
    trace: list[list[Any]] = []

    def hook(name: str) -> Callable[[nn.Module, tuple[Any, ...]], None]:
        def record(_module: nn.Module, inputs: tuple[Any, ...]) -> None:
            trace.append([name, [list(item.shape) for item in inputs if isinstance(item, torch.Tensor)]])

        return record

    handles = [sub.register_forward_pre_hook(hook(name)) for name, sub in module.named_modules() if name]
    try:
        yield trace
    finally:
        for handle in handles:
            handle.remove()


def called(trace: Sequence[Sequence[Any]], name: str) -> list[list[Any]]:
    """The input shapes of every call to submodule ``name`` in a recorded trace."""
    return [shapes for called_name, shapes in trace if called_name == name]


def gradient_states(output: Any, inputs: Mapping[str, torch.Tensor]) -> dict[str, str]:
    """Backpropagate a fixed random projection of ``output``; per input "none", "zero" or "flows"."""
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        return dict.fromkeys(inputs, "none")
    projection = torch.randn(output.shape, generator=torch.Generator().manual_seed(7)).to(output.device)
    (output * projection).sum().backward()
    states = {}
    for name, tensor in inputs.items():
        grad = tensor.grad
        states[name] = "none" if grad is None else ("zero" if not bool(grad.abs().sum() > 0) else "flows")
    return states


@dataclass(frozen=True)
class ModuleCase:
    name: str
    label: str  # how messages name the case: "in=8, out=16, x (3, 8, 5, 7)"
    args: tuple[Any, ...]  # the constructor's arguments
    inputs: Callable[[torch.device], tuple[torch.Tensor, ...]]  # forward's arguments, on the device
    # More calls, for diagnosis only: forward's arguments under another name (a block that
    # upsamples after concatenating runs when x already has the skip's size).
    more_calls: Mapping[str, Callable[[torch.device], tuple[torch.Tensor, ...]]] = field(default_factory=dict)


def _perturbed(inputs: tuple[torch.Tensor, ...], index: int) -> tuple[torch.Tensor, ...]:
    changed = list(inputs)
    generator = torch.Generator().manual_seed(99 + index)
    changed[index] = inputs[index] + 0.5 * torch.randn(inputs[index].shape, generator=generator).to(inputs[index].device)
    return tuple(changed)


class ModuleDrill(DrillChecks):
    entry: ClassVar[str]
    cases: ClassVar[Sequence[ModuleCase]]
    weight_seed: ClassVar[int]
    # forward's arguments by name, in order: the names messages use.
    input_names: ClassVar[tuple[str, ...]]
    variants: ClassVar[Sequence[Variant]] = ()
    output_name: ClassVar[str] = "The output"
    atol: ClassVar[float] = 1e-4
    # What the learner's __init__ must hold for the reference's weights to load, for the message.
    layout_hint: ClassVar[str] = "keep the attribute names and shapes of the starter"
    loads_weights: ClassVar[bool] = True
    # Inputs that must receive a gradient (``behaviour.gradients``) and inputs that must change the output.
    gradient_inputs: ClassVar[tuple[str, ...]] = ()
    must_matter: ClassVar[tuple[str, ...]] = ()
    # Whether to record the forward's operations, to name a resampling done with the wrong operation.
    trace_ops: ClassVar[bool] = False

    @abstractmethod
    def reference_module(self, case: ModuleCase) -> nn.Module:
        """A fresh reference for ``case``; the toolkit seeds it."""

    def reference(self, case: ModuleCase) -> nn.Module:
        index = [c.name for c in self.cases].index(case.name)
        return seeded(lambda: self.reference_module(case), self.weight_seed + index)

    def reference_state(self, reference: nn.Module) -> Mapping[str, torch.Tensor]:
        """The weights loaded into the learner's module (a drill whose names differ renames them)."""
        return reference.state_dict()

    def variant_module(self, case: ModuleCase, reference: nn.Module) -> nn.Module:
        """The module the catalog's variants run on: one with the learner's layout and the reference's weights."""
        return reference

    def layout(self, case: ModuleCase, captured: Capture, expected: Output, device: torch.device) -> Verdict:
        """Shape, dtype and device of the learner's output against the reference's (one tensor by default)."""
        assert isinstance(expected, torch.Tensor)
        return compare.layout(f"{self.output_name} for {case.label}", captured, tuple(expected.shape), expected.dtype, device)

    def values(self, case: ModuleCase, observed: Output, expected: Output) -> Verdict:
        assert isinstance(observed, torch.Tensor) and isinstance(expected, torch.Tensor)
        return compare.values(f"{self.output_name} for {case.label}", observed, expected, atol=self.atol)

    # ---- in the sandboxed child -------------------------------------------------------------

    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        strict_numerics()
        learner_class = entry(module, self.entry)
        return {case.name: self._probe_case(learner_class, case, device, attempt) for case in self.cases}

    def _probe_case(self, learner_class: Callable[..., nn.Module], case: ModuleCase, device: torch.device,
                    attempt: Attempt) -> dict[str, Any]:
        block, built = build(attempt, lambda: learner_class(*case.args))
        if block is None:
            return {"built": built}
        record: dict[str, Any] = {"built": built}
        if self.loads_weights:
            record["alignment"] = load_weights(block, self.reference_state(self.reference(case)))
        block.to(device)
        inputs = case.inputs(device)
        watched = {name: inputs[self.input_names.index(name)].requires_grad_(True) for name in self.gradient_inputs}
        box: dict[str, Any] = {}

        def forward(*arguments: torch.Tensor) -> Any:
            box["value"] = block(*arguments)
            return box["value"]

        with call_trace(block) as trace:
            record["output"] = attempt(forward, *inputs)
        record["trace"] = trace
        if watched:
            record["gradients"] = gradient_states(box.get("value"), watched)
        with torch.no_grad():
            record["more"] = {name: attempt(block, *make(device)) for name, make in case.more_calls.items()}
            plain = tuple(item.detach() for item in inputs)
            if self.trace_ops and record["output"]["ok"]:
                record["ops"] = [op.to_list() for op in optrace.record_ops(lambda: block(*plain), block)[1]]
            record["dependence"] = {name: self._dependence(block, plain, name) for name in self.must_matter}
        return record

    def _dependence(self, block: nn.Module, inputs: tuple[torch.Tensor, ...], name: str) -> list[float] | None:
        """How far the output moves when one input changes, and the output's scale (None if it raised)."""
        try:
            base = block(*inputs)
            moved = block(*_perturbed(inputs, self.input_names.index(name)))
            return [float((moved - base).abs().max()), float(base.abs().max())]
        except Exception:  # noqa: BLE001 - a diagnosis probe: a forward that raises here has been reported already
            return None

    # ---- in the grader ----------------------------------------------------------------------

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        strict_numerics()
        if self.loads_weights:
            self._grade_parameters(record, grading)
        observed_cases: list[tuple[Output, dict[str, list[Output]]]] = []
        problems: list[Diagnosis] = []
        for case in self.cases:
            observed_cases += self._grade_case(case, record[case.name], device, grading, problems)
        if self.gradient_inputs and self._all_ran(record):
            grading.check("behaviour.gradients", self._gradients_verdict(record))
        elif self.gradient_inputs:
            grading.skip("behaviour.gradients", "Not checked: your forward must run first.")
        self.more_checks(record, device, grading)
        if not grading.all_passed():
            self.diagnose(record, observed_cases, device, grading, problems)

    def more_checks(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        """Checks beyond the ladder; none by default."""

    def _all_ran(self, record: ProbeRecord) -> bool:
        return all("output" in record[case.name] and record[case.name]["output"]["ok"] for case in self.cases)

    def _grade_parameters(self, record: ProbeRecord, grading: Grading) -> None:
        if not all("alignment" in record[case.name] for case in self.cases):
            grading.skip("shape.parameters", "Not checked: your module could not be built.")
            return
        misaligned = [record[case.name]["alignment"] for case in self.cases if not aligned(record[case.name]["alignment"])]
        if misaligned:
            verdict = failed(f"Your module's parameters do not line up with the reference's ({self.layout_hint}):",
                             alignment_message(misaligned[0]))
        elif any(record[case.name]["alignment"].get("by_position") for case in self.cases):
            verdict = passed("Your module's parameters have the reference's shapes in the same order (under other names), "
                             "so its weights were loaded into yours by position")
        else:
            verdict = passed("Your module has the reference's parameters, so its weights were loaded into yours")
        grading.check("shape.parameters", verdict)

    def _grade_case(self, case: ModuleCase, call: Mapping[str, Any], device: torch.device, grading: Grading,
                    problems: list[Diagnosis]) -> list[tuple[Output, dict[str, list[Output]]]]:
        """Report the case's checks; the (learner's output, variants' outputs) pairs for diagnosis.
        What a failed layout or an error says of the mistake goes to ``problems``."""
        shape_id, formula_id = f"shape.{case.name}", f"formula.{case.name}"
        prefix = self.entry.lower()
        if "output" not in call:
            found = layouts.error_diagnosis(prefix, call["built"]["error"])
            problems += [found] if found else []
            grading.error(shape_id, f"Your __init__ raised for {case.label}:\n{call['built']['error']}")
            grading.skip(formula_id, "Not checked: your module could not be built.")
            return []
        reference = self.reference(case).to(device)
        variant_module = self.variant_module(case, reference).to(device)
        inputs = case.inputs(device)
        pairs = [self.outputs_for_diagnosis(call["output"], variant_module, inputs, device)]
        pairs += [
            self.outputs_for_diagnosis(call["more"][name], variant_module, make(device), device) for name, make in case.more_calls.items()
        ]
        if not call["output"]["ok"]:
            found = layouts.error_diagnosis(prefix, call["output"]["error"])
            problems += [found] if found else []
            grading.error(shape_id, f"Your forward raised for {case.label}:\n{call['output']['error']}")
            grading.skip(formula_id, "Not checked: your forward raised.")
            return pairs
        with torch.no_grad():
            expected = reference(*inputs)
        if not grading.check(shape_id, self.layout(case, call["output"]["value"], expected, device)):
            found = layouts.layout_diagnosis(prefix, f"Your {self.entry}'s output", call["output"]["value"], expected)
            problems += [found] if found else []
            grading.skip(formula_id, "Not checked: fix the shape first.")
        elif self.loads_weights and not aligned(call["alignment"]):
            grading.skip(formula_id, "Not checked: the reference's weights could not be loaded.")
        else:
            grading.check(formula_id, self.values(case, tensors(call["output"]["value"], device), expected))
        return pairs

    def outputs_for_diagnosis(self, call: Mapping[str, Any], variant_module: nn.Module, inputs: tuple[torch.Tensor, ...],
              device: torch.device) -> tuple[Output, dict[str, list[Output]]]:
        """The learner's output for one call, and each catalogued variant's outputs for the same inputs."""
        observed = tensors(call["value"], device) if call["ok"] else None
        return observed, predictions(self.variants, variant_module, *inputs)

    def _gradients_verdict(self, record: ProbeRecord) -> Verdict:
        for case in self.cases:
            states = record[case.name].get("gradients", {})
            for name in self.gradient_inputs:
                if states.get(name) != "flows":
                    what = "its gradient is all zeros" if states.get(name) == "zero" else "it gets no gradient at all"
                    return failed(f"No gradient reaches the {name} input for {case.label}: {what}. "
                                  "Whatever produced it would learn nothing through this path.")
        return passed(f"Gradients flow back into {' and '.join(self.gradient_inputs)}")

    def recognised(self, record: ProbeRecord) -> list[str]:
        """Catalog keys recognised other than by a variant (from the call traces, the alignment); none by default."""
        return []

    def diagnose(self, record: ProbeRecord, observed_cases: Sequence[tuple[Output, Mapping[str, Sequence[Output]]]],
                 device: torch.device, grading: Grading, problems: Sequence[Diagnosis] = ()) -> None:
        keys = list(dict.fromkeys(matching_keys(observed_cases, atol=self.atol) + self.recognised(record)))
        for key in keys:
            grading.diagnose(key)
        if not keys:
            # The drill's own open diagnosers know its maths; what a layout or an error says comes after.
            for diagnosis in self.open_diagnoses(record, device) or list(problems[:1]):
                grading.add_diagnosis(diagnosis)

    def open_diagnoses(self, record: ProbeRecord, device: torch.device) -> list[Diagnosis]:
        """An input that must matter but changes nothing; a resampling done with the wrong operation."""
        return [*self._ignored_inputs(record), *self._resampling(record, device)]

    def _ignored_inputs(self, record: ProbeRecord) -> list[Diagnosis]:
        found = []
        for name in self.must_matter:
            moves = [record[case.name].get("dependence", {}).get(name) for case in self.cases]
            measured = [move for move in moves if move is not None]
            if measured and all(change <= SENSITIVITY * max(scale, 1e-6) for change, scale in measured):
                found.append(Diagnosis(
                    f"{self.entry.lower()}.ignores_{name}",
                    f"Your {self.entry} ignores its {name}",
                    f"Changing the {name} input leaves your output exactly as it was, so nothing of it reaches the result.",
                    f"Use `{name}` in forward: follow where the starter's docstring says it goes.",
                ))
        return found

    def _resampling(self, record: ProbeRecord, device: torch.device) -> list[Diagnosis]:
        if not self.trace_ops:
            return []
        case = self.cases[0]
        call = record[case.name]
        if "ops" not in call:
            return []
        inputs = case.inputs(device)
        batch = inputs[0].shape[0]
        start = tuple(inputs[0].shape)
        theirs = optrace.flow([optrace.Op.from_list(op) for op in call["ops"]], batch, start)
        reference = self.reference(case).to(device)
        with torch.no_grad():
            ours = optrace.flow(optrace.record_ops(lambda: reference(*inputs), reference)[1], batch, start)
        return resampling_diagnoses(ours, theirs, self.entry)


def _resampling_kinds(steps: Sequence[optrace.FlowStep]) -> list[tuple[str, str]]:
    kinds = []
    for before, after in pairwise(steps):
        direction = "down" if after.shape[2] * after.shape[3] < before.shape[2] * before.shape[3] else (
            "up" if after.shape[2] * after.shape[3] > before.shape[2] * before.shape[3] else "")
        if direction:
            kinds.append((direction, optrace.resampling_kind(before, after)))
    return kinds


def resampling_diagnoses(reference: Sequence[optrace.FlowStep], learner: Sequence[optrace.FlowStep], what: str) -> list[Diagnosis]:
    """A diagnosis when the learner resamples with another operation than the reference, at the
    same place in the flow (the n-th downsampling, the n-th upsampling)."""
    ours, theirs = _resampling_kinds(reference), _resampling_kinds(learner)
    found = []
    for direction in ("down", "up"):
        expected = [kind for d, kind in ours if d == direction]
        used = [kind for d, kind in theirs if d == direction]
        wrong = sorted({(e, u) for e, u in zip(expected, used) if e != u})
        for right, instead in wrong:
            found.append(Diagnosis(
                f"{what.lower()}.{direction}sampling_operation",
                f"{instead.capitalize()} where {right} belongs",
                f"Your {what} {direction}samples with {instead}; the lesson's {what} uses {right}, which "
                + ("keeps every value (the four pixels of each 2×2 patch become four channels)." if right == "space-to-depth"
                   else "doubles the height and width by repeating each value." if right == "nearest upsample"
                   else "is what the rest of the model was sized for."),
                f"Replace the {instead} with {right}.",
            ))
    return found
