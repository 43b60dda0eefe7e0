"""Grading ResidualBlock.forward (the lesson's Q1): the reference's weights are loaded into the
learner's block, so its output must match value for value.

The reference is ``reference.ResidualBlock`` with Q1's layout: Q1 projects the timestep with a
bare ``time_proj`` Linear (the reference's ``time_mlp`` is GELU → Linear, so its GELU is swapped
for an identity) and calls the residual path ``res_conv`` (the reference's ``residual_conv``).
"""

from __future__ import annotations

import torch
from torch import nn

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import failed, passed
from engine.drills.modules import (
    aligned,
    alignment_message,
    build,
    call_trace,
    called,
    load_reference_weights,
    matching_keys,
    run_variant,
    seeded,
    strict_numerics,
)
from reference import ResidualBlock

# (in_channels, out_channels, time_emb_dim, input shape). In "same" the batch equals the width
# and time_emb_dim equals out_channels, so an unprojected timestep runs and shows its values.
# No case has out_channels = 8: with 8 groups each channel would be its own group, and GroupNorm
# would cancel a per-channel timestep added before it, hiding that mistake.
CASES = {
    "widen": (8, 16, 12, (3, 8, 5, 7)),
    "same": (16, 16, 16, (4, 16, 6, 4)),
    "narrow": (40, 24, 20, (2, 40, 3, 5)),
}
WEIGHT_SEED = 4100
RENAMED = {"time_mlp.1.": "time_proj.", "residual_conv.": "res_conv."}
VALUE_TOLERANCE = 1e-4


class Q1Block(nn.Module):
    """Q1's ``__init__``: the layout the learner's block has, used to run the catalog's variants."""

    def __init__(self, in_ch, out_ch, t_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.norm1 = nn.GroupNorm(8, out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.norm2 = nn.GroupNorm(8, out_ch)
        self.act = nn.GELU()
        self.time_proj = nn.Linear(t_dim, out_ch)
        self.res_conv = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()


def reference_block(name: str) -> ResidualBlock:
    c_in, c_out, t_dim, _ = CASES[name]
    block = seeded(lambda: ResidualBlock(c_in, c_out, t_dim), WEIGHT_SEED + list(CASES).index(name))
    block.time_mlp[0] = nn.Identity()  # Q1 projects t_emb directly
    return block


def q1_state(block: ResidualBlock) -> dict[str, torch.Tensor]:
    def rename(key: str) -> str:
        for old, new in RENAMED.items():
            if key.startswith(old):
                return new + key[len(old):]
        return key

    return {rename(key): value for key, value in block.state_dict().items()}


def make_inputs(name: str, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    c_in, _, t_dim, shape = CASES[name]
    generator = torch.Generator().manual_seed(4200 + len(name))
    x = torch.randn(shape, generator=generator)
    t_emb = torch.randn(shape[0], t_dim, generator=generator)
    return x.to(device), t_emb.to(device)


def probe(module, device, attempt):
    strict_numerics()
    block_class = entry(module, "ResidualBlock")
    calls = {}
    for name, (c_in, c_out, t_dim, _) in CASES.items():
        block, built = build(attempt, block_class, c_in, c_out, t_dim)
        if block is None:
            calls[name] = {"built": built}
            continue
        report = load_reference_weights(block, q1_state(reference_block(name)))
        x, t_emb = make_inputs(name, device)
        with call_trace(block.to(device)) as trace:
            output = attempt(block, x, t_emb)
        calls[name] = {"built": built, "alignment": report, "trace": trace, "output": output}
    return calls


# The catalog's variants, written on Q1's attributes.
def _timestep(b, t_emb):
    return b.time_proj(t_emb)[:, :, None, None]


def _second_layer(b, h):
    return b.act(b.norm2(b.conv2(h)))


def _time_after_act(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x))) + _timestep(b, t_emb)) + b.res_conv(x)


def _time_before_norm(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x) + _timestep(b, t_emb)))) + b.res_conv(x)


def _missing_residual(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x)) + _timestep(b, t_emb)))


def _residual_before_act(b, x, t_emb):
    h = b.act(b.norm1(b.conv1(x)) + _timestep(b, t_emb))
    return b.act(b.norm2(b.conv2(h)) + b.res_conv(x))


def _time_not_projected(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x)) + t_emb[:, :, None, None])) + b.res_conv(x)


def _time_ignored(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x)))) + b.res_conv(x)


def _time_concatenated(b, x, t_emb):
    h = b.norm1(b.conv1(x))
    h = b.act(torch.cat([h, _timestep(b, t_emb).expand_as(h)], dim=1))
    return _second_layer(b, h) + b.res_conv(x)


def _raw_input_residual(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x)) + _timestep(b, t_emb))) + x


def _gelu_on_timestep(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x)) + _timestep(b, b.act(t_emb)))) + b.res_conv(x)


VARIANTS = {
    "residual.time_after_act": _time_after_act,
    "residual.time_before_norm": _time_before_norm,
    "residual.missing_residual": _missing_residual,
    "residual.residual_before_act": _residual_before_act,
    "residual.time_not_projected": _time_not_projected,
    "residual.time_ignored": _time_ignored,
    "residual.time_concatenated": _time_concatenated,
    "residual.raw_input_residual": _raw_input_residual,
    "residual.gelu_on_timestep": _gelu_on_timestep,
}


def _concatenated(name: str, call: dict) -> bool:
    """A conv received the timestep's channels on top of its own: the trace shows the extra width."""
    c_in, c_out, t_dim, _ = CASES[name]
    trace = call.get("trace", [])
    conv1 = {shapes[0][1] for shapes in called(trace, "conv1") if shapes}
    conv2 = {shapes[0][1] for shapes in called(trace, "conv2") if shapes}
    return bool(conv1 & {c_in + c_out, c_in + t_dim} or conv2 & {2 * c_out, c_out + t_dim})


def _raised_without_res_conv(name: str, call: dict) -> bool:
    c_in, c_out, _, _ = CASES[name]
    return c_in == c_out or (not call["output"]["ok"] and not called(call["trace"], "res_conv"))


def diagnoses(calls: dict, cases: list, drill_keys: set[str]) -> list[str]:
    """Keys whose variant behaves like the learner's block, then those recognised from the call traces."""
    ran = {name: call for name, call in calls.items() if "output" in call}
    keys = matching_keys(cases, atol=VALUE_TOLERANCE)
    if "residual.raw_input_residual" in keys and not all(_raised_without_res_conv(n, c) for n, c in ran.items()):
        keys.remove("residual.raw_input_residual")
    if any(not call["output"]["ok"] and _concatenated(name, call) for name, call in ran.items()):
        keys.append("residual.time_concatenated")
    return [key for key in keys if key in drill_keys]


def _variant_block(name: str, device: torch.device) -> Q1Block:
    c_in, c_out, t_dim, _ = CASES[name]
    block = Q1Block(c_in, c_out, t_dim)
    block.load_state_dict(q1_state(reference_block(name)))
    return block.to(device)


def _parameters_verdict(calls: dict):
    misaligned = [call["alignment"] for call in calls.values() if not aligned(call["alignment"])]
    if misaligned:
        return failed(
            "Your block's parameters do not line up with Q1's __init__ (keep its attributes and shapes):",
            alignment_message(misaligned[0]),
        )
    return passed("Your block has Q1's parameters, so the reference's weights were loaded into it")


def grade(calls, device, grading):
    strict_numerics()
    gradable = True
    cases = []
    if all("alignment" in call for call in calls.values()):
        gradable &= grading.check("shape.parameters", "shape", _parameters_verdict(calls))
    else:
        gradable = False
        grading.skip("shape.parameters", "shape", "Not checked: your block could not be built.")
    for name, (c_in, c_out, t_dim, shape) in CASES.items():
        call = calls[name]
        label = f"The output for in={c_in}, out={c_out}, time_emb_dim={t_dim}, x {shape}"
        x, t_emb = make_inputs(name, device)
        if "output" not in call:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your __init__ raised for ({c_in}, {c_out}, {t_dim}):\n{call['built']['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your block could not be built.", points=2.0)
            continue
        output = call["output"]
        observed = output["value"]["data"] if output["ok"] and output["value"].get("kind") == "tensor" else None
        variant_block = _variant_block(name, device)
        cases.append((observed, {key: run_variant(v, variant_block, x, t_emb) for key, v in VARIANTS.items()}))
        if not output["ok"]:
            gradable = False
            grading.error(f"shape.{name}", "shape", f"Your forward raised for x of shape {shape}:\n{output['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your forward raised.", points=2.0)
            continue
        layout = compare.layout(label, output["value"], (shape[0], c_out, *shape[2:]), torch.float32, device)
        if not grading.check(f"shape.{name}", "shape", layout):
            gradable = False
            grading.skip(f"formula.{name}", "formula", "Not checked: fix the shape first.", points=2.0)
            continue
        if not aligned(call["alignment"]):
            grading.skip(f"formula.{name}", "formula", "Not checked: the reference's weights could not be loaded.", points=2.0)
            continue
        with torch.no_grad():
            expected = reference_block(name).to(device)(x, t_emb)
        grading.check(f"formula.{name}", "formula", compare.values(label, observed, expected, atol=VALUE_TOLERANCE), points=2.0)
    for key in diagnoses(calls, cases, {bug.key for bug in grading.drill.bugs}):
        grading.diagnose(key)
    grading.catalog_check(gradable)
