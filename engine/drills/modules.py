"""Checking ``nn.Module`` drills: the reference's weights go into the learner's module.

Where a drill fixes the attribute layout (the lesson's names), the reference module is built
with a fixed seed, its ``state_dict`` is loaded into the learner's instance with strict key
matching, and both are run on the same inputs. What the child records is plain data: the
alignment report, the order and input shapes of the submodule calls, the captured outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from engine.drills import compare
from engine.drills.capture import learner_traceback

# GroupNorm and LayerNorm start with scale 1 and shift 0; moved off those values, a norm applied
# at the wrong place (or not at all) changes the output instead of hiding behind an identity.
ONE_D_JITTER = 0.2


def strict_numerics() -> None:
    """Full float32 precision on CUDA (no TF32), so that the child and the grader agree to 1e-5."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def seeded(factory: Callable[[], nn.Module], seed: int) -> nn.Module:
    """``factory()`` built on the CPU from ``seed``, the same in every process; the global RNG is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = factory()
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for parameter in module.parameters():
            if parameter.ndim == 1:
                parameter.add_(ONE_D_JITTER * torch.randn(parameter.shape, generator=generator))
    return module


def build(attempt, cls, *args) -> tuple[nn.Module | None, dict]:
    """Instantiate the learner's class; the instance (or None) and a record of how it went."""
    try:
        return cls(*args), {"ok": True}
    except Exception as error:  # noqa: BLE001 - the learner's __init__ failing is reported, not raised
        return None, {"ok": False, "error": learner_traceback(error, attempt.learner_file)}


def alignment(module: nn.Module, reference_state: dict[str, torch.Tensor]) -> dict:
    """Which keys and shapes of the learner's ``state_dict`` differ from the reference's (plain data)."""
    theirs = {key: tuple(value.shape) for key, value in module.state_dict().items()}
    ours = {key: tuple(value.shape) for key, value in reference_state.items()}
    return {
        "missing": [key for key in ours if key not in theirs],
        "unexpected": [key for key in theirs if key not in ours],
        "mismatched": [[key, list(ours[key]), list(theirs[key])] for key in ours if key in theirs and theirs[key] != ours[key]],
    }


def aligned(report: dict) -> bool:
    return not (report["missing"] or report["unexpected"] or report["mismatched"])


def load_reference_weights(module: nn.Module, reference_state: dict[str, torch.Tensor]) -> dict:
    """Copy the reference's weights into ``module`` when every key and shape agrees; the alignment report."""
    report = alignment(module, reference_state)
    if aligned(report):
        module.load_state_dict(reference_state, strict=True)
    return report


def alignment_message(report: dict, limit: int = 6) -> str:
    """The report in words: the keys the reference has and yours lacks, and the other way round."""

    def listed(keys: list) -> str:
        more = f" … and {len(keys) - limit} more" if len(keys) > limit else ""
        return ", ".join(str(key) for key in keys[:limit]) + more

    lines = []
    if report["missing"]:
        lines.append(f"missing from yours:    {listed(report['missing'])}")
    if report["unexpected"]:
        lines.append(f"not in the reference:  {listed(report['unexpected'])}")
    for key, ours, theirs in report["mismatched"][:limit]:
        lines.append(f"{key}: reference {tuple(ours)}, yours {tuple(theirs)}")
    return "\n".join(lines)


@contextmanager
def call_trace(module: nn.Module) -> Iterator[list]:
    """Record ``[name, [input shapes]]`` for every submodule call, in call order.

    Pre-hooks run before the submodule does, so the call that fails is recorded too: the trace
    shows where a wrong number of channels arrived.
    """
    trace: list = []

    def hook(name):
        def record(_module, inputs):
            trace.append([name, [list(item.shape) for item in inputs if isinstance(item, torch.Tensor)]])

        return record

    handles = [sub.register_forward_pre_hook(hook(name)) for name, sub in module.named_modules() if name]
    try:
        yield trace
    finally:
        for handle in handles:
            handle.remove()


def called(trace: list, name: str) -> list[list]:
    """The input shapes of every call to submodule ``name`` in a recorded trace."""
    return [shapes for called_name, shapes in trace if called_name == name]


def keep_result(attempt, fn, *args) -> tuple[object, dict]:
    """``attempt(fn, *args)``, also handing back the raw result (None when the call raised)."""
    box = {}

    def call(*inner):
        box["value"] = fn(*inner)
        return box["value"]

    record = attempt(call, *args)
    return box.get("value"), record


def input_gradients(output, inputs: dict[str, torch.Tensor]) -> dict:
    """Backpropagate a fixed random projection of ``output``; per input, whether a gradient reached it.

    Plain data: ``{name: "none" | "zero" | "flows"}``; "none" when ``output`` carries no graph.
    """
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        return dict.fromkeys(inputs, "none")
    generator = torch.Generator().manual_seed(7)
    projection = torch.randn(output.shape, generator=generator).to(output.device)
    (output * projection).sum().backward()
    states = {}
    for name, tensor in inputs.items():
        grad = tensor.grad
        states[name] = "none" if grad is None else ("zero" if not bool(grad.abs().sum() > 0) else "flows")
    return states


@contextmanager
def replaced_output(module: nn.Module, value) -> Iterator[None]:
    """While inside, ``module`` returns ``value`` whatever its input: its information is cut off."""
    handle = module.register_forward_hook(lambda _m, _i, _out: value)
    try:
        yield
    finally:
        handle.remove()


def _agree(observed, predicted, atol: float) -> bool:
    if isinstance(observed, torch.Tensor) and isinstance(predicted, torch.Tensor):
        return observed.shape == predicted.shape and compare.matches(observed, predicted, atol=atol, rtol=1e-3)
    if isinstance(observed, (tuple, list)) and isinstance(predicted, (tuple, list)) and len(observed) == len(predicted):
        return all(_agree(a, b, atol) for a, b in zip(observed, predicted))
    return False


def matching_keys(cases: list[tuple[object, dict[str, object]]], atol: float = 1e-4) -> list[str]:
    """The catalog variants that behave like the learner's code in every case, in catalog order.

    Each case pairs what the learner's code gave (a tensor, a tuple of tensors, or None when it
    raised) with what each variant gives (None when it raises). A variant matches when it agrees
    in at least one case where both produced values, and never behaves otherwise: it does not
    produce other values, raise where the learner's code ran, or run where the learner's raised.
    """
    keys = list(cases[0][1]) if cases else []
    found = []
    for key in keys:
        agreements, conflicts = 0, 0
        for observed, predictions in cases:
            predicted = predictions[key]
            if observed is None and predicted is None:
                continue
            if observed is not None and predicted is not None and _agree(observed, predicted, atol):
                agreements += 1
            else:
                conflicts += 1
        if agreements and not conflicts:
            found.append(key)
    return found


def run_variant(variant: Callable, *args):
    """A variant's result, or None when it raises the way a shape mistake does."""
    try:
        with torch.no_grad():
            return variant(*args)
    except (RuntimeError, ValueError, IndexError):
        return None
