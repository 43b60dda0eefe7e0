"""Grading sample_ddpm by its behaviour: the learner's sampler runs against a recording mock model,
and the grader replays the chain step by step (see engine/drills/trace.py).

Checked: the calls (one per step, t = T−1 … 0, each t a (B,) long tensor), x_T ~ N(0, I), every
step t > 0 adding N(0, β_t) noise around the reference mean, the step t = 0 returning that mean
exactly, fresh noise at each step, and no autograd graph. A failing run is diagnosed from its call
pattern, or by the catalogued step law that every one of its steps follows.

The chain checks and the laws are shared with sample_cfg, and the whole grading with debug_sampler.
"""

from __future__ import annotations

import torch

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.trace import (
    CORRECT,
    Chain,
    RecordingNoiseModel,
    Step,
    StepLaw,
    Variant,
    all_equal,
    correlation_limit,
    describe_timestep_argument,
    double_schedule,
    first_misfit,
    fitting_keys,
    graph_problem,
    largest_correlation,
    law_combinations,
    mean_formula,
    misfit,
    noises,
    ordinal,
    sampler_schedule,
    sigma_sqrt_beta,
    single_threaded,
    single_value,
    tensor_of,
)

SEED = 2024
STEPS = 40
# "main": n_samples, channels and size all differ, and 3840 values per step for the noise
# statistics; "batch_is_width": a (B,) coefficient would broadcast over the width silently.
CASES = {"main": (5, 3, 16), "batch_is_width": (6, 2, 6)}


def make_schedule(device: torch.device) -> dict[str, torch.Tensor]:
    return {name: values.to(device) for name, values in sampler_schedule(STEPS).items()}


@single_threaded()
def probe(module, device, attempt):
    sample_ddpm = entry(module, "sample_ddpm")
    runs = {}
    for name, (n_samples, channels, size) in CASES.items():
        model = RecordingNoiseModel().to(device)
        torch.manual_seed(SEED)  # reproducible runs; no check depends on which draws the learner makes
        result = attempt(sample_ddpm, model, n_samples, channels, size, make_schedule(device), device)
        runs[name] = {"result": result, "model_calls": model.calls}
    return runs


# ---------------------------------------------------------------------------------------------
# The step laws of the catalogued bugs that change how one step computes x_{t−1}


def _sigma_beta(t, s):
    return 0.0 if t == 0 else float(s["betas"][t])


def _sigma_at_every_step(t, s):
    return float(torch.sqrt(s["betas"][t]))


def _sigma_posterior(t, s):
    if t == 0:
        return 0.0
    return float(torch.sqrt(s["betas"][t] * (1 - s["alpha_bar"][t - 1]) / (1 - s["alpha_bar"][t])))


def _no_sigma(t, s):
    return 0.0


MEANS: list[Variant] = [
    (None, mean_formula()),
    ("sample.plus_sign_in_mean", mean_formula(sign=1.0)),
    ("sample.alpha_bar_in_mean_coefficient", mean_formula(scale=lambda s: 1.0 / s["sqrt_alpha_bar"])),
    (
        "sample.alpha_bar_in_mean_coefficient",
        mean_formula(eps_scale=lambda s: (1.0 - s["alpha_bar"]) / s["sqrt_one_minus_alpha_bar"]),
    ),
    ("sample.missing_sqrt_on_alpha", mean_formula(scale=lambda s: 1.0 / s["alphas"])),
]
SIGMAS: list[Variant] = [
    (None, sigma_sqrt_beta),
    ("sample.sigma_is_beta", _sigma_beta),
    ("sample.noise_at_t0", _sigma_at_every_step),
    ("sample.no_noise", _no_sigma),
    ("sample.posterior_variance", _sigma_posterior),
]
LAWS = law_combinations(MEANS, SIGMAS, [(None, None)])


# ---------------------------------------------------------------------------------------------
# Reading a run


def expected_timesteps(T: int) -> list[int]:
    return list(range(T - 1, -1, -1))


def shifted_timesteps(T: int) -> tuple[list[int], list[int]]:
    """The loop's timesteps off by one, either way."""
    return [t + 1 for t in expected_timesteps(T)], [t - 1 for t in expected_timesteps(T)]


def _short(values: list) -> str:
    shown = [str(v) for v in values]
    return ", ".join(shown) if len(shown) <= 8 else ", ".join(shown[:4] + ["…"] + shown[-3:])


def timestep_problem(given: list, T: int) -> str | None:
    """How the timesteps of the steps differ from T−1 … 0 (None when they don't)."""
    expected = expected_timesteps(T)
    if given == expected:
        return None
    mismatch = next((k for k, (g, e) in enumerate(zip(given, expected)) if g != e), None)
    where = f" Step {mismatch + 1} got t={given[mismatch]}, expected t={expected[mismatch]}." if mismatch is not None else ""
    return (
        f"The loop should run {T} steps, t = {_short(expected)}; "
        f"it ran {len(given)} steps, with t = {_short(given)}.{where}"
    )


def ddpm_chain(model_calls: list[dict], returned: dict, shape: tuple, device: torch.device) -> Chain:
    """The learner's chain: call k is step t = T−1−k; its x_{t−1} is the next call's x, or the result."""
    call_problem = None
    for k, call in enumerate(model_calls):
        layout = compare.layout("x_t", call["x"], shape, torch.float32, device)
        problem = None if layout.ok else f"{layout.message} {layout.evidence}".strip()
        problem = problem or describe_timestep_argument(call["t"], shape[0], device)
        if problem:
            call_problem = f"The {ordinal(k + 1)} model call: {problem}"
            break
    given = [single_value(call["t"]) for call in model_calls]
    xs = [tensor_of(call["x"], device) for call in model_calls]
    model = RecordingNoiseModel().to(device)
    steps = []
    for k, call in enumerate(model_calls[:STEPS]):
        t = tensor_of(call["t"], device)
        t = call["t"].get("value") if t is None else t
        if xs[k] is None or t is None:
            break
        try:
            with torch.no_grad():
                eps = model.predict(xs[k], t)
        except (ValueError, RuntimeError, TypeError):
            break
        x_next = xs[k + 1] if k + 1 < len(xs) else tensor_of(returned, device)
        steps.append(Step(STEPS - 1 - k, k + 1, xs[k], eps, None, x_next))
    grad_calls = sum(1 for call in model_calls if call["grad_enabled"] and call.get("output_graph"))
    return Chain(
        steps=steps,
        first_x=model_calls[0]["x"] if model_calls else None,
        given=given,
        call_problem=call_problem or timestep_problem(given, STEPS),
        graph_problem=graph_problem(grad_calls, len(model_calls), returned),
        xs_constant=all_equal([x for x in xs if x is not None]),
    )


# ---------------------------------------------------------------------------------------------
# The checks of one run, shared with sample_cfg

CHAIN_CHECKS = [
    ("shape.output", "shape", 1.0),
    ("behaviour.calls", "behaviour", 2.0),
    ("formula.x_T", "formula", 1.0),
    ("formula.steps", "formula", 2.0),
    ("formula.last_step", "formula", 2.0),
    ("behaviour.fresh_noise", "behaviour", 1.0),
    ("behaviour.no_grad", "behaviour", 1.0),
]


def _sentence(problem: str) -> str:
    return problem[0].upper() + problem[1:] + ("" if problem.endswith(".") else ".")


def unread_reason(chain: Chain) -> str:
    if not chain.given:
        return "Not checked: the model was never called."
    return "Not checked: the model calls could not be followed; see the calls check."


def check_x_T(grading, chain: Chain, shape: tuple, device: torch.device) -> None:
    if chain.first_x is None:
        grading.skip("formula.x_T", "formula", unread_reason(chain))
        return
    verdict = compare.layout("x_T (the first model input)", chain.first_x, shape, torch.float32, device)
    if verdict.ok:
        verdict = compare.standard_normal("x_T (the first model input)", chain.first_x["data"])
    grading.check("formula.x_T", "formula", verdict)


def check_steps(grading, chain: Chain, law: StepLaw, schedule) -> bool:
    noisy = [step for step in chain.steps if step.t > 0]
    if not noisy:
        grading.skip("formula.steps", "formula", "Not checked: no step with t > 0 ran.", points=2.0)
        return False
    problem = first_misfit(law, noisy, schedule)
    verdict = (
        compare.failed("A reverse step does not follow x_{t−1} = μ_θ(x_t, ε̂) + √β_t·z.", _sentence(problem))
        if problem
        else compare.passed(f"Every step t > 0 adds N(0, β_t) noise to the reference mean ({len(noisy)} steps)")
    )
    return grading.check("formula.steps", "formula", verdict, points=2.0)


def check_last_step(grading, chain: Chain, law: StepLaw, schedule) -> None:
    last = next((step for step in chain.steps if step.t == 0), None)
    if last is None:
        verdict = compare.failed(
            "The chain never ran the step t = 0.",
            f"The last step got t={chain.given[-1] if chain.given else None}: "
            "the loop must run down to t = 0 and return that step's mean.",
        )
    else:
        problem = misfit(law, last, schedule)
        verdict = (
            compare.failed("The last step (t = 0) does not return the reference mean.", _sentence(problem))
            if problem
            else compare.passed("The last step (t = 0) returns the mean, without noise")
        )
    grading.check("formula.last_step", "formula", verdict, points=2.0)


def check_fresh_noise(grading, chain: Chain, law: StepLaw, schedule, steps_ok: bool) -> bool:
    """Checks that the steps' noises are independent; True when one z was plainly reused."""
    if not steps_ok:
        grading.skip("behaviour.fresh_noise", "behaviour", "Not checked: the steps' noise cannot be isolated until they follow the reverse law.")
        return False
    noisy = [step for step in chain.steps if step.t > 0]
    z = noises(law, noisy, schedule)
    corr, a, b = largest_correlation(z)
    if corr > correlation_limit(z.shape[1]):
        verdict = compare.failed(
            "The noise added at different steps is not independent.",
            f"The noises of steps t={noisy[a].t} and t={noisy[b].t} have correlation {corr:.3f}: draw a new z at every step.",
        )
    else:
        verdict = compare.passed("Each step draws fresh noise")
    grading.check("behaviour.fresh_noise", "behaviour", verdict)
    return corr > 0.99


def check_chain(
    grading, chain: Chain, result: dict, shape: tuple, device: torch.device, law: StepLaw, call_checks=()
) -> bool | None:
    """The checks of the main run. Returns whether one z was reused, or None when the run raised.

    ``call_checks``: a drill's own checks of the calls, (id, category, points, verdict), graded
    right after the common one (skipped where the verdict is None).
    """
    if not result["ok"]:
        grading.error("shape.output", "shape", f"Your sampler raised:\n{result['error']}")
        skipped = [CHAIN_CHECKS[1], *[(c[0], c[1], c[2]) for c in call_checks], *CHAIN_CHECKS[2:]]
        for check_id, category, points in skipped:
            grading.skip(check_id, category, "Not checked: your sampler raised.", points)
        return None
    schedule = double_schedule(make_schedule(device))
    grading.check("shape.output", "shape", compare.layout("The samples", result["value"], shape, torch.float32, device))
    grading.check(
        "behaviour.calls",
        "behaviour",
        compare.failed("The model calls do not follow the loop t = T−1 … 0.", chain.call_problem)
        if chain.call_problem
        else compare.passed(f"The model is called at every step, t = {STEPS - 1} … 0, with t a long tensor, one per image"),
        points=2.0,
    )
    for check_id, category, points, verdict in call_checks:
        if verdict is None:
            grading.skip(check_id, category, unread_reason(chain), points)
        else:
            grading.check(check_id, category, verdict, points)
    check_x_T(grading, chain, shape, device)
    if chain.steps:
        steps_ok = check_steps(grading, chain, law, schedule)
        check_last_step(grading, chain, law, schedule)
        reused = check_fresh_noise(grading, chain, law, schedule, steps_ok)
    else:
        for check_id, category, points in CHAIN_CHECKS[3:6]:
            grading.skip(check_id, category, unread_reason(chain), points)
        reused = False
    grading.check(
        "behaviour.no_grad",
        "behaviour",
        compare.failed(chain.graph_problem) if chain.graph_problem else compare.passed("No autograd graph is built while sampling"),
    )
    return reused


def check_second_case(grading, name: str, chain: Chain, result: dict, shape: tuple, device: torch.device, law: StepLaw) -> None:
    """A second batch, graded as a whole: the samples' layout, then the whole chain."""
    if not result["ok"]:
        grading.error(f"shape.{name}", "shape", f"Your sampler raised for the shape {shape}:\n{result['error']}")
        grading.skip(f"formula.{name}", "formula", "Not checked: your sampler raised.")
        return
    if not grading.check(f"shape.{name}", "shape", compare.layout(f"The samples of the {name} batch", result["value"], shape, torch.float32, device)):
        grading.skip(f"formula.{name}", "formula", "Not checked: fix the shape of the samples first.")
        return
    problem = chain.call_problem or (
        first_misfit(law, chain.steps, double_schedule(make_schedule(device))) if chain.steps else "the model calls could not be followed"
    )
    verdict = (
        compare.failed(f"The chain for shape {shape} does not follow the reverse process.", _sentence(problem))
        if problem
        else compare.passed(f"The whole chain for shape {shape} follows the reverse process")
    )
    grading.check(f"formula.{name}", "formula", verdict)


# ---------------------------------------------------------------------------------------------
# Diagnosis


def pattern_keys(chain: Chain, reused: bool) -> list[str]:
    """Catalog keys recognised from the calls and the noises alone."""
    expected = expected_timesteps(STEPS)
    found = []
    if chain.given == expected[:-1]:
        found.append("sample.skips_last_step")
    if chain.given in shifted_timesteps(STEPS):
        found.append("sample.timestep_off_by_one")
    if chain.given == expected[::-1]:
        found.append("sample.loop_forward")
    if chain.xs_constant:
        found.append("sample.x_not_updated")
    if chain.graph_problem:
        found.append("sample.missing_no_grad")
    if reused:
        found.append("sample.same_noise_every_step")
    return found


def law_keys(chain: Chain, law: StepLaw, laws: list[tuple[list[str], StepLaw]], device: torch.device) -> list[str]:
    """The catalog keys of the step law that every step follows, when the reference law does not.

    Only a loop of T steps in the right places can be fitted: a shifted t (off by one) still
    is, since each step is fitted with the prediction the model actually returned.
    """
    in_place = chain.given in (expected_timesteps(STEPS), *shifted_timesteps(STEPS))
    if not in_place or chain.xs_constant or len(chain.steps) != STEPS:
        return []
    schedule = double_schedule(make_schedule(device))
    if first_misfit(law, chain.steps, schedule) is None:
        return []
    return fitting_keys(laws, chain.steps, schedule)


def diagnose(grading, chain: Chain, reused: bool, law: StepLaw, laws, device: torch.device) -> None:
    for key in pattern_keys(chain, reused) + law_keys(chain, law, laws, device):
        grading.diagnose(key)


@single_threaded()
def grade(calls, device, grading):
    gradable = True
    for name, (n_samples, channels, size) in CASES.items():
        run, shape = calls[name], (n_samples, channels, size, size)
        returned = run["result"]["value"] if run["result"]["ok"] else {}
        chain = ddpm_chain(run["model_calls"], returned, shape, device)
        if name == "main":
            reused = check_chain(grading, chain, run["result"], shape, device, CORRECT)
            gradable &= reused is not None and bool(chain.steps)
            if reused is not None:
                diagnose(grading, chain, reused, CORRECT, LAWS, device)
        else:
            gradable &= run["result"]["ok"]
            check_second_case(grading, name, chain, run["result"], shape, device, CORRECT)
    grading.catalog_check(gradable)
