"""The names a typed answer may use, and the signatures that make two spellings of a call the same.

``ALIASES`` maps the usual import aliases to full module paths (``F`` and ``nn.functional`` are
``torch.nn.functional``). ``SIGNATURES`` lists, for the functions and classes the course's
blanks use, their parameter names in order, the defaults a learner may leave out, and the
parameters whose order does not matter (``F.mse_loss(a, b)`` is ``F.mse_loss(b, a)``).
``TENSOR_METHODS`` are the methods that mean the same as a torch function (``x.sqrt()`` is
``torch.sqrt(x)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALIASES = {
    "F": "torch.nn.functional",
    "nn": "torch.nn",
    "np": "numpy",
}
# Roots of dotted names that are modules, not values: `torch.sqrt` is a function, `x.sqrt` a method.
MODULES = frozenset({"torch", "numpy", "math", "einops"})


@dataclass(frozen=True)
class Signature:
    params: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    symmetric: tuple[str, ...] = ()


_ONE = Signature(("input",))

SIGNATURES: dict[str, Signature] = {
    **{f"torch.{name}": _ONE for name in ("sqrt", "rsqrt", "exp", "log", "sin", "cos", "abs", "square", "bernoulli",
                                          "randn_like", "rand_like", "zeros_like", "ones_like")},
    "torch.cumprod": Signature(("input", "dim")),
    "torch.cumsum": Signature(("input", "dim")),
    "torch.pow": Signature(("input", "exponent")),
    "torch.mean": Signature(("input", "dim")),
    "torch.sum": Signature(("input", "dim")),
    "torch.full_like": Signature(("input", "fill_value")),
    "torch.linspace": Signature(("start", "end", "steps")),
    "torch.cat": Signature(("tensors", "dim"), {"dim": 0}),
    "torch.nn.functional.mse_loss": Signature(("input", "target"), {"reduction": "mean"}, symmetric=("input", "target")),
    "torch.nn.functional.one_hot": Signature(("tensor", "num_classes"), {"num_classes": -1}),
    "torch.nn.functional.gelu": Signature(("input",), {"approximate": "none"}),
    "torch.nn.Linear": Signature(("in_features", "out_features", "bias"), {"bias": True}),
    "torch.nn.Conv2d": Signature(
        ("in_channels", "out_channels", "kernel_size", "stride", "padding"), {"stride": 1, "padding": 0}
    ),
    "torch.nn.ConvTranspose2d": Signature(
        ("in_channels", "out_channels", "kernel_size", "stride", "padding"), {"stride": 1, "padding": 0}
    ),
    "torch.nn.GroupNorm": Signature(("num_groups", "num_channels", "eps", "affine"), {"eps": 1e-5, "affine": True}),
    "torch.nn.GELU": Signature(("approximate",), {"approximate": "none"}),
    "torch.nn.ReLU": Signature(()),
}

TENSOR_METHODS = frozenset(
    {"sqrt", "rsqrt", "exp", "log", "sin", "cos", "abs", "square", "cumprod", "cumsum", "pow", "mean", "sum"}
)
