"""Running the learner's notebook: its code cells in order, in one namespace, in the child process.

The profile's constants replace the values the cells assign (``notebook.with_overrides``), the
names the runner provides (``dataloader``) are there before the first cell, and the cell tagged
``training-loop`` is skipped: the runner trains with its own copy of that loop. Line numbers stay
the file's, so tracebacks point at the learner's lines.
"""

from __future__ import annotations

import ast
import traceback
from pathlib import Path
from typing import Any

from engine.rehearse.notebook import TRAINING_LOOP_TAG, blanks_near, describe, parse_cells, with_overrides


class NotebookError(Exception):
    """The learner's code raised; the message says where, in the learner's terms."""

    def __init__(self, message: str, blank: int | None = None):
        super().__init__(message)
        self.blank = blank


def learner_line(error: BaseException, filename: str) -> int | None:
    """The last line of the learner's file in the traceback of ``error``."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == Path(filename)]
    return frames[-1].lineno if frames else None


def explain(error: BaseException, text: str, filename: str, doing: str) -> NotebookError:
    """A NotebookError for ``error``, raised while ``doing`` something, naming the line and the blank near it."""
    line = learner_line(error, filename)
    numbers = blanks_near(text, line) if line else ()
    near = f" ({describe(numbers)})" if numbers else ""
    if line is None:
        return NotebookError(f"{type(error).__name__} while {doing}: {error}")
    message = f"Your notebook raised {type(error).__name__} on line {line}{near} while {doing}: {error}"
    return NotebookError(message, numbers[0] if len(numbers) == 1 else None)


def run_cells(text: str, filename: str, overrides: dict[str, str], provided: dict[str, Any]) -> dict[str, Any]:
    """Run every code cell except the training loop; returns the namespace the cells built."""
    namespace: dict[str, Any] = {"__name__": "__rehearsal__", **provided}
    for cell in parse_cells(text):
        if cell.kind != "code" or TRAINING_LOOP_TAG in cell.tags:
            continue
        tree = with_overrides(cell.source, overrides)
        ast.increment_lineno(tree, cell.first_line - 1)
        code = compile(tree, filename, "exec", dont_inherit=True)
        try:
            # Running the learner's cells is the point; this process exists to hold them.
            exec(code, namespace)  # noqa: S102
        except Exception as error:
            raise explain(error, text, filename, f"running the cell that starts on line {cell.first_line}") from error
    return namespace
