"""Sampler drills: recording mock noise models, transition fitting and the checks every sampler shares.

A sampler is graded by what it does, not by how it is spelled. It is handed a
``RecordingNoiseModel``: a fixed, deterministic function of (x, t[, labels]) that keeps a copy
of every input it receives. The grader recomputes the model's outputs from those inputs itself
and replays the chain one step at a time. Every step x_t -> x_{t-1} must follow the reverse law
x_{t-1} = μ(x_t, ε̂) + σ_t·z with z ~ N(0, I), and x_{t-1} = μ exactly where σ_t = 0. A
catalogued bug is another law (another mean, another σ, another guidance rule); the law that
fits every step names the bug. Nothing depends on how, or in which order, the learner drew noise.

The laws themselves (the lessons' mean and σ, and the catalogued variants) are content, in
``drills/common/ddpm_laws.py``; :class:`ChainChecks` grades a chain against the law a drill gives it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import torch
from torch import nn

from engine.drills import compare
from engine.drills.capture import capture
from engine.drills.grading import failed, passed
from engine.drills.records import Capture
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients, layouts

if TYPE_CHECKING:
    from engine.drills.grading import Grading, Verdict

# Exact steps (σ = 0) may differ from the reference by float32 rounding of any correct
# arrangement of the formula, the posterior-mean form included.
EXACT_ATOL, EXACT_RTOL = 1e-4, 1e-4
# A handful of float32 operations, each off by up to one unit in the last place.
FLOAT32_EPS, ROUNDING_OPS, ROUNDING_RTOL = float(torch.finfo(torch.float32).eps), 8, 1e-5

Schedule = dict[str, torch.Tensor]
MeanLaw = Callable[..., torch.Tensor]  # (x_t, t (B,), ε̂, schedule) -> μ
SigmaLaw = Callable[[int, Schedule], float]
Guidance = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (ε_cond, ε_uncond) -> ε̂, for CFG
F = TypeVar("F")


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run torch on one thread, then restore the previous count (also usable as a decorator).

    A sampler drill runs hundreds of small ops: on one thread they are faster, no idle OpenMP
    workers spin against the main thread, and a grader that has not started the OpenMP pool can
    fork again safely (a child forked after the pool started can deadlock in its first parallel op).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# ---------------------------------------------------------------------------------------------
# The mock model


def _per_sample(values: object, x: torch.Tensor, what: str) -> torch.Tensor:
    """``values`` (one per image, or a single one) shaped to broadcast over the batch x."""
    values = torch.as_tensor(values, device=x.device).to(x.dtype)
    if values.numel() == 1:
        return values.reshape(())
    if values.numel() == x.shape[0]:
        return values.reshape(-1, *([1] * (x.ndim - 1)))
    raise ValueError(f"the model got {x.shape[0]} images but {values.numel()} {what}: pass exactly one per image")


class ModelCall(TypedDict, total=False):
    """What the recording model keeps of one call: its inputs as captured, and whether it built a graph."""

    x: Capture
    t: Capture
    labels: Capture  # conditional models only
    grad_enabled: bool
    output_graph: bool  # set once the call has returned


class RecordingNoiseModel(nn.Module):
    """A stand-in noise predictor ε(x, t[, labels]) = tanh(w·x + s(t) [+ s'(label)]).

    It depends on x, on t and on the label in ways that keep every catalogued bug visible, it has
    a parameter that requires grad (so a sampler without ``no_grad`` returns a graph), and it
    records each call's inputs into plain lists that the probe returns to the grader.
    """

    def __init__(self, conditional: bool = False, max_calls: int = 400):
        super().__init__()
        self.weight = nn.Parameter(torch.tensor(0.45))
        self.conditional = conditional
        self.max_calls = max_calls
        self.calls: list[ModelCall] = []

    def predict(self, x: torch.Tensor, t: object, labels: object = None) -> torch.Tensor:
        """The model's function itself; the grader calls it on the recorded inputs."""
        shift = 0.8 * torch.sin(0.9 * _per_sample(t, x, "timesteps") + 0.3)
        if labels is not None:
            shift = shift + 0.7 * torch.cos(1.1 * _per_sample(labels, x, "labels") + 0.4)
        return torch.tanh(self.weight * x + shift)

    def forward(self, x: torch.Tensor, t: object, *args: object, **kwargs: object) -> torch.Tensor:
        labels = self._labels(args, kwargs)
        if len(self.calls) >= self.max_calls:
            raise RuntimeError(f"the model was called more than {self.max_calls} times; one call per step is enough")
        record: ModelCall = {"x": capture(x), "t": capture(t), "grad_enabled": torch.is_grad_enabled()}
        if self.conditional:
            record["labels"] = capture(labels)
        self.calls.append(record)
        output = self.predict(x, t, labels)
        record["output_graph"] = bool(output.requires_grad)
        return output

    def _labels(self, args: tuple[object, ...], kwargs: dict[str, object]) -> object:
        given = [*args, *kwargs.values()]
        if not self.conditional:
            if given:
                raise TypeError("this noise model takes (x_t, t) only")
            return None
        if len(given) != 1:
            raise TypeError("this noise model takes (x_t, t, class_labels)")
        return given[0]


# ---------------------------------------------------------------------------------------------
# Reading the recorded calls back


def tensor_of(captured: Capture | None, device: torch.device) -> torch.Tensor | None:
    """A captured tensor's data on the grading device (None for anything else)."""
    if not captured or captured["kind"] != "tensor":
        return None
    return captured["data"].to(device)


def first_number(captured: Capture) -> float | None:
    """The first number a captured timestep holds, whatever its dtype (None when it holds none)."""
    if captured["kind"] == "py" and isinstance(captured["value"], int | float) and not isinstance(captured["value"], bool):
        return float(captured["value"])
    if captured["kind"] == "tensor" and captured["data"].numel() > 0:
        return float(captured["data"].flatten()[0])
    return None


def single_value(captured: Capture) -> int | None:
    """The one integer a captured timestep (or label) tensor/number holds, if it holds one."""
    if captured["kind"] == "py" and isinstance(captured["value"], int) and not isinstance(captured["value"], bool):
        return captured["value"]
    if captured["kind"] == "tensor" and captured["data"].numel() > 0:
        data = captured["data"]
        if data.is_floating_point() and not bool((data == data.round()).all()):
            return None
        if bool((data == data.flatten()[0]).all()):
            return int(data.flatten()[0])
    return None


def describe_timestep_argument(captured: Capture, rows: int, device: torch.device) -> str | None:
    """What is wrong with the t a model call received (None when it is a (rows,) long tensor of one value)."""
    if captured["kind"] != "tensor":
        return f"t should be a ({rows},) long tensor, one timestep per image, but it was {compare.describe(captured)}"
    shape = tuple(captured["data"].shape)
    if shape != (rows,):
        return f"t should have shape ({rows},), one timestep per image, but it had shape {shape}"
    if captured["dtype"] != str(torch.long):
        return f"t should be a long tensor (dtype torch.int64), but it was {captured['dtype']}"
    if not compare.same_device(captured["device"], device):
        return f"t was on {captured['device']}, but the model runs on {device}"
    if single_value(captured) is None:
        return "t held different timesteps for the images of one step"
    return None


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------------------------
# Steps and laws


@dataclass
class Step:
    """One transition of the learner's chain, with what the model told it."""

    t: int  # the timestep whose coefficients this step should use: T−1−k for the k-th step (from 0)
    first_call: int  # 1-based number of the step's first model call
    x: torch.Tensor  # x_t as the learner gave it to the model
    eps_cond: torch.Tensor  # the model's prediction (the conditional one, for CFG)
    eps_uncond: torch.Tensor | None  # the unconditional prediction (CFG only)
    x_next: torch.Tensor | None  # x_{t−1}: the next step's x_t, or the returned value after the last step

    def where(self) -> str:
        return f"step t={self.t} (model call {self.first_call})"


@dataclass(frozen=True)
class StepLaw:
    """How x_{t−1} follows from x_t: the guided ε̂, the mean and the noise scale σ_t."""

    mean: MeanLaw
    sigma: SigmaLaw
    guidance: Guidance | None = None

    def eps(self, step: Step) -> torch.Tensor:
        if self.guidance is None:
            return step.eps_cond
        if step.eps_uncond is None:
            raise TypeError(f"a guided law needs the unconditional prediction, which {step.where()} lacks")
        return self.guidance(step.eps_cond, step.eps_uncond)

    def mean_at(self, step: Step, schedule: Schedule) -> torch.Tensor:
        t = torch.full((step.x.shape[0],), step.t, dtype=torch.long, device=step.x.device)
        return self.mean(step.x.double(), t, self.eps(step).double(), schedule)


def double_schedule(schedule: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The schedule in float64, so the grader's own rounding never blurs a fit."""
    return {name: values.double() for name, values in schedule.items()}


def _noise_below_rounding(mean: torch.Tensor, sigma: float) -> bool:
    return float(mean.abs().median()) * FLOAT32_EPS * ROUNDING_OPS > 0.05 * sigma


def misfit(law: StepLaw, step: Step, schedule: Schedule) -> str | None:
    """None when ``step`` follows ``law``; otherwise what differs (``schedule`` in float64)."""
    if step.x_next is None:
        return f"the chain has no x_{{t−1}} after {step.where()}"
    if step.x_next.shape != step.x.shape:
        return f"x changed shape at {step.where()}: {tuple(step.x.shape)} -> {tuple(step.x_next.shape)}"
    try:
        mean = law.mean_at(step, schedule)
    except RuntimeError as problem:
        return f"the law cannot be applied: {problem}"
    sigma = law.sigma(step.t, schedule)
    x_next = step.x_next.double()
    if sigma == 0:
        ok, detail = compare.closeness(x_next, mean, EXACT_ATOL, EXACT_RTOL)
        return None if ok else f"at {step.where()} x_{{t−1}} should equal the mean μ exactly (no noise); {detail}"
    residual = x_next - mean
    if _noise_below_rounding(mean, sigma):
        # An exploding chain: its float32 values cannot resolve σ_t·z any more, so only the size
        # of the residual is checked.
        ok, detail = compare.closeness(x_next, mean, 6 * sigma, ROUNDING_RTOL)
        return None if ok else f"at {step.where()} x_{{t−1}} is far from the mean μ; {detail}"
    if compare.standard_normal("", residual / sigma).ok:
        return None
    return (
        f"at {step.where()} x_{{t−1}} − μ should be σ_t·z with σ_t = {sigma:.4g} and z ~ N(0, 1), "
        f"but it has mean {float(residual.mean()):.4g} and std {float(residual.std()):.4g} "
        f"over {residual.numel()} values"
    )


def first_misfit(law: StepLaw, steps: list[Step], schedule: Schedule) -> str | None:
    for step in steps:
        problem = misfit(law, step, schedule)
        if problem:
            return problem
    return None


Variant = tuple[str | None, F]  # (catalog key, or None for the reference; the function)


def law_combinations(
    means: list[Variant[MeanLaw]], sigmas: list[Variant[SigmaLaw]], guidances: list[Variant[Guidance | None]], max_bugs: int = 2
) -> list[tuple[list[str], StepLaw]]:
    """Step laws that combine up to ``max_bugs`` catalogued variants of the mean, σ and guidance,
    fewest bugs first and in catalog order within each count (the reference itself left out)."""
    combinations: list[tuple[list[str], StepLaw]] = []
    for (guidance_key, guidance), (mean_key, mean), (sigma_key, sigma) in itertools.product(guidances, means, sigmas):
        keys = [key for key in (guidance_key, mean_key, sigma_key) if key]
        if 0 < len(keys) <= max_bugs:
            combinations.append((keys, StepLaw(mean, sigma, guidance)))
    return sorted(combinations, key=lambda combination: len(combination[0]))


def fitting_keys(combinations: list[tuple[list[str], StepLaw]], steps: list[Step], schedule: Schedule) -> list[str]:
    """The catalog keys of the first combination whose law every step follows (none: [])."""
    for keys, law in combinations:
        if steps and first_misfit(law, steps, schedule) is None:
            return keys
    return []


def noises(law: StepLaw, steps: list[Step], schedule: Schedule) -> torch.Tensor:
    """The z of every noisy step under ``law``, one row per step (flattened)."""
    rows = [
        ((step.x_next.double() - law.mean_at(step, schedule)) / law.sigma(step.t, schedule)).flatten()
        for step in steps
        if law.sigma(step.t, schedule) > 0 and step.x_next is not None
    ]
    return torch.stack(rows) if rows else torch.zeros(0, 0, dtype=torch.float64)


@dataclass
class Chain:
    """What a sampler run did, read back from its model calls (built per drill, graded in common)."""

    steps: list[Step]
    first_x: Capture | None  # the captured x_T, as the model first received it
    given: list[int | None]  # the timestep each step's model call(s) received (None where unreadable)
    call_problem: str | None  # the first way the calls differ from the expected pattern
    graph_problem: str | None  # how the run built an autograd graph, if it did
    xs_constant: bool  # every step was given the same x_t
    # The number each step's t held, integer or not (t/T shows as fractions), None where unreadable.
    t_values: list[float | None]


def all_equal(xs: list[torch.Tensor]) -> bool:
    return len(xs) > 1 and all(x.shape == xs[0].shape and bool(torch.equal(x, xs[0])) for x in xs[1:])


def graph_problem(grad_calls: int, total_calls: int, returned: Capture | None) -> str | None:
    """How a sampler built an autograd graph (None when it built none; ``returned`` is None when the sampler raised)."""
    if returned is not None and returned["kind"] == "tensor" and (returned["requires_grad"] or returned["grad_fn"]):
        return "The returned images carry an autograd graph (requires_grad=True): the sampler ran with gradients on."
    if grad_calls:
        return f"{grad_calls} of {total_calls} model calls ran with gradients enabled and built a graph."
    return None


# ---------------------------------------------------------------------------------------------
# The loop's timesteps


def expected_timesteps(T: int) -> list[int]:
    return list(range(T - 1, -1, -1))


def shifted_timesteps(T: int) -> tuple[list[int], list[int]]:
    """The loop's timesteps off by one, either way."""
    return [t + 1 for t in expected_timesteps(T)], [t - 1 for t in expected_timesteps(T)]


def _short(values: list[object]) -> str:
    shown = [str(v) for v in values]
    return ", ".join(shown) if len(shown) <= 8 else ", ".join([*shown[:4], "…", *shown[-3:]])


def timestep_problem(given: list[int | None], T: int) -> str | None:
    """How the timesteps of the steps differ from T−1 … 0 (None when they don't)."""
    expected = expected_timesteps(T)
    if given == expected:
        return None
    mismatch = next((k for k, (g, e) in enumerate(zip(given, expected)) if g != e), None)
    where = f" Step {mismatch + 1} got t={given[mismatch]}, expected t={expected[mismatch]}." if mismatch is not None else ""
    return f"The loop should run {T} steps, t = {_short(list(expected))}; it ran {len(given)} steps, with t = {_short(list(given))}.{where}"


def _sentence(problem: str) -> str:
    return problem[0].upper() + problem[1:] + ("" if problem.endswith(".") else ".")


# ---------------------------------------------------------------------------------------------
# The checks every sampler shares


@dataclass(frozen=True)
class ChainChecks:
    """Grades a chain read from a sampler's model calls: ``T`` steps on ``schedule`` (float64), each
    expected to follow ``law``. The check ids are fixed: shape.output, behaviour.calls, formula.x_T,
    formula.steps, formula.last_step, behaviour.fresh_noise, behaviour.no_grad, and for a second
    batch shape.<case> and formula.<case>."""

    T: int
    schedule: dict[str, torch.Tensor]
    law: StepLaw

    @staticmethod
    def error_diagnoses(result: dict[str, Any], area: str) -> list[Diagnosis]:
        """What the error of a sampler that raised says of the mistake (nothing when it says nothing known)."""
        found = layouts.error_diagnosis(area, result["error"]) if not result["ok"] else None
        return [found] if found is not None else []

    def unread_reason(self, chain: Chain) -> str:
        if not chain.given:
            return "Not checked: the model was never called."
        return "Not checked: the model calls could not be followed; see the calls check."

    def grade_main(self, grading: Grading, chain: Chain, result: dict[str, Any], shape: tuple[int, ...], device: torch.device,
                   call_checks: Sequence[tuple[str, Verdict | None]] = ()) -> bool | None:
        """The checks of the main run. Returns whether one z was reused, or None when the run raised.

        ``call_checks``: a drill's own checks of the calls, (id, verdict), reported right after the
        common one (skipped where the verdict is None).
        """
        if not result["ok"]:
            grading.error("shape.output", f"Your sampler raised:\n{result['error']}")
            for check_id in ("behaviour.calls", *(c for c, _ in call_checks)):
                grading.skip(check_id, "Not checked: your sampler raised.")
            return None
        grading.check("shape.output", compare.layout("The samples", result["value"], shape, torch.float32, device))
        grading.check("behaviour.calls", failed("The model calls do not follow the loop t = T−1 … 0.", chain.call_problem)
                      if chain.call_problem
                      else passed(f"The model is called at every step, t = {self.T - 1} … 0, with t a long tensor, one per image"))
        for check_id, verdict in call_checks:
            if verdict is None:
                grading.skip(check_id, self.unread_reason(chain))
            else:
                grading.check(check_id, verdict)
        self._x_T(grading, chain, shape, device)
        reused = False
        if chain.steps:
            steps_ok = self._steps(grading, chain)
            self._last_step(grading, chain)
            reused = self._fresh_noise(grading, chain, steps_ok)
        else:
            for check_id in ("formula.steps", "formula.last_step", "behaviour.fresh_noise"):
                grading.skip(check_id, self.unread_reason(chain))
        grading.check("behaviour.no_grad", failed(chain.graph_problem) if chain.graph_problem
                      else passed("No autograd graph is built while sampling"))
        return reused

    def grade_second(self, grading: Grading, name: str, chain: Chain, result: dict[str, Any], shape: tuple[int, ...],
                     device: torch.device) -> None:
        """A second batch, graded as a whole: the samples' layout, then the whole chain."""
        if not result["ok"]:
            grading.error(f"shape.{name}", f"Your sampler raised for the shape {shape}:\n{result['error']}")
            grading.skip(f"formula.{name}", "Not checked: your sampler raised.")
            return
        layout = compare.layout(f"The samples of the {name} batch", result["value"], shape, torch.float32, device)
        if not grading.check(f"shape.{name}", layout):
            grading.skip(f"formula.{name}", "Not checked: fix the shape of the samples first.")
            return
        problem = chain.call_problem or (
            first_misfit(self.law, chain.steps, self.schedule) if chain.steps else "the model calls could not be followed"
        )
        grading.check(f"formula.{name}", failed(f"The chain for shape {shape} does not follow the reverse process.", _sentence(problem))
                      if problem else passed(f"The whole chain for shape {shape} follows the reverse process"))

    def _x_T(self, grading: Grading, chain: Chain, shape: tuple[int, ...], device: torch.device) -> None:
        if chain.first_x is None:
            grading.skip("formula.x_T", self.unread_reason(chain))
            return
        verdict = compare.layout("x_T (the first model input)", chain.first_x, shape, torch.float32, device)
        # A layout that passes is a tensor's.
        if verdict.ok and chain.first_x["kind"] == "tensor":
            verdict = compare.standard_normal("x_T (the first model input)", chain.first_x["data"])
        grading.check("formula.x_T", verdict)

    def _steps(self, grading: Grading, chain: Chain) -> bool:
        noisy = [step for step in chain.steps if step.t > 0]
        if not noisy:
            grading.skip("formula.steps", "Not checked: no step with t > 0 ran.")
            return False
        problem = first_misfit(self.law, noisy, self.schedule)
        return grading.check("formula.steps", failed("A reverse step does not follow x_{t−1} = μ_θ(x_t, ε̂) + σ_t·z.", _sentence(problem))
                             if problem else passed(f"Every step t > 0 adds N(0, σ_t²) noise to the reference mean ({len(noisy)} steps)"))

    def _last_step(self, grading: Grading, chain: Chain) -> None:
        last = next((step for step in chain.steps if step.t == 0), None)
        if last is None:
            verdict = failed("The chain never ran the step t = 0.", f"The last step got t={chain.given[-1] if chain.given else None}: "
                             "the loop must run down to t = 0 and return that step's mean.")
        else:
            problem = misfit(self.law, last, self.schedule)
            verdict = (failed("The last step (t = 0) does not return the reference mean.", _sentence(problem))
                       if problem else passed("The last step (t = 0) returns the mean, without noise"))
        grading.check("formula.last_step", verdict)

    def _fresh_noise(self, grading: Grading, chain: Chain, steps_ok: bool) -> bool:
        """Checks that the steps' noises are independent; True when one z was plainly reused."""
        if not steps_ok:
            grading.skip("behaviour.fresh_noise", "Not checked: the steps' noise cannot be isolated until they follow the reverse law.")
            return False
        noisy = [step for step in chain.steps if step.t > 0]
        z = noises(self.law, noisy, self.schedule)
        corr, a, b = compare.largest_correlation(z)
        if corr > compare.correlation_limit(z.shape[1]):
            verdict = failed("The noise added at different steps is not independent.",
                             f"The noises of steps t={noisy[a].t} and t={noisy[b].t} have correlation {corr:.3f}: "
                             "draw a new z at every step.")
        else:
            verdict = passed("Each step draws fresh noise")
        grading.check("behaviour.fresh_noise", verdict)
        return corr > 0.99

    # ---- diagnosis --------------------------------------------------------------------------

    def pattern_keys(self, chain: Chain, reused: bool, keys: PatternKeys) -> list[str]:
        """Catalog keys recognised from the calls and the noises alone."""
        expected = expected_timesteps(self.T)
        found: list[str] = []
        if chain.given == expected[:-1]:
            found.append(keys.skips_last_step)
        if chain.given in shifted_timesteps(self.T):
            found.append(keys.timestep_off_by_one)
        if chain.given == expected[::-1]:
            found.append(keys.loop_forward)
        if chain.xs_constant:
            found.append(keys.x_not_updated)
        if chain.graph_problem:
            found.append(keys.missing_no_grad)
        if reused:
            found.append(keys.same_noise_every_step)
        fractions = [(self.T - 1 - k) / self.T for k in range(self.T)]
        if len(chain.t_values) == self.T and all(v is not None and abs(v - f) < 1e-6 for v, f in zip(chain.t_values, fractions)):
            found.append(keys.normalised_timestep)
        if chain.first_x is not None and chain.first_x["kind"] == "tensor":
            data = chain.first_x["data"]
            if data.numel() and bool(((data >= 0) & (data < 1)).all()):
                found.append(keys.uniform_start)
        return found

    def law_keys(self, chain: Chain, laws: list[tuple[list[str], StepLaw]]) -> list[str]:
        """The catalog keys of the step law that every step follows, when the reference law does not.

        Only a loop of T steps in the right places can be fitted: a shifted t (off by one) still
        is, since each step is fitted with the prediction the model actually returned.
        """
        in_place = chain.given in (expected_timesteps(self.T), *shifted_timesteps(self.T))
        if not in_place or chain.xs_constant or len(chain.steps) != self.T:
            return []
        if first_misfit(self.law, chain.steps, self.schedule) is None:
            return []
        return fitting_keys(laws, chain.steps, self.schedule)


@dataclass(frozen=True)
class PatternKeys:
    """The catalog keys a drill uses for the mistakes recognised from a chain's call pattern."""

    skips_last_step: str
    timestep_off_by_one: str
    loop_forward: str
    x_not_updated: str
    missing_no_grad: str
    same_noise_every_step: str
    normalised_timestep: str
    uniform_start: str


def step_fits(chain: Chain) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each noisy step fitted as x_{t−1} = a·x_t + c·ε̂ + noise, over all its images at once.

    Returns (n, 3) rows [a, c, the noise's standard deviation], their (n, 3) standard errors, and
    the (n,) timesteps, for the open coefficient diagnoser (coefficients.diagnose with errors).
    """
    rows, errors, steps = [], [], []
    for step in chain.steps:
        if step.t == 0 or step.x_next is None or step.x_next.shape != step.x.shape:
            continue
        coefficients_, error, spread = coefficients.fit_with_errors(
            step.x_next.reshape(1, -1), [step.x.reshape(1, -1), step.eps_cond.reshape(1, -1)]
        )
        count = step.x.numel()
        rows.append(torch.cat([coefficients_[0], spread]))
        errors.append(torch.cat([error[0], spread * 3 / (2 * count) ** 0.5]))
        steps.append(step.t)
    if not rows:
        return torch.zeros(0, 3, dtype=torch.float64), torch.zeros(0, 3, dtype=torch.float64), torch.zeros(0, dtype=torch.long)
    return torch.stack(rows), torch.stack(errors), torch.tensor(steps)
