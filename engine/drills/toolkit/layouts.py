"""Naming what is wrong with an output's layout or with an error the learner's code raised.

A shape, dtype or device check already says what was expected and what came back; these turn the
difference into the mistake behind it ("an extra axis of size 1", "the channels come last",
"torch.cat joined the batch axis"), as a diagnosis keyed like a catalog bug, so that a file that
fails only by its layout or only by raising still learns what it did.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import torch

from engine.drills.compare import describe
from engine.drills.records import Capture
from engine.drills.results import Diagnosis

Shape = tuple[int, ...]
_ROLES = {4: ("batch", "channels", "height", "width"), 3: ("batch", "rows", "columns"), 2: ("batch", "features"), 1: ("length",)}


def _role(index: int, ndim: int) -> str:
    roles = _ROLES.get(ndim)
    return f"the {roles[index]} axis" if roles else f"axis {index}"


def shape_change(got: Shape, expected: Shape) -> str:
    """What turns ``expected`` into ``got``, in words."""
    if len(got) == len(expected) + 1:
        for index in range(len(got)):
            if got[index] == 1 and got[:index] + got[index + 1 :] == expected:
                return f"an extra axis of size 1 at position {index} (an unsqueeze or a [:, None] too many)"
    if len(got) + 1 == len(expected):
        for index in range(len(expected)):
            if expected[:index] + expected[index + 1 :] == got:
                return f"{_role(index, len(expected))} (size {expected[index]}) is missing"
    if len(got) == len(expected) == 4 and got == (expected[0], expected[2], expected[3], expected[1]):
        return "the channels come last (B, H, W, C); PyTorch's layout is (B, C, H, W)"
    if len(got) == len(expected) and sorted(got) == sorted(expected):
        return "the right sizes on the wrong axes: the axes are in another order"
    if len(got) == len(expected):
        wrong = [f"{_role(i, len(expected))} is {g}, not {e}" for i, (g, e) in enumerate(zip(got, expected)) if g != e]
        return "; ".join(wrong)
    if _numel(got) == _numel(expected):
        return "the same number of values in another shape: a reshape or view went wrong"
    return f"{len(got)} axes where {len(expected)} belong"


def _numel(shape: Shape) -> int:
    total = 1
    for size in shape:
        total *= size
    return total


def layout_diagnosis(prefix: str, what: str, captured: Capture, expected: torch.Tensor | Sequence[torch.Tensor]) -> Diagnosis | None:
    """A diagnosis for a captured output whose structure, shape, dtype or device differs from ``expected``'s."""
    if not isinstance(expected, torch.Tensor):
        count = len(expected)
        if captured["kind"] != "seq" or len(captured["items"]) != count:
            got = f"{len(captured['items'])} values" if captured["kind"] == "seq" else describe(captured)
            return Diagnosis(f"{prefix}.return_values", f"{what} returns {got}, not {count}",
                             f"{what} must return {count} values, in the starter's order; yours returns {got}.",
                             f"Return all {count} values as a tuple: `return {', '.join(f'v{i}' for i in range(count))}`.")
        for index, (item, want) in enumerate(zip(captured["items"], expected)):
            found = layout_diagnosis(prefix, f"{what}'s value {index + 1}", item, want)
            if found is not None:
                return found
        return None
    if captured["kind"] != "tensor":
        return Diagnosis(f"{prefix}.return_type", f"{what} returns {describe(captured)}, not a tensor",
                         f"{what} must return a tensor of shape {tuple(expected.shape)}; yours returns {describe(captured)}.",
                         "Return the tensor itself.")
    got_shape, want_shape = tuple(captured["data"].shape), tuple(expected.shape)
    if got_shape != want_shape:
        return Diagnosis(f"{prefix}.output_shape", f"{what} has shape {got_shape}, not {want_shape}",
                         f"{what} has shape {got_shape} where {want_shape} belongs: {shape_change(got_shape, want_shape)}.",
                         "Follow the shapes through your code (print x.shape after each line) to find the line that changes them.")
    if captured["dtype"] != str(expected.dtype):
        return Diagnosis(f"{prefix}.output_dtype", f"{what} is {captured['dtype']}, not {expected.dtype}",
                         f"{what} has dtype {captured['dtype']}; the model works in {expected.dtype}, and a tensor of "
                         "another dtype either breaks the next layer or doubles the memory it takes.",
                         f"Create or convert it as {expected.dtype} (e.g. `.float()`, or dtype= from the input).")
    return None


# ---- errors ------------------------------------------------------------------------------------

_Explainer = Callable[[re.Match[str]], tuple[str, str, str, str]]


def _cat(match: re.Match[str]) -> tuple[str, str, str, str]:
    dim = match["dim"]
    if dim == "0":
        return ("cat_dim", "torch.cat joined the batch axis",
                "torch.cat was given tensors whose sizes differ beyond the batch axis: it concatenated along dim 0, its "
                "default, where the channels (dim 1) were meant.",
                "Concatenate feature maps along the channels: `torch.cat([x, skip], dim=1)`.")
    return ("cat_sizes", "torch.cat got tensors of different sizes",
            f"torch.cat along dim {dim} needs the tensors to agree on every other axis, and yours do not: a resolution or a "
            "batch that does not line up (a skip from another level, an upsample missing or doubled).",
            "Print the shapes of the tensors you concatenate and make them agree except along the concatenated axis.")


def _broadcast(match: re.Match[str]) -> tuple[str, str, str, str]:
    a, b, dim = match["a"], match["b"], match["dim"]
    if dim == "0":
        return ("batch_mismatch", f"Tensors of {a} and {b} entries combined along their first axis",
                f"An elementwise operation met {a} and {b} entries on the same first axis, so the two shapes do not line up: "
                "two vectors meant for an outer product that lack an axis (t[:, None] * freqs[None, :]), or a batch "
                "doubled, split or chunked along the wrong axis before this line.",
                "Print the shapes on the failing line and give each tensor the axes it should broadcast along.")
    return ("broadcast", "Two tensors that do not broadcast together",
            f"An elementwise operation met sizes {a} and {b} on the same axis ({dim}): the two shapes do not line up. A per-sample "
            "value of shape (B,), for instance, lines up with the LAST axis of a (B, C, H, W) tensor unless it is reshaped.",
            "Print the two shapes on the failing line; reshape per-sample values to (B, 1, 1, 1) before combining them with images.")


_ERRORS: tuple[tuple[re.Pattern[str], _Explainer], ...] = (
    (re.compile(r"Sizes of tensors must match except in dimension (?P<dim>\d+)"), _cat),
    (re.compile(r"The size of tensor a \((?P<a>\d+)\) must match the size of tensor b \((?P<b>\d+)\) "
                r"at non-singleton dimension (?P<dim>\d+)"),
     _broadcast),
    (re.compile(r"the model got (?P<images>\d+) images but (?P<count>\d+) (?P<what>timesteps|labels)"), lambda m: (
        f"model_{m['what']}", f"The model got {m['images']} images but {m['count']} {m['what']}",
        f"Every image passed to the model needs its own entry in {m['what']}: {m['images']} images, {m['count']} {m['what']}. "
        "A batch doubled for classifier-free guidance needs its timesteps and labels doubled too.",
        f"Build {m['what']} with one entry per row of the x you pass (torch.full((len(x),), t), or torch.cat of both halves).")),
    (re.compile(r"view size is not compatible with input tensor's size and stride"), lambda m: (
        "view_not_contiguous", ".view on a permuted tensor",
        "After permute or transpose a tensor's memory is no longer in order, and .view cannot reshape it.",
        "Use .reshape (or .contiguous().view) after a permute.")),
    (re.compile(r"mat1 and mat2 shapes cannot be multiplied \((?P<n>\d+)x(?P<got>\d+) and (?P<want>\d+)x(?P<out>\d+)\)"), lambda m: (
        "linear_width", f"A Linear layer built for {m['want']} features received {m['got']}",
        f"A Linear layer expects inputs of width {m['want']} but was given {m['got']}: it was built for another width than "
        "the tensor that reaches it.",
        "Build each Linear for the width of what it receives (in_features), or feed it the tensor it was built for.")),
    (re.compile(r"expected input\[(?P<shape>[^\]]*)\] to have (?P<want>\d+) channels, but got (?P<got>\d+) channels"), lambda m: (
        "conv_channels", f"A convolution built for {m['want']} channels received {m['got']}",
        f"A convolution was built for {m['want']} input channels and received a map with {m['got']} ([{m['shape']}]): "
        "a concatenation missing or doubled, or a layer sized for another level.",
        "Size each convolution's in_channels for what really reaches it (after a concatenation: both parts' channels).")),
    (re.compile(r"index (?P<index>-?\d+) is out of bounds for dimension (?P<dim>\d+) with size (?P<size>\d+)"), lambda m: (
        "index_out_of_range", f"Index {m['index']} is past the end of a tensor of size {m['size']}",
        f"Your code indexed position {m['index']} of an axis of size {m['size']}: a timestep or class index outside the "
        "table (t must run from 0 to T − 1).",
        "Draw and loop over indices in range(T) (0 … T − 1), and index tables with them.")),
    (re.compile(r"num_groups|divisible by num_groups"), lambda m: (
        "groupnorm_groups", "GroupNorm's groups do not divide the channels",
        "nn.GroupNorm(G, C) needs C divisible by G; one of yours was built for a channel count that is not.",
        "Build GroupNorm for the channels of the map it normalises.")),
    (re.compile(r"Expected all tensors to be on the same device"), lambda m: (
        "device", "Tensors on different devices",
        "Your code mixes tensors on the CPU and the GPU: one of them was created without device=.",
        "Create new tensors on the inputs' device (`torch.randn_like(x)`, `device=x.device`).")),
    (re.compile(r"(expected scalar type|must have the same dtype|dtype)"), lambda m: (
        "dtype", "Tensors of different dtypes",
        "An operation received tensors of different dtypes (float32 with float64 or an integer tensor).",
        "Keep every tensor float32 (`.float()`), and convert integer tensors before doing arithmetic with them.")),
)


def error_diagnosis(prefix: str, error: str) -> Diagnosis | None:
    """A diagnosis for a known kind of error in the learner's traceback text (None when it is not one)."""
    for pattern, explain in _ERRORS:
        match = pattern.search(error)
        if match:
            key, title, explanation, hint = explain(match)
            return Diagnosis(f"{prefix}.{key}", title, explanation, hint)
    return None
