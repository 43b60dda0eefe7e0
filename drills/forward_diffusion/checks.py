"""Grading forward_diffusion: x_t is checked against the noise the learner returned, and that
noise is checked separately for being standard normal, so any way of drawing it passes.

A wrong x_t is explained by the catalog first and then by coefficient identification: x_t is
fitted, sample by sample, as a·x_0 + b·ε (ε the learner's own noise), and a and b are named from
the schedule's expressions at each sample's t.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from drills.common.schedule_terms import schedule_terms
from engine.drills import compare
from engine.drills.grading import Grading, Verdict, passed
from engine.drills.records import Capture
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients
from engine.drills.toolkit.functions import Case, FunctionDrill, Observation
from reference import cosine_beta_schedule, linear_beta_schedule, precompute_schedule, q_sample

Schedule = dict[str, torch.Tensor]


def _case(name: str, shape: tuple[int, ...], kind: str, steps: list[int]) -> Case:
    def inputs(device: torch.device) -> tuple[torch.Tensor, torch.Tensor, Schedule]:
        generator = torch.Generator().manual_seed(1234 + len(name))
        x_0 = (torch.rand(shape, generator=generator) * 2 - 1).to(device)
        betas = linear_beta_schedule(1000) if kind == "linear" else cosine_beta_schedule(1000)
        schedule = {key: value.to(device) for key, value in precompute_schedule(betas).items()}
        return x_0, torch.tensor(steps, dtype=torch.long, device=device), schedule

    return Case(name, f"the '{name}' batch", inputs)


def _coefficients(values: torch.Tensor, t: torch.Tensor, broadcast: bool) -> torch.Tensor:
    gathered = values[t]
    return gathered.view(-1, 1, 1, 1) if broadcast else gathered


def _formula(signal: Callable[[Schedule], torch.Tensor], noise_scale: Callable[[Schedule], torch.Tensor],
             per_sample: bool = True, broadcast: bool = True) -> Callable[..., torch.Tensor]:
    """A variant of x_t = signal(ᾱ)·x_0 + noise_scale(ᾱ)·ε, built from schedule entries."""

    def x_t(x_0: torch.Tensor, t: torch.Tensor, schedule: Schedule, noise: torch.Tensor) -> torch.Tensor:
        steps = t if per_sample else t[:1].expand_as(t)
        return _coefficients(signal(schedule), steps, broadcast) * x_0 + _coefficients(noise_scale(schedule), steps, broadcast) * noise

    return x_t


def _sqrt_ab(s: Schedule) -> torch.Tensor:
    return s["sqrt_alpha_bar"]


def _sqrt_omab(s: Schedule) -> torch.Tensor:
    return s["sqrt_one_minus_alpha_bar"]


def _x_t_only(formula: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """A variant judged on x_t alone (the noise is the learner's own, and passes through)."""
    return lambda x_0, t, schedule, noise: formula(x_0, t, schedule, noise)


class ForwardDiffusion(FunctionDrill):
    entry = "forward_diffusion"
    output_name = "x_t"
    # Batch, channels, height and width all differ in "mixed"; "batch_is_width" lets a missing
    # reshape broadcast silently; "large" has enough values to test the noise's statistics.
    cases = (
        _case("mixed", (3, 2, 5, 7), "linear", [10, 500, 999]),
        _case("batch_is_width", (4, 3, 6, 4), "cosine", [0, 250, 640, 999]),
        _case("large", (16, 3, 16, 16), "linear", list(range(0, 1000, 63))),
    )
    variants = tuple(
        (key, _x_t_only(formula))
        for key, formula in (
            ("forward.no_sqrt", _formula(lambda s: s["alpha_bar"], lambda s: 1 - s["alpha_bar"])),
            ("forward.sqrt_missing_on_noise", _formula(_sqrt_ab, lambda s: 1 - s["alpha_bar"])),
            ("forward.sqrt_missing_on_signal", _formula(lambda s: s["alpha_bar"], _sqrt_omab)),
            ("forward.swapped_coefficients", _formula(_sqrt_omab, _sqrt_ab)),
            ("forward.alpha_instead_of_alpha_bar", _formula(lambda s: s["sqrt_alpha"], lambda s: torch.sqrt(s["betas"]))),
            ("forward.minus_noise", _formula(_sqrt_ab, lambda s: -s["sqrt_one_minus_alpha_bar"])),
            ("forward.single_timestep", _formula(_sqrt_ab, _sqrt_omab, per_sample=False)),
            ("forward.missing_reshape", _formula(_sqrt_ab, _sqrt_omab, broadcast=False)),
        )
    )

    def reference(self, x_0: torch.Tensor, t: torch.Tensor, schedule: Schedule, noise: torch.Tensor) -> torch.Tensor:
        return q_sample(x_0, t, schedule, noise)

    def reference_inputs(self, observation: Observation) -> tuple[object, ...]:
        # x_t is judged against the noise the learner returned, so any way of drawing it passes.
        return (*observation.inputs, self._noise(observation))

    @staticmethod
    def _noise(observation: Observation) -> torch.Tensor:
        assert isinstance(observation.observed, tuple)
        noise: torch.Tensor = observation.observed[1]
        return noise

    @staticmethod
    def _x_t(observation: Observation) -> torch.Tensor:
        assert isinstance(observation.observed, tuple)
        x_t: torch.Tensor = observation.observed[0]
        return x_t

    def layout(self, observation: Observation, captured: Capture, device: torch.device) -> Verdict:
        x_0 = observation.inputs[0]
        verdict = compare.sequence("forward_diffusion", captured, 2)
        if not verdict.ok or captured["kind"] != "seq":
            return verdict
        x_t, noise = captured["items"]
        verdict = compare.layout("x_t", x_t, tuple(x_0.shape), x_0.dtype, device)
        if verdict.ok:
            verdict = compare.layout("noise", noise, tuple(x_0.shape), x_0.dtype, device)
        return passed(f"x_t and noise: {verdict.message.removeprefix('noise: ')}") if verdict.ok else verdict

    def layout_expected(self, observation: Observation) -> tuple[torch.Tensor, torch.Tensor]:
        x_0 = observation.inputs[0]
        return x_0, x_0

    def values(self, observation: Observation) -> Verdict:
        assert isinstance(observation.expected, torch.Tensor)
        name = f"x_t for {observation.case.label} (computed with your returned noise)"
        return compare.values(name, self._x_t(observation), observation.expected, self.atol, self.rtol)

    def variant_inputs(self, observation: Observation) -> tuple[object, ...]:
        if not isinstance(observation.observed, tuple):
            return (*observation.inputs, None)
        return (*observation.inputs, self._noise(observation))

    def comparable(self, observation: Observation) -> torch.Tensor | None:
        pair = observation.observed
        return pair[0] if isinstance(pair, tuple) and len(pair) == 2 else None

    def more_checks(self, observations: Sequence[Observation], device: torch.device, grading: Grading) -> None:
        large = next(o for o in observations if o.case.name == "large")
        if large.expected is None:
            grading.skip("formula.noise", "Not checked: the noise can be checked once the 'large' batch has the right shapes.")
            return
        noise = self._noise(large)
        verdict = compare.standard_normal("The returned noise", noise)
        if verdict.ok:
            verdict = compare.independent("The returned noise", noise, "sample")
        grading.check("formula.noise", verdict)

    def recognised(self, observations: Sequence[Observation], device: torch.device) -> list[str]:
        """The noise itself: uniform instead of Gaussian, or not the noise that went into x_t."""
        large = next(o for o in observations if o.case.name == "large")
        if large.expected is None:
            return []
        noise = self._noise(large)
        if not compare.standard_normal("", noise).ok and bool(((noise >= 0) & (noise < 1)).all()):
            return ["forward.uniform_noise"]
        if not compare.independent("", noise, "sample").ok:
            return ["forward.shared_noise"]
        x_0, t, schedule = large.inputs
        # x_t made with other noise than the returned one: where the noise is a large part of x_t,
        # the returned noise has almost no share in it, while what x_t carries beside the signal is
        # itself standard normal.
        fitted, _ = coefficients.fit(self._x_t(large), [x_0, noise])
        noise_scale = schedule["sqrt_one_minus_alpha_bar"][t]
        noisy = noise_scale > 0.5
        signal = schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1) * x_0
        carried = (self._x_t(large) - signal) / noise_scale.view(-1, 1, 1, 1)
        if bool((fitted[noisy, 1].abs() < 0.2 * noise_scale[noisy]).all()) and compare.standard_normal("", carried).ok:
            return ["forward.returned_other_noise"]
        return []

    def open_diagnoses(self, observations: Sequence[Observation], device: torch.device) -> list[Diagnosis]:
        fitted_rows, residuals, table = [], [], coefficients.TermTable()
        for observation in observations:
            if observation.expected is None:
                continue
            x_0, t, schedule = observation.inputs
            fitted, residual = coefficients.fit(self._x_t(observation), [x_0, self._noise(observation)])
            fitted_rows.append(fitted)
            residuals.append(residual)
            table.add(schedule_terms(schedule), t)
        if not fitted_rows:
            return []
        return coefficients.diagnose(torch.cat(fitted_rows), torch.cat(residuals), table, ROLES, "your x_t")


ROLES = (
    coefficients.Role(
        "forward.signal_coefficient", "signal coefficient (on x_0)", "√ᾱ_{t}", lambda rows: rows[:, 0],
        "Scale x_0 by √ᾱ_t: `noise_schedule['sqrt_alpha_bar'][t]`, reshaped to (B, 1, 1, 1).",
    ),
    coefficients.Role(
        "forward.noise_coefficient", "noise coefficient (on ε)", "√(1 − ᾱ_{t})", lambda rows: rows[:, 1],
        "Scale ε by √(1 − ᾱ_t): `noise_schedule['sqrt_one_minus_alpha_bar'][t]`, reshaped to (B, 1, 1, 1).",
    ),
)


checks = ForwardDiffusion()
