"""Computed facts for the DDPM, schedule, CFG and course-difference quiz banks.

Every function takes keyword arguments only and returns the exact string that must appear
verbatim in the correct choice of a question (and in no wrong choice). Values come from the
reference implementation, so a quiz answer can never drift from the code the drills grade against.

Timesteps are 0-indexed, as in ``reference.schedules``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import torch

from reference.diffusion import extract, q_sample, reverse_mean, reverse_sigma
from reference.guidance import guided_noise
from reference.schedules import (
    cosine_beta_schedule,
    first_step_below,
    linear_beta_schedule,
    precompute_schedule,
)


@cache
def _schedule(schedule: str, T: int) -> dict[str, torch.Tensor]:
    if schedule == "linear":
        betas = linear_beta_schedule(T)
    elif schedule == "cosine":
        betas = cosine_beta_schedule(T)
    else:
        raise ValueError(f"unknown schedule {schedule!r} (expected 'linear' or 'cosine')")
    return precompute_schedule(betas)


def _fmt(value: float, digits: int) -> str:
    return f"{float(value):.{digits}f}"


def _shape(shape) -> str:
    """Python's tuple notation: "(8, 1, 1, 1)", and "(64,)" for one dimension."""
    return str(tuple(int(d) for d in shape))


def _coeff(key: str) -> Callable[..., str]:
    def fact(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
        return _fmt(_schedule(schedule, T)[key][t], digits)

    fact.__name__ = f"{key}_at"
    fact.__doc__ = f"``{key}[t]`` of the given schedule, fixed-point with ``digits`` decimals."
    return fact


beta_at = _coeff("betas")
alpha_at = _coeff("alphas")
alpha_bar_at = _coeff("alpha_bar")
sqrt_alpha_bar_at = _coeff("sqrt_alpha_bar")
sqrt_one_minus_alpha_bar_at = _coeff("sqrt_one_minus_alpha_bar")


def first_below(*, schedule: str, T: int, threshold: float) -> str:
    """The first 0-indexed step at which ᾱ_t < threshold."""
    return str(first_step_below(_schedule(schedule, T)["alpha_bar"], threshold))


def sigma_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """σ_t = √β_t of the reverse step (0 at t = 0)."""
    return _fmt(reverse_sigma(t, _schedule(schedule, T)), digits)


def reverse_eps_coeff_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """The coefficient (1 − α_t) / √(1 − ᾱ_t) in front of ε̂ in the reverse mean."""
    s = _schedule(schedule, T)
    return _fmt((1.0 - s["alphas"][t]) / s["sqrt_one_minus_alpha_bar"][t], digits)


def reverse_x_coeff_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """The outer factor 1 / √α_t of the reverse mean."""
    return _fmt(1.0 / _schedule(schedule, T)["sqrt_alpha"][t], digits)


def snr_at(*, schedule: str, T: int, t: int, digits: int = 4) -> str:
    """Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) of x_t."""
    ab = _schedule(schedule, T)["alpha_bar"][t]
    return _fmt(ab / (1.0 - ab), digits)


def q_sample_value(*, schedule: str, T: int, t: int, x0: float, eps: float, digits: int = 4) -> str:
    """x_t for a one-pixel image x_0 and a given noise value ε, via ``reference.q_sample``."""
    s = _schedule(schedule, T)
    x = torch.full((1, 1, 1, 1), float(x0))
    e = torch.full((1, 1, 1, 1), float(eps))
    return _fmt(q_sample(x, torch.tensor([t]), s, e).item(), digits)


def reverse_mean_value(*, schedule: str, T: int, t: int, x_t: float, eps: float, digits: int = 4) -> str:
    """μ_θ for a one-pixel x_t and a predicted noise value ε̂, via ``reference.reverse_mean``."""
    s = _schedule(schedule, T)
    x = torch.full((1, 1, 1, 1), float(x_t))
    e = torch.full((1, 1, 1, 1), float(eps))
    return _fmt(reverse_mean(x, torch.tensor([t]), e, s).item(), digits)


def guided_noise_value(*, cond: float, uncond: float, w: float, digits: int = 2) -> str:
    """ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅) for scalar inputs, via ``reference.guided_noise``."""
    return _fmt(guided_noise(torch.tensor(float(cond)), torch.tensor(float(uncond)), float(w)).item(), digits)


def course_guided_noise_value(*, cond: float, uncond: float, w: float, digits: int = 2) -> str:
    """The course's convention e = (1 + w)·e_cond − w·e_uncond, i.e. the reference with scale w + 1."""
    return _fmt(guided_noise(torch.tensor(float(cond)), torch.tensor(float(uncond)), float(w) + 1.0).item(), digits)


def course_w_to_scale(*, w: float, digits: int = 1) -> str:
    """The usual guidance scale that the course's w corresponds to (scale = w + 1)."""
    return _fmt(float(w) + 1.0, digits)


def cfg_unet_calls(*, T: int, batched: bool = False) -> str:
    """U-Net forward calls in one CFG sampling run: two per step, or one per step when cond and uncond share a 2B batch."""
    return str(T if batched else 2 * T)


def ddpm_unet_calls(*, T: int) -> str:
    """U-Net forward calls in one plain DDPM sampling run (one per step)."""
    return str(T)


def extract_shape(*, B: int, C: int, H: int, W: int, T: int = 1000) -> str:
    """Shape that ``reference.extract`` gives a per-sample coefficient for a (B, C, H, W) batch."""
    coeffs = _schedule("linear", T)["alpha_bar"]
    t = torch.zeros(B, dtype=torch.long)
    return _shape(extract(coeffs, t, len((B, C, H, W))).shape)


def cfg_batch_shape(*, B: int, C: int, H: int, W: int) -> str:
    """Shape of the doubled batch torch.cat([x, x]) that feeds cond and uncond passes together."""
    x = torch.zeros(B, C, H, W)
    return _shape(torch.cat([x, x]).shape)


def timestep_shape(*, B: int, T: int = 1000) -> str:
    """Shape of the per-sample timestep tensor drawn in the training loss."""
    return _shape(torch.randint(0, T, (B,)).shape)


def sample_shape(*, n: int, C: int, size: int) -> str:
    """Shape that ``sample_ddpm`` returns for n samples of C×size×size."""
    return _shape((n, C, size, size))


def expected_dropped(*, batch: int, p: float) -> str:
    """Expected number of labels dropped to the null condition in a batch."""
    return f"{batch * p:g}"



def first_below_gap(*, T: int, threshold: float) -> str:
    """How many steps later the cosine schedule's ᾱ_t crosses ``threshold`` than the linear one's."""
    lin = first_step_below(_schedule("linear", T)["alpha_bar"], threshold)
    cos = first_step_below(_schedule("cosine", T)["alpha_bar"], threshold)
    return str(cos - lin)


def noise_injections(*, T: int) -> str:
    """How many reverse steps add fresh noise z: every step except the last one (t = 0)."""
    s = _schedule("linear", T)
    return str(sum(1 for t in range(T) if float(reverse_sigma(t, s)) > 0.0))


def class_embedding_rows(*, num_classes: int) -> str:
    """Rows of the class embedding table when the null label is index ``num_classes``."""
    from reference.unet import ConditionalUNet

    model = ConditionalUNet(num_classes=num_classes, base_channels=8, time_emb_dim=8, levels=1)
    return str(model.class_embed.num_embeddings)


def zero_predictor_mse(*, digits: int = 1) -> str:
    """Expected L_simple of a model that always predicts ε̂ = 0: E[ε²] = Var N(0, 1)."""
    return _fmt(torch.distributions.Normal(0.0, 1.0).variance, digits)


def conditional_scale(*, convention: str = "reference", digits: int = 1) -> str:
    """The guidance value that reproduces plain conditional sampling.

    ``reference``: ε̂_∅ + s·(ε̂_c − ε̂_∅) equals ε̂_c at s = 1.
    ``course``: (1 + w)·e_c − w·e_∅ equals e_c at w = 0 (w = s − 1).
    """
    cond, uncond = torch.tensor(0.7), torch.tensor(-0.3)
    # guided_noise is affine in the scale: solve guided(s) = cond from two evaluations.
    g0, g1 = guided_noise(cond, uncond, 0.0), guided_noise(cond, uncond, 1.0)
    scale = float((cond - g0) / (g1 - g0))
    if convention == "reference":
        return _fmt(scale, digits)
    if convention == "course":
        return _fmt(scale - 1.0, digits)
    raise ValueError(f"unknown convention {convention!r}")


def swapped_guidance_scale(*, w: float, digits: int = 1) -> str:
    """The standard scale that ``ε̂_c + w·(ε̂_∅ − ε̂_c)`` (the two predictions swapped) amounts to: 1 − w."""
    cond, uncond = torch.tensor(0.7, dtype=torch.float64), torch.tensor(-0.3, dtype=torch.float64)
    buggy = guided_noise(uncond, cond, float(w))  # reference formula with the roles swapped
    return _fmt(float((buggy - uncond) / (cond - uncond)), digits)


# Settings of the real DLI course notebooks (see shared/lessons/README.md); kept in one place so
# every question that quotes them agrees.
COURSE = {
    "T": 150,
    "T_flowers": 400,
    "beta_start": 1e-4,
    "beta_end": 0.02,
    "p_drop": 0.1,
    "notebook_img_size": 16,
    "assessment_img_size": 28,
}


def course_constant(*, name: str) -> str:
    """A setting of the real course, formatted with ``str`` / ``:g``."""
    value = COURSE[name]
    return str(value) if isinstance(value, int) else f"{value:g}"


def sinusoidal_lowest_freq(*, dim: int, denominator: str, digits: int = 6) -> str:
    """The lowest frequency of a sinusoidal embedding of size ``dim``.

    ``denominator="half"`` (reference): ω_i = 10000^(−i/half); ``"half_minus_one"`` (course):
    ω_i = 10000^(−i/(half − 1)), so the last frequency is exactly 1/10000.
    """
    half = dim // 2
    if denominator == "half":
        from reference.unet import SinusoidalPositionEmbedding

        # sin(t·ω) at t = 1 for the last sine channel; asin recovers ω exactly for ω < π/2.
        emb = SinusoidalPositionEmbedding(dim)(torch.tensor([1.0], dtype=torch.float64))
        value = torch.asin(emb[0, half - 1].double()).item()
    elif denominator == "half_minus_one":
        value = math.exp(-math.log(10000.0) * (half - 1) / (half - 1))
    else:
        raise ValueError(f"unknown denominator {denominator!r}")
    return _fmt(value, digits)


def course_rearrange_pool_shape(*, B: int, C: int, H: int, W: int) -> str:
    """Output shape of the course's RearrangePoolBlock: 2×2 space-to-depth (C → 4C), then a
    GELUConvBlock back to C channels; the spatial size halves."""
    from reference.unet import rearrange_downsample

    y = rearrange_downsample(torch.zeros(B, C, H, W))  # (B, 4C, H/2, W/2)
    return _shape((y.shape[0], C, y.shape[2], y.shape[3]))


def rearrange_channels(*, B: int, C: int, H: int, W: int) -> str:
    """Shape right after the 2×2 space-to-depth rearrange, before any convolution."""
    from reference.unet import rearrange_downsample

    return _shape(rearrange_downsample(torch.zeros(B, C, H, W)).shape)


FACTS: dict[str, Callable[..., str]] = {
    "beta_at": beta_at,
    "alpha_at": alpha_at,
    "alpha_bar_at": alpha_bar_at,
    "sqrt_alpha_bar_at": sqrt_alpha_bar_at,
    "sqrt_one_minus_alpha_bar_at": sqrt_one_minus_alpha_bar_at,
    "first_below": first_below,
    "sigma_at": sigma_at,
    "reverse_eps_coeff_at": reverse_eps_coeff_at,
    "reverse_x_coeff_at": reverse_x_coeff_at,
    "snr_at": snr_at,
    "q_sample_value": q_sample_value,
    "reverse_mean_value": reverse_mean_value,
    "guided_noise_value": guided_noise_value,
    "course_guided_noise_value": course_guided_noise_value,
    "course_w_to_scale": course_w_to_scale,
    "cfg_unet_calls": cfg_unet_calls,
    "ddpm_unet_calls": ddpm_unet_calls,
    "extract_shape": extract_shape,
    "cfg_batch_shape": cfg_batch_shape,
    "timestep_shape": timestep_shape,
    "sample_shape": sample_shape,
    "expected_dropped": expected_dropped,
    "first_below_gap": first_below_gap,
    "noise_injections": noise_injections,
    "class_embedding_rows": class_embedding_rows,
    "zero_predictor_mse": zero_predictor_mse,
    "conditional_scale": conditional_scale,
    "course_constant": course_constant,
    "sinusoidal_lowest_freq": sinusoidal_lowest_freq,
    "course_rearrange_pool_shape": course_rearrange_pool_shape,
    "course_rearrange_channels": rearrange_channels,
    "swapped_guidance_scale": swapped_guidance_scale,
}
