"""Shape flows and parameter counts of a whole model, side by side with the reference's.

A stage is a direct child of the model (the children of ``nn.ModuleList``/``nn.ModuleDict``
containers stand in for the container, which is never called itself). The learner's stages
may be named differently and there may be extra ones (a separate activation, say), so the two
flows are aligned by their shapes, keeping the order, and the first reference stage without an
equal partner is the first difference.
"""

from __future__ import annotations

from torch import nn

from reference import shape_flow

MATCH, DIFFER, MISSING, EXTRA = "match", "differ", "missing", "extra"
FIRST_MARK, OTHER_MARK = "← first difference", "≠"


def stage_names(model: nn.Module) -> list[str]:
    """Dotted names of the model's stages, in registration order."""

    def expand(prefix: str, module: nn.Module) -> list[str]:
        if isinstance(module, (nn.ModuleList, nn.ModuleDict)):
            return [name for child, sub in module.named_children() for name in expand(f"{prefix}.{child}", sub)]
        return [prefix]

    return [name for child, module in model.named_children() for name in expand(child, module)]


def flow(model: nn.Module, *inputs) -> list[list]:
    """``[[stage, [shape, …]], …]`` in the order the stages finished (plain data for the record)."""
    return [[step.name, [list(shape) for shape in step.shapes]] for step in shape_flow(model, *inputs, names=stage_names(model))]


def stage_parameters(model: nn.Module) -> list[list]:
    """``[[stage, number of parameters], …]``; parameters held by the model itself count as "(own)"."""
    modules = dict(model.named_modules())
    counts = [[name, sum(p.numel() for p in modules[name].parameters())] for name in stage_names(model)]
    own = sum(p.numel() for p in model.parameters(recurse=False))
    return counts + ([["(own)", own]] if own else [])


def align(reference: list[list], yours: list[list]) -> list[tuple]:
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
    rows, i, j = [], n, m
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


def first_difference(rows: list[tuple]) -> int | None:
    """Index of the first row where a reference stage has no equal partner (extra stages of yours are allowed)."""
    return next((index for index, (status, _, _) in enumerate(rows) if status in (DIFFER, MISSING)), None)


def _shapes(step) -> str:
    if step is None:
        return "—"
    return ", ".join(str(tuple(shape)) for shape in step[1]) or "(no tensor)"


def flow_table(rows: list[tuple]) -> str:
    """The two flows side by side, the first difference marked."""
    first = first_difference(rows)
    table = [("stage", "reference", "yours", "")]
    for index, (status, ours, theirs) in enumerate(rows):
        stage = (ours or theirs)[0]
        yours = _shapes(theirs)
        if ours is not None and theirs is not None and theirs[0] != ours[0]:
            yours += f"  [{theirs[0]}]"
        mark = FIRST_MARK if index == first else ("(only in yours)" if status == EXTRA else "")
        if not mark and status in (DIFFER, MISSING):
            mark = OTHER_MARK
        table.append((stage, _shapes(ours), yours, mark))
    return _columns(table)


def parameter_table(reference: list[list], yours: list[list]) -> str:
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


def _columns(rows: list[tuple]) -> str:
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]) - 1)]
    lines = ["  " + "   ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "   " + row[-1] for row in rows]
    return "\n".join(line.rstrip() for line in lines)
