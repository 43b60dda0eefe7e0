"""Computed facts for the course track: the real DLI course's conventions, blocks, assessment and
CLIP notebook, as ``shared/lessons/COURSE.md`` describes them.

The course's own code comes from ``reference.course`` (its schedule, ``reverse_q``, guidance,
context mask, the seven blocks and the U-Net), so a quiz answer about the course cannot drift
from what the course drills grade against. The grader's rule and normalisation and the CLIP
notebook's similarity have no reference code; they are computed here from COURSE.md's formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from reference import course

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def _fmt(value: float | torch.Tensor, digits: int) -> str:
    return f"{float(value):.{digits}f}"


def course_signal_left(*, t: int, digits: int = 2) -> str:
    """√ᾱ_t of the assessment's schedule: how much of x_0's scale is left in x_t, as "√ᾱ_149 = 0.47"."""
    return f"√ᾱ_{t} = {_fmt(course.ASSESSMENT_SCHEDULE.sqrt_a_bar[t], digits)}"


def course_sigma_at(*, t: int, digits: int = 4) -> str:
    """The standard deviation of the noise that ``reverse_q`` adds at step t, read off one step.

    With x_t = 0 and e_t = 0 the mean is 0, so the step returns σ·z exactly; replaying the same
    random draw gives z, and σ is their ratio.
    """
    zeros = torch.zeros(1, 1, 1, 1)
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(0)
        step = course.reverse_q(zeros, torch.tensor([t]), zeros)
        torch.manual_seed(0)
        z = torch.randn_like(zeros)
    finally:
        torch.random.set_rng_state(state)
    return _fmt((step / z).item(), digits)


def _weighted(cond: float, uncond: float, w: float) -> float:
    as_tensor = torch.tensor(float(cond), dtype=torch.float64), torch.tensor(float(uncond), dtype=torch.float64)
    return float(course.weighted_noise(*as_tensor, float(w)))


def course_guided_noise_value(*, cond: float, uncond: float, w: float, digits: int = 2) -> str:
    """The course's guided noise (1 + w)·e_keep − w·e_drop for scalar predictions."""
    return _fmt(_weighted(cond, uncond, w), digits)


def course_conditional_w(*, digits: int = 1) -> str:
    """The course's w at which guidance returns e_keep itself (solved from two evaluations: it is affine in w)."""
    cond, uncond = 0.7, -0.3
    g0, g1 = _weighted(cond, uncond, 0.0), _weighted(cond, uncond, 1.0)
    return _fmt((cond - g0) / (g1 - g0), digits)


def course_w_to_scale(*, w: float, digits: int = 1) -> str:
    """The usual scale s (ε̂_∅ + s·(ε̂_c − ε̂_∅)) that the course's w amounts to, as "s = 2.0"."""
    cond, uncond = 0.7, -0.3
    return f"s = {_fmt((_weighted(cond, uncond, w) - uncond) / (cond - uncond), digits)}"


def zero_context_share(*, drop_prob: float, classes: int, digits: int = 1, samples: int = 200_000) -> str:
    """The share of one-hot contexts that the course's ``get_context_mask`` turns into all zeros, on a seeded batch."""
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(0)
        c_hot, c_mask = course.get_context_mask(torch.randint(0, classes, (samples,)), drop_prob, num_classes=classes)
    finally:
        torch.random.set_rng_state(state)
    masked = c_hot * c_mask  # (samples, classes), as the U-Net applies it
    return _fmt((masked.sum(dim=1) == 0).float().mean().item(), digits)


BLOCKS: dict[str, Callable[..., torch.nn.Module]] = {
    "GELUConvBlock": course.GELUConvBlock,
    "RearrangePoolBlock": course.RearrangePoolBlock,
    "DownBlock": course.DownBlock,
    "UpBlock": course.UpBlock,
    "ResidualConvBlock": course.ResidualConvBlock,
    "EmbedBlock": course.EmbedBlock,
}


def course_block_shape(*, block: str, shape: Sequence[int], args: Sequence[int], batch: str | None = "B") -> str:
    """The output shape of a course block built with ``args`` on a zero input of ``shape`` (UpBlock gets
    the same shape for x and skip). The batch size is written as ``batch`` unless that is None."""
    module = BLOCKS[block](*args)
    inputs = [torch.zeros(*shape)] * (2 if block == "UpBlock" else 1)
    with torch.no_grad():
        out = tuple(module(*inputs).shape)
    head = [batch] if batch is not None else [str(out[0])]
    return "(" + ", ".join([*head, *(str(d) for d in out[1:])]) + ")"


def course_dense_width(*, img_size: int, img_ch: int, down_chs: Sequence[int]) -> str:
    """Input width of the course U-Net's first dense layer, read off the built model."""
    with torch.device("meta"):
        model = course.UNet(course.T, img_ch, img_size, down_chs=(down_chs[0], down_chs[1], down_chs[2]))
    first = model.dense_emb[0]
    assert isinstance(first, torch.nn.Linear)
    return str(first.in_features)


def course_sinusoidal_frequency(*, dim: int, index: int, digits: int = 4) -> str:
    """ω_index of the course's ``SinusoidalPositionEmbedBlock``, recovered as asin(emb(t = 1)[index])
    (exact for ω < π/2), in scientific notation."""
    with torch.no_grad():
        emb = course.SinusoidalPositionEmbedBlock(dim)(torch.tensor([1.0], dtype=torch.float64))
    return f"{torch.asin(emb[0, index]).item():.{digits}e}"


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
    "course_sinusoidal_frequency": course_sinusoidal_frequency,
    "assessment_allowed_misses": assessment_allowed_misses,
    "mnist_normalised": mnist_normalised,
    "cosine_similarity": cosine_similarity,
    "clip_pair": clip_pair,
}
