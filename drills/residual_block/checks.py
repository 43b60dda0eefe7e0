"""Grading ResidualBlock.forward (the lesson's Q1): the reference's weights are loaded into the
learner's block, so its output must match value for value.

The reference is ``reference.ResidualBlock`` with Q1's layout: Q1 projects the timestep with a
bare ``time_proj`` Linear (the reference's ``time_mlp`` is GELU → Linear, so its GELU is swapped
for an identity) and calls the residual path ``res_conv`` (the reference's ``residual_conv``).
"""

from __future__ import annotations

import re

import torch
from torch import nn

from engine.drills.toolkit.modules import ModuleCase, ModuleDrill, called
from reference import ResidualBlock

RENAMED = {"time_mlp.1.": "time_proj.", "residual_conv.": "res_conv."}


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


def _case(name, c_in, c_out, t_dim, shape):
    def inputs(device):
        generator = torch.Generator().manual_seed(4200 + len(name))
        x = torch.randn(shape, generator=generator)
        t_emb = torch.randn(shape[0], t_dim, generator=generator)
        return x.to(device), t_emb.to(device)

    return ModuleCase(name, f"in={c_in}, out={c_out}, time_emb_dim={t_dim}, x {shape}", (c_in, c_out, t_dim), inputs)


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


def _time_in_both_layers(b, x, t_emb):
    t = _timestep(b, t_emb)
    h = b.act(b.norm1(b.conv1(x)) + t)
    return b.act(b.norm2(b.conv2(h)) + t) + b.res_conv(x)


def _norm_reused(b, x, t_emb):
    h = b.act(b.norm1(b.conv1(x)) + _timestep(b, t_emb))
    return b.act(b.norm1(b.conv2(h))) + b.res_conv(x)


def _gelu_on_timestep(b, x, t_emb):
    return _second_layer(b, b.act(b.norm1(b.conv1(x)) + _timestep(b, b.act(t_emb)))) + b.res_conv(x)


class ResidualBlockDrill(ModuleDrill):
    entry = "ResidualBlock"
    input_names = ("x", "t_emb")
    weight_seed = 4100
    layout_hint = "keep Q1's __init__: its attributes and shapes"
    must_matter = ("t_emb",)
    # In "same" the batch equals the width and time_emb_dim equals out_channels, so an unprojected
    # timestep runs and shows its values. No case has out_channels = 8: with 8 groups each channel
    # would be its own group, and GroupNorm would cancel a per-channel timestep added before it.
    cases = (
        _case("widen", 8, 16, 12, (3, 8, 5, 7)),
        _case("same", 16, 16, 16, (4, 16, 6, 4)),
        _case("narrow", 40, 24, 20, (2, 40, 3, 5)),
    )
    variants = (
        ("residual.time_after_act", _time_after_act),
        ("residual.time_before_norm", _time_before_norm),
        ("residual.missing_residual", _missing_residual),
        ("residual.residual_before_act", _residual_before_act),
        ("residual.time_not_projected", _time_not_projected),
        ("residual.time_ignored", _time_ignored),
        ("residual.time_concatenated", _time_concatenated),
        ("residual.raw_input_residual", _raw_input_residual),
        ("residual.gelu_on_timestep", _gelu_on_timestep),
        ("residual.time_in_both_layers", _time_in_both_layers),
        ("residual.norm_reused", _norm_reused),
    )

    def reference_module(self, case):
        block = ResidualBlock(*case.args)
        block.time_mlp[0] = nn.Identity()  # Q1 projects t_emb directly
        return block

    def reference_state(self, reference):
        def rename(key: str) -> str:
            for old, new in RENAMED.items():
                if key.startswith(old):
                    return new + key[len(old):]
            return key

        return {rename(key): value for key, value in reference.state_dict().items()}

    def variant_module(self, case, reference):
        block = Q1Block(*case.args)
        block.load_state_dict(self.reference_state(reference))
        return block

    def recognised(self, record):
        keys = []
        ran = {case.name: (case, record[case.name]) for case in self.cases if "output" in record[case.name]}
        if any(not call["output"]["ok"] and _concatenated(case, call) for case, call in ran.values()):
            keys.append("residual.time_concatenated")
        if any(not call["output"]["ok"] and _on_width(case, call) for case, call in ran.values()):
            keys.append("residual.time_on_width")
        return keys

    def diagnose(self, record, observed_cases, device, grading, problems=()):
        # x + h and res_conv(x) + h are the same block when in = out: name the raw-input residual
        # only where a block with in ≠ out raised without calling res_conv.
        super().diagnose(record, observed_cases, device, grading, problems)
        if any(d.key == "residual.raw_input_residual" for d in grading.diagnoses) and not all(
            _raised_without_res_conv(case, record[case.name]) for case in self.cases if "output" in record[case.name]
        ):
            grading.diagnoses[:] = [d for d in grading.diagnoses if d.key != "residual.raw_input_residual"]


def _concatenated(case, call) -> bool:
    """A conv received the timestep's channels on top of its own: the trace shows the extra width."""
    c_in, c_out, t_dim = case.args
    conv1 = {shapes[0][1] for shapes in called(call["trace"], "conv1") if shapes}
    conv2 = {shapes[0][1] for shapes in called(call["trace"], "conv2") if shapes}
    return bool(conv1 & {c_in + c_out, c_in + t_dim} or conv2 & {2 * c_out, c_out + t_dim})


def _on_width(case, call) -> bool:
    """The timestep's channels met the map's width: broadcasting failed on the last axis with out_channels."""
    mismatch = r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension 3"
    found = re.search(mismatch, call["output"]["error"])
    return found is not None and case.args[1] in {int(found[1]), int(found[2])}


def _raised_without_res_conv(case, call) -> bool:
    c_in, c_out, _ = case.args
    return c_in == c_out or (not call["output"]["ok"] and not called(call["trace"], "res_conv"))


checks = ResidualBlockDrill()
