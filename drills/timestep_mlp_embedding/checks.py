"""Grading TimestepMLPEmbedding: the learner writes __init__ and forward; the reference's weights
are loaded into their ``mlp`` (same state_dict keys as ``reference.TimestepMLPEmbedding``)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from engine.drills import compare
from engine.drills.grading import passed
from engine.drills.toolkit.modules import ModuleCase, ModuleDrill
from reference import TimestepMLPEmbedding


def _case(name, embed_dim, hidden_dim, steps):
    args = (embed_dim,) if hidden_dim is None else (embed_dim, hidden_dim)
    return ModuleCase(
        name, f"{len(steps)} timesteps with embed_dim={embed_dim}, hidden_dim={hidden_dim}", args,
        lambda device: (torch.tensor(steps, dtype=torch.long, device=device),),
    )


def _mlp(activation, final_activation=None):
    def forward(embedding, timesteps):
        h = embedding.mlp[2](activation(embedding.mlp[0](embedding.sinusoidal(timesteps))))
        return final_activation(h) if final_activation else h

    return forward


def _first_layer_shapes(call: dict[str, Any]):
    """(reference shape, learner's shape) of mlp.0.weight when they differ, else None."""
    if "alignment" not in call:
        return None
    return next(((ours, theirs) for key, ours, theirs in call["alignment"]["mismatched"] if key == "mlp.0.weight"), None)


def _hidden_not_4x(cases, calls: dict[str, Any]) -> bool:
    """Without a hidden_dim, the first Linear is as wide as the embedding instead of four times wider."""
    default = next(case for case in cases if len(case.args) == 1)
    shapes = _first_layer_shapes(calls[default.name])
    return shapes is not None and shapes[1] == [default.args[0], default.args[0]]


def _sinusoidal_too_wide(cases, calls: dict[str, Any]) -> bool:
    """The sinusoidal features are built hidden_dim wide, so the first Linear reads hidden_dim of them."""
    for case in cases:
        hidden = case.args[1] if len(case.args) == 2 else 4 * case.args[0]
        shapes = _first_layer_shapes(calls[case.name])
        if shapes is not None and shapes[1][1] == hidden != case.args[0]:
            return True
    return False


def _hidden_dim_ignored(cases, calls: dict[str, Any]) -> bool:
    """A hidden_dim was passed, and the first Linear is 4 × embed_dim wide instead."""
    for case in cases:
        shapes = _first_layer_shapes(calls[case.name])
        if len(case.args) == 2 and shapes is not None and shapes[1][0] == 4 * case.args[0] != case.args[1]:
            return True
    return False


def _raw_timesteps(calls: dict[str, Any]) -> bool:
    """The first Linear takes one input feature: the timestep itself, not its sinusoidal embedding."""
    return any((shapes := _first_layer_shapes(call)) is not None and shapes[1][1] == 1 for call in calls.values())


def _scaled_timesteps(embedding, timesteps):
    return embedding.mlp(embedding.sinusoidal(timesteps.float() / 1000))


# The course's notebooks use GELU's tanh approximation: the same design, accepted as correct.
TANH_GELU = _mlp(lambda h: F.gelu(h, approximate="tanh"))


class TimestepMLP(ModuleDrill):
    entry = "TimestepMLPEmbedding"
    input_names = ("timesteps",)
    weight_seed = 8100
    output_name = "The embedding"
    layout_hint = "self.mlp = nn.Sequential(Linear(embed_dim, hidden_dim), GELU, Linear(hidden_dim, hidden_dim))"
    # In "batch_is_width" the batch equals the output width.
    cases = (
        _case("default_hidden", 16, None, [0, 1, 7, 500, 999]),
        _case("batch_is_width", 8, 20, list(range(0, 1000, 50))),
        _case("unet_width", 32, 128, [3, 640, 998]),
    )
    variants = (
        ("timestep_mlp.relu", _mlp(F.relu)),
        ("timestep_mlp.silu", _mlp(F.silu)),
        ("timestep_mlp.no_activation", _mlp(lambda h: h)),
        ("timestep_mlp.final_activation", _mlp(F.gelu, F.gelu)),
        ("timestep_mlp.scaled_timesteps", _scaled_timesteps),
    )

    def reference_module(self, case):
        return TimestepMLPEmbedding(*case.args)

    def values(self, case, observed, expected):
        verdict = super().values(case, observed, expected)
        if verdict.ok:
            return verdict
        reference = self.reference(case).to(observed.device)
        with torch.no_grad():
            tanh_expected = TANH_GELU(reference, *case.inputs(observed.device))
        if compare.matches(observed, tanh_expected, atol=self.atol):
            return passed(
                f"The embedding of {case.label} matches the reference with GELU's tanh approximation (as in the course's notebooks)"
            )
        return verdict

    def recognised(self, record):
        calls = {case.name: record[case.name] for case in self.cases}
        keys = []
        if _sinusoidal_too_wide(self.cases, calls):
            keys.append("timestep_mlp.sinusoidal_too_wide")
        elif _hidden_not_4x(self.cases, calls):
            keys.append("timestep_mlp.hidden_not_4x")
        if _raw_timesteps(calls):
            keys.append("timestep_mlp.raw_timesteps")
        if _hidden_dim_ignored(self.cases, calls):
            keys.append("timestep_mlp.hidden_dim_ignored")
        return keys


checks = TimestepMLP()
