"""The learner-facing files of a drill, made from content that is written once.

Learner files must stand alone (a learner's file may not import dli-drill), yet the lesson's blocks
(``ResidualBlock``, ``DownBlock``, …) appear in many starters and solutions. They live once, in
``drills/common/<module>.py``, and a drill file pulls them in with a line of its own:

    # dli-drill: include common/lesson_blocks ResidualBlock DownBlock

which is replaced by the source of those top-level definitions (the path is relative to
``drills/``, so a debug drill can include its underlying drill's solution). A starter that is the model
solution with some bodies left for the learner is not a file at all: ``drill.json`` says which
bodies to blank (``"starter": {"blank": {"UNet.forward": "write UNet.forward"}}``), and each is
replaced by its docstring and ``raise NotImplementedError(<message>)``.

Torch-free: the files are read as text and parsed with ``ast``, never imported.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

from engine.drills.catalog import Drill, DrillContentError

_INCLUDE = re.compile(r"^# dli-drill: include (?P<module>[\w/]+)(?P<names>(?: \w+)+)[ \t]*$", re.MULTILINE)


def _definitions(tree: ast.Module) -> dict[str, ast.stmt]:
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef | ast.FunctionDef)}


def _span(node: ast.stmt) -> tuple[int, int]:
    """1-based first and last line of a definition, its decorators included."""
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno, *(d.lineno for d in decorators)])
    return first, node.end_lineno or node.lineno


@cache
def common_definitions(path: Path) -> dict[str, str]:
    """The source of every top-level class and function of a shared content module, by name."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    return {name: "\n".join(lines[first - 1 : last]) for name, (first, last) in
            ((name, _span(node)) for name, node in _definitions(ast.parse(text)).items())}


def expand_includes(text: str, drills_root: Path) -> str:
    """``text`` with every include line replaced by the definitions it names."""

    def replace(match: re.Match[str]) -> str:
        path = drills_root / f"{match['module']}.py"
        if not path.is_file():
            raise DrillContentError(f"include of {match['module']}: there is no {path}")
        definitions = common_definitions(path)
        missing = [name for name in match["names"].split() if name not in definitions]
        if missing:
            raise DrillContentError(f"include of {match['module']}: it defines no {', '.join(missing)}")
        return "\n\n\n".join(definitions[name] for name in match["names"].split())

    return _INCLUDE.sub(replace, text)


def _function(tree: ast.Module, qualified: str) -> ast.FunctionDef:
    scope: list[ast.stmt] = tree.body
    *owners, name = qualified.split(".")
    for owner in owners:
        found = next((n for n in scope if isinstance(n, ast.ClassDef) and n.name == owner), None)
        if found is None:
            raise DrillContentError(f"starter blank {qualified}: there is no class {owner}")
        scope = found.body
    function = next((n for n in scope if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if function is None:
        raise DrillContentError(f"starter blank {qualified}: there is no function {name}")
    return function


def blank_bodies(text: str, blanks: dict[str, str | None]) -> str:
    """``text`` with each named function's body reduced to its docstring and ``raise NotImplementedError``
    (or the function left out where its message is None)."""
    tree = ast.parse(text)
    lines = text.splitlines()
    edits: list[tuple[int, int, str | None]] = []
    for qualified, message in blanks.items():
        function = _function(tree, qualified)
        if message is None:
            first, last = _span(function)
            # The blank line that separated it from the next definition goes with it.
            end = last + 1 if last < len(lines) and not lines[last].strip() else last
            edits.append((first - 1, end, None))
            continue
        body = function.body
        has_docstring = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)
        kept_until = (body[0].end_lineno or body[0].lineno) if has_docstring else function.body[0].lineno - 1
        indent = " " * body[0].col_offset
        raising = f"{indent}raise NotImplementedError({json.dumps(message, ensure_ascii=False)})"
        edits.append((kept_until, function.end_lineno or function.lineno, raising))
    for kept_until, last, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        lines[kept_until:last] = [] if replacement is None else [replacement]
    return "\n".join(lines) + "\n"


def solution_source(drill: Drill) -> str:
    return expand_includes(drill.solution_path.read_text(encoding="utf-8"), drill.folder.parent)


def starter_source(drill: Drill) -> str:
    """The starter a learner gets (for a drill with a fixed starter; factories and debug drills draw theirs)."""
    if drill.starter is not None:
        return blank_bodies(solution_source(drill), drill.starter.blank)
    return expand_includes(drill.starter_path.read_text(encoding="utf-8"), drill.folder.parent)


def content_source(path: Path, drills_root: Path) -> str:
    """Any content file of a drill (an alternative, a debug base) as a learner would see it."""
    return expand_includes(path.read_text(encoding="utf-8"), drills_root)
