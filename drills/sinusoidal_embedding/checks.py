"""Grading SinusoidalPositionEmbedding: the lesson's layout, all sines then all cosines, with
ω_i = 10000^(−i/half). Mistakes are recognised by recomputing each catalogued variant in float64."""

from __future__ import annotations

import math

import torch

from engine.drills import compare
from engine.drills.grading import failed, passed
from engine.drills.toolkit.functions import tensors
from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from engine.drills.toolkit.variants import Output
from reference import SinusoidalPositionEmbedding

# float32 carries ~1e-4 of absolute error in sin(t·ω) for t·ω up to ~1000 rad, whatever the spelling.
VALUE_TOLERANCE = 1e-3
# Beyond this many radians a float32 argument has lost the digits a comparison would need.
MEANINGFUL_ARGUMENT = 2000.0

# (Base 100 is left out: 100^(−i/half) is exactly the "exponent over D" mistake.)
WRONG_BASES = [1000.0, 10.0, 1e5, math.exp(4.0), math.e]


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


def variant(base: float = 10000.0, denominator=lambda half, dim: half, inverted: bool = True, layout: str = "sin_cos",
            first_index: int = 0, t_scale: float = 1.0):
    """An embedding t -> (B, D) built like the lesson's, with one ingredient changed.

    Returns a function of (the reference module, timesteps) giving (embedding, argument of each entry).
    """

    def embed(module, timesteps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        dim = module.embed_dim
        half = dim // 2
        index = torch.arange(first_index, first_index + half, dtype=torch.float64, device=timesteps.device)
        exponent = index / denominator(half, dim)
        freqs = base ** (-exponent if inverted else exponent)
        args = (timesteps.double() * t_scale)[:, None] * freqs[None, :]
        return _arrange(layout, args.sin(), args.cos()), _arrange(layout, args, args)

    return embed


# A key with several forms (every wrong base, both ways to drop the cosines) is one mistake.
VARIANTS = (
    ("sinusoidal.interleaved", variant(layout="interleaved")),
    ("sinusoidal.half_dim_minus_one", variant(denominator=lambda half, dim: half - 1)),
    ("sinusoidal.exponent_over_full_dim", variant(denominator=lambda half, dim: dim)),
    *(("sinusoidal.wrong_base", variant(base=base)) for base in WRONG_BASES),
    ("sinusoidal.missing_cos", variant(layout="sin_sin")),
    ("sinusoidal.missing_cos", variant(layout="sin")),
    ("sinusoidal.cos_first", variant(layout="cos_sin")),
    ("sinusoidal.frequencies_not_inverted", variant(inverted=False)),
    ("sinusoidal.index_from_one", variant(first_index=1)),
    ("sinusoidal.scaled_timesteps", variant(t_scale=1 / 1000)),
)


def _comparable(observed: torch.Tensor, prediction: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """The variant's values, with entries whose argument is too large for float32 replaced by the learner's."""
    values, args = prediction
    if values.shape != observed.shape:
        return values
    return torch.where(args.abs() > MEANINGFUL_ARGUMENT, observed.to(values.device, values.dtype), values)


def _variant_values(observed: Output, form: Output) -> Output:
    """A variant's values to compare with the learner's output (this drill's variants return (values, arguments))."""
    assert isinstance(form, tuple)
    return _comparable(observed, form) if isinstance(observed, torch.Tensor) else form[0]


def _same_features(observed: torch.Tensor, expected: torch.Tensor) -> bool:
    """Whether each row holds the reference's numbers, in whatever order."""
    if observed.shape != expected.shape:
        return False
    return compare.matches(observed.sort(dim=-1).values, expected.cpu().sort(dim=-1).values, atol=VALUE_TOLERANCE, rtol=0.0)


def _case(name: str, dim: int, steps: list[int]) -> ModuleCase:
    return ModuleCase(
        name, f"{len(steps)} timesteps with embed_dim={dim}", (dim,),
        lambda device: (torch.tensor(steps, dtype=torch.long, device=device),),
    )


class SinusoidalEmbedding(ModuleDrill):
    entry = "SinusoidalPositionEmbedding"
    input_names = ("timesteps",)
    weight_seed = 0
    loads_weights = False
    output_name = "The embedding"
    atol = VALUE_TOLERANCE
    # The batch equals the width in "batch_is_width"; "unet_width" is the U-Net's embedding size.
    cases = (
        _case("lesson", 16, [0, 1, 7, 500, 999]),
        _case("batch_is_width", 8, [3, 10, 42, 99, 150, 600, 875, 998]),
        _case("unet_width", 128, [1, 250, 999]),
    )
    variants = VARIANTS

    def reference_module(self, case):
        return SinusoidalPositionEmbedding(*case.args)

    def values(self, case, observed, expected):
        return compare.values(f"The embedding of {case.label}", observed, expected, atol=VALUE_TOLERANCE, rtol=0.0)

    def outputs_for_diagnosis(self, call, variant_module, inputs, device):
        observed, predicted = super().outputs_for_diagnosis(call, variant_module, inputs, device)
        return observed, {key: [_variant_values(observed, form) for form in forms if form is not None] for key, forms in predicted.items()}

    def more_checks(self, record, device, grading):
        lesson = self.cases[0]
        call = record[lesson.name].get("output", {"ok": False})
        observed = tensors(call["value"], device) if call["ok"] else None
        expected = SinusoidalPositionEmbedding(*lesson.args)(*lesson.inputs(device))
        if not isinstance(observed, torch.Tensor) or observed.shape != expected.shape:
            grading.skip("formula.features", "Not checked: fix the error or shape first.")
        elif _same_features(observed, expected):
            grading.check("formula.features", passed("Each row holds the right sines and cosines"))
        else:
            grading.check("formula.features", failed("The sines and cosines themselves differ from the reference, not only their order."))


checks = SinusoidalEmbedding()
