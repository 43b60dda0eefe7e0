"""Computed facts for the course track: the real DLI course's conventions, blocks, assessment and
CLIP notebook, as ``shared/lessons/COURSE.md`` describes them.

The course's conventions are computed here, in small functions that follow COURSE.md, because the
reference does not model them yet. When ``reference.course`` lands (the course's ``q``,
``reverse_q``, ``get_context_mask`` and the seven blocks), ``_course_schedule``, ``_blocks``,
``_context_mask`` and ``course_sigma_at`` should call it instead, so that the quiz and the course
drills share one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import torch
import torch.nn.functional as F
from einops.layers.torch import Rearrange
from torch import nn

COURSE_T = 150
BETA_START, BETA_END = 1e-4, 0.02
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def _fmt(value: float | torch.Tensor, digits: int) -> str:
    return f"{float(value):.{digits}f}"


@cache
def _course_schedule(T: int = COURSE_T) -> dict[str, torch.Tensor]:
    """The course's schedule cell: B linear, a = 1 − B, a_bar = cumprod(a), and the square roots."""
    B = torch.linspace(BETA_START, BETA_END, T)
    a = 1.0 - B
    a_bar = torch.cumprod(a, dim=0)
    return {"B": B, "a": a, "a_bar": a_bar, "sqrt_a_bar": torch.sqrt(a_bar)}


def course_signal_left(*, t: int, digits: int = 2) -> str:
    """√ᾱ_t of the course's schedule: how much of x_0's scale is left in x_t, as "√ᾱ_149 = 0.47"."""
    return f"√ᾱ_{t} = {_fmt(_course_schedule()['sqrt_a_bar'][t], digits)}"


def course_sigma_at(*, t: int, digits: int = 4) -> str:
    """The standard deviation of the noise that the course's reverse step adds at t > 0: √B[t − 1]."""
    if t == 0:
        raise ValueError("the course's last step (t = 0) adds no noise")
    return _fmt(torch.sqrt(_course_schedule()["B"][t - 1]), digits)


def _course_guidance(e_cond: torch.Tensor, e_uncond: torch.Tensor, w: float) -> torch.Tensor:
    """The course's guidance: (1 + w)·e_cond − w·e_uncond."""
    return (1 + w) * e_cond - w * e_uncond


def course_guided_noise_value(*, cond: float, uncond: float, w: float, digits: int = 2) -> str:
    """The course's guided noise for scalar predictions."""
    return _fmt(_course_guidance(torch.tensor(float(cond)), torch.tensor(float(uncond)), float(w)).item(), digits)


def course_conditional_w(*, digits: int = 1) -> str:
    """The course's w at which guidance returns e_cond itself (solved from two evaluations: it is affine in w)."""
    cond, uncond = torch.tensor(0.7, dtype=torch.float64), torch.tensor(-0.3, dtype=torch.float64)
    g0, g1 = _course_guidance(cond, uncond, 0.0), _course_guidance(cond, uncond, 1.0)
    return _fmt(float((cond - g0) / (g1 - g0)), digits)


def course_w_to_scale(*, w: float, digits: int = 1) -> str:
    """The usual scale s (ε̂_∅ + s·(ε̂_c − ε̂_∅)) that the course's w amounts to, as "s = 2.0"."""
    cond, uncond = torch.tensor(0.7, dtype=torch.float64), torch.tensor(-0.3, dtype=torch.float64)
    scale = (_course_guidance(cond, uncond, float(w)) - uncond) / (cond - uncond)
    return f"s = {_fmt(float(scale), digits)}"


def _context_mask(c_hot: torch.Tensor, drop_prob: float) -> torch.Tensor:
    """The course's mask: one Bernoulli draw per element, keep-probability 1 − drop_prob."""
    return torch.bernoulli(torch.ones_like(c_hot).float() - drop_prob)


def zero_context_share(*, drop_prob: float, classes: int, digits: int = 1, samples: int = 200_000) -> str:
    """The share of one-hot contexts that the course's mask turns into all zeros, measured on a seeded batch."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(0)
    try:
        labels = torch.randint(0, classes, (samples,))
        c_hot = F.one_hot(labels, num_classes=classes).float()
        masked = c_hot * _context_mask(c_hot, drop_prob)
    finally:
        torch.random.set_rng_state(generator_state)
    return _fmt((masked.sum(dim=1) == 0).float().mean().item(), digits)


def _gelu_conv(in_ch: int, out_ch: int, group_size: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, 1, 1), nn.GroupNorm(group_size, out_ch), nn.GELU())


class _RearrangePool(nn.Module):
    def __init__(self, in_chs: int, group_size: int) -> None:
        super().__init__()
        self.rearrange = Rearrange("b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)
        self.conv = _gelu_conv(4 * in_chs, in_chs, group_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.conv(self.rearrange(x))
        return out


class _Up(nn.Module):
    def __init__(self, in_chs: int, out_chs: int, group_size: int) -> None:
        super().__init__()
        convs = [_gelu_conv(out_chs, out_chs, group_size) for _ in range(4)]
        self.model = nn.Sequential(nn.ConvTranspose2d(2 * in_chs, out_chs, 2, 2), *convs)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.model(torch.cat((x, skip), 1))
        return out


class _ResidualConv(nn.Module):
    def __init__(self, in_chs: int, out_chs: int, group_size: int) -> None:
        super().__init__()
        self.conv1 = _gelu_conv(in_chs, out_chs, group_size)
        self.conv2 = _gelu_conv(out_chs, out_chs, group_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1: torch.Tensor = self.conv1(x)
        x2: torch.Tensor = self.conv2(x1)
        return x1 + x2


def _down(in_chs: int, out_chs: int, group_size: int) -> nn.Module:
    return nn.Sequential(
        _gelu_conv(in_chs, out_chs, group_size), _gelu_conv(out_chs, out_chs, group_size), _RearrangePool(out_chs, group_size)
    )


def _embed(input_dim: int, emb_dim: int) -> nn.Module:
    return nn.Sequential(nn.Linear(input_dim, emb_dim), nn.GELU(), nn.Linear(emb_dim, emb_dim), nn.Unflatten(1, (emb_dim, 1, 1)))


def _blocks() -> dict[str, Callable[..., nn.Module]]:
    return {
        "GELUConvBlock": _gelu_conv,
        "RearrangePoolBlock": _RearrangePool,
        "DownBlock": _down,
        "UpBlock": _Up,
        "ResidualConvBlock": _ResidualConv,
        "EmbedBlock": _embed,
    }


def course_block_shape(*, block: str, shape: Sequence[int], args: Sequence[int], batch: str | None = "B") -> str:
    """The output shape of a course block built with ``args`` on a zero input of ``shape`` (UpBlock gets
    the same shape for x and skip). The batch size is written as ``batch`` unless that is None."""
    module = _blocks()[block](*args)
    inputs = [torch.zeros(*shape)] * (2 if block == "UpBlock" else 1)
    with torch.no_grad():
        out = tuple(module(*inputs).shape)
    head = [batch] if batch is not None else [str(out[0])]
    return "(" + ", ".join([*head, *(str(d) for d in out[1:])]) + ")"


def course_dense_width(*, img_size: int, img_ch: int, down_chs: Sequence[int]) -> str:
    """Input width of the course U-Net's first dense layer: down0, down1 and down2 run on one image, flattened."""
    encoder = nn.Sequential(
        _ResidualConv(img_ch, down_chs[0], 8), _down(down_chs[0], down_chs[1], 32), _down(down_chs[1], down_chs[2], 32)
    )
    with torch.no_grad():
        latent = encoder(torch.zeros(1, img_ch, img_size, img_size))
    return str(latent.flatten(1).shape[1])


def assessment_allowed_misses(*, n: int, mark: float) -> str:
    """The most misclassified images out of ``n`` that still pass the grader's ``score >= mark`` test."""
    return str(max(misses for misses in range(n + 1) if (n - misses) / n >= mark))


def mnist_normalised(*, pixel: float, digits: int = 2) -> str:
    """What the grader's Normalize((0.1307,), (0.3081,)) makes of one pixel value."""
    value = (torch.tensor([pixel]) - MNIST_MEAN) / MNIST_STD
    return _fmt(value.item(), digits)


def cosine_similarity(*, a: Sequence[float], b: Sequence[float], digits: int = 2) -> str:
    """Cosine similarity as the CLIP notebook computes it: normalise both, then the dot product."""
    first, second = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    first, second = first / first.norm(dim=-1, keepdim=True), second / second.norm(dim=-1, keepdim=True)
    return _fmt((first * second).sum(-1).item(), digits)


def clip_pair(*, n_text: int, n_img: int, row: int) -> str:
    """Which text and image meet in ``row`` once texts are ``repeat``-ed and images ``repeat_interleave``-d."""
    texts = torch.arange(n_text).repeat(n_img)
    images = torch.arange(n_img).repeat_interleave(n_text, dim=0)
    return f"text {int(texts[row])} with image {int(images[row])}"


FACTS: dict[str, Callable[..., str]] = {
    "course_signal_left": course_signal_left,
    "course_sigma_at": course_sigma_at,
    "course_guided_noise_value": course_guided_noise_value,
    "course_conditional_w": course_conditional_w,
    "course_w_to_scale": course_w_to_scale,
    "zero_context_share": zero_context_share,
    "course_block_shape": course_block_shape,
    "course_dense_width": course_dense_width,
    "assessment_allowed_misses": assessment_allowed_misses,
    "mnist_normalised": mnist_normalised,
    "cosine_similarity": cosine_similarity,
    "clip_pair": clip_pair,
}
