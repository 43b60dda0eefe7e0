"""Evaluating a typed answer's code on random values, to compare it with the course's by result.

This is a small interpreter over a *normalised* syntax tree (``engine.quiz.code_meaning``): it
knows numbers, the item's declared variables, arithmetic, indexing by an integer, lists and
tuples, and calls of the elementwise torch functions in ``FUNCTIONS``, computed with numpy on
small float arrays. Anything else (an attribute of an object, an unknown function, a lambda) is
:class:`Unsupported`, and the answer is then judged by its normal form alone. The learner's text
is never handed to ``eval`` or ``exec``, and torch is never imported.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from engine.quiz.models import Variable

SIZE = 16
DRAWS = 3
MAX_STEPS = 10_000


class Unsupported(Exception):
    """The code uses something the interpreter does not evaluate."""


def _axis(dim: Any) -> int:
    return int(dim)


def _mse(input: Any, target: Any, reduction: str = "mean") -> Any:
    squared = (np.asarray(input) - np.asarray(target)) ** 2
    if reduction == "none":
        return squared
    return squared.sum() if reduction == "sum" else squared.mean()


def _linspace(start: Any, end: Any, steps: Any) -> Any:
    if not 0 < int(steps) <= MAX_STEPS:
        raise Unsupported("too many steps")
    return np.linspace(float(start), float(end), int(steps))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "torch.sqrt": lambda input: np.sqrt(input),
    "torch.rsqrt": lambda input: 1.0 / np.sqrt(input),
    "torch.exp": lambda input: np.exp(input),
    "torch.log": lambda input: np.log(input),
    "torch.sin": lambda input: np.sin(input),
    "torch.cos": lambda input: np.cos(input),
    "torch.abs": lambda input: np.abs(input),
    "torch.square": lambda input: np.square(input),
    "torch.pow": lambda input, exponent: np.power(input, exponent),
    "torch.cumprod": lambda input, dim: np.cumprod(input, axis=_axis(dim)),
    "torch.cumsum": lambda input, dim: np.cumsum(input, axis=_axis(dim)),
    "torch.mean": lambda input, dim=None: np.mean(input, axis=None if dim is None else _axis(dim)),
    "torch.sum": lambda input, dim=None: np.sum(input, axis=None if dim is None else _axis(dim)),
    "torch.linspace": _linspace,
    "torch.cat": lambda tensors, dim=0.0: np.concatenate(tensors, axis=_axis(dim)),
    "torch.nn.functional.mse_loss": _mse,
    # math works on one number: on an array it raises, as it would on a tensor in the notebook.
    "math.sqrt": lambda x: math.sqrt(x),
    "math.exp": lambda x: math.exp(x),
    "math.log": lambda x: math.log(x),
}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def _index(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    raise Unsupported("only integer indices are evaluated")


def evaluate(node: ast.AST, env: Mapping[str, Any]) -> Any:
    """The value of a normalised expression, with ``env`` holding the variables."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (float, str)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in FUNCTIONS:
            return FUNCTIONS[node.id]
        raise Unsupported(f"unknown name {node.id}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](evaluate(node.left, env), evaluate(node.right, env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -evaluate(node.operand, env)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [evaluate(element, env) for element in node.elts]
    if isinstance(node, ast.Subscript):
        return evaluate(node.value, env)[_index(evaluate(node.slice, env))]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if any(isinstance(argument, ast.Starred) for argument in node.args) or any(k.arg is None for k in node.keywords):
            raise Unsupported("unpacked arguments")
        arguments = [evaluate(argument, env) for argument in node.args]
        keywords = {str(k.arg): evaluate(k.value, env) for k in node.keywords}
        return FUNCTIONS[node.func.id](*arguments, **keywords)
    raise Unsupported(type(node).__name__)


def statement_values(tree: ast.Module, env: Mapping[str, Any]) -> list[Any]:
    """The value each statement computes: an assignment's right side, an expression, a condition."""
    values = []
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.Expr, ast.Return)) and statement.value is not None:
            values.append(evaluate(statement.value, env))
        elif isinstance(statement, ast.If):
            values.append(evaluate(statement.test, env))
        else:
            raise Unsupported(type(statement).__name__)
    return values


def random_env(variables: Mapping[str, Variable], seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    env: dict[str, Any] = {}
    for name in sorted(variables):
        spec = variables[name]
        if spec.integer:
            env[name] = int(rng.integers(int(spec.low), int(spec.high) + 1))
        else:
            env[name] = rng.uniform(spec.low, spec.high, SIZE)
    return env


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(_close, a, b))
    numbers = (int, float, np.ndarray, np.number)
    if not isinstance(a, numbers) or not isinstance(b, numbers) or isinstance(a, bool) or isinstance(b, bool):
        return False
    first, second = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (
        first.shape == second.shape
        and bool(np.all(np.isfinite(first)) and np.all(np.isfinite(second)))
        and bool(np.allclose(first, second, rtol=1e-6, atol=1e-9))
    )


def same_values(given: ast.Module, expected: ast.Module, variables: Mapping[str, Variable]) -> bool | None:
    """Whether both (normalised) trees compute the same values on every random draw; None when
    either cannot be evaluated here."""
    for seed in range(DRAWS):
        env = random_env(variables, seed)
        try:
            with np.errstate(all="ignore"):
                want = statement_values(expected, env)
        except (Unsupported, ArithmeticError, ValueError, TypeError, IndexError, KeyError):
            return None
        try:
            with np.errstate(all="ignore"):
                got = statement_values(given, env)
        except Unsupported:
            return None
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError):
            return False
        if len(got) != len(want) or not all(map(_close, got, want)):
            return False
    return True
