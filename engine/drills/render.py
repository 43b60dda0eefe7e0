"""Plain-text rendering of a drill result for the terminal (the app renders the same data its own way)."""

from __future__ import annotations

from engine.drills.results import CATEGORIES, ERROR, FAIL, PASS, SKIPPED, RunResult

MARKS = {PASS: "✓", FAIL: "✗", ERROR: "!", SKIPPED: "·"}


def _indent(text: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def render(result: RunResult, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    lines = [paint(f"{result.drill}", "1")]
    if result.error:
        lines += [paint("  Could not grade your code:", "31"), _indent(result.error, "    ")]
    categories = [c for c in CATEGORIES if any(check.category == c for check in result.checks)]
    categories += sorted({check.category for check in result.checks} - set(categories))
    # The first failure of each category shows its evidence: a flow table and a parameter table
    # are both worth seeing, while repeating every case's evidence would bury them.
    first_failures = [
        next((c for c in result.checks if c.category == category and c.status in (FAIL, ERROR)), None)
        for category in categories
    ]
    for category in categories:
        lines.append(f"  {category}")
        for check in (c for c in result.checks if c.category == category):
            mark = paint(MARKS[check.status], {PASS: "32", FAIL: "31", ERROR: "31"}.get(check.status, "2"))
            head, *rest = check.message.splitlines() or [""]
            lines.append(f"    {mark} {head}")
            if any(check is first for first in first_failures):
                detail = "\n".join(rest + ([check.evidence] if check.evidence else []))
                if detail:
                    lines.append(_indent(detail))
    for diagnosis in result.diagnoses:
        lines += [
            "",
            paint(f"  Diagnosis: {diagnosis.title}", "33"),
            _indent(diagnosis.explanation, "    "),
            _indent(f"Fix: {diagnosis.hint}", "    "),
        ]
    if result.output.strip():
        lines += ["", "  Your code printed:", _indent(result.output.rstrip(), "    | ")]
    lines += ["", f"  Score {result.score:g}/{result.max_score:g}  ({result.duration_s:.1f} s)"]
    if result.status == PASS:
        lines.append(paint("  All checks pass. `drill solution " + result.drill + "` shows the model answer.", "32"))
    else:
        lines.append(f"  Stuck? `drill hint {result.drill}` gives the next hint.")
    return "\n".join(lines)
