"""Grading SinusoidalPositionEmbedding: the lesson's layout, all sines then all cosines, with
ω_i = 10000^(−i/half). Mistakes are recognised by recomputing each catalogued variant in float64."""

from __future__ import annotations

import math

import torch

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import failed, passed
from engine.drills.modules import build, matching_keys
from reference import SinusoidalPositionEmbedding

# (embed_dim, timesteps): the batch equals the width in "batch_is_width"; "unet_width" is the
# U-Net's embedding size.
CASES = {
    "lesson": (16, [0, 1, 7, 500, 999]),
    "batch_is_width": (8, [3, 10, 42, 99, 150, 600, 875, 998]),
    "unet_width": (128, [1, 250, 999]),
}

# float32 carries ~1e-4 of absolute error in sin(t·ω) for t·ω up to ~1000 rad, whatever the spelling.
VALUE_TOLERANCE = 1e-3
# Beyond this many radians a float32 argument has lost the digits a comparison would need.
MEANINGFUL_ARGUMENT = 2000.0

# (Base 100 is left out: 100^(−i/half) is exactly the "exponent over D" mistake.)
WRONG_BASES = [1000.0, 10.0, 1e5, math.exp(4.0), math.e]


def make_timesteps(name: str, device: torch.device) -> torch.Tensor:
    return torch.tensor(CASES[name][1], dtype=torch.long, device=device)


def probe(module, device, attempt):
    embedding_class = entry(module, "SinusoidalPositionEmbedding")
    calls = {}
    for name, (dim, _) in CASES.items():
        embedder, built = build(attempt, embedding_class, dim)
        calls[name] = attempt(embedder, make_timesteps(name, device)) if embedder is not None else built
    return calls


def _arrange(layout: str, sin: torch.Tensor, cos: torch.Tensor) -> torch.Tensor:
    if layout == "sin_cos":
        return torch.cat([sin, cos], dim=-1)
    if layout == "cos_sin":
        return torch.cat([cos, sin], dim=-1)
    if layout == "interleaved":
        return torch.stack([sin, cos], dim=-1).flatten(1)
    if layout == "sin_sin":
        return torch.cat([sin, sin], dim=-1)
    return sin  # "sin": the cosines left out


def variant(base: float = 10000.0, denominator=lambda half, dim: half, inverted: bool = True, layout: str = "sin_cos"):
    """An embedding t -> (B, D) built like the lesson's, with one ingredient changed.

    Returns a function of (timesteps as float64, embed_dim) giving (embedding, argument of each entry).
    """

    def embed(timesteps: torch.Tensor, dim: int) -> tuple[torch.Tensor, torch.Tensor]:
        half = dim // 2
        exponent = torch.arange(half, dtype=torch.float64, device=timesteps.device) / denominator(half, dim)
        freqs = base ** (-exponent if inverted else exponent)
        args = timesteps.double()[:, None] * freqs[None, :]
        return _arrange(layout, args.sin(), args.cos()), _arrange(layout, args, args)

    return embed


VARIANTS = {
    "sinusoidal.interleaved": variant(layout="interleaved"),
    "sinusoidal.half_dim_minus_one": variant(denominator=lambda half, dim: half - 1),
    "sinusoidal.exponent_over_full_dim": variant(denominator=lambda half, dim: dim),
    "sinusoidal.wrong_base": variant(base=WRONG_BASES[0]),
    "sinusoidal.missing_cos": variant(layout="sin_sin"),
    "sinusoidal.cos_first": variant(layout="cos_sin"),
    "sinusoidal.frequencies_not_inverted": variant(inverted=False),
}

# Other spellings of the same mistake: the form that reproduces the learner's output stands for its key.
ALTERNATE_FORMS = {
    "sinusoidal.wrong_base": [variant(base=base) for base in WRONG_BASES],
    "sinusoidal.missing_cos": [variant(layout="sin_sin"), variant(layout="sin")],
}


def _comparable(observed: torch.Tensor, prediction: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor | None:
    """The variant's values, with entries whose argument is too large for float32 replaced by the learner's."""
    values, args = prediction
    if values.shape != observed.shape:
        return values
    observed = observed.to(values.device, values.dtype)
    return torch.where(args.abs() > MEANINGFUL_ARGUMENT, observed, values)


def _predictions(timesteps: torch.Tensor, dim: int, observed) -> dict:
    predictions = {}
    for key, embed in VARIANTS.items():
        forms = [embed, *ALTERNATE_FORMS.get(key, [])]
        candidates = [embed_form(timesteps, dim) for embed_form in forms]
        if observed is not None:
            candidates = [_comparable(observed, candidate) for candidate in candidates]
            same = [c for c in candidates if c.shape == observed.shape and compare.matches(observed, c, atol=VALUE_TOLERANCE)]
            predictions[key] = (same or candidates)[0]
        else:
            predictions[key] = candidates[0][0]
    return predictions


def _same_features(observed: torch.Tensor, expected: torch.Tensor) -> bool:
    """Whether each row holds the reference's numbers, in whatever order."""
    if observed.shape != expected.shape:
        return False
    return compare.matches(observed.sort(dim=-1).values, expected.cpu().sort(dim=-1).values, atol=VALUE_TOLERANCE, rtol=0.0)


def _features_verdict(observed: torch.Tensor, expected: torch.Tensor):
    if _same_features(observed, expected):
        return passed("Each row holds the right sines and cosines")
    return failed("The sines and cosines themselves differ from the reference, not only their order.")


def grade(calls, device, grading):
    gradable = True
    cases = []
    for name, (dim, steps) in CASES.items():
        timesteps = make_timesteps(name, device)
        expected = SinusoidalPositionEmbedding(dim)(timesteps)
        call = calls[name]
        observed = call["value"]["data"] if call["ok"] and call["value"].get("kind") == "tensor" else None
        cases.append((observed, _predictions(timesteps, dim, observed)))
        label = f"The embedding of {len(steps)} timesteps with embed_dim={dim}"
        if not call["ok"]:
            grading.error(f"shape.{name}", "shape", f"Your module raised for embed_dim={dim}:\n{call['error']}")
        layout_ok = call["ok"] and grading.check(
            f"shape.{name}", "shape", compare.layout(label, call["value"], expected.shape, torch.float32, device)
        )
        gradable &= layout_ok
        if layout_ok:
            verdict = compare.values(label, observed, expected, atol=VALUE_TOLERANCE, rtol=0.0)
            grading.check(f"formula.{name}", "formula", verdict, points=2.0)
        else:
            grading.skip(f"formula.{name}", "formula", "Not checked: fix the error or shape first.", points=2.0)
        if name == "lesson":
            if layout_ok:
                grading.check("formula.features", "formula", _features_verdict(observed, expected))
            else:
                grading.skip("formula.features", "formula", "Not checked: fix the error or shape first.")
    for key in matching_keys(cases, atol=VALUE_TOLERANCE):
        grading.diagnose(key)
    grading.catalog_check(gradable)
