"""Computed facts for the U-Net and shape quiz questions (topics ``unet`` and ``shapes``), in the
lessons' conventions.

Every question whose answer is a number or a shape names one of these functions in its
``fact`` field. The function is called with the question's ``args`` as keyword arguments and
returns the exact string that must appear in the correct choice (and in no wrong choice).
Everything is computed from ``reference.unet`` and ``reference.shape_flow``, never typed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reference import unet

__all__ = ["FACTS"]

# First output shapes of every named submodule.
Flow = dict[str, tuple[tuple[int, ...], ...]]

# Shapes are written with the batch dimension as "B": "(B, 128, 16, 16)".


def _fmt_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(["B", *(str(d) for d in shape[1:])]) + ")"


@cache
def _unet(in_channels: int, base_channels: int, time_emb_dim: int, levels: int, device: str = "meta") -> unet.UNet:
    """The reference UNet for a configuration. Built on the ``meta`` device by default: shapes and
    parameter counts are exact, and no weights are allocated or computed."""
    import torch

    from reference.unet import UNet

    with torch.device(device):
        model = UNet(in_channels=in_channels, base_channels=base_channels, time_emb_dim=time_emb_dim, levels=levels)
    return model.eval()


@cache
def _flow_all(in_channels: int, base_channels: int, time_emb_dim: int, levels: int, image_size: int) -> Flow:
    """First recorded output shapes of every named submodule for a batch of one image."""
    import torch

    from reference.shape_flow import shape_flow

    def run(device: str) -> Flow:
        model = _unet(in_channels, base_channels, time_emb_dim, levels, device)
        names = [name for name, _ in model.named_modules() if name]
        x = torch.zeros(1, in_channels, image_size, image_size, device=device)
        t = torch.zeros(1, dtype=torch.long, device=device)
        shapes: Flow = {}
        for step in shape_flow(model, x, t, names=names):
            shapes.setdefault(step.name, step.shapes)
        return shapes

    try:
        return run("meta")
    except (NotImplementedError, RuntimeError):  # an op without a meta kernel: compute for real
        return run("cpu")


def _flow(
    in_channels: int, base_channels: int, time_emb_dim: int, levels: int, image_size: int, stage: str
) -> tuple[tuple[int, ...], ...]:
    shapes = _flow_all(in_channels, base_channels, time_emb_dim, levels, image_size)
    if stage not in shapes:
        raise ValueError(f"stage {stage!r} produced no output")
    return shapes[stage]


def stage_shape(
    stage: str,
    base_channels: int = 64,
    image_size: int = 64,
    levels: int = 3,
    in_channels: int = 1,
    time_emb_dim: int = 128,
) -> str:
    """Output shape of a named stage of the reference UNet, e.g. ``"(B, 128, 16, 16)"``.

    A stage that returns several tensors (a ``down{i}`` block returns ``(skip, down)``) is
    written as its shapes joined by " and ".
    """
    shapes = _flow(in_channels, base_channels, time_emb_dim, levels, image_size, stage)
    return " and ".join(_fmt_shape(s) for s in shapes)


def stage_channels(
    stage: str,
    base_channels: int = 64,
    image_size: int = 64,
    levels: int = 3,
    in_channels: int = 1,
    time_emb_dim: int = 128,
) -> str:
    """Channel count of a stage's (first) output, as ``"<n> channels"``."""
    shapes = _flow(in_channels, base_channels, time_emb_dim, levels, image_size, stage)
    return f"{shapes[0][1]} channels"




def total_parameters(in_channels: int = 1, base_channels: int = 64, time_emb_dim: int = 128, levels: int = 3) -> str:
    """Parameter count of the whole reference UNet, with thousands separators: ``"11,371,265"``."""
    from reference.shape_flow import parameter_count

    return f"{parameter_count(_unet(in_channels, base_channels, time_emb_dim, levels)):,}"


def module_parameters(kind: str, **kwargs: Any) -> str:
    """Parameter count of a freshly built layer, with thousands separators.

    kind: ``conv2d`` (in_channels, out_channels, kernel_size, bias=True), ``linear`` (in_features,
    out_features, bias=True), ``groupnorm`` (num_groups, num_channels), ``batchnorm2d``
    (num_features), ``residual_block`` (in_channels, out_channels, time_emb_dim),
    ``time_embedding`` (embed_dim, hidden_dim=None).
    """
    from torch import nn

    from reference.shape_flow import parameter_count
    from reference.unet import ResidualBlock, TimestepMLPEmbedding

    builders: dict[str, Callable[..., nn.Module]] = {
        "conv2d": nn.Conv2d,
        "linear": nn.Linear,
        "groupnorm": nn.GroupNorm,
        "batchnorm2d": nn.BatchNorm2d,
        "residual_block": ResidualBlock,
        "time_embedding": TimestepMLPEmbedding,
    }
    return f"{parameter_count(builders[kind](**kwargs)):,}"


def sinusoidal_shape(embed_dim: int, batch: int = 4) -> str:
    """Output shape of the sinusoidal embedding for a batch of timesteps: ``"(B, 128)"``."""
    import torch

    from reference.unet import SinusoidalPositionEmbedding

    return _fmt_shape(tuple(SinusoidalPositionEmbedding(embed_dim)(torch.arange(batch)).shape))


def time_embedding_shape(time_emb_dim: int = 128, batch: int = 2) -> str:
    """Shape of the conditioning vector every ResidualBlock receives (``UNet.embed``): ``"(B, 512)"``."""
    import torch

    model = _unet(1, 64, time_emb_dim, 1, "cpu")
    with torch.no_grad():
        return _fmt_shape(tuple(model.embed(torch.arange(batch)).shape))


def time_injection_shape(in_channels: int, out_channels: int, time_emb_dim: int = 512) -> str:
    """Shape of a ResidualBlock's timestep term after ``[:, :, None, None]``: ``"(B, 64, 1, 1)"``."""
    import torch

    from reference.unet import ResidualBlock

    block = ResidualBlock(in_channels, out_channels, time_emb_dim)
    with torch.no_grad():
        term = block.time_mlp(torch.zeros(2, time_emb_dim))[:, :, None, None]
    return _fmt_shape(tuple(term.shape))


def rearrange_shape(channels: int, height: int, width: int) -> str:
    """Shape after the reference space-to-depth: ``(B, C, H, W) -> (B, 4C, H/2, W/2)``."""
    import torch

    from reference.unet import rearrange_downsample

    return _fmt_shape(tuple(rearrange_downsample(torch.zeros(1, channels, height, width)).shape))


def rearrange_channel_index(channel: int, p1: int, p2: int, channels: int = 4) -> str:
    """Which output channel of the reference space-to-depth holds input channel ``channel`` at
    patch offset (p1, p2) (row, column), found by tracing a marked pixel: ``"channel 6"``."""
    import torch

    from reference.unet import rearrange_downsample

    x = torch.zeros(1, channels, 4, 4)
    x[0, channel, p1, p2] = 1.0  # top-left patch, offset (p1, p2)
    out = rearrange_downsample(x)
    hits = (out[0, :, 0, 0] == 1.0).nonzero().flatten().tolist()
    return f"channel {hits[0]}"


def _reference_embedding(embed_dim: int, t: float) -> list[float]:
    import torch

    from reference.unet import SinusoidalPositionEmbedding

    with torch.no_grad():
        values: list[float] = SinusoidalPositionEmbedding(embed_dim)(torch.tensor([t], dtype=torch.float64))[0].tolist()
    return values


def sinusoidal_value(embed_dim: int, t: int, index: int, digits: int = 4) -> str:
    """Element ``index`` of the reference sinusoidal embedding of timestep ``t``, rounded to ``digits``."""
    value = round(_reference_embedding(embed_dim, t)[index], digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{value:.{digits}f}"


def norm_statistics(kind: str, batch: int, channels: int, groups: int = 8) -> str:
    """How many (mean, variance) pairs a normalization layer computes in training mode for a
    (batch, channels, H, W) input: ``"16 pairs"``. Counted from the layer's actual reduction."""
    import torch

    x = torch.randn(batch, channels, 4, 4)
    if kind == "groupnorm":
        n = x.reshape(batch, groups, -1).mean(dim=-1).numel()
    elif kind == "batchnorm2d":
        n = x.mean(dim=(0, 2, 3)).numel()
    elif kind == "layernorm":
        n = x.reshape(batch, -1).mean(dim=-1).numel()
    elif kind == "instancenorm":
        n = x.reshape(batch, channels, -1).mean(dim=-1).numel()
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return f"{n} pairs"


def groupnorm_group_size(num_channels: int, num_groups: int = 8) -> str:
    """Channels in each group of ``nn.GroupNorm(num_groups, num_channels)``: ``"8 channels per group"``."""
    from torch import nn

    nn.GroupNorm(num_groups, num_channels)  # raises when num_channels is not divisible
    return f"{num_channels // num_groups} channels per group"


def gelu_value(x: float, digits: int = 4, approximate: str = "none") -> str:
    """``nn.GELU(approximate=...)`` at ``x``, rounded to ``digits`` decimals: ``"-0.1587"``."""
    import torch
    from torch import nn

    value = round(nn.GELU(approximate=approximate)(torch.tensor(float(x))).item(), digits) + 0.0
    return f"{value:.{digits}f}"


def gelu_minimum(digits: int = 2) -> str:
    """The lowest value exact GELU ever outputs, found on a fine grid: ``"-0.17"``."""
    import torch
    from torch import nn

    grid = torch.linspace(-6.0, 6.0, 1_200_001, dtype=torch.float64)
    return f"{nn.GELU()(grid).min().item():.{digits}f}"


def sinusoidal_periods(embed_dim: int) -> str:
    """The divisors 1/ω_i of t in the reference embedding, read off its sines at t = 1 (asin gives ω_i
    back since every ω_i ≤ 1 < π/2), as ``"1, 10, 100, 1000"``."""
    sines = _reference_embedding(embed_dim, 1.0)[: embed_dim // 2]
    return ", ".join(f"{1.0 / math.asin(value):.6g}" for value in sines)


def channel_progression(
    base_channels: int = 64, image_size: int = 64, levels: int = 3, in_channels: int = 1, time_emb_dim: int = 128
) -> str:
    """Channel counts along the reference UNet: input, init_conv, each down{i}_proj, every up{i}
    (from the deepest) and final_conv, joined by " → ": ``"1 → 64 → 128 → 256 → 512 → 256 → 128 → 64 → 1"``."""
    stages = ["init_conv", *(f"down{i}_proj" for i in range(1, levels + 1))]
    stages += [*(f"up{i}" for i in range(levels, 0, -1)), "final_conv"]
    counts = [in_channels]
    for stage in stages:
        counts.append(_flow(in_channels, base_channels, time_emb_dim, levels, image_size, stage)[0][1])
    return " → ".join(str(c) for c in counts)


def largest_child(in_channels: int = 1, base_channels: int = 64, time_emb_dim: int = 128, levels: int = 3) -> str:
    """Name of the reference UNet's direct child with the most parameters, in backticks: ``"`bottleneck`"``."""
    from reference.shape_flow import parameter_count

    model = _unet(in_channels, base_channels, time_emb_dim, levels)
    name, _ = max(model.named_children(), key=lambda item: parameter_count(item[1]))
    return f"`{name}`"


def failing_base_channels(candidates: list[int], in_channels: int = 1, time_emb_dim: int = 128, levels: int = 3) -> str:
    """Among ``candidates``, the one base width for which building the reference UNet fails
    (GroupNorm(8, C) needs C divisible by 8): ``"base_channels=12"``. Exactly one must fail."""
    failing = []
    for base in candidates:
        try:
            _unet(in_channels, base, time_emb_dim, levels)
        except ValueError:
            failing.append(base)
    if len(failing) != 1:
        raise ValueError(f"expected exactly one failing candidate, got {failing}")
    return f"base_channels={failing[0]}"


def denoiser_sigma(t: int, noise_level: float = 0.5, num_steps: int = 1000) -> str:
    """Noise standard deviation that the lesson's denoiser training pairs with timestep ``t``
    (``t / num_steps * noise_level``), as ``"σ = 0.25"``."""
    import torch

    sigma = (torch.tensor([t]).float() / float(num_steps) * noise_level).item()
    return f"σ = {sigma:g}"


FACTS: dict[str, Callable[..., str]] = {
    "stage_shape": stage_shape,
    "stage_channels": stage_channels,
    "total_parameters": total_parameters,
    "module_parameters": module_parameters,
    "sinusoidal_shape": sinusoidal_shape,
    "time_embedding_shape": time_embedding_shape,
    "time_injection_shape": time_injection_shape,
    "rearrange_shape": rearrange_shape,
    "rearrange_channel_index": rearrange_channel_index,
    "sinusoidal_value": sinusoidal_value,
    "norm_statistics": norm_statistics,
    "groupnorm_group_size": groupnorm_group_size,
    "gelu_value": gelu_value,
    "gelu_minimum": gelu_minimum,
    "sinusoidal_periods": sinusoidal_periods,
    "channel_progression": channel_progression,
    "largest_child": largest_child,
    "failing_base_channels": failing_base_channels,
    "denoiser_sigma": denoiser_sigma,
}
