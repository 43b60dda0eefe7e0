"""Grading the course's schedule helpers and ``q(x_0, t)``.

The helpers are module globals, as in the assessment's notebook cell. Each is graded as its own
blank: a_bar against the course's cumulative product, and every table derived from a_bar against
its formula applied to the learner's own a_bar, so that one wrong line costs one check and is
named once. ``q`` is graded the same way, with the learner's own sqrt_a_bar and
sqrt_one_minus_a_bar tables, and against the noise it returned (so any way of drawing the noise
passes; the noise itself is checked for being standard normal).

A wrong table is named from the catalog, or else by the schedule expression it equals at every
t (coefficient identification over the table itself). A wrong x_t is named from the catalog, or
else by fitting it per image as a·x_0 + b·ε and naming a and b.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from drills.common.course_probe import course_terms, globals_to
from engine.drills import compare
from engine.drills.capture import capture
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.records import Capture
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients
from engine.drills.toolkit.functions import Case, FunctionDrill, Observation, tensors
from reference.course import ASSESSMENT_SCHEDULE

GIVEN = ("B", "a")
TABLES = ("a_bar", "sqrt_a_bar", "sqrt_one_minus_a_bar", "sqrt_a_inv", "pred_noise_coeff")
Tables = dict[str, torch.Tensor]
# float32 rounding of 1 − a at small t alone reaches 6e-4 of B: correct spellings (B itself for
# 1 − a, a rsqrt) differ by that much; every catalogued slip by far more.
TABLE_ATOL, TABLE_RTOL = 1e-6, 1e-3

# Each table's formula, from the given a and the learner's own a_bar (a_bar's from a alone).
FORMULAS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "a_bar": lambda a, a_bar: torch.cumprod(a, dim=0),
    "sqrt_a_bar": lambda a, a_bar: torch.sqrt(a_bar),
    "sqrt_one_minus_a_bar": lambda a, a_bar: torch.sqrt(1 - a_bar),
    "sqrt_a_inv": lambda a, a_bar: torch.sqrt(1 / a),
    "pred_noise_coeff": lambda a, a_bar: (1 - a) / torch.sqrt(1 - a_bar),
}
SPELLED = {
    "a_bar": "torch.cumprod(a, dim=0)",
    "sqrt_a_bar": "torch.sqrt(a_bar)",
    "sqrt_one_minus_a_bar": "torch.sqrt(1 - a_bar)",
    "sqrt_a_inv": "torch.sqrt(1 / a)",
    "pred_noise_coeff": "(1 - a) / torch.sqrt(1 - a_bar)",
}
# The right expression of each table in the lessons' symbols, for the open diagnoser.
SYMBOLS = {
    "a_bar": "ᾱ_{t}",
    "sqrt_a_bar": "√ᾱ_{t}",
    "sqrt_one_minus_a_bar": "√(1 − ᾱ_{t})",
    "sqrt_a_inv": "1/√α_{t}",
    "pred_noise_coeff": "β_{t}/√(1 − ᾱ_{t})",
}
# Catalogued slips in the tables: the table they are in, and what it then holds.
TABLE_BUGS: dict[str, tuple[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]]] = {
    "q.cumsum_not_cumprod": ("a_bar", lambda a, a_bar: torch.cumsum(a, dim=0)),
    "q.one_minus_sqrt": ("sqrt_one_minus_a_bar", lambda a, a_bar: 1 - torch.sqrt(a_bar)),
    "q.inverse_without_sqrt": ("sqrt_a_inv", lambda a, a_bar: 1 / a),
    "q.denominator_without_sqrt": ("pred_noise_coeff", lambda a, a_bar: (1 - a) / (1 - a_bar)),
}


def _case(name: str, shape: tuple[int, ...], steps: list[int], dtype: torch.dtype) -> Case:
    def inputs(device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(1500 + len(name))
        x_0 = torch.rand(shape, generator=generator).to(device)  # pixels in [0, 1], as the assessment's
        return x_0, torch.tensor(steps, dtype=dtype, device=device)

    kind = "float" if dtype.is_floating_point else "integer"
    return Case(name, f"the '{name}' batch ({kind} t = {steps if len(steps) < 6 else '…'})", inputs)


def _coefficient(table: torch.Tensor, t: torch.Tensor, broadcast: bool = True) -> torch.Tensor:
    values = table[t.long()]
    return values[:, None, None, None] if broadcast else values


def _x_t(signal: Callable[[Tables], torch.Tensor], scale: Callable[[Tables], torch.Tensor], rescale: bool = False,
         per_sample: bool = True, broadcast: bool = True, needs_integer_t: bool = False) -> Callable[..., torch.Tensor]:
    """A variant of x_t = signal[t]·x_0 + scale[t]·ε on the tables q reads, with one slip."""

    def x_t(x_0: torch.Tensor, t: torch.Tensor, tables: Tables, noise: torch.Tensor) -> torch.Tensor:
        if needs_integer_t and t.is_floating_point():
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        steps = t if per_sample else t[:1].expand_as(t)
        image = 2 * x_0 - 1 if rescale else x_0
        return _coefficient(signal(tables), steps, broadcast) * image + _coefficient(scale(tables), steps, broadcast) * noise

    return x_t


def _sab(tables: Tables) -> torch.Tensor:
    return tables["sqrt_a_bar"]


def _somab(tables: Tables) -> torch.Tensor:
    return tables["sqrt_one_minus_a_bar"]


class CourseQ(FunctionDrill):
    entry = "q"
    output_name = "x_t"
    # "mixed": every dimension differs and t comes as floats, as the training loop passes it;
    # "batch_is_width": a coefficient left unshaped broadcasts silently; "large": enough values
    # to test the noise's statistics, at steps across the whole schedule.
    cases = (
        _case("mixed", (3, 1, 5, 7), [0, 74, 149], torch.float32),
        _case("batch_is_width", (4, 2, 6, 4), [10, 60, 110, 140], torch.int64),
        _case("large", (16, 1, 28, 28), [*range(0, 150, 10), 149], torch.int64),
    )
    variants = (
        ("q.swapped_coefficients", _x_t(_somab, _sab)),
        ("q.variance_as_scale", _x_t(lambda s: s["a_bar"], lambda s: 1 - s["a_bar"])),
        ("q.minus_noise", _x_t(_sab, lambda s: -_somab(s))),
        ("q.data_rescaled", _x_t(_sab, _somab, rescale=True)),
        ("q.single_timestep", _x_t(_sab, _somab, per_sample=False)),
        ("q.missing_broadcast", _x_t(_sab, _somab, broadcast=False)),
        ("q.float_index", _x_t(_sab, _somab, needs_integer_t=True)),
    )

    def __init__(self) -> None:
        # The tables q reads in the run being graded (the learner's where they have the right
        # layout, else the course's): set by grade() before the ladder runs.
        self._tables: Tables = {}

    # ---- in the sandboxed child -------------------------------------------------------------

    def probe(self, module, device, attempt):
        globals_to(module, device)
        record = dict(super().probe(module, device, attempt))
        record["tables"] = {name: capture(getattr(module, name, None)) for name in (*GIVEN, *TABLES)}
        return record

    # ---- in the grader ----------------------------------------------------------------------

    def grade(self, record, device, grading):
        self._tables = self._grade_tables(record["tables"], device, grading)
        super().grade(record, device, grading)

    def _grade_tables(self, captured: dict[str, Capture], device: torch.device, grading: Grading) -> Tables:
        course = ASSESSMENT_SCHEDULE.to(device)
        reference = {name: getattr(course, name) for name in (*GIVEN, *TABLES)}
        problems: list[str] = []
        learner: Tables = {}
        for name in (*GIVEN, *TABLES):
            verdict = compare.layout(name, captured[name], (course.T,), torch.float32, device)
            table = tensors(captured[name], device)
            if verdict.ok and isinstance(table, torch.Tensor):
                learner[name] = table
            else:
                problems.append(verdict.message)
        for name in GIVEN:
            if name in learner and not compare.matches(learner[name], reference[name]):
                problems.append(f"{name} is not the course's (it is given: keep B = torch.linspace(B_start, B_end, T) and a = 1.0 - B).")
        if problems:
            grading.check("shape.schedule", failed("Not every schedule table is a float32 tensor of shape (150,):", "\n".join(problems)))
        else:
            grading.check("shape.schedule", passed("B, a and the five tables are float32 tensors of shape (150,)"))
        a = reference["a"]
        a_bar = learner.get("a_bar", reference["a_bar"])
        a_bar_right = compare.matches(a_bar, reference["a_bar"], atol=TABLE_ATOL, rtol=TABLE_RTOL)
        for name in TABLES:
            if name not in learner:
                grading.skip(f"formula.{name}", f"Not checked: {name} must first be a float32 tensor of shape (150,).")
                continue
            expected = FORMULAS[name](a, a_bar)
            based = " (from your a_bar)" if name != "a_bar" and name != "sqrt_a_inv" else ""
            verdict = compare.values(f"{name}{based}", learner[name], expected, atol=TABLE_ATOL, rtol=TABLE_RTOL)
            if not verdict.ok:
                verdict = failed(f"{name} is not {SPELLED[name]}{based}.", verdict.evidence)
                self._table_diagnoses(name, learner[name], a, a_bar, name in ("a_bar", "sqrt_a_inv") or a_bar_right, grading)
            grading.check(f"formula.{name}", verdict)
        return {**reference, **learner}

    @staticmethod
    def _table_diagnoses(name: str, values: torch.Tensor, a: torch.Tensor, a_bar: torch.Tensor, inputs_right: bool,
                         grading: Grading) -> None:
        """Name a wrong table: a catalogued slip, or the schedule expression it equals at every t
        (only when what it was computed from is right, so that the expressions mean what they say)."""
        for key, (table, formula) in TABLE_BUGS.items():
            if table == name and compare.matches(values, formula(a, a_bar), atol=TABLE_ATOL, rtol=TABLE_RTOL):
                grading.diagnose(key)
                return
        if not inputs_right:
            return
        course = ASSESSMENT_SCHEDULE.to(values.device)
        terms = coefficients.TermTable()
        terms.add(course_terms(course.B, course.a, course.a_bar), torch.arange(len(values), device=values.device))
        role = coefficients.Role(f"q.{name}_table", f"{name} table", SYMBOLS[name], lambda rows: rows[:, 0],
                                 f"Write {name} = {SPELLED[name]}.")
        exact = torch.zeros(len(values), dtype=torch.float64, device=values.device)
        for diagnosis in coefficients.diagnose(values.double()[:, None], exact, terms, [role], "your schedule"):
            grading.add_diagnosis(diagnosis)

    # The ladder for q, on the tables the learner's q reads.

    def reference(self, x_0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return _x_t(_sab, _somab)(x_0, t, self._tables, noise)

    def reference_inputs(self, observation: Observation) -> tuple[Any, ...]:
        # x_t is judged against the noise the learner returned, so any way of drawing it passes.
        return (*observation.inputs, self._noise(observation))

    def layout_expected(self, observation: Observation) -> tuple[torch.Tensor, torch.Tensor]:
        x_0 = observation.inputs[0]
        return x_0, x_0

    @staticmethod
    def _noise(observation: Observation) -> torch.Tensor:
        assert isinstance(observation.observed, tuple)
        noise = observation.observed[1]
        assert isinstance(noise, torch.Tensor)
        return noise

    @staticmethod
    def _x_t(observation: Observation) -> torch.Tensor:
        assert isinstance(observation.observed, tuple)
        x_t = observation.observed[0]
        assert isinstance(x_t, torch.Tensor)
        return x_t

    def layout(self, observation: Observation, captured: Capture, device: torch.device) -> Verdict:
        x_0 = observation.inputs[0]
        verdict = compare.sequence("q", captured, 2)
        if not verdict.ok or captured["kind"] != "seq":
            return verdict
        x_t, noise = captured["items"]
        verdict = compare.layout("x_t", x_t, tuple(x_0.shape), x_0.dtype, device)
        if verdict.ok:
            verdict = compare.layout("noise", noise, tuple(x_0.shape), x_0.dtype, device)
        return passed(f"x_t and noise: {verdict.message.removeprefix('noise: ')}") if verdict.ok else verdict

    def values(self, observation: Observation) -> Verdict:
        assert isinstance(observation.expected, torch.Tensor)
        name = f"x_t for {observation.case.label} (with the noise you returned)"
        return compare.values(name, self._x_t(observation), observation.expected, self.atol, self.rtol)

    def variant_inputs(self, observation: Observation) -> tuple[Any, ...]:
        noise = self._noise(observation) if isinstance(observation.observed, tuple) else None
        return (*observation.inputs, self._tables, noise)

    def comparable(self, observation: Observation) -> torch.Tensor | None:
        pair = observation.observed
        return pair[0] if isinstance(pair, tuple) and len(pair) == 2 else None

    def more_checks(self, observations: Sequence[Observation], device: torch.device, grading: Grading) -> None:
        large = next(o for o in observations if o.case.name == "large")
        if large.expected is None:
            grading.skip("formula.noise", "Not checked: the noise is checked once the 'large' batch has the right shapes.")
            return
        grading.check("formula.noise", compare.standard_normal("The returned noise", self._noise(large)))

    def diagnose(self, observations: Sequence[Observation], device: torch.device, grading: Grading) -> None:
        # When q gives the right x_t on the tables it reads and standard normal noise, what failed
        # is a table, and the table checks have named it.
        right = all(isinstance(o.expected, torch.Tensor) and compare.matches(self._x_t(o), o.expected, self.atol, self.rtol)
                    for o in observations)
        large = next(o for o in observations if o.case.name == "large")
        if not right or not compare.standard_normal("", self._noise(large)).ok:
            super().diagnose(observations, device, grading)

    def recognised(self, observations: Sequence[Observation], device: torch.device) -> list[str]:
        """The noise itself: uniform instead of Gaussian, or not the noise that went into x_t."""
        large = next(o for o in observations if o.case.name == "large")
        if large.expected is None:
            return []
        noise = self._noise(large)
        if not compare.standard_normal("", noise).ok and bool(((noise >= 0) & (noise < 1)).all()):
            return ["q.uniform_noise"]
        x_0, t = large.inputs
        if not bool(torch.isfinite(self._x_t(large)).all()):
            return []
        # Where the noise is most of x_t, the returned noise has almost no share in it, while what
        # x_t carries beside the image is itself standard normal: x_t was made with other noise.
        fitted, _ = coefficients.fit(self._x_t(large), [x_0, noise])
        scale = _somab(self._tables)[t.long()]
        noisy = scale > 0.5
        carried = (self._x_t(large) - _coefficient(_sab(self._tables), t) * x_0)[noisy] / scale[noisy, None, None, None]
        if bool((fitted[noisy, 1].abs() < 0.2 * scale[noisy]).all()) and compare.standard_normal("", carried).ok:
            return ["q.returned_other_noise"]
        return []

    def open_diagnoses(self, observations: Sequence[Observation], device: torch.device) -> list[Diagnosis]:
        rows, residuals, table = [], [], coefficients.TermTable()
        terms = course_terms(self._tables["B"], self._tables["a"], self._tables["a_bar"])
        for observation in observations:
            # lstsq fails outright on non-finite values (a square root of a negative table entry)
            if observation.expected is None or not bool(torch.isfinite(self._x_t(observation)).all()):
                continue
            x_0, t = observation.inputs
            fitted, residual = coefficients.fit(self._x_t(observation), [x_0, self._noise(observation)])
            rows.append(fitted)
            residuals.append(residual)
            table.add(terms, t.long())
        if not rows:
            return []
        return coefficients.diagnose(torch.cat(rows), torch.cat(residuals), table, ROLES, "your x_t")


ROLES = (
    coefficients.Role(
        "q.signal_coefficient", "signal coefficient (on x_0)", "√ᾱ_{t}", lambda rows: rows[:, 0],
        "Scale x_0 by sqrt_a_bar_t = sqrt_a_bar[t, None, None, None].",
    ),
    coefficients.Role(
        "q.noise_coefficient", "noise coefficient (on the noise)", "√(1 − ᾱ_{t})", lambda rows: rows[:, 1],
        "Scale the noise by sqrt_one_minus_a_bar_t = sqrt_one_minus_a_bar[t, None, None, None].",
    ),
)


checks = CourseQ()
