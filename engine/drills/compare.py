"""Comparisons that report *what* differs: layout (shape, dtype, device) first, then values."""

from __future__ import annotations

import math

import torch

from engine.drills.grading import Verdict, failed, passed
from engine.drills.records import Capture


def describe(captured: Capture) -> str:
    """What the learner's value was, in a phrase: "a tensor of shape (2, 3)", "the value None"."""
    if captured["kind"] == "tensor":
        return f"a tensor of shape {tuple(captured['data'].shape)}"
    if captured["kind"] == "seq":
        return f"a {captured['type']} of {len(captured['items'])} items"
    if captured["kind"] == "py":
        return f"the value {captured['value']!r}"
    if captured["kind"] == "other":
        return f"an object of type {captured['type']}"
    return f"an object of type {captured['kind']}"


def same_device(got: str, expected: torch.device) -> bool:
    got_device = torch.device(got)
    if got_device.type != expected.type:
        return False
    return expected.index is None or got_device.index in (None, expected.index)


def layout(name: str, captured: Capture, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> Verdict:
    """Shape, dtype and device, exactly, before any value is looked at."""
    if captured["kind"] != "tensor":
        return failed(f"{name} should be a tensor of shape {shape}, but it is {describe(captured)}.")
    got_shape = tuple(captured["data"].shape)
    if got_shape != tuple(shape):
        return failed(f"{name} has the wrong shape.", f"expected shape {tuple(shape)}\n     got shape {got_shape}")
    if captured["dtype"] != str(dtype):
        return failed(f"{name} has dtype {captured['dtype']}, expected {dtype}.")
    if not same_device(captured["device"], device):
        return failed(f"{name} is on {captured['device']}, expected {device}: create tensors on the inputs' device.")
    return passed(f"{name}: shape {tuple(shape)}, {dtype}, {device.type}")


def closeness(got: torch.Tensor, expected: torch.Tensor, atol: float, rtol: float) -> tuple[bool, str]:
    """Whether the values agree, and where they part the most."""
    got64, expected64 = got.detach().cpu().double(), expected.detach().cpu().double()
    if got64.shape != expected64.shape:
        return False, f"shapes differ: expected {tuple(expected64.shape)}, got {tuple(got64.shape)}"
    if not torch.isfinite(got64).all():
        bad = (~torch.isfinite(got64)).nonzero()[0].tolist()
        return False, f"non-finite value at index {tuple(bad)}"
    error = (got64 - expected64).abs()
    ok = bool((error <= atol + rtol * expected64.abs()).all())
    if error.numel() == 0:
        return ok, ""
    flat = int(error.argmax())
    index = _unravel(flat, tuple(error.shape))
    where = f" at index {index}" if index else ""
    detail = (
        f"largest error {float(error.flatten()[flat]):.3g}{where}: "
        f"expected {float(expected64.flatten()[flat]):.6g}, got {float(got64.flatten()[flat]):.6g}"
    )
    return ok, detail


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    # torch.unravel_index would do, but its first call costs ~0.3 s of lazy imports.
    index = []
    for size in reversed(shape):
        flat, position = divmod(flat, size)
        index.append(position)
    return tuple(reversed(index))


def values(name: str, got: torch.Tensor, expected: torch.Tensor, atol: float = 1e-5, rtol: float = 1e-4) -> Verdict:
    ok, detail = closeness(got, expected, atol, rtol)
    return passed(f"{name} matches the reference") if ok else failed(f"{name} does not match the reference.", detail)


def matches(got: torch.Tensor, expected: torch.Tensor, atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    return closeness(got, expected, atol, rtol)[0]


def standard_normal(name: str, sample: torch.Tensor) -> Verdict:
    """Whether a sample looks like N(0, 1): its mean and std within ~5 standard errors."""
    data = sample.detach().cpu().double().flatten()
    n = data.numel()
    mean, std = float(data.mean()), float(data.std())
    mean_ok = abs(mean) < 5 / math.sqrt(n) + 0.02
    std_ok = abs(std - 1) < 5 / math.sqrt(2 * n) + 0.03
    summary = f"mean {mean:.3f}, std {std:.3f} over {n} values"
    if mean_ok and std_ok:
        return passed(f"{name} looks standard normal ({summary})")
    return failed(f"{name} is not standard normal noise.", f"expected mean 0 and std 1, got {summary}")


def largest_correlation(rows: torch.Tensor) -> tuple[float, int, int]:
    """The largest |correlation| between two different rows of ``rows`` (n, m), and which two."""
    if rows.shape[0] < 2:
        return 0.0, 0, 0
    centred = rows.double() - rows.double().mean(dim=1, keepdim=True)
    unit = centred / centred.norm(dim=1, keepdim=True).clamp_min(1e-12)
    corr = (unit @ unit.T).abs()
    corr.fill_diagonal_(0.0)
    flat = int(corr.argmax())
    return float(corr.flatten()[flat]), flat // corr.shape[0], flat % corr.shape[0]


def correlation_limit(n: int) -> float:
    """A |correlation| that independent noises of n values exceed with negligible probability."""
    return float(6.0 / n**0.5 + 0.02)  # float(): typeshed types a power with a float exponent as Any


def independent(name: str, rows: torch.Tensor, what: str) -> Verdict:
    """Whether the rows of ``rows`` (one per sample, or per step) look like independent draws."""
    flat = rows.detach().cpu().double().flatten(1)
    corr, a, b = largest_correlation(flat)
    if corr > correlation_limit(flat.shape[1]):
        return failed(f"{name} is not drawn independently for each {what}.",
                      f"{what} {a} and {what} {b} have correlation {corr:.3f}: draw fresh noise for each one.")
    return passed(f"{name} is drawn independently for each {what}")


def sequence(name: str, captured: Capture, length: int) -> Verdict:
    """The learner returned a tuple (or list) of ``length`` items."""
    if captured["kind"] == "seq" and len(captured["items"]) == length:
        return passed(f"{name} returns {length} values")
    return failed(f"{name} should return {length} values, but it returned {describe(captured)}.")
