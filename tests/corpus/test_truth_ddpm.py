"""Ground truth for the DDPM / CFG learner corpus, decided against ``reference/`` alone.

Every file in ``tests/corpus/<drill>/`` is labelled in that folder's ``manifest.json``: "pass" files
must behave like the reference, "fail" files must not. These tests check the labels themselves, so
that the grader is measured against a corpus whose verdicts are known to be right. Nothing here
looks at the grader.

How each drill is judged:
- schedules, ``reverse_mean`` and ``first_step_below``/``compare_schedules``: values (and dtype,
  shape) on fixed inputs, against the reference within float32 tolerances.
- ``forward_diffusion``: the returned x_t must be exactly √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε for the returned ε,
  and ε must look standard normal, fresh on each call and independent across the batch.
- ``train_step``: a recording model gives the x_t and t the learner used; the noise implied by x_t
  must look standard normal, t uniform per image, the returned loss must be the MSE against that
  noise, and the parameters must have moved by exactly one SGD step on that loss (three calls in a
  row, so stale gradients show).
- ``drop_condition``: the law of the dropped labels (rate, independence, null index, dtype, no
  mutation of the input).
- ``sample_ddpm`` / ``sample_cfg``: a deterministic stand-in model records the chain x_T, …, x_0.
  For every step t > 0 the residual (x_{t−1} − μ_ref(x_t)) / √β_t must be fresh N(0, I) noise:
  mean 0, standard deviation 1, uncorrelated with x_t and with the model's predictions, with the
  previous step's residual and across the batch. The step t = 0 must return μ_ref exactly. Two
  schedules are used, one of them with very unequal neighbouring betas, so that a coefficient read
  at the wrong step cannot hide inside the noise.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import torch
from torch import nn

import reference

CORPUS = Path(__file__).parent
DRILLS = (
    "linear_beta_schedule",
    "cosine_beta_schedule",
    "precompute_schedule",
    "schedule_threshold",
    "forward_diffusion",
    "reverse_mean",
    "sample_ddpm",
    "ddpm_loss",
    "cfg_dropout",
    "sample_cfg",
)
KINDS = {
    "coefficient",
    "sign",
    "timestep_index",
    "broadcasting",
    "shape",
    "dimension",
    "ignores_input",
    "randomness",
    "wrong_operation",
    "normalisation",
    "loop",
    "gradient",
    "dtype_device",
    "other",
}
SCHEDULE_KEYS = {"betas", "alphas", "alpha_bar", "sqrt_alpha_bar", "sqrt_one_minus_alpha_bar", "sqrt_alpha"}


class Mismatch(Exception):
    """The learner's file does not behave like the reference (or it raised while running)."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Mismatch(message)


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run learner code; any exception it raises counts as a behavioural difference."""
    try:
        return fn(*args, **kwargs)
    except Exception as error:  # the learner's code may raise anything
        raise Mismatch(f"raised {type(error).__name__}: {error}") from error


def entry(module: ModuleType, name: str) -> Callable[..., Any]:
    fn = getattr(module, name, None)
    expect(callable(fn), f"no function {name}")
    return fn  # type: ignore[return-value]


def expect_close(actual: Any, wanted: torch.Tensor, what: str, atol: float, rtol: float) -> None:
    expect(isinstance(actual, torch.Tensor), f"{what} is not a tensor")
    expect(actual.shape == wanted.shape, f"{what} has shape {tuple(actual.shape)}, not {tuple(wanted.shape)}")
    expect(actual.dtype == wanted.dtype, f"{what} is {actual.dtype}, not {wanted.dtype}")
    expect(torch.allclose(actual, wanted, atol=atol, rtol=rtol), f"{what} differs from the reference")


def corr(a: torch.Tensor, b: torch.Tensor) -> float:
    a = a.flatten().double() - a.double().mean()
    b = b.flatten().double() - b.double().mean()
    return float((a @ b) / (a.norm() * b.norm() + 1e-12))


def expect_standard_normal(sample: torch.Tensor, what: str, tol_mean: float, tol_std: float) -> None:
    mean, std = float(sample.double().mean()), float(sample.double().std())
    expect(abs(mean) < tol_mean, f"{what} has mean {mean:.3f}, not 0")
    expect(abs(std - 1) < tol_std, f"{what} has standard deviation {std:.3f}, not 1")


# ----------------------------------------------------------------------------- schedules


def judge_linear_beta_schedule(module: ModuleType) -> None:
    fn = entry(module, "linear_beta_schedule")
    expect_close(call(fn, 1000), reference.linear_beta_schedule(1000), "T=1000 defaults", 1e-7, 1e-5)
    for T, start, end in [(150, 1e-4, 0.02), (10, 1e-3, 0.05), (2, 0.1, 0.2), (57, 5e-4, 0.03)]:
        wanted = reference.linear_beta_schedule(T, start, end)
        expect_close(call(fn, T, beta_start=start, beta_end=end), wanted, f"T={T} [{start}, {end}]", 1e-7, 1e-5)


def judge_cosine_beta_schedule(module: ModuleType) -> None:
    fn = entry(module, "cosine_beta_schedule")
    for T in (1000, 50, 10):
        expect_close(call(fn, T), reference.cosine_beta_schedule(T), f"T={T}", 5e-6, 2e-4)
    for T, s in [(200, 0.02), (30, 0.0)]:
        expect_close(call(fn, T, s=s), reference.cosine_beta_schedule(T, s), f"T={T} s={s}", 5e-6, 2e-4)


def judge_precompute_schedule(module: ModuleType) -> None:
    fn = entry(module, "precompute_schedule")
    uneven = torch.tensor([0.05, 0.4, 0.1, 0.3, 0.02, 0.25, 0.15])
    for name, betas in [
        ("linear", reference.linear_beta_schedule(1000)),
        ("cosine", reference.cosine_beta_schedule(100)),
        ("uneven", uneven),
    ]:
        given = betas.clone()
        got = call(fn, given)
        wanted = reference.precompute_schedule(betas)
        expect(isinstance(got, dict), "the result is not a dict")
        expect(set(got) == SCHEDULE_KEYS, f"keys {sorted(got)} instead of {sorted(SCHEDULE_KEYS)}")
        for key in sorted(SCHEDULE_KEYS):
            expect_close(got[key], wanted[key], f"{name} '{key}'", 1e-5, 1e-3)


def judge_schedule_threshold(module: ModuleType) -> None:
    first = entry(module, "first_step_below")
    compare = entry(module, "compare_schedules")
    halving = torch.tensor([1.0, 0.5, 0.25, 0.125])
    linear = torch.cumprod(1 - reference.linear_beta_schedule(1000), 0)
    cosine = torch.cumprod(1 - reference.cosine_beta_schedule(1000), 0)
    for alpha_bar, threshold in [(halving, 0.5), (halving, 0.01), (halving, 2.0), (halving, 0.2), (linear, 0.01), (cosine, 0.3)]:
        got = call(first, alpha_bar.clone(), threshold)
        wanted = reference.first_step_below(alpha_bar, threshold)
        expect(type(got) is int, f"first_step_below returned {type(got).__name__}, not int")
        expect(got == wanted, f"first_step_below(..., {threshold}) = {got}, not {wanted}")
    for T, threshold in [(1000, 0.01), (200, 0.05), (50, 0.3), (500, 1e-4)]:
        steps = {
            "linear": reference.first_step_below(torch.cumprod(1 - reference.linear_beta_schedule(T), 0), threshold),
            "cosine": reference.first_step_below(torch.cumprod(1 - reference.cosine_beta_schedule(T), 0), threshold),
        }
        answer = call(compare, T, threshold)
        expect(answer == steps, f"compare_schedules({T}, {threshold}) = {answer}, not {steps}")
        expect(all(type(v) is int for v in answer.values()), "compare_schedules values are not ints")
    expect(call(compare) == {"linear": 673, "cosine": 935}, "compare_schedules() with its defaults is not {673, 935}")


# ----------------------------------------------------------------------------- forward and reverse


def judge_forward_diffusion(module: ModuleType) -> None:
    fn = entry(module, "forward_diffusion")
    torch.manual_seed(11)
    schedule = reference.precompute_schedule(reference.linear_beta_schedule(1000))
    x_0 = torch.rand(8, 3, 16, 16) * 2 - 1
    t = torch.tensor([0, 1, 999, 500, 250, 10, 998, 50])
    noises = []
    for _ in range(2):
        out = call(fn, x_0.clone(), t.clone(), schedule)
        expect(isinstance(out, (tuple, list)) and len(out) == 2, "it does not return (x_t, noise)")
        x_t, noise = out
        expect(isinstance(noise, torch.Tensor) and noise.shape == x_0.shape, "the noise does not have x_0's shape")
        expect(noise.dtype == x_0.dtype, f"the noise is {noise.dtype}")
        wanted = reference.q_sample(x_0, t, schedule, noise)
        expect_close(x_t, wanted, "x_t for the returned noise", 1e-5, 1e-5)
        expect_standard_normal(noise, "the noise", 0.1, 0.05)
        expect(float(noise.std(dim=0).mean()) > 0.8, "the samples of the batch share their noise")
        noises.append(noise)
    expect(not torch.allclose(noises[0], noises[1]), "two calls return the same noise")


def judge_reverse_mean(module: ModuleType) -> None:
    fn = entry(module, "reverse_mean")
    torch.manual_seed(12)
    cases = [
        (reference.linear_beta_schedule(1000), torch.tensor([0, 1, 2, 999, 500, 37, 998, 250])),
        (reference.cosine_beta_schedule(50), torch.tensor([0, 49, 1, 25, 48, 3, 10, 30])),
        (torch.tensor([0.05, 0.4, 0.1, 0.3, 0.02, 0.25, 0.15, 0.35]), torch.tensor([0, 1, 2, 3, 4, 5, 6, 7])),
    ]
    for betas, t in cases:
        schedule = reference.precompute_schedule(betas)
        x_t = torch.randn(8, 3, 8, 8)
        eps = torch.randn(8, 3, 8, 8)
        got = call(fn, x_t.clone(), t.clone(), eps.clone(), schedule)
        expect_close(got, reference.reverse_mean(x_t, t, eps, schedule), f"the mean for T={len(betas)}", 1e-3, 1e-3)


# ----------------------------------------------------------------------------- training


class RecordingNet(nn.Module):
    """ε_θ(x, t) = scale_c · x + table[t]_c: a tiny trainable model that records what it is given."""

    def __init__(self, T: int, channels: int) -> None:
        super().__init__()
        self.T = T
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, channels))
        self.table = nn.Parameter(torch.randn(T, channels) * 0.3)
        self.calls: list[tuple[torch.Tensor, torch.Tensor]] = []

    @staticmethod
    def compute(scale: torch.Tensor, table: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return x * scale.view(1, -1, 1, 1) + table[t][:, :, None, None]

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        check_timesteps(t, x.shape[0], self.T)
        self.calls.append((x.detach().clone(), t.detach().clone()))
        return self.compute(self.scale, self.table, x, t)


def check_timesteps(t: Any, batch: int, T: int) -> None:
    if not isinstance(t, torch.Tensor) or t.is_floating_point() or t.dtype == torch.bool:
        raise ValueError(f"t must be an integer tensor, got {getattr(t, 'dtype', type(t))}")
    if t.shape != (batch,):
        raise ValueError(f"t has shape {tuple(t.shape)} for a batch of {batch}")
    if int(t.min()) < 0 or int(t.max()) >= T:
        raise ValueError("t out of range")


def judge_ddpm_loss(module: ModuleType) -> None:
    fn = entry(module, "train_step")
    torch.manual_seed(13)
    T, lr = 10, 0.1
    schedule = reference.precompute_schedule(torch.linspace(0.05, 0.5, T))
    model = RecordingNet(T, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    x_0 = torch.rand(64, 3, 8, 8) * 2 - 1
    all_t, all_noise = [], []
    for step in range(3):
        before = {name: p.detach().clone() for name, p in model.named_parameters()}
        n_calls = len(model.calls)
        result = call(fn, model, optimizer, x_0.clone(), schedule)
        expect(len(model.calls) == n_calls + 1, "the model was not called exactly once")
        x_t, t = model.calls[-1]
        expect(x_t.shape == x_0.shape, "the model input does not have x_0's shape")
        shape = (-1, 1, 1, 1)
        noise = (x_t - schedule["sqrt_alpha_bar"][t].view(shape) * x_0) / schedule["sqrt_one_minus_alpha_bar"][t].view(shape)
        leaves = {name: value.clone().requires_grad_(True) for name, value in before.items()}
        loss = ((RecordingNet.compute(leaves["scale"], leaves["table"], x_t, t) - noise) ** 2).mean()
        grads = dict(zip(leaves, torch.autograd.grad(loss, list(leaves.values()))))
        expect(isinstance(result, float), f"call {step}: the loss is returned as {type(result).__name__}, not float")
        expect(math.isclose(result, loss.item(), rel_tol=1e-4, abs_tol=1e-6), f"call {step}: loss {result} is not the MSE to the noise")
        for name, p in model.named_parameters():
            wanted = before[name] - lr * grads[name]
            expect(torch.allclose(p.detach(), wanted, atol=1e-6, rtol=1e-5), f"call {step}: '{name}' did not take one SGD step")
        expect(len(set(t.tolist())) > 1, f"call {step}: one timestep for the whole batch")
        all_t.append(t)
        all_noise.append(noise)
    t_all = torch.cat(all_t)
    expect(int(t_all.min()) == 0 and int(t_all.max()) == T - 1, f"timesteps span {int(t_all.min())}..{int(t_all.max())}, not 0..{T - 1}")
    noise_all = torch.cat(all_noise)
    expect_standard_normal(noise_all, "the noise in x_t", 0.05, 0.05)
    expect(float(noise_all.std(dim=0).mean()) > 0.8, "the images of the batch share their noise")


def judge_cfg_dropout(module: ModuleType) -> None:
    fn = entry(module, "drop_condition")
    torch.manual_seed(14)
    classes = 7
    small = torch.randint(0, classes, (16,))
    out = call(fn, small.clone(), 0.5, classes)
    expect(isinstance(out, torch.Tensor) and out.shape == small.shape, "the result does not have the labels' shape")
    expect(out.dtype == torch.long, f"the result is {out.dtype}, not long")
    for p, tol in [(0.1, 0.015), (0.5, 0.02), (0.0, 0.0), (1.0, 0.0)]:
        labels = torch.randint(0, classes, (20000,))
        given = labels.clone()
        out = call(fn, given, p, classes)
        expect(torch.equal(given, labels), "the input labels were modified")
        expect(isinstance(out, torch.Tensor) and out.shape == labels.shape and out.dtype == torch.long, "wrong shape or dtype")
        dropped = out == classes
        expect(bool(((out == labels) | dropped).all()), "labels changed to something other than the null class num_classes")
        rate = float(dropped.float().mean())
        expect(abs(rate - p) <= tol, f"p={p}: {rate:.3f} of the labels dropped")
        if 0 < p < 1:
            for c in range(classes):
                class_rate = float(dropped[labels == c].float().mean())
                expect(abs(class_rate - p) < 0.03, f"class {c} dropped at {class_rate:.3f}, not {p}")
    counts = torch.tensor([float((call(fn, small.clone()[:10], 0.5, classes) == classes).sum()) for _ in range(400)])
    expect(1.5 < float(counts.var()) < 3.5, f"drops per batch of 10 vary with variance {float(counts.var()):.2f}, not about 2.5")


# ----------------------------------------------------------------------------- samplers

UNEVEN_BETAS = torch.tensor([0.05, 0.4, 0.1, 0.3, 0.02, 0.25, 0.15, 0.35])
# (betas, guidance scale): neighbouring betas far apart, then a plain linear schedule.
SAMPLER_RUNS = [(UNEVEN_BETAS, 3.0), (reference.linear_beta_schedule(20, 1e-3, 0.2), 0.5)]
IMAGE = (3, 8, 8)
BATCH = 8
CFG_LABELS = torch.tensor([0, 3, 1, 2, 3, 0, 2, 1])
CFG_CLASSES = 4


@dataclass
class Recorded:
    x: torch.Tensor
    t: torch.Tensor
    labels: torch.Tensor | None
    grad_enabled: bool


class StandInModel(nn.Module):
    """A deterministic ε-predictor, ε(x, t[, y]) = w·roll(x) + 0.3·cos(x) + P_t [+ Q_y], that records its calls.

    It mixes x with itself in a way that is not a multiple of x, so that a wrong coefficient on x_t and
    a wrong coefficient on ε̂ show as different residual correlations. ``w`` is a parameter that requires
    grad, so a sampler that forgets no_grad produces a result that requires grad.
    """

    def __init__(self, T: int, num_classes: int | None = None) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(99)
        self.T = T
        self.num_classes = num_classes
        self.w = nn.Parameter(torch.tensor(0.6))
        self.time_pattern = torch.randn(T, *IMAGE, generator=gen) * 0.5
        self.class_pattern = torch.randn((num_classes or 0) + 1, *IMAGE, generator=gen)
        self.calls: list[Recorded] = []

    def _eps(self, w: torch.Tensor, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        out = w * torch.roll(x, 1, dims=-1) + 0.3 * torch.cos(x) + self.time_pattern[t]
        return out if labels is None else out + self.class_pattern[labels]

    def forward(self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or x.dim() != 4 or tuple(x.shape[1:]) != IMAGE or x.dtype != torch.float32:
            raise ValueError("x must be a float32 batch of images")
        check_timesteps(t, x.shape[0], self.T)
        if self.num_classes is not None:
            if not isinstance(labels, torch.Tensor) or labels.is_floating_point() or labels.shape != (x.shape[0],):
                raise ValueError("labels must be an integer tensor with one label per image")
            if int(labels.min()) < 0 or int(labels.max()) > self.num_classes:
                raise ValueError("label out of range")
        kept = None if labels is None else labels.detach().clone()
        self.calls.append(Recorded(x.detach().clone(), t.detach().clone(), kept, torch.is_grad_enabled()))
        return self._eps(self.w, x, t, labels)

    def predictions(self, x: torch.Tensor, t: int, labels: torch.Tensor | None = None) -> list[torch.Tensor]:
        """What a step's residual must not correlate with: x_t and every prediction the sampler needs."""
        steps = torch.full((x.shape[0],), t)
        w = self.w.detach()
        if labels is None:
            return [x, self._eps(w, x, steps, None)]
        assert self.num_classes is not None, "labels need a conditional model"
        null = torch.full_like(labels, self.num_classes)
        return [x, self._eps(w, x, steps, labels), self._eps(w, x, steps, null)]

    def reference_eps(self, x: torch.Tensor, t: int, labels: torch.Tensor | None = None, scale: float = 1.0) -> torch.Tensor:
        """The ε̂ the reference sampler steps with: the plain prediction, or the guided one given labels."""
        predicted = self.predictions(x, t, labels)
        return predicted[1] if labels is None else reference.guided_noise(predicted[1], predicted[2], scale)


def group_steps(calls: list[Recorded], T: int) -> list[list[Recorded]]:
    """Consecutive calls that share one timestep form one reverse step; they must run T−1, …, 0."""
    groups: list[list[Recorded]] = []
    for rec in calls:
        steps = set(rec.t.tolist())
        expect(len(steps) == 1, "one model call mixes timesteps")
        if groups and int(groups[-1][0].t[0]) == steps.pop():
            groups[-1].append(rec)
        else:
            groups.append([rec])
    order = [int(group[0].t[0]) for group in groups]
    expect(order == list(range(T - 1, -1, -1)), f"timesteps run {order[:4]}…{order[-2:]}, not T−1, …, 0")
    return groups


def check_chain(
    states: list[torch.Tensor],
    result: Any,
    schedule: dict[str, torch.Tensor],
    predictions: Callable[[torch.Tensor, int], list[torch.Tensor]],
    step_eps: Callable[[torch.Tensor, int], torch.Tensor],
) -> None:
    """states[k] is x_t at t = T−1−k as the model saw it; result is what the sampler returned.

    ``step_eps`` gives the ε̂ the reference would step with at x_t, ``predictions`` the tensors the
    residual must not correlate with (x_t and the model's predictions).
    """
    T = len(states)
    expect(isinstance(result, torch.Tensor) and result.shape == states[0].shape, "the result does not have the requested shape")
    expect(result.dtype == torch.float32, f"the result is {result.dtype}")
    expect(not result.requires_grad, "the result requires grad: the chain ran with gradients enabled")
    expect_standard_normal(states[0], "x_T", 0.15, 0.1)
    previous = None
    for k, x_t in enumerate(states):
        t = T - 1 - k
        following = states[k + 1] if k + 1 < T else result
        t_batch = torch.full((x_t.shape[0],), t, dtype=torch.long)
        mean = reference.reverse_mean(x_t, t_batch, step_eps(x_t, t), schedule)
        if t == 0:
            expect(torch.allclose(following, mean, atol=1e-4, rtol=1e-4), "the last step does not return the mean μ(x_0)")
            break
        residual = (following - mean) / torch.sqrt(schedule["betas"][t])
        expect_standard_normal(residual, f"the step noise at t={t} (in units of √β_t)", 0.15, 0.15)
        if previous is not None:
            r = corr(residual, previous)
            expect(abs(r) < 0.15, f"at t={t} the noise repeats the previous step's ({r:.2f})")
        expect(float(residual.std(dim=0).mean()) > 0.6, f"at t={t} the images of the batch share their noise")
        for feature in predictions(x_t, t):
            r = corr(residual, feature)
            expect(abs(r) < 0.15, f"at t={t} the step's residual correlates with x_t or the predictions ({r:.2f})")
        previous = residual


def judge_sample_ddpm(module: ModuleType) -> None:
    fn = entry(module, "sample_ddpm")
    for seed, (betas, _) in enumerate(SAMPLER_RUNS, start=15):
        schedule = reference.precompute_schedule(betas)
        model = StandInModel(len(betas))
        torch.manual_seed(seed)
        result = call(fn, model, BATCH, IMAGE[0], IMAGE[1], schedule, "cpu")
        expect(all(not rec.grad_enabled for rec in model.calls), "the model ran with gradients enabled")
        groups = group_steps(model.calls, len(betas))
        expect(all(len(group) == 1 for group in groups), "the model is called more than once per step")
        check_chain([group[0].x for group in groups], result, schedule, model.predictions, model.reference_eps)


def judge_sample_cfg(module: ModuleType) -> None:
    fn = entry(module, "sample_cfg")
    for seed, (betas, scale) in enumerate(SAMPLER_RUNS, start=17):
        schedule = reference.precompute_schedule(betas)
        model = StandInModel(len(betas), CFG_CLASSES)
        torch.manual_seed(seed)
        result = call(fn, model, (BATCH, *IMAGE), schedule, CFG_LABELS.clone(), scale, CFG_CLASSES, "cpu")
        expect(all(not rec.grad_enabled for rec in model.calls), "the model ran with gradients enabled")
        # Every correct arrangement (one doubled batch, either half first, or two calls) starts with x_t.
        states = [group[0].x[:BATCH] for group in group_steps(model.calls, len(betas))]
        predictions = partial(model.predictions, labels=CFG_LABELS)
        check_chain(states, result, schedule, predictions, partial(model.reference_eps, labels=CFG_LABELS, scale=scale))


JUDGES: dict[str, Callable[[ModuleType], None]] = {
    "linear_beta_schedule": judge_linear_beta_schedule,
    "cosine_beta_schedule": judge_cosine_beta_schedule,
    "precompute_schedule": judge_precompute_schedule,
    "schedule_threshold": judge_schedule_threshold,
    "forward_diffusion": judge_forward_diffusion,
    "reverse_mean": judge_reverse_mean,
    "sample_ddpm": judge_sample_ddpm,
    "ddpm_loss": judge_ddpm_loss,
    "cfg_dropout": judge_cfg_dropout,
    "sample_cfg": judge_sample_cfg,
}

# ----------------------------------------------------------------------------- the tests


def manifest(drill: str) -> dict[str, Any]:
    return json.loads((CORPUS / drill / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"corpus_{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = [(drill, name, entry["expect"]) for drill in DRILLS for name, entry in sorted(manifest(drill)["files"].items())]


@pytest.mark.parametrize("drill", DRILLS)
def test_manifest_lists_every_file_with_a_complete_label(drill: str) -> None:
    data = manifest(drill)
    assert data["drill"] == drill
    on_disk = {path.name for path in (CORPUS / drill).glob("*.py")}
    assert set(data["files"]) == on_disk
    passing = [e for e in data["files"].values() if e["expect"] == "pass"]
    failing = [e for e in data["files"].values() if e["expect"] == "fail"]
    assert 4 <= len(passing) <= 6
    assert 8 <= len(failing) <= 12
    assert all(set(e) == {"expect", "style"} and e["style"].strip() for e in passing)
    assert all(set(e) == {"expect", "mistake", "kind"} and e["mistake"].strip() and e["kind"] in KINDS for e in failing)


@pytest.mark.parametrize(("drill", "name", "verdict"), CASES, ids=[f"{d}/{n}" for d, n, _ in CASES])
def test_file_behaves_as_labelled(drill: str, name: str, verdict: str) -> None:
    module = call(load, CORPUS / drill / name)
    if verdict == "pass":
        JUDGES[drill](module)
    else:
        with pytest.raises(Mismatch):
            JUDGES[drill](module)
