"""A line of code with a blank, and the code it becomes once an answer fills the blank.

The blank is written ``____`` (four underscores), which Python parses as an ordinary name, so a
template is parsed once and the answer is spliced into its syntax tree rather than into its text:
operator precedence then works as the learner means it (``w * ____`` filled with ``a + b`` is
``w * (a + b)``). What the answer must be depends on where the blank stands:

- an expression (``x = ____``, ``batch[____]``, ``dim=____``): any Python expression;
- a positional argument (``f(a, ____)``): one or more arguments, keywords included (``b, dim=0``);
- a class, function or attribute name (``class ____(nn.Module)``, ``torch.____(x)``): a name.

Nothing here runs the learner's text: it is only parsed.
"""

from __future__ import annotations

import ast
import copy
import keyword
from dataclasses import dataclass
from functools import lru_cache

BLANK = "____"
MAX_ANSWER_CHARS = 300

EXPRESSION, ARGUMENTS, NAME = "expression", "arguments", "name"


class BlankError(ValueError):
    """A template without exactly one blank, or an answer that cannot stand in the blank."""


@dataclass(frozen=True)
class Template:
    """A parsed template: its tree, what kind of text its blank takes, and which top-level
    statement holds the blank (the only one an answer can change)."""

    tree: ast.Module
    role: str
    statement: int


def _is_blank(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == BLANK


def _blank_sites(tree: ast.AST) -> list[str]:
    """The role of every place where the blank occurs."""
    roles: list[str] = []
    as_argument: set[int] = set()
    for node in ast.walk(tree):
        named = node.name if isinstance(node, (ast.ClassDef, ast.FunctionDef)) else None
        if named == BLANK or (isinstance(node, ast.Attribute) and node.attr == BLANK):
            roles.append(NAME)
        elif isinstance(node, ast.Call):
            for argument in node.args:
                if _is_blank(argument):
                    roles.append(ARGUMENTS)
                    as_argument.add(id(argument))
    roles += [EXPRESSION for node in ast.walk(tree) if _is_blank(node) and id(node) not in as_argument]
    return roles


@lru_cache(maxsize=512)
def parse_template(code: str) -> Template:
    """Parse ``code``; it must be valid Python with the blank exactly once."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise BlankError(f"the code is not valid Python: {error.msg} (line {error.lineno})") from None
    roles = _blank_sites(tree)
    if len(roles) != 1:
        raise BlankError(f"the code must contain the blank {BLANK} exactly once, not {len(roles)} times")
    statement = next(i for i, node in enumerate(tree.body) if _blank_sites(node))
    return Template(tree, roles[0], statement)


def _parse_expression(text: str) -> ast.expr:
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise BlankError(f"`{text}` is not a Python expression") from None


def _parse_arguments(text: str) -> ast.Call:
    try:
        call = ast.parse(f"_({text})", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise BlankError(f"`{text}` is not a Python expression or argument list") from None
    assert isinstance(call, ast.Call)
    return call


def _check_name(text: str) -> str:
    if not text.isidentifier() or keyword.iskeyword(text):
        raise BlankError(f"`{text}` is not a name: this blank takes one identifier, such as a class or function name")
    return text


class _Filler(ast.NodeTransformer):
    def __init__(self, text: str, role: str):
        self.text = text
        self.role = role

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return _parse_expression(self.text) if node.id == BLANK else node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr == BLANK:
            node.attr = _check_name(self.text)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.generic_visit(node)
        if node.name == BLANK:
            node.name = _check_name(self.text)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        if node.name == BLANK:
            node.name = _check_name(self.text)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if self.role == ARGUMENTS and any(_is_blank(argument) for argument in node.args):
            at = next(i for i, argument in enumerate(node.args) if _is_blank(argument))
            given = _parse_arguments(self.text)
            node.args[at : at + 1] = given.args
            node.keywords = [*given.keywords, *node.keywords]
        self.generic_visit(node)
        return node


def fill(code: str, text: str) -> ast.Module:
    """The template's statement that holds the blank, with ``text`` in the blank, as a syntax tree
    (the template's other statements are the same whatever the answer); raises BlankError."""
    text = text.strip()
    if not text:
        raise BlankError("the answer is empty")
    if len(text) > MAX_ANSWER_CHARS:
        raise BlankError(f"the answer is longer than {MAX_ANSWER_CHARS} characters")
    template = parse_template(code)
    statement = _Filler(text, template.role).visit(copy.deepcopy(template.tree.body[template.statement]))
    assert isinstance(statement, ast.stmt)
    return ast.fix_missing_locations(ast.Module(body=[statement], type_ignores=[]))


def parse_whole(text: str) -> ast.Module | None:
    """The learner's text read as complete code (someone who typed the whole line), or None."""
    text = text.strip()
    if not text or len(text) > MAX_ANSWER_CHARS:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def shown(code: str, text: str) -> str:
    """The line of ``code`` that holds the blank, as the learner reads it with ``text`` written in."""
    line = next(line for line in code.splitlines() if BLANK in line)
    return line.strip().replace(BLANK, text.strip(), 1)
