"""The rehearsal notebook as text: percent-format cells, the blanks, the scaffold, and the checks
that need no running (torch-free).

The model solution, ``drills/rehearsal/solution.py``, is the only copy of the notebook's code.
``drills/rehearsal/blanks.json`` lists the blanks: for each, the solution line it sits on and the
answer, which the scaffold replaces with ``FIXME_<number>``. A cell is a ``# %%`` line and what
follows it up to the next one; ``# %% [markdown]`` starts a markdown cell, and ``tags=[...]`` on
the marker line carries the cell's tags, as jupytext writes them.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

CONTENT_PACKAGE = "drills.rehearsal"
TRAINING_LOOP_TAG = "training-loop"
_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
_TAGS = re.compile(r"tags\s*=\s*(\[[^\]]*\])")
_FIXME = re.compile(r"FIXME(?:_(\d+))?$")


@dataclass(frozen=True)
class Cell:
    kind: str  # "code" or "markdown"
    tags: tuple[str, ...]
    source: str
    first_line: int  # the file's line number (from 1) of the cell's first source line


@dataclass(frozen=True)
class Blank:
    number: int
    line: str
    answer: str
    what: str

    @property
    def label(self) -> str:
        return f"blank {self.number} ({self.what})"

    @property
    def title(self) -> str:
        """The label at the start of a sentence."""
        return f"Blank {self.number} ({self.what})"


@dataclass(frozen=True)
class Feedback:
    """What a check found about one blank (``blank`` None: about the notebook as a whole)."""

    blank: int | None
    ok: bool
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"blank": self.blank, "ok": self.ok, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Feedback:
        blank = data.get("blank")
        return cls(blank=int(blank) if isinstance(blank, int) else None, ok=bool(data["ok"]), message=str(data["message"]))


def parse_cells(text: str) -> list[Cell]:
    """The cells of a percent-format file; lines before the first marker form a code cell."""
    cells: list[Cell] = []
    kind, tags, lines, first = "code", (), [], 1
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _MARKER.match(line)
        if marker is None:
            lines.append(line)
            continue
        if lines and (cells or any(part.strip() for part in lines)):
            cells.append(Cell(kind, tags, "\n".join(lines) + "\n", first))
        rest = marker.group("rest")
        kind = "markdown" if "[markdown]" in rest else "code"
        found = _TAGS.search(rest)
        tags = tuple(json.loads(found.group(1))) if found else ()
        lines, first = [], number + 1
    if lines:
        cells.append(Cell(kind, tags, "\n".join(lines) + "\n", first))
    return cells


def solution_text() -> str:
    return resources.files(CONTENT_PACKAGE).joinpath("solution.py").read_text(encoding="utf-8")


@cache
def blanks() -> tuple[Blank, ...]:
    data = json.loads(resources.files(CONTENT_PACKAGE).joinpath("blanks.json").read_text(encoding="utf-8"))
    return tuple(Blank(**{key: entry[key] for key in ("number", "line", "answer", "what")}) for entry in data["blanks"])


def blank(number: int) -> Blank:
    return next(item for item in blanks() if item.number == number)


def _answer_pattern(answer: str) -> re.Pattern[str]:
    # A word-like answer must stand alone: "t" is not the t inside "sqrt_a_bar_t".
    before = r"(?<!\w)" if answer[0].isalnum() or answer[0] == "_" else ""
    after = r"(?!\w)" if answer[-1].isalnum() or answer[-1] == "_" else ""
    return re.compile(before + re.escape(answer) + after)


def blank_out(solution: str, items: tuple[Blank, ...]) -> str:
    """``solution`` with each blank's answer replaced by ``FIXME_<number>`` on its line.

    Raises ValueError when a blank's line is not exactly one line of the solution, or its answer
    does not occur exactly once on that line: the blanks and the solution must agree.
    """
    original = solution.split("\n")
    lines = list(original)
    for item in items:
        # Lines are found in the solution as written: two blanks may share one line.
        where = [index for index, line in enumerate(original) if line.strip() == item.line]
        if len(where) != 1:
            raise ValueError(f"blank {item.number}: its line occurs {len(where)} times in the solution: {item.line!r}")
        line = lines[where[0]]
        pattern = _answer_pattern(item.answer)
        if len(pattern.findall(line)) != 1:
            raise ValueError(f"blank {item.number}: {item.answer!r} does not occur exactly once in {line!r}")
        lines[where[0]] = pattern.sub(f"FIXME_{item.number}", line)
    return "\n".join(lines)


def scaffold_text() -> str:
    """The learner's starting file: the model solution with every blank replaced by ``FIXME_<n>``."""
    return blank_out(solution_text(), blanks())


def _prefix(item: Blank) -> str:
    """What comes before the answer on its line, e.g. ``a_bar =`` for blank 1."""
    match = _answer_pattern(item.answer).search(item.line)
    return item.line[: match.start()].strip() if match else ""


def _blanks_by_cell() -> list[tuple[int, ...]]:
    """For each code cell of the scaffold, in order, the numbers of the blanks in it."""
    code = [cell for cell in parse_cells(scaffold_text()) if cell.kind == "code"]
    return [tuple(int(n) for n in re.findall(r"FIXME_(\d+)", cell.source)) for cell in code]


def blanks_near(text: str, line_number: int) -> tuple[int, ...]:
    """The blanks a learner's line most likely belongs to: those whose line starts the same way,
    narrowed to (or else taken from) the blanks of the code cell at the same position in the scaffold."""
    lines = text.splitlines()
    line = lines[line_number - 1].strip() if 0 < line_number <= len(lines) else ""
    by_prefix = {item.number for item in blanks() if _prefix(item) and line.startswith(_prefix(item))}
    code = [cell for cell in parse_cells(text) if cell.kind == "code"]
    position = max((i for i, cell in enumerate(code) if cell.first_line <= line_number), default=None)
    scaffold_cells = _blanks_by_cell()
    in_cell = set(scaffold_cells[position]) if position is not None and position < len(scaffold_cells) else set()
    if by_prefix and in_cell and by_prefix & in_cell:
        return tuple(sorted(by_prefix & in_cell))
    return tuple(sorted(by_prefix if by_prefix and len(by_prefix) <= 2 else in_cell))


def numbered(numbers: tuple[int, ...]) -> str:
    """``blank 4`` or ``blanks 1, 2 and 3``."""
    if len(numbers) == 1:
        return f"blank {numbers[0]}"
    return "blanks " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def describe(numbers: tuple[int, ...]) -> str:
    """``blank 4 (what it asks)`` for one blank, ``blanks 6 and 7`` for several."""
    if not numbers:
        return ""
    return blank(numbers[0]).label if len(numbers) == 1 else numbered(numbers)


def syntax_problem(text: str, filename: str) -> Feedback | None:
    """A syntax error, with the blank(s) it most likely sits in."""
    try:
        compile(text, filename, "exec", dont_inherit=True)
    except SyntaxError as error:
        line_number = error.lineno or 0
        numbers = blanks_near(text, line_number)
        where = f" ({describe(numbers)})" if numbers else ""
        shown = f": {error.text.strip()}" if error.text and error.text.strip() else ""
        return Feedback(
            numbers[0] if len(numbers) == 1 else None,
            False,
            f"Syntax error on line {line_number}{where}: {error.msg}{shown}",
        )
    except ValueError as error:
        return Feedback(None, False, f"The file cannot be compiled: {error}")
    return None


def _names(tree: ast.AST) -> list[tuple[str, int]]:
    """Every identifier written in the code (names, attributes, definitions), with its line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.append((node.id, node.lineno))
        elif isinstance(node, ast.Attribute):
            found.append((node.attr, node.lineno))
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.name, node.lineno))
    return found


def empty_blanks(tree: ast.Module) -> list[Feedback]:
    """Every ``FIXME`` still in the code (comments and markdown don't count)."""
    problems, seen = [], set()
    for name, line in sorted(_names(tree), key=lambda pair: pair[1]):
        match = _FIXME.match(name)
        if match is None:
            continue
        number = int(match.group(1)) if match.group(1) else None
        known = number is not None and any(item.number == number for item in blanks())
        if (number, line) in seen:
            continue
        seen.add((number, line))
        if known and number is not None:
            problems.append(Feedback(number, False, f"{blank(number).title} is still empty (line {line})."))
        else:
            problems.append(Feedback(None, False, f"Line {line} still has a {name}: replace it with your answer."))
    return problems


def _class_bodies(tree: ast.Module) -> dict[str, str]:
    return {node.name: ast.dump(ast.Module(body=node.body, type_ignores=[])) for node in tree.body if isinstance(node, ast.ClassDef)}


def class_names(tree: ast.Module) -> list[Feedback]:
    """The seven block names, judged from the class bodies: each body of the model solution must
    carry the name it has there. A body the learner rewrote is judged by its name alone."""
    expected = _class_bodies(ast.parse(solution_text()))
    learner = _class_bodies(tree)
    by_body = {body: name for name, body in learner.items()}
    feedback = []
    for item in blanks():
        if item.answer not in expected or not item.line.startswith("class "):
            continue
        given = by_body.get(expected[item.answer])
        if given is None:
            ok = item.answer in learner
            message = (
                f"{item.title}: a class is named {item.answer}."
                if ok
                else f"{item.title}: no class is named {item.answer}, and the class with this body was changed."
            )
        elif _FIXME.match(given):
            continue  # reported by empty_blanks
        else:
            ok = given == item.answer
            message = (
                f"{item.title}: {item.answer}."
                if ok
                else f"{item.title}: you named it {given}; this body is the {item.answer}."
            )
        feedback.append(Feedback(item.number, ok, message))
    return feedback


def static_feedback(text: str, filename: str) -> list[Feedback]:
    """What can be told without running anything: a syntax error, empty blanks, the class names.
    Any feedback that is not ok means nothing may run."""
    problem = syntax_problem(text, filename)
    if problem is not None:
        return [problem]
    tree = ast.parse(text, filename)
    cells = parse_cells(text)
    if not any(TRAINING_LOOP_TAG in cell.tags for cell in cells):
        marker = f'# %% tags=["{TRAINING_LOOP_TAG}"]'
        return [Feedback(None, False, f"No cell is tagged {TRAINING_LOOP_TAG}: put `{marker}` back above the training loop.")]
    return empty_blanks(tree) + class_names(tree)


def with_overrides(source: str, overrides: dict[str, str]) -> ast.Module:
    """The cell's code with the value of each top-level ``NAME = ...`` replaced by ``overrides[NAME]``
    (Python source of an expression), so that a profile sets the notebook's sizes."""
    tree = ast.parse(source)
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id in overrides
        ):
            value = ast.parse(overrides[statement.targets[0].id], mode="eval").body
            statement.value = ast.copy_location(value, statement.value)
    return ast.fix_missing_locations(tree)
