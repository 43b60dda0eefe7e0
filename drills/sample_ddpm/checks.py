"""Grading sample_ddpm by its behaviour: the learner's sampler runs against a recording mock model,
and the grader replays the chain step by step (see engine/drills/toolkit/samplers.py).

Checked: the calls (one per step, t = T−1 … 0, each t a (B,) long tensor), x_T ~ N(0, I), every
step t > 0 adding N(0, β_t) noise around the reference mean, the step t = 0 returning that mean
exactly, fresh noise at each step, and no autograd graph. A failing run is diagnosed from its call
pattern, by the catalogued step law that every one of its steps follows, or else by naming the
coefficients its steps use. debug_sampler is graded by these checks.
"""

from __future__ import annotations

import torch

from drills.common.ddpm_laws import REVERSE_MEAN, sampler_schedule, sigma_sqrt_beta, step_diagnoses
from drills.common.sampler_laws import MEANS, SIGMAS
from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.plugin import DrillChecks
from engine.drills.records import Capture
from engine.drills.toolkit.samplers import (
    Chain,
    ChainChecks,
    ModelCall,
    PatternKeys,
    RecordingNoiseModel,
    Step,
    StepLaw,
    all_equal,
    describe_timestep_argument,
    double_schedule,
    first_number,
    graph_problem,
    law_combinations,
    ordinal,
    single_threaded,
    single_value,
    tensor_of,
    timestep_problem,
)

SEED = 2024
STEPS = 40
# "main": n_samples, channels and size all differ, and 3840 values per step for the noise
# statistics; "batch_is_width": a (B,) coefficient would broadcast over the width silently.
CASES = {"main": (5, 3, 16), "batch_is_width": (6, 2, 6)}
KEYS = PatternKeys("sample.skips_last_step", "sample.timestep_off_by_one", "sample.loop_forward", "sample.x_not_updated",
                   "sample.missing_no_grad", "sample.same_noise_every_step", "sample.normalised_timestep", "sample.uniform_start")


def make_schedule(device: torch.device) -> dict[str, torch.Tensor]:
    return {name: values.to(device) for name, values in sampler_schedule(STEPS).items()}


LAW = StepLaw(REVERSE_MEAN, sigma_sqrt_beta)
LAWS = law_combinations(MEANS, SIGMAS, [(None, None)])


def ddpm_chain(model_calls: list[ModelCall], returned: Capture | None, shape: tuple[int, ...], device: torch.device) -> Chain:
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
    steps: list[Step] = []
    for k, call in enumerate(model_calls[:STEPS]):
        x, captured_t = xs[k], call["t"]
        # A timestep given as a Python number is passed on as that number.
        t: object = tensor_of(captured_t, device)
        if t is None and captured_t["kind"] == "py":
            t = captured_t["value"]
        if x is None or t is None:
            break
        try:
            with torch.no_grad():
                eps = model.predict(x, t)
        except (ValueError, RuntimeError, TypeError):
            break
        x_next = xs[k + 1] if k + 1 < len(xs) else tensor_of(returned, device)
        steps.append(Step(STEPS - 1 - k, k + 1, x, eps, None, x_next))
    grad_calls = sum(1 for call in model_calls if call["grad_enabled"] and call.get("output_graph"))
    return Chain(
        steps=steps,
        first_x=model_calls[0]["x"] if model_calls else None,
        given=given,
        call_problem=call_problem or timestep_problem(given, STEPS),
        graph_problem=graph_problem(grad_calls, len(model_calls), returned),
        xs_constant=all_equal([x for x in xs if x is not None]),
        t_values=[first_number(call["t"]) for call in model_calls],
    )


class SampleDDPM(DrillChecks):
    @single_threaded()
    def probe(self, module, device, attempt):
        sample_ddpm = entry(module, "sample_ddpm")
        runs = {}
        for name, (n_samples, channels, size) in CASES.items():
            model = RecordingNoiseModel().to(device)
            torch.manual_seed(SEED)  # reproducible runs; no check depends on which draws the learner makes
            result = attempt(sample_ddpm, model, n_samples, channels, size, make_schedule(device), device)
            runs[name] = {"result": result, "model_calls": model.calls}
        return runs

    @single_threaded()
    def grade(self, record, device, grading):
        checks = ChainChecks(STEPS, double_schedule(make_schedule(device)), LAW)
        for name, (n_samples, channels, size) in CASES.items():
            run, shape = record[name], (n_samples, channels, size, size)
            returned = run["result"]["value"] if run["result"]["ok"] else None
            chain = ddpm_chain(run["model_calls"], returned, shape, device)
            if name != "main":
                checks.grade_second(grading, name, chain, run["result"], shape, device)
                continue
            reused = checks.grade_main(grading, chain, run["result"], shape, device)
            if reused is None:
                for diagnosis in checks.error_diagnoses(run["result"], "sample"):
                    grading.add_diagnosis(diagnosis)
                continue
            keys = checks.pattern_keys(chain, reused, KEYS) + checks.law_keys(chain, LAWS)
            for key in keys:
                grading.diagnose(key)
            if not keys and not grading.all_passed():
                for diagnosis in step_diagnoses(chain, checks.schedule, "sample"):
                    grading.add_diagnosis(diagnosis)


checks = SampleDDPM()
