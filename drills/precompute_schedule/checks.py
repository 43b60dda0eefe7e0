"""Grading precompute_schedule: every key present with the layout of the betas, then every
coefficient's values. Diagnosis compares the whole returned dict with each catalogued variant."""

from __future__ import annotations

from collections.abc import Callable

import torch

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import Verdict, failed, passed
from reference import cosine_beta_schedule, linear_beta_schedule, precompute_schedule

KEYS = ("betas", "alphas", "alpha_bar", "sqrt_alpha_bar", "sqrt_one_minus_alpha_bar", "sqrt_alpha")
CASE_LABELS = {
    "random": "12 random betas",
    "course": "the course's linear betas (T=150)",
    "cosine": "the cosine betas for T=1000",
}


def make_betas(name: str, device: torch.device) -> torch.Tensor:
    if name == "random":
        generator = torch.Generator().manual_seed(31)
        betas = 1e-3 + 0.3 * torch.rand(12, generator=generator)
    else:
        betas = linear_beta_schedule(150) if name == "course" else cosine_beta_schedule(1000)
    return betas.to(device)


def probe(module, device, attempt):
    precompute = entry(module, "precompute_schedule")
    return {name: attempt(precompute, make_betas(name, device)) for name in CASE_LABELS}


def _cumprod(values):
    return torch.cumprod(values, dim=0)


def _variant(
    alpha_bar: Callable = lambda betas, alphas: _cumprod(alphas),
    sqrt_one_minus: Callable = lambda ab: torch.sqrt(1 - ab),
    sqrt_alpha: Callable = lambda alphas, ab: torch.sqrt(alphas),
) -> Callable[[torch.Tensor], dict]:
    """The coefficient dict with one ingredient replaced, every later entry derived from it as usual."""

    def precompute_schedule(betas):
        alphas = 1 - betas
        ab = alpha_bar(betas, alphas)
        return {
            "betas": betas,
            "alphas": alphas,
            "alpha_bar": ab,
            "sqrt_alpha_bar": torch.sqrt(ab),
            "sqrt_one_minus_alpha_bar": sqrt_one_minus(ab),
            "sqrt_alpha": sqrt_alpha(alphas, ab),
        }

    return precompute_schedule


def _exclusive_cumprod(betas, alphas):
    return torch.cat([torch.ones_like(alphas[:1]), _cumprod(alphas)[:-1]])


VARIANTS = {
    "precompute.cumsum": _variant(alpha_bar=lambda betas, alphas: torch.cumsum(alphas, dim=0)),
    "precompute.cumprod_of_betas": _variant(alpha_bar=lambda betas, alphas: _cumprod(betas)),
    "precompute.exclusive_cumprod": _variant(alpha_bar=_exclusive_cumprod),
    "precompute.sqrt_difference": _variant(sqrt_one_minus=lambda ab: 1 - torch.sqrt(ab)),
    "precompute.variance_not_std": _variant(sqrt_one_minus=lambda ab: 1 - ab),
    "precompute.sqrt_alpha_of_alpha_bar": _variant(sqrt_alpha=lambda alphas, ab: torch.sqrt(ab)),
}


def _same(got: torch.Tensor, expected: torch.Tensor) -> bool:
    """Equal within tolerance, NaNs included (a wrong ᾱ can make a square root NaN in both)."""
    got_nan, expected_nan = torch.isnan(got), torch.isnan(expected)
    return torch.equal(got_nan, expected_nan) and compare.matches(got[~got_nan], expected[~expected_nan])


def _returned_dicts(calls, grading) -> dict | None:
    """The dict returned for every case, or None after failing the check that says why not."""
    returned = {}
    for name, label in CASE_LABELS.items():
        call = calls[name]
        if not call["ok"]:
            grading.error("shape.returns_dict", "shape", f"Your function raised on {label}:\n{call['error']}")
            return None
        if call["value"].get("kind") != "dict":
            got = compare.describe(call["value"])
            verdict = failed(f"precompute_schedule should return a dict, but it returned {got}.")
            grading.check("shape.returns_dict", "shape", verdict)
            return None
        returned[name] = call["value"]["items"]
    grading.check("shape.returns_dict", "shape", passed("precompute_schedule returns a dict"))
    return returned


def _key_layout(key, returned, expected, device) -> Verdict:
    for name, label in CASE_LABELS.items():
        if key not in returned[name]:
            present = ", ".join(repr(k) for k in returned[name]) or "nothing"
            return failed(f"The dict has no key '{key}' (for {label}); it has {present}.")
        T = len(expected[name]["betas"])
        verdict = compare.layout(f"'{key}' for {label}", returned[name][key], (T,), torch.float32, device)
        if not verdict.ok:
            return verdict
    return passed(f"'{key}': shape (T,), float32, {device.type}, for every schedule")


def _key_values(key, returned, expected) -> Verdict:
    for name, label in CASE_LABELS.items():
        verdict = compare.values(f"'{key}' for {label}", returned[name][key]["data"], expected[name][key])
        if not verdict.ok:
            return verdict
    return passed(f"'{key}' matches the reference for every schedule")


def _diagnose(returned, expected, keys, grading) -> None:
    """Name each variant that reproduces every gradable entry of a dict that is wrong somewhere."""
    for name in CASE_LABELS:
        got = {key: returned[name][key]["data"] for key in keys}
        betas = expected[name]["betas"]
        if all(_same(got[key], expected[name][key]) for key in keys):
            continue
        for bug, variant in VARIANTS.items():
            produced = variant(betas)
            if all(_same(got[key], produced[key].cpu()) for key in keys):
                grading.diagnose(bug)


def grade(calls, device, grading):
    returned = _returned_dicts(calls, grading)
    expected = {
        name: {key: value.cpu() for key, value in precompute_schedule(make_betas(name, device)).items()}
        for name in CASE_LABELS
    }
    gradable_keys = []
    for key in KEYS:
        if returned is None:
            grading.skip(f"shape.{key}", "shape", "Not checked: the function must first return a dict.")
        elif grading.check(f"shape.{key}", "shape", _key_layout(key, returned, expected, device)):
            gradable_keys.append(key)
    for key in KEYS:
        if key in gradable_keys:
            grading.check(f"formula.{key}", "formula", _key_values(key, returned, expected))
        else:
            grading.skip(f"formula.{key}", "formula", f"Not checked: fix the shape of '{key}' first.")
    if gradable_keys:
        _diagnose(returned, expected, gradable_keys, grading)
    grading.catalog_check(returned is not None and len(gradable_keys) == len(KEYS))
