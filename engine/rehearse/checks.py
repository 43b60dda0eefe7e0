"""The blanks, checked one by one on the learner's running notebook (in the child process).

Each check calls the learner's code on inputs chosen here and compares the result with values
computed here from the course's formulas, never with the learner's own tables. Where randomness
is involved the check does not depend on which numbers were drawn: ``q`` is judged against the
noise it returned, the reverse step by fitting its output on its inputs, the mask by its
statistics over thousands of entries. A failed check is compared with the known confusions
(the lessons' conventions against the course's) to say which one it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from engine.rehearse.assess import contexts
from engine.rehearse.notebook import Feedback, blank, numbered

Namespace = dict[str, Any]
REQUIRED = (
    "B", "a_bar", "sqrt_a_bar", "sqrt_one_minus_a_bar", "sqrt_a_inv", "pred_noise_coeff", "q", "reverse_q",
    "model", "get_context_mask", "get_loss", "training_step", "sample_w", "w",
)
RTOL, ATOL = 1e-4, 1e-6
MASK_ENTRIES = 20_000
SAMPLED_STEP = 2  # a step where √β_t and √β_{t−1} differ by a quarter


@dataclass(frozen=True)
class Schedule:
    """The course's schedule for T steps, computed here (CPU, float32)."""

    T: int
    B: torch.Tensor
    a: torch.Tensor
    a_bar: torch.Tensor

    @classmethod
    def course(cls, T: int) -> Schedule:
        B = torch.linspace(0.0001, 0.02, T)
        a = 1.0 - B
        return cls(T=T, B=B, a=a, a_bar=torch.cumprod(a, dim=0))


def ok(number: int, detail: str = "") -> Feedback:
    item = blank(number)
    return Feedback(number, True, f"{item.title}{': ' + detail if detail else ''}.")


def wrong(number: int | None, message: str) -> Feedback:
    return Feedback(number, False, f"{blank(number).title}: {message}" if number is not None else message)


def _cpu(value: Any, name: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} is a {type(value).__name__}, not a tensor")
    return value.detach().float().cpu()


def close(got: torch.Tensor, expected: torch.Tensor) -> bool:
    return got.shape == expected.shape and torch.allclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True)


def difference(got: torch.Tensor, expected: torch.Tensor) -> str:
    """Where ``got`` and ``expected`` differ most, in words."""
    if got.shape != expected.shape:
        return f"its shape is {tuple(got.shape)}, expected {tuple(expected.shape)}"
    index = int((got - expected).abs().argmax())
    where = tuple(int(i) for i in torch.unravel_index(torch.tensor(index), got.shape))
    return f"at {where} it is {got.flatten()[index]:.6g}, expected {expected.flatten()[index]:.6g}"


def _fit(target: torch.Tensor, *inputs: torch.Tensor) -> tuple[list[float], torch.Tensor]:
    """Least-squares coefficients of ``target`` on ``inputs`` (all flattened), and the residual."""
    design = torch.stack([x.flatten().double() for x in inputs], dim=1)
    solution = torch.linalg.lstsq(design, target.flatten().double().unsqueeze(1)).solution.flatten()
    residual = target.flatten().double() - design @ solution
    return [float(c) for c in solution], residual


def _near(value: float, expected: float, tolerance: float = 1e-3) -> bool:
    return abs(value - expected) <= tolerance * max(1.0, abs(expected))


def check_schedule(ns: Namespace, ref: Schedule) -> list[Feedback]:
    """Blanks 1–5: ᾱ against the running product of the course's α; each square root against the
    square root of what it is taken of, so that a wrong ᾱ is blamed on blank 1 alone."""
    feedback = []
    a_bar = _cpu(ns["a_bar"], "a_bar")
    if close(a_bar, ref.a_bar):
        feedback.append(ok(1, "torch.cumprod"))
    elif close(a_bar, torch.cumsum(ref.a, dim=0)):
        feedback.append(wrong(1, "a_bar is the running sum of α; ᾱ_t is the product α_0·α_1·…·α_t (torch.cumprod)."))
    elif close(a_bar, ref.a):
        feedback.append(wrong(1, "a_bar equals α itself; ᾱ_t multiplies every α up to t (torch.cumprod along dim 0)."))
    else:
        feedback.append(wrong(1, f"a_bar is not the running product of α: {difference(a_bar, ref.a_bar)}."))
    if a_bar.shape != ref.a_bar.shape:
        a_bar = ref.a_bar
    tables = {
        2: ("sqrt_a_bar", a_bar, "√ᾱ"),
        3: ("sqrt_one_minus_a_bar", 1 - a_bar, "√(1 − ᾱ)"),
        4: ("sqrt_a_inv", 1 / ref.a, "√(1/α)"),
        5: ("pred_noise_coeff", None, "(1 − α)/√(1 − ᾱ)"),
    }
    for number, (name, under, symbol) in tables.items():
        got = _cpu(ns[name], name)
        if under is None:
            expected, unsquared = (1 - ref.a) / (1 - a_bar).sqrt(), (1 - ref.a) / (1 - a_bar)
        else:
            expected, unsquared = under.sqrt(), under
        if close(got, expected):
            feedback.append(ok(number, "torch.sqrt"))
        elif close(got, unsquared):
            feedback.append(wrong(number, f"{name} holds the value under the square root; it should be {symbol}."))
        else:
            feedback.append(wrong(number, f"{name} is not {symbol}: {difference(got, expected)}."))
    return feedback


def check_q(ns: Namespace, ref: Schedule, device: torch.device) -> list[Feedback]:
    """Blanks 6–7: x_t must be √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε, with ε the noise q returned.

    Each image's x_t is fitted on (x_0, ε); the two coefficients are judged on their own."""
    t = torch.tensor([0, 5, ref.T // 3, ref.T // 2, ref.T - 1, 1, ref.T - 2, 9 % ref.T])
    x_0 = torch.rand(len(t), 1, 28, 28)
    result = ns["q"](x_0.to(device), t.float().to(device))
    if not (isinstance(result, tuple) and len(result) == 2):
        return [wrong(6, "q must return the pair (x_t, noise).")]
    x_t, noise = _cpu(result[0], "x_t"), _cpu(result[1], "noise")
    if not (torch.isfinite(x_t).all() and torch.isfinite(noise).all()):
        return [wrong(6, "q returned NaN or infinite values."), wrong(7, "q returned NaN or infinite values.")]
    if x_t.shape != x_0.shape or noise.shape != x_0.shape:
        return [wrong(6, f"q returned shapes {tuple(x_t.shape)} and {tuple(noise.shape)}; both must be x_0's {tuple(x_0.shape)}.")]
    image_coeffs, noise_coeffs, leftover = [], [], 0.0
    for i in range(len(t)):
        (image_coeff, noise_coeff), residual = _fit(x_t[i], x_0[i], noise[i])
        image_coeffs.append(image_coeff)
        noise_coeffs.append(noise_coeff)
        leftover = max(leftover, float(residual.abs().max()))
    signal, spread = ref.a_bar[t].sqrt().tolist(), (1 - ref.a_bar[t]).sqrt().tolist()
    if leftover > 1e-3:
        return [wrong(6, "x_t is not a mix of x_0 and the noise q returned: use the noise from torch.randn_like(x_0).")]
    image_ok = all(_near(c, e) for c, e in zip(image_coeffs, signal))
    noise_ok = all(_near(c, e) for c, e in zip(noise_coeffs, spread))
    if not image_ok and not noise_ok and all(_near(c, e) for c, e in zip(image_coeffs, spread)):
        swapped = "the coefficients are swapped: the image goes with √ᾱ_t (sqrt_a_bar_t) and the noise with √(1 − ᾱ_t)."
        return [wrong(6, swapped), wrong(7, swapped)]
    last = ref.T - 1
    return [
        ok(6, "sqrt_a_bar_t") if image_ok else wrong(6, f"x_0 is scaled by {image_coeffs[4]:.4g} at t = {last}; √ᾱ_t is {signal[4]:.4g}."),
        ok(7, "sqrt_one_minus_a_bar_t")
        if noise_ok
        else wrong(7, f"the noise is scaled by {noise_coeffs[4]:.4g} at t = {last}; √(1 − ᾱ_t) is {spread[4]:.4g}."),
    ]


def _reverse(ns: Namespace, x_t: torch.Tensor, e_t: torch.Tensor, step: int, device: torch.device) -> torch.Tensor:
    # The shape sample_w gives t: one (1, 1, 1) entry per sample.
    t = torch.full((x_t.shape[0], 1, 1, 1), step, device=device)
    return _cpu(ns["reverse_q"](x_t.to(device), t, e_t.to(device)), "reverse_q's result")


def check_reverse(ns: Namespace, ref: Schedule, device: torch.device) -> list[Feedback]:
    """Blanks 8–10, and the noise of the line after them.

    At t = 0 the result must be the mean √(1/α_t)·(x_t − (1 − α_t)/√(1 − ᾱ_t)·ε̂), with no noise.
    At t = 2 it must be that mean plus √β_{t−1}·z: fitted on (x_t, ε̂), the coefficients give the
    mean and the residual's spread gives the noise's scale."""
    x_t, e_t = torch.randn(64, 1, 28, 28), torch.randn(64, 1, 28, 28)
    at_zero, again = _reverse(ns, x_t, e_t, 0, device), _reverse(ns, x_t, e_t, 0, device)
    if at_zero.shape != x_t.shape:
        return [wrong(8, f"reverse_q returned shape {tuple(at_zero.shape)}; it must keep x_t's {tuple(x_t.shape)}.")]
    if not torch.isfinite(at_zero).all():
        return [wrong(n, "reverse_q returned NaN or infinite values at t = 0.") for n in (8, 9, 10)]
    feedback = []
    scale = math.sqrt(1 / float(ref.a[0]))
    coeff = float((1 - ref.a[0]) / (1 - ref.a_bar[0]).sqrt())
    (on_x, on_e), residual = _fit(at_zero, x_t, e_t)
    if _near(on_x, -scale * coeff) and _near(on_e, scale):
        swapped = "x_t and e_t are swapped: the mean is √(1/α_t)·(x_t − coefficient·e_t)."
        feedback += [wrong(8, swapped), wrong(9, swapped)]
    else:
        feedback.append(
            ok(8, "x_t") if _near(on_x, scale)
            else wrong(8, f"the mean weighs x_t by {on_x:.4g} at t = 0; expected √(1/α_0) = {scale:.4g}.")
        )
        feedback.append(
            ok(9, "e_t") if _near(on_e, -scale * coeff)
            else wrong(9, f"the mean weighs e_t by {on_e:.4g} at t = 0; expected −√(1/α_0)·(1 − α_0)/√(1 − ᾱ_0) = {-scale * coeff:.4g}.")
        )
    if not torch.equal(at_zero, again) or float(residual.abs().max()) > 1e-4:
        feedback.append(wrong(10, "at t = 0 reverse_q still adds noise: the last step must return the mean u_t. Test the step, t[0] == 0."))
        return feedback
    step = min(SAMPLED_STEP, ref.T - 1)
    later = _reverse(ns, x_t, e_t, step, device)
    if not torch.isfinite(later).all():
        return [*feedback, wrong(10, f"reverse_q returned NaN or infinite values at t = {step}.")]
    _, noise = _fit(later, x_t, e_t)
    spread = float(noise.std())
    previous, current = math.sqrt(float(ref.B[step - 1])), math.sqrt(float(ref.B[step]))
    if spread < previous * 0.5:
        feedback.append(wrong(10, f"at t = {step} reverse_q adds no noise: the test must pick out t = 0 only (t[0] == 0)."))
    elif abs(spread - previous) <= 0.05 * previous:
        feedback.append(ok(10, "t"))
    else:
        feedback.append(ok(10, "t"))
        which = "√β_t, the current step's" if abs(spread - current) <= 0.05 * current else f"{spread:.4g}"
        feedback.append(wrong(None, f"reverse_q's noise (the line after blank 10) is scaled by {which}; the course adds "
                              f"√β_{{t−1}}·z, B[t − 1], which is {previous:.4g} at t = {step}."))
    return feedback


def check_mask(ns: Namespace, device: torch.device) -> list[Feedback]:
    """Blank 18: a Bernoulli draw for every entry of the one-hot contexts, keeping each with 1 − p."""
    labels = torch.arange(10).repeat(MASK_ENTRIES // 100)
    result = ns["get_context_mask"](labels.to(device), 0.1)
    if not (isinstance(result, tuple) and len(result) == 2):
        return [wrong(18, "get_context_mask must return the pair (c_hot, c_mask).")]
    c_hot, c_mask = _cpu(result[0], "c_hot"), _cpu(result[1], "c_mask")
    if c_mask.shape != c_hot.shape:
        return [wrong(18, f"the mask has shape {tuple(c_mask.shape)}; it must match the one-hot contexts' {tuple(c_hot.shape)}.")]
    if not torch.all((c_mask == 0) | (c_mask == 1)):
        return [wrong(18, "the mask must hold only 0s and 1s: draw it with torch.bernoulli.")]
    kept = float(c_mask.mean())
    if torch.all(c_mask == c_mask[:, :1]):
        return [wrong(18, "your mask is one coin per sample; the course draws one per element of the one-hot "
                          "(torch.bernoulli on a full (B, 10) tensor).")]
    if abs(kept - 0.1) < 0.02:
        return [wrong(18, "the mask keeps 10 % of the entries: bernoulli's argument is the probability of a 1, "
                          "the keep-probability 1 − drop_prob.")]
    if abs(kept - 0.9) > 0.02:
        return [wrong(18, f"with drop_prob = 0.1 the mask keeps {kept:.0%} of the entries; it should keep 90 %.")]
    return [ok(18, "torch.bernoulli, one draw per element")]


class _Recorder(torch.nn.Module):
    """Stands in for the U-Net: records what it was called with and returns a fixed prediction."""

    def __init__(self, prediction: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(()))
        self.prediction = prediction
        self.calls: list[tuple[torch.Tensor, ...]] = []

    def forward(self, x: torch.Tensor, t: torch.Tensor, *context: torch.Tensor) -> torch.Tensor:
        self.calls.append((x.detach().cpu(), t.detach().float().cpu(), *(c.detach().float().cpu() for c in context)))
        return self.prediction(x, context[-1] if context else x) + self.weight


def check_loss(ns: Namespace, ref: Schedule, device: torch.device) -> list[Feedback]:
    """Blank 19: the mean squared error between the noise q added and the predicted noise (which
    is recovered from the noisy images the model was given, q being right)."""
    target = torch.randn(6, 1, 28, 28)
    model = _Recorder(lambda x, _: target.to(x.device).expand_as(x))
    x_0, t = torch.rand(6, 1, 28, 28), torch.tensor([0.0, 3, 17, 40, 90, 149]).clamp(max=ref.T - 1)
    c_hot = F.one_hot(torch.arange(6), 10).float()
    loss = ns["get_loss"](model, x_0.to(device), t.to(device), c_hot.to(device), torch.ones_like(c_hot).to(device))
    got = _cpu(loss, "get_loss's result")
    x_noisy, seen_t = model.calls[0][0], model.calls[0][1]
    steps = t.long()
    noise = (x_noisy - ref.a_bar[steps].sqrt().view(-1, 1, 1, 1) * x_0) / (1 - ref.a_bar[steps]).sqrt().view(-1, 1, 1, 1)
    feedback = []
    if float(seen_t.max()) < 1.0 <= float(t.max()):
        feedback.append(wrong(None, "get_loss passes t / T to the model, but the U-Net divides t by T itself and sample_w passes t: "
                              "training and sampling would show the model different times. Pass t."))
    expected = F.mse_loss(noise, target)
    if got.numel() == 1 and _near(float(got), float(expected)):
        return [*feedback, ok(19, "F.mse_loss")]
    if got.numel() == 1 and _near(float(got), float(F.l1_loss(noise, target))):
        return [*feedback, wrong(19, "that is the mean absolute error (L1); the course trains on the mean squared error, F.mse_loss.")]
    if got.numel() == 1 and _near(float(got), float(F.mse_loss(noise, target, reduction="sum"))):
        return [*feedback, wrong(19, "that is the sum of the squared errors; take their mean (F.mse_loss's default).")]
    if got.numel() != 1:
        return [*feedback, wrong(19, f"the loss must be one number; get_loss returned shape {tuple(got.shape)}.")]
    return [*feedback, wrong(19, f"the loss is {float(got):.6g}; the mean squared error between the noise and the prediction "
                                 f"is {float(expected):.6g}.")]


def check_training_step(ns: Namespace, ref: Schedule, device: torch.device, mask_ok: bool, q_ok: bool) -> list[Feedback]:
    """Blanks 20–21, and the data: the contexts must be the batch's labels, about 90 % of their
    entries kept (judged once the mask is right), and the images used as they come, in [0, 1]
    (judged once q is right)."""
    batch_size = int(ns.get("BATCH_SIZE", 0)) or 128
    model = _Recorder(lambda x, _: torch.zeros_like(x))
    labels_seen, masks, slopes = [], [], []
    rounds = max(1, MASK_ENTRIES // (batch_size * 10))
    for _ in range(rounds):
        labels = torch.randint(0, 10, (batch_size,))
        ns["training_step"](model, (torch.zeros(batch_size, 1, 28, 28), labels))
        x_noisy, t, c, c_mask = model.calls[-1][:4]
        labels_seen.append(bool(c.shape == (batch_size, 10) and torch.equal(c, F.one_hot(labels, 10).float())))
        masks.append(c_mask)
        signal = ref.a_bar[t.long().clamp(0, ref.T - 1)].sqrt()
        slopes.append(float((x_noisy.mean(dim=(1, 2, 3)) * signal).sum() / (signal * signal).sum()))
    feedback = []
    if all(labels_seen):
        feedback.append(ok(21, "batch[1]"))
    else:
        feedback.append(wrong(21, "the contexts are not the one-hot labels of the batch: the labels are batch[1] "
                                  "(batch[0] holds the images)."))
    kept = float(torch.cat([m.flatten() for m in masks]).mean())
    if not mask_ok:
        feedback.append(wrong(20, "checked once blank 18 is right."))
    elif abs(kept - 0.9) <= 0.03:
        feedback.append(ok(20, "0.1"))
    elif abs(kept - 0.1) <= 0.03:
        feedback.append(wrong(20, "c_drop_prob is the probability of dropping the context: 0.9 drops nine in ten. The course drops 0.1."))
    elif kept > 0.99:
        feedback.append(wrong(20, "the context is never dropped, so the model never learns the unconditional noise that "
                                  "guidance needs. The course drops 0.1."))
    else:
        feedback.append(wrong(20, f"the mask keeps {kept:.0%} of the context; with the course's c_drop_prob = 0.1 it keeps 90 %."))
    slope = sum(slopes) / len(slopes)
    if q_ok and abs(slope + 1) < 0.1:
        feedback.append(wrong(None, "training_step rescales the images to [−1, 1]; the assessment's digits stay in [0, 1], "
                                    "as the classifier expects them."))
    elif q_ok and abs(slope) >= 0.1:
        feedback.append(wrong(None, "training_step changes the images before noising them; use batch[0] as it comes, in [0, 1]."))
    return feedback


def check_guidance(ns: Namespace, device: torch.device) -> list[Feedback]:
    """Blank 22: with a stand-in model whose conditional and unconditional predictions are known,
    the noise sample_w hands to reverse_q must be (1 + w)·ε_keep − w·ε_drop."""
    keep, drop = torch.randn(5, 1, 28, 28), torch.randn(5, 1, 28, 28)

    def prediction(x: torch.Tensor, c_mask: torch.Tensor) -> torch.Tensor:
        # Row r is sample r mod 5: its ε_keep where its context is on, its ε_drop where it is masked out.
        rows = torch.arange(x.shape[0]) % keep.shape[0]
        conditional = (c_mask.flatten(1).sum(dim=1) > 0).cpu().view(-1, 1, 1, 1)
        return torch.where(conditional, keep[rows], drop[rows]).to(x.device)

    model = _Recorder(prediction)
    handed: list[torch.Tensor] = []
    original = ns["reverse_q"]

    def recording_reverse_q(x_t: torch.Tensor, t: torch.Tensor, e_t: torch.Tensor) -> torch.Tensor:
        handed.append(e_t.detach().float().cpu())
        return x_t

    ns["reverse_q"] = recording_reverse_q
    try:
        ns["sample_w"](model, contexts(3, device), w=2.0)
    finally:
        ns["reverse_q"] = original
    if not handed:
        return [wrong(22, "sample_w never called reverse_q.")]
    got, w = handed[0], 2.0
    if got.shape != keep.shape:
        return [wrong(22, f"the guided noise has shape {tuple(got.shape)}; it must have one image per sample, {tuple(keep.shape)}.")]
    if close(got, (1 + w) * keep - w * drop):
        return [ok(22, "(1 + w)·ε_keep − w·ε_drop")]
    if close(got, w * (keep - drop)):
        return [wrong(22, "you wrote w·(ε_c − ε_u), which leaves out ε_c itself; the course's form is (1 + w)·ε_keep − w·ε_drop.")]
    if close(got, drop + w * (keep - drop)):
        return [wrong(22, "that is the lessons' form ε_u + w·(ε_c − ε_u), where w = 1 means no guidance; the course writes "
                          "(1 + w)·ε_keep − w·ε_drop, so that w = 0 is plain conditional sampling.")]
    if close(got, (1 + w) * drop - w * keep):
        return [wrong(22, "the halves are swapped: the first half of the batch keeps its context (e_t_keep_c), the second drops it.")]
    return [wrong(22, f"the guided noise is not (1 + w)·ε_keep − w·ε_drop: {difference(got, (1 + w) * keep - w * drop)} (w = 2).")]


def check_weight(ns: Namespace) -> list[Feedback]:
    """Blank 23: a number, not negative."""
    value = ns["w"]
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return [wrong(23, f"w must be a number; it is {value!r}.")]
    if value < 0:
        return [wrong(23, f"w = {value:g} pushes each sample away from its digit; choose w ≥ 0 (the course's solution uses 1).")]
    return [ok(23, f"w = {value:g}")]


def check_model(ns: Namespace, device: torch.device) -> list[Feedback]:
    """Not a blank: the U-Net must map a batch of noisy images to a batch of the same shape."""
    model = ns["model"]
    if not isinstance(model, torch.nn.Module):
        return [wrong(None, f"model is a {type(model).__name__}; it must be the U-Net (an nn.Module).")]
    x = torch.randn(2, 1, 28, 28, device=device)
    c = F.one_hot(torch.tensor([1, 7]), 10).float().to(device)
    out = model(x, torch.tensor([3.0, 100.0], device=device), c, torch.ones_like(c))
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (2, 1, 28, 28):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        return [wrong(None, f"the model maps (2, 1, 28, 28) images to {shape}; it must return a noise prediction of the same shape.")]
    return []


def check_blanks(ns: Namespace, device: torch.device, explain: Callable[[BaseException, str], Feedback]) -> list[Feedback]:
    """Every behavioural check, each on its own: one failing or raising doesn't stop the others.
    ``explain(error, doing)`` turns an exception from the learner's code into feedback."""
    missing = [name for name in REQUIRED if name not in ns]
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        return [Feedback(None, False, f"Your notebook no longer defines {names}; keep the names of the assessment's notebook.")]
    T = ns.get("T")
    if not isinstance(T, int) or T < 3:
        return [Feedback(None, False, f"T must be the number of steps, an integer; it is {T!r}.")]
    ref = Schedule.course(T)
    feedback: list[Feedback] = []
    B = ns["B"]
    if not (isinstance(B, torch.Tensor) and close(_cpu(B, "B"), ref.B)):
        feedback.append(Feedback(None, False, "B is not the course's schedule: torch.linspace(0.0001, 0.02, T)."))
    def right(*numbers: int) -> bool:
        return all(item.ok for item in feedback if item.blank in numbers)

    # (what is done, the blanks it judges, the blanks it needs right to judge them, the check)
    runs: list[tuple[str, tuple[int, ...], tuple[int, ...], Callable[[], list[Feedback]]]] = [
        ("checking the schedule", (1, 2, 3, 4, 5), (), lambda: check_schedule(ns, ref)),
        ("calling q", (6, 7), (1, 2, 3), lambda: check_q(ns, ref, device)),
        ("calling reverse_q", (8, 9, 10), (1, 4, 5), lambda: check_reverse(ns, ref, device)),
        ("calling the model", (), (), lambda: check_model(ns, device)),
        ("calling get_context_mask", (18,), (), lambda: check_mask(ns, device)),
        ("calling get_loss", (19,), (1, 2, 3, 6, 7), lambda: check_loss(ns, ref, device)),
        ("calling training_step", (20, 21), (), lambda: check_training_step(ns, ref, device, right(18), right(1, 2, 3, 6, 7))),
        ("calling sample_w", (22,), (), lambda: check_guidance(ns, device)),
        ("reading w", (23,), (), lambda: check_weight(ns)),
    ]
    for doing, numbers, needs, run in runs:
        if not right(*needs):
            verb = "is" if len(needs) == 1 else "are"
            feedback += [wrong(n, f"checked once {numbered(needs)} {verb} right.") for n in numbers]
            continue
        try:
            feedback += run()
        except Exception as error:  # noqa: BLE001 - the learner's code raised: told as feedback on these blanks
            found = explain(error, doing)
            feedback += [Feedback(n, False, f"{blank(n).title}: {found.message}") for n in numbers] or [found]
    return feedback
