"""Shape flows of a whole model, side by side with the reference's, built from its operations.

A flow is the sequence of feature-map shapes a forward produces, each change kept once, as
:mod:`~engine.drills.toolkit.optrace` records them: what the data goes through, whatever the
module layout (attributes, ``ModuleList``/``ModuleDict``, a functional ``forward``, a loop,
recursion). Each step is labelled with the top-level module it ran in and what the operation
was ("down1: space-to-depth"). The two flows are aligned by their shapes, keeping the order; the
first reference step without an equal partner is the first difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from torch import nn

from engine.drills.toolkit import optrace

MATCH, DIFFER, MISSING, EXTRA = "match", "differ", "missing", "extra"
FIRST_MARK, OTHER_MARK = "← first difference", "≠"

# One row of an alignment: (status, the reference's step or None, yours or None); a step is [label, [shape]].
Aligned = tuple[str, list[Any] | None, list[Any] | None]


def rows(steps: Sequence[optrace.FlowStep]) -> list[list[Any]]:
    """``[[label, [shape]], …]``: a flow as the rows :func:`align` pairs and :func:`flow_table` shows."""
    labelled: list[list[Any]] = []
    for before, after in zip([None, *steps[:-1]], steps):
        if after.op.name == "input":
            continue
        kind = optrace.resampling_kind(before, after) if before is not None else optrace.kind(after.op)
        labelled.append([f"{after.stage}: {kind}", [list(after.shape)]])
    return labelled


def op_flow(ops: Sequence[optrace.Op], batch: int, start: tuple[int, ...]) -> list[list[Any]]:
    return rows(optrace.flow(ops, batch, start))


def stage_parameters(model: nn.Module) -> list[list[Any]]:
    """``[[top-level module, number of parameters], …]``; parameters held by the model itself count as "(own)"."""
    counts = [[name, sum(p.numel() for p in module.parameters())] for name, module in model.named_children()]
    own = sum(p.numel() for p in model.parameters(recurse=False))
    return [row for row in counts if row[1]] + ([["(own)", own]] if own else [])


def align(reference: list[list[Any]], yours: list[list[Any]]) -> list[Aligned]:
    """Rows ``(status, reference step or None, your step or None)`` of the cheapest ordered alignment.

    Equal shapes pair for free; a pair with different shapes, or a stage on one side only,
    costs one. Ties prefer pairing, so that a wrong stage shows beside its counterpart.
    """
    n, m = len(reference), len(yours)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 or j == 0:
                cost[i][j] = i + j
                continue
            pair = cost[i - 1][j - 1] + (0 if reference[i - 1][1] == yours[j - 1][1] else 1)
            cost[i][j] = min(pair, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    rows: list[Aligned] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (0 if reference[i - 1][1] == yours[j - 1][1] else 1):
            status = MATCH if reference[i - 1][1] == yours[j - 1][1] else DIFFER
            rows.append((status, reference[i - 1], yours[j - 1]))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            rows.append((MISSING, reference[i - 1], None))
            i -= 1
        else:
            rows.append((EXTRA, None, yours[j - 1]))
            j -= 1
    return rows[::-1]


def first_difference(rows: list[Aligned]) -> int | None:
    """Index of the first row where a reference stage has no equal partner (extra stages of yours are allowed)."""
    return next((index for index, (status, _, _) in enumerate(rows) if status in (DIFFER, MISSING)), None)


def _shapes(step: list[Any] | None) -> str:
    if step is None:
        return "—"
    return ", ".join(str(tuple(shape)) for shape in step[1]) or "(no tensor)"


def flow_table(rows: list[Aligned]) -> str:
    """The two flows side by side, the first difference marked."""
    first = first_difference(rows)
    table = [("stage", "reference", "yours", "")]
    for index, (status, ours, theirs) in enumerate(rows):
        # Every row holds a step on at least one side.
        stage = cast("list[Any]", ours or theirs)[0]
        yours = _shapes(theirs)
        if ours is not None and theirs is not None and theirs[0] != ours[0]:
            yours += f"  [{theirs[0]}]"
        mark = FIRST_MARK if index == first else ("(only in yours)" if status == EXTRA else "")
        if not mark and status in (DIFFER, MISSING):
            mark = OTHER_MARK
        table.append((stage, _shapes(ours), yours, mark))
    return _columns(table)


def parameter_table(reference: list[list[Any]], yours: list[list[Any]]) -> str:
    """Per-stage parameter counts side by side (by stage name), with the difference where they part."""
    ours, theirs = dict(reference), dict(yours)
    names = [name for name, _ in reference] + [name for name, _ in yours if name not in ours]
    table = [("stage", "reference", "yours", "difference")]
    for name in names:
        a, b = ours.get(name), theirs.get(name)
        difference = "" if a == b else f"{(b or 0) - (a or 0):+,}"
        table.append((name, "—" if a is None else f"{a:,}", "—" if b is None else f"{b:,}", difference))
    table.append(("total", f"{sum(ours.values()):,}", f"{sum(theirs.values()):,}", f"{sum(theirs.values()) - sum(ours.values()):+,}"))
    return _columns(table)


def _columns(rows: list[tuple[str, str, str, str]]) -> str:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]) - 1)]
    lines = ["  " + "   ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "   " + row[-1] for row in rows]
    return "\n".join(line.rstrip() for line in lines)
