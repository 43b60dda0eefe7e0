"""Two pieces of code that say the same thing in different spellings get the same normal form.

``normalise`` rewrites a syntax tree so that spelling no longer matters:

- aliases and dotted names: ``F.mse_loss``, ``nn.functional.mse_loss`` and
  ``torch.nn.functional.mse_loss`` all become one name;
- tensor methods: ``x.sqrt()`` becomes ``torch.sqrt(x)``;
- sequences: a tuple is read as a list (``torch.cat((x, skip))`` is ``torch.cat([x, skip])``);
- calls of known functions (``engine.quiz.code_library``): positional or keyword arguments, a
  default written out or left out, and the order of arguments that commute, all give one form;
- numbers: ``1``, ``1.0`` and ``1e0`` are the same constant, ``-1`` is a constant too, and
  arithmetic on constants is folded (``10 ** -4`` is ``1e-4``);
- ``+`` and ``*`` chains are sorted, since the order of their operands does not matter.

What normalisation cannot see (``x ** 0.5`` against ``torch.sqrt(x)``) is left to evaluation
on random values (``engine.quiz.code_values``).
"""

from __future__ import annotations

import ast
import copy
import operator
from collections.abc import Callable
from typing import Any

from engine.quiz.code_library import ALIASES, MODULES, SIGNATURES, TENSOR_METHODS, Signature


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def resolve(dotted: str) -> str:
    """The full path of a dotted name: ``F.gelu`` -> ``torch.nn.functional.gelu``."""
    head, _, rest = dotted.partition(".")
    if head in ALIASES:
        head = ALIASES[head]
    return f"{head}.{rest}" if rest else head


def is_module_path(name: str) -> bool:
    return name.split(".")[0] in MODULES


class _Normaliser(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(id=resolve(node.id), ctx=ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        dotted = _dotted(node)
        if dotted is not None and is_module_path(resolve(dotted)):
            return ast.Name(id=resolve(dotted), ctx=ast.Load())
        self.generic_visit(node)
        node.ctx = ast.Load()
        return node

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        # `(x, skip)` and `[x, skip]` are the same sequence to torch; a tuple being assigned to stays one.
        self.generic_visit(node)
        return ast.List(elts=node.elts, ctx=ast.Load()) if isinstance(node.ctx, ast.Load) else node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        node.ctx = ast.Load()
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return ast.Constant(float(node.value))
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        operand = node.operand
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.USub) and isinstance(operand, ast.Constant) and isinstance(operand.value, float):
            return ast.Constant(-operand.value)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        folded = _fold(node)
        if folded is not None:
            return folded
        if not isinstance(node.op, (ast.Add, ast.Mult)):
            return node
        operands = _chain(node, type(node.op))
        # `[a] + [b]` joins lists and `"a" * 2` repeats text: only arithmetic commutes.
        if any(isinstance(operand, (ast.List, ast.Tuple, ast.JoinedStr)) for operand in operands):
            return node
        operands.sort(key=ast.dump)
        combined = operands[0]
        for operand in operands[1:]:
            combined = ast.BinOp(left=combined, op=type(node.op)(), right=operand)
        return combined

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        call = node
        if isinstance(call.func, ast.Attribute) and call.func.attr in TENSOR_METHODS:
            call = ast.Call(
                func=ast.Name(id=f"torch.{call.func.attr}", ctx=ast.Load()),
                args=[call.func.value, *call.args],
                keywords=call.keywords,
            )
        if isinstance(call.func, ast.Name) and call.func.id in SIGNATURES:
            return _bind(SIGNATURES[call.func.id], call) or call
        return call


_FOLDABLE: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
# Folding never computes a huge power: the learner's text is data, not a program to run.
MAX_FOLDED_EXPONENT = 64.0


def _fold(node: ast.BinOp) -> ast.Constant | None:
    """``2 * 0.5`` -> ``1.0`` when both sides are numbers; None when the operation is not folded."""
    left, right = node.left, node.right
    if not (isinstance(left, ast.Constant) and isinstance(right, ast.Constant)):
        return None
    if not (isinstance(left.value, float) and isinstance(right.value, float)) or type(node.op) not in _FOLDABLE:
        return None
    if isinstance(node.op, ast.Pow) and abs(right.value) > MAX_FOLDED_EXPONENT:
        return None
    try:
        return ast.Constant(float(_FOLDABLE[type(node.op)](left.value, right.value)))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _chain(node: ast.expr, op: type) -> list[ast.expr]:
    """The operands of a chain of one commutative operator: ``a + (b + c)`` -> [a, b, c]."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, op):
        return _chain(node.left, op) + _chain(node.right, op)
    return [node]


def _constant(value: Any) -> ast.expr:
    normal = _Normaliser().visit(ast.Constant(value))
    assert isinstance(normal, ast.expr)
    return normal


def _bind(signature: Signature, call: ast.Call) -> ast.Call | None:
    """The call with every argument passed by keyword, defaults dropped and commuting ones sorted; None
    when the arguments do not fit the signature (the call is then compared as written)."""
    if any(isinstance(argument, ast.Starred) for argument in call.args) or len(call.args) > len(signature.params):
        return None
    values: dict[str, ast.expr] = dict(zip(signature.params, call.args))
    for item in call.keywords:
        if item.arg is None or item.arg in values:
            return None
        values[item.arg] = item.value
    for name, default in signature.defaults.items():
        if name in values and ast.dump(values[name]) == ast.dump(_constant(default)):
            del values[name]
    if signature.symmetric and all(name in values for name in signature.symmetric):
        ordered = sorted((values[name] for name in signature.symmetric), key=ast.dump)
        values.update(zip(signature.symmetric, ordered))
    keywords = [ast.keyword(arg=name, value=values[name]) for name in sorted(values)]
    return ast.Call(func=call.func, args=[], keywords=keywords)


def normalise(tree: ast.AST) -> ast.AST:
    """A normalised copy of ``tree``; the tree itself is left as it is."""
    normal: ast.AST = _Normaliser().visit(copy.deepcopy(tree))
    return ast.fix_missing_locations(normal)


def normal_form(tree: ast.AST) -> str:
    """A text that two trees share exactly when their normal forms are equal."""
    return ast.dump(normalise(tree), include_attributes=False)


def names_used(tree: ast.AST) -> set[str]:
    """The plain names (not module paths) that the normalised code reads or defines."""
    return {
        node.id for node in ast.walk(normalise(tree)) if isinstance(node, ast.Name) and not is_module_path(node.id)
    }
