"""Every fact the bank uses, recomputed independently of the fact functions.

``test_quiz_facts`` checks that each question states what its fact function computes; here each
fact function is checked against a second computation that shares no code with it: numpy and
plain arithmetic from the formulas in the lessons and in ``shared/lessons/COURSE.md``. A fact
the bank uses must appear below (``test_every_fact_in_use_is_checked_here``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.quiz.bank import load_bank
from quiz_bank.facts import FACTS


def linear(T: int) -> np.ndarray:
    return np.linspace(1e-4, 0.02, T, dtype=np.float64)


def cosine(T: int, s: float = 0.008) -> np.ndarray:
    steps = np.arange(T + 1, dtype=np.float64)
    f = np.cos(((steps / T) + s) / (1 + s) * np.pi / 2) ** 2
    alpha_bar = f / f[0]
    return np.clip(1 - alpha_bar[1:] / alpha_bar[:-1], 1e-5, 0.999)


def alpha_bar(betas: np.ndarray) -> np.ndarray:
    return np.cumprod(1 - betas)


def first_below(values: np.ndarray, threshold: float) -> int:
    return int(np.argmax(values < threshold))


def lessons_guidance(cond: float, uncond: float, w: float) -> float:
    return uncond + w * (cond - uncond)


def course_guidance(cond: float, uncond: float, w: float) -> float:
    return (1 + w) * cond - w * uncond


# (fact name, keyword arguments, the value computed here)
CASES = [
    ("beta_at", {"schedule": "cosine", "T": 1000, "t": 999, "digits": 4}, f"{cosine(1000)[999]:.4f}"),
    ("alpha_at", {"schedule": "linear", "T": 1000, "t": 999, "digits": 4}, f"{1 - linear(1000)[999]:.4f}"),
    ("sigma_at", {"schedule": "linear", "T": 1000, "t": 999, "digits": 4}, f"{math.sqrt(linear(1000)[999]):.4f}"),
    ("reverse_x_coeff_at", {"schedule": "linear", "T": 1000, "t": 999, "digits": 4}, f"{1 / math.sqrt(1 - linear(1000)[999]):.4f}"),
    ("mix_value", {"alpha_bar": 0.36, "x0": 1.0, "eps": 0.5, "digits": 2}, f"{0.6 * 1.0 + 0.8 * 0.5:.2f}"),
    (
        "mix_coefficients",
        {"schedule": "linear", "T": 1000, "t": 500, "digits": 2},
        f"{math.sqrt(alpha_bar(linear(1000))[500]):.2f}·x_0 + {math.sqrt(1 - alpha_bar(linear(1000))[500]):.2f}·ε",
    ),
    (
        "earliest_crossing",
        {"T": 1000, "threshold": 0.01},
        f"The linear schedule, at t = {first_below(alpha_bar(linear(1000)), 0.01)}",
    ),
    ("sampling_cost", {"T": 1000}, "1000 network calls and 999 noise draws"),
    ("cfg_calls", {"T": 1000}, "2000 with separate passes, or 1000 with the doubled batch"),
    ("guided_noise_value", {"cond": 0.2, "uncond": -0.1, "w": 7.5, "digits": 2}, f"{lessons_guidance(0.2, -0.1, 7.5):.2f}"),
    ("conditional_scale", {"digits": 1}, "1.0"),
    ("swapped_guidance_scale", {"w": 5.0, "digits": 1}, f"{1 - 5.0:.1f}"),
    ("extract_shape", {"B": 8, "C": 1, "H": 16, "W": 16}, "(8, 1, 1, 1)"),
    ("cfg_batch_shape", {"B": 4, "C": 1, "H": 28, "W": 28}, "(8, 1, 28, 28)"),
    ("expected_dropped", {"batch": 128, "p": 0.1}, f"{128 * 0.1:g}"),
    ("expected_dropped", {"batch": 512, "p": 0.1}, f"{512 * 0.1:g}"),
    ("zero_predictor_mse", {"digits": 1}, "1.0"),
    ("course_signal_left", {"t": 149, "digits": 2}, f"√ᾱ_149 = {math.sqrt(alpha_bar(linear(150))[149]):.2f}"),
    ("course_sigma_at", {"t": 1, "digits": 4}, f"{math.sqrt(linear(150)[0]):.4f}"),
    ("course_guided_noise_value", {"cond": 1.0, "uncond": 0.5, "w": 3.0, "digits": 2}, f"{course_guidance(1.0, 0.5, 3.0):.2f}"),
    ("course_conditional_w", {"digits": 1}, "0.0"),
    ("course_w_to_scale", {"w": 1.0, "digits": 1}, "s = 2.0"),
    ("zero_context_share", {"drop_prob": 0.1, "classes": 10, "digits": 1}, "0.1"),
    ("course_block_shape", {"block": "RearrangePoolBlock", "shape": [8, 32, 16, 16], "args": [32, 8], "batch": None}, "(8, 32, 8, 8)"),
    ("course_block_shape", {"block": "DownBlock", "shape": [1, 64, 14, 14], "args": [64, 128, 32]}, "(B, 128, 7, 7)"),
    ("course_block_shape", {"block": "UpBlock", "shape": [1, 128, 7, 7], "args": [128, 64, 32]}, "(B, 64, 14, 14)"),
    ("course_block_shape", {"block": "EmbedBlock", "shape": [1, 10], "args": [10, 64]}, "(B, 64, 1, 1)"),
    ("course_dense_width", {"img_size": 28, "img_ch": 1, "down_chs": [64, 64, 128]}, str(128 * (28 // 4) ** 2)),
    ("assessment_allowed_misses", {"n": 50, "mark": 0.95}, str(50 - math.ceil(0.95 * 50))),
    ("mnist_normalised", {"pixel": -1.0, "digits": 2}, f"{(-1.0 - 0.1307) / 0.3081:.2f}"),
    ("cosine_similarity", {"a": [1, 2, 2], "b": [2, 1, 2], "digits": 2}, f"{8 / 9:.2f}"),
    ("clip_pair", {"n_text": 3, "n_img": 4, "row": 5}, f"text {5 % 3} with image {5 // 3}"),
    ("course_sinusoidal_frequency", {"dim": 8, "index": 3, "digits": 4}, f"{10000 ** (-3 / 3):.4e}"),
    ("sinusoidal_value", {"embed_dim": 8, "t": 5, "index": 4, "digits": 4}, f"{math.cos(5 * 10000 ** (-0 / 4)):.4f}"),
    ("sinusoidal_periods", {"embed_dim": 8}, ", ".join(f"{10000 ** (i / 4):.6g}" for i in range(4))),
    ("gelu_value", {"x": -1.0, "digits": 4}, f"{-1.0 * 0.5 * (1 + math.erf(-1.0 / math.sqrt(2))):.4f}"),
    ("gelu_minimum", {"digits": 2}, f"{min(x * 0.5 * (1 + math.erf(x / math.sqrt(2))) for x in np.linspace(-3, 0, 300_001)):.2f}"),
    ("groupnorm_group_size", {"num_channels": 256, "num_groups": 8}, f"{256 // 8} channels per group"),
    ("norm_statistics", {"kind": "groupnorm", "batch": 4, "channels": 64, "groups": 8}, f"{4 * 8} pairs"),
    ("rearrange_shape", {"channels": 3, "height": 32, "width": 32}, "(B, 12, 16, 16)"),
    ("rearrange_channel_index", {"channel": 1, "p1": 1, "p2": 0, "channels": 4}, f"channel {4 * 1 + 2 * 1 + 0}"),
    ("sinusoidal_shape", {"embed_dim": 128}, "(B, 128)"),
    ("time_embedding_shape", {"time_emb_dim": 128}, f"(B, {4 * 128})"),
    ("time_injection_shape", {"in_channels": 768, "out_channels": 256, "time_emb_dim": 512}, "(B, 256, 1, 1)"),
    ("module_parameters", {"kind": "conv2d", "in_channels": 256, "out_channels": 128, "kernel_size": 1}, f"{256 * 128 + 128:,}"),
    ("module_parameters", {"kind": "groupnorm", "num_groups": 8, "num_channels": 256}, f"{2 * 256:,}"),
    (
        "module_parameters",
        {"kind": "residual_block", "in_channels": 64, "out_channels": 64, "time_emb_dim": 512},
        f"{2 * (64 * 64 * 9 + 64) + 2 * (2 * 64) + (512 * 64 + 64):,}",
    ),
    ("failing_base_channels", {"candidates": [16, 24, 12, 40]}, f"base_channels={next(c for c in (16, 24, 12, 40) if c % 8)}"),
    ("denoiser_sigma", {"t": 500, "noise_level": 0.5, "num_steps": 1000}, f"σ = {500 / 1000 * 0.5:g}"),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_fact_matches_an_independent_computation(name, args, expected):
    assert FACTS[name](**args) == expected


# Facts about the reference U-Net's layout: recomputed from the lessons' width rules (widths double
# per level from base_channels, the side halves per level, a decoder level concatenates 2·C_i and C_i).
def level_width(base: int, level: int) -> int:
    return base * 2 ** (level - 1)


UNET_CASES = [
    ("stage_shape", {"stage": "final_conv", "base_channels": 64, "image_size": 64, "levels": 3}, "(B, 1, 64, 64)"),
    ("stage_shape", {"stage": "down1.res_block", "base_channels": 64, "image_size": 64, "levels": 3}, "(B, 64, 64, 64)"),
    (
        "stage_shape",
        {"stage": "down2", "base_channels": 64, "image_size": 64, "levels": 3},
        f"(B, {level_width(64, 2)}, 32, 32) and (B, {4 * level_width(64, 2)}, 16, 16)",
    ),
    ("stage_shape", {"stage": "up2.concat", "base_channels": 64, "image_size": 64, "levels": 3}, f"(B, {3 * level_width(64, 2)}, 32, 32)"),
    ("stage_shape", {"stage": "down1_proj", "base_channels": 64, "image_size": 64, "levels": 3}, "(B, 128, 32, 32)"),
    ("stage_shape", {"stage": "down1.downsample", "base_channels": 32, "image_size": 32, "levels": 2}, "(B, 128, 16, 16)"),
    ("stage_shape", {"stage": "down2_proj", "base_channels": 32, "image_size": 32, "levels": 2}, "(B, 128, 8, 8)"),
    ("stage_shape", {"stage": "down3.downsample", "base_channels": 64, "image_size": 64, "levels": 3}, "(B, 1024, 8, 8)"),
    ("stage_shape", {"stage": "bottleneck", "base_channels": 64, "image_size": 28, "levels": 2}, "(B, 256, 7, 7)"),
    ("stage_shape", {"stage": "bottleneck", "base_channels": 32, "image_size": 16, "levels": 3}, "(B, 256, 2, 2)"),
    ("stage_shape", {"stage": "final_conv", "in_channels": 3, "base_channels": 64, "image_size": 32, "levels": 3}, "(B, 3, 32, 32)"),
    ("stage_shape", {"stage": "up1.upsample", "base_channels": 16, "image_size": 64, "levels": 3}, f"(B, {2 * 16}, 64, 64)"),
    ("stage_channels", {"stage": "up3.concat", "base_channels": 64, "image_size": 64, "levels": 3}, f"{512 + 256} channels"),
    ("stage_channels", {"stage": "down1.downsample", "base_channels": 64, "image_size": 64, "levels": 3}, f"{4 * 64} channels"),
    ("channel_progression", {"base_channels": 64, "image_size": 64, "levels": 3}, "1 → 64 → 128 → 256 → 512 → 256 → 128 → 64 → 1"),
    ("largest_child", {}, "`bottleneck`"),
]


@pytest.mark.parametrize(("name", "args", "expected"), UNET_CASES, ids=[f"{case[0]}-{i}" for i, case in enumerate(UNET_CASES)])
def test_unet_fact_matches_the_width_rules(name, args, expected):
    assert FACTS[name](**args) == expected


def test_parameter_totals_scale_as_the_widths_say():
    """The default model's count is the one CONTRACTS.md fixes; half the width keeps more than a
    quarter of it, because the time MLP does not depend on the width."""
    default = int(FACTS["total_parameters"]().replace(",", ""))
    half = int(FACTS["total_parameters"](base_channels=32).replace(",", ""))
    assert default == 11_371_265
    time_mlp = (128 * 512 + 512) + (512 * 512 + 512)
    assert default / 4 < half < default / 2
    assert half - time_mlp > 0


def test_every_fact_in_use_is_checked_here():
    checked = {case[0] for case in CASES + UNET_CASES} | {"total_parameters"}
    used = {fact.name for question in load_bank() for fact in question.facts}
    assert used - checked == set()
