"""Grading TimestepMLPEmbedding: the learner writes __init__ and forward; the reference's weights
are loaded into their ``mlp`` (same state_dict keys as ``reference.TimestepMLPEmbedding``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import failed, passed
from engine.drills.modules import (
    aligned,
    alignment_message,
    build,
    load_reference_weights,
    matching_keys,
    run_variant,
    seeded,
    strict_numerics,
)
from reference import TimestepMLPEmbedding

# (embed_dim, hidden_dim or None for the default, timesteps). In "batch_is_width" the batch
# equals the output width.
CASES = {
    "default_hidden": (16, None, [0, 1, 7, 500, 999]),
    "batch_is_width": (8, 20, list(range(0, 1000, 50))),
    "unet_width": (32, 128, [3, 640, 998]),
}
WEIGHT_SEED = 8100
VALUE_TOLERANCE = 1e-4


def reference_embedding(name: str) -> TimestepMLPEmbedding:
    embed_dim, hidden_dim, _ = CASES[name]
    return seeded(lambda: TimestepMLPEmbedding(embed_dim, hidden_dim), WEIGHT_SEED + list(CASES).index(name))


def make_timesteps(name: str, device: torch.device) -> torch.Tensor:
    return torch.tensor(CASES[name][2], dtype=torch.long, device=device)


def probe(module, device, attempt):
    strict_numerics()
    embedding_class = entry(module, "TimestepMLPEmbedding")
    calls = {}
    for name, (embed_dim, hidden_dim, _) in CASES.items():
        args = (embed_dim,) if hidden_dim is None else (embed_dim, hidden_dim)
        embedding, built = build(attempt, embedding_class, *args)
        if embedding is None:
            calls[name] = {"built": built}
            continue
        report = load_reference_weights(embedding, reference_embedding(name).state_dict())
        with torch.no_grad():
            output = attempt(embedding.to(device), make_timesteps(name, device))
        calls[name] = {"built": built, "alignment": report, "output": output}
    return calls


def _mlp(activation, final_activation=None):
    def forward(embedding, timesteps):
        h = embedding.mlp[2](activation(embedding.mlp[0](embedding.sinusoidal(timesteps))))
        return final_activation(h) if final_activation else h

    return forward


VARIANTS = {
    "timestep_mlp.relu": _mlp(F.relu),
    "timestep_mlp.silu": _mlp(F.silu),
    "timestep_mlp.no_activation": _mlp(lambda h: h),
    "timestep_mlp.final_activation": _mlp(F.gelu, F.gelu),
}
# The course's notebooks use GELU's tanh approximation: the same design, accepted as correct.
TANH_GELU = _mlp(lambda h: F.gelu(h, approximate="tanh"))


def _first_layer_shapes(call: dict):
    """(reference shape, learner's shape) of mlp.0.weight when they differ, else None."""
    if "alignment" not in call:
        return None
    return next(((ours, theirs) for key, ours, theirs in call["alignment"]["mismatched"] if key == "mlp.0.weight"), None)


def _hidden_not_4x(calls: dict) -> bool:
    """Without a hidden_dim, the first Linear is as wide as the embedding instead of four times wider."""
    shapes = _first_layer_shapes(calls["default_hidden"])
    return shapes is not None and shapes[1][0] == CASES["default_hidden"][0]


def _raw_timesteps(calls: dict) -> bool:
    """The first Linear takes one input feature: the timestep itself, not its sinusoidal embedding."""
    return any((shapes := _first_layer_shapes(call)) is not None and shapes[1][1] == 1 for call in calls.values())


def _parameters_verdict(calls: dict):
    misaligned = [call["alignment"] for call in calls.values() if not aligned(call["alignment"])]
    if misaligned:
        return failed(
            "Your module's parameters do not line up with the reference's "
            "(self.mlp = nn.Sequential(Linear(embed_dim, hidden_dim), GELU, Linear(hidden_dim, hidden_dim))):",
            alignment_message(misaligned[0]),
        )
    return passed("Your module has the reference's parameters, so its weights were loaded into yours")


def _values_verdict(label: str, observed, expected, tanh_expected):
    verdict = compare.values(label, observed, expected, atol=VALUE_TOLERANCE)
    if not verdict.ok and compare.matches(observed, tanh_expected, atol=VALUE_TOLERANCE):
        return passed(f"{label} matches the reference with GELU's tanh approximation (as in the course's notebooks)")
    return verdict


def grade(calls, device, grading):
    strict_numerics()
    if all("alignment" in call for call in calls.values()):
        gradable = grading.check("shape.parameters", "shape", _parameters_verdict(calls))
    else:
        gradable = False
        grading.skip("shape.parameters", "shape", "Not checked: your module could not be built.")
    cases = []
    for name, (embed_dim, hidden_dim, steps) in CASES.items():
        call = calls[name]
        width = hidden_dim or 4 * embed_dim
        label = f"The embedding of {len(steps)} timesteps with embed_dim={embed_dim}, hidden_dim={hidden_dim}"
        if "output" not in call:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your __init__ raised for embed_dim={embed_dim}, hidden_dim={hidden_dim}:\n{call['built']['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your module could not be built.", points=2.0)
            continue
        timesteps = make_timesteps(name, device)
        reference = reference_embedding(name).to(device)
        observed = call["output"]["value"]["data"] if call["output"]["ok"] and call["output"]["value"].get("kind") == "tensor" else None
        cases.append((observed, {key: run_variant(v, reference, timesteps) for key, v in VARIANTS.items()}))
        if not call["output"]["ok"]:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your forward raised:\n{call['output']['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your forward raised.", points=2.0)
            continue
        if not grading.check(f"shape.{name}", "shape", compare.layout(label, call["output"]["value"], (len(steps), width), torch.float32, device)):
            gradable = False
            grading.skip(f"formula.{name}", "formula", "Not checked: fix the shape first.", points=2.0)
            continue
        if not aligned(call["alignment"]):
            grading.skip(f"formula.{name}", "formula", "Not checked: the reference's weights could not be loaded.", points=2.0)
            continue
        with torch.no_grad():
            expected, tanh_expected = reference(timesteps), TANH_GELU(reference, timesteps)
        grading.check(f"formula.{name}", "formula", _values_verdict(label, observed, expected, tanh_expected), points=2.0)
    for key in matching_keys(cases, atol=VALUE_TOLERANCE):
        grading.diagnose(key)
    if _hidden_not_4x(calls):
        grading.diagnose("timestep_mlp.hidden_not_4x")
    if _raw_timesteps(calls):
        grading.diagnose("timestep_mlp.raw_timesteps")
    grading.catalog_check(gradable)
