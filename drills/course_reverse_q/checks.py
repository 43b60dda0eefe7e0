"""Grading the course's ``reverse_q(x_t, t, e_t)``: one reverse step with the course's noise √B[t−1].

The step is random, so every call is recorded with the random tensors it drew (whatever the
API): the output is checked against u_t + √B[t−1]·z with z the very noise the learner drew, and
z itself is checked for being standard normal. The mean at t = 0, where no noise is added, is
checked exactly.

A wrong step is named from the catalog, or else by fitting the output, per image, as
a·x_t + b·e_t + c·z and naming a, b and c from the course's schedule expressions, shifted by a
step either way (the lessons' √β_t is the course's √B[t] read one step late).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from drills.common.course_probe import course_terms, globals_to, record_draws
from engine.drills import compare
from engine.drills.capture import capture, entry
from engine.drills.grading import Grading, Verdict, failed
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients
from engine.drills.toolkit.functions import Case, FunctionDrill, Observation, tensors
from reference.course import ASSESSMENT_SCHEDULE

Step = Callable[..., torch.Tensor]


def _case(name: str, shape: tuple[int, ...], step: int, course_t: bool = True) -> Case:
    """A batch at one step; t shaped (B, 1, 1, 1) as sample_w passes it, or (1,) floats as sample_images does."""

    def inputs(device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(2600 + step)
        x_t = torch.randn(shape, generator=generator).to(device)
        e_t = torch.randn(shape, generator=generator).to(device)
        if course_t:
            t = torch.full((shape[0], 1, 1, 1), step, dtype=torch.int64, device=device)
        else:
            t = torch.full((1,), float(step), device=device)
        return x_t, t, e_t

    how = "t of shape (B, 1, 1, 1)" if course_t else "t a float of shape (1,)"
    return Case(name, f"the '{name}' batch (t = {step}, {how})", inputs)


def _step_of(t: torch.Tensor) -> int:
    return int(t.flatten()[0])


def _step(mean_sign: float = -1.0, swapped: bool = False, scale_whole: bool = True, sigma: str = "previous",
          noise_at_zero: bool = False, needs_integer_t: bool = False) -> Step:
    """The course's step, or a variant of it with one slip, on the course's tables and the learner's noise z."""

    def step(x_t: torch.Tensor, t: torch.Tensor, e_t: torch.Tensor, z: torch.Tensor | None) -> torch.Tensor:
        if needs_integer_t and t.is_floating_point():
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        s = ASSESSMENT_SCHEDULE.to(x_t.device)
        i = _step_of(t)
        first, second = (e_t, x_t) if swapped else (x_t, e_t)
        if scale_whole:
            u_t = s.sqrt_a_inv[i] * (first + mean_sign * s.pred_noise_coeff[i] * second)
        else:
            u_t = s.sqrt_a_inv[i] * first + mean_sign * s.pred_noise_coeff[i] * second
        if (i == 0 and not noise_at_zero) or sigma == "none":
            return u_t
        if z is None:
            raise ValueError("no noise of x_t's shape was drawn: this step cannot be predicted")
        scale = {"previous": s.B[i - 1].sqrt(), "current": s.B[i].sqrt(), "variance": s.B[i - 1]}[sigma]
        return u_t + scale.to(x_t.device) * z

    return step


COURSE_STEP = _step()


class CourseReverseQ(FunctionDrill):
    entry = "reverse_q"
    output_name = "x_{t−1}"
    # "last_step" is the deterministic end of the chain; "step_1" is where √B[t−1] and √B[t]
    # differ the most (1e-4 against 2.3e-4); batch equals width in "last_step" and "step_60";
    # "sample_images" passes t as sample_images does; "statistics" draws enough noise to test it.
    cases = (
        _case("last_step", (4, 1, 6, 4), 0),
        _case("step_1", (3, 2, 5, 7), 1),
        _case("step_60", (4, 3, 5, 4), 60),
        _case("step_149", (2, 1, 8, 8), 149),
        _case("sample_images", (1, 1, 28, 28), 75, course_t=False),
        _case("statistics", (32, 1, 28, 28), 3),
    )
    variants = (
        ("reverse.noise_at_t", _step(sigma="current")),
        ("reverse.variance_not_std", _step(sigma="variance")),
        ("reverse.no_noise", _step(sigma="none")),
        ("reverse.noise_at_last_step", _step(noise_at_zero=True)),
        ("reverse.arguments_swapped", _step(swapped=True)),
        ("reverse.plus_sign", _step(mean_sign=1.0)),
        ("reverse.scale_only_on_x_t", _step(scale_whole=False)),
        ("reverse.float_index", _step(needs_integer_t=True)),
    )

    # ---- in the sandboxed child -------------------------------------------------------------

    def probe(self, module, device, attempt):
        globals_to(module, device)
        function = entry(module, self.entry)
        record = {}
        for case in self.cases:
            inputs = case.inputs(device)
            with record_draws() as draws:
                call = attempt(function, *inputs)
            shaped = [tensor for _, tensor in draws if tuple(tensor.shape) == tuple(inputs[0].shape)]
            call["draws"] = [[name, list(tensor.shape)] for name, tensor in draws]
            call["noise"] = capture(shaped[-1]) if len(shaped) == 1 else None
            record[case.name] = call
        return record

    # ---- in the grader ----------------------------------------------------------------------

    def __init__(self) -> None:
        # The noise each call drew and the error it raised, in the run being graded: set by grade().
        self._noise: dict[str, torch.Tensor | None] = {}
        self._errors: dict[str, str] = {}

    def grade(self, record, device, grading):
        self._noise = {case.name: self._drawn(record[case.name], device) for case in self.cases}
        self._errors = {case.name: record[case.name].get("error", "") for case in self.cases}
        super().grade(record, device, grading)

    @staticmethod
    def _drawn(call: dict[str, Any], device: torch.device) -> torch.Tensor | None:
        noise = None if call.get("noise") is None else tensors(call["noise"], device)
        return noise if isinstance(noise, torch.Tensor) else None

    def _z(self, observation: Observation) -> torch.Tensor | None:
        """The noise the learner drew in this call (None when it drew no noise of x_t's shape)."""
        return self._noise.get(observation.case.name)

    def reference(self, *inputs: Any) -> torch.Tensor:
        x_t = inputs[0]
        return torch.empty_like(x_t)  # the layout only: the values depend on the learner's own noise

    def expected(self, observation: Observation) -> torch.Tensor:
        """The course's step with the learner's noise; where it drew none, the mean (which a noisy
        step then fails, as it must)."""
        z = self._z(observation)
        return COURSE_STEP(*observation.inputs, torch.zeros_like(observation.inputs[0]) if z is None else z)

    def values(self, observation: Observation) -> Verdict:
        verdict = super().values(observation)
        if _step_of(observation.inputs[1]) > 0 and self._z(observation) is None:
            return failed(f"Your x_{{t−1}} for {observation.case.label} has no fresh noise of x_t's shape in it: "
                          "every step but the last adds √B[t − 1]·z with new noise z ~ N(0, I) for every pixel.",
                          verdict.evidence)
        return verdict

    def variant_inputs(self, observation: Observation) -> tuple[Any, ...]:
        return (*observation.inputs, self._z(observation))

    def more_checks(self, observations: Sequence[Observation], device: torch.device, grading: Grading) -> None:
        statistics = next(o for o in observations if o.case.name == "statistics")
        z = self._noise.get("statistics")
        if statistics.raised:
            grading.skip("formula.noise", "Not checked: your function raised at t = 3.")
        elif z is None:
            grading.check("formula.noise", failed("At t = 3 your reverse_q drew no noise of x_t's shape, (32, 1, 28, 28): "
                                                  "every image needs its own fresh noise at every step but the last."))
        else:
            grading.check("formula.noise", compare.standard_normal("The noise you drew at t = 3", z))

    def recognised(self, observations: Sequence[Observation], device: torch.device) -> list[str]:
        """Mistakes seen in the noise drawn, or in how every call failed."""
        if all("ambiguous" in error for error in self._errors.values()):
            return ["reverse.last_step_test_on_image"]
        z = self._noise.get("statistics")
        if z is not None and not compare.standard_normal("", z).ok and bool(((z >= 0) & (z < 1)).all()):
            return ["reverse.uniform_noise"]
        return []

    def open_diagnoses(self, observations: Sequence[Observation], device: torch.device) -> list[Diagnosis]:
        """Fit every noisy step as a·(x_t − b·e_t) + c·z (c = 0 where a call drew no noise) and name a, b and c."""
        schedule = ASSESSMENT_SCHEDULE.to(device)
        terms = course_terms(schedule.B, schedule.a, schedule.a_bar)
        rows, residuals, table = [], [], coefficients.TermTable()
        for observation in observations:
            observed = observation.observed
            if not isinstance(observed, torch.Tensor) or observation.expected is None or _step_of(observation.inputs[1]) == 0 \
                    or not bool(torch.isfinite(observed).all()):
                continue
            x_t, t, e_t = observation.inputs
            z = self._z(observation)
            # a zero column gets a zero coefficient from the minimum-norm least squares
            fitted, residual = coefficients.fit(observed, [x_t, e_t, torch.zeros_like(x_t) if z is None else z])
            rows.append(fitted)
            residuals.append(residual)
            table.add(terms, t.long().flatten()[:1].expand(len(x_t)))
        if not rows:
            return []
        return coefficients.diagnose(torch.cat(rows), torch.cat(residuals), table, ROLES, "your x_{t−1}")


ROLES = (
    coefficients.Role(
        "reverse.x_t_coefficient", "scale of the bracket (on x_t)", "1/√α_{t}", lambda rows: rows[:, 0],
        "u_t = sqrt_a_inv[t] * (x_t - pred_noise_coeff[t] * e_t): the bracket is scaled by sqrt_a_inv[t], 1/√a_t.",
    ),
    coefficients.Role(
        # read inside the bracket, a·(x_t − b·e_t), so that a wrong outer scale is not named twice
        "reverse.e_t_coefficient", "coefficient of e_t inside the bracket", "β_{t}/√(1 − ᾱ_{t})",
        lambda rows: -rows[:, 1] / rows[:, 0],
        "Inside the bracket e_t is multiplied by pred_noise_coeff[t], (1 − a_t)/√(1 − a_bar_t), and subtracted from x_t.",
    ),
    coefficients.Role(
        "reverse.noise_scale", "noise scale (on z)", "√β_({t}−1)", lambda rows: rows[:, 2],
        "Add torch.sqrt(B[t - 1]) * z: the course scales the fresh noise by the previous step's standard deviation.",
    ),
)


checks = CourseReverseQ()
