"""The terminal's rendering of a drill result's :class:`~engine.drills.view.ResultView` (the app's
widget renders the same view with Textual)."""

from __future__ import annotations

from engine.drills.results import ERROR, FAIL, PASS
from engine.drills.view import ResultView

_COLOURS = {PASS: "32", FAIL: "31", ERROR: "31"}


def _indent(text: str, prefix: str = "      ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def render(view: ResultView, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    lines = [paint(view.drill, "1")]
    if view.error:
        lines += [paint("  Could not grade your code:", "31"), _indent(view.error, "    ")]
    for category in view.categories:
        lines.append(f"  {category.name}")
        for line in category.lines:
            lines.append(f"    {paint(line.mark, _COLOURS.get(line.status, '2'))} {line.text}")
            if line.detail:
                lines.append(_indent(line.detail))
    for diagnosis in view.diagnoses:
        lines += [
            "",
            paint(f"  Diagnosis: {diagnosis.title}", "33"),
            _indent(diagnosis.explanation, "    "),
            _indent(f"Fix: {diagnosis.hint}", "    "),
        ]
    if view.withheld:
        lines += ["", f"  {view.withheld}"]
    if view.output.strip():
        lines += ["", "  Your code printed:", _indent(view.output.rstrip(), "    | ")]
    lines += ["", f"  Score {view.score_text}  ({view.duration_s:.1f} s)"]
    if view.fixed:
        lines += ["", paint(f"  Fixed! {view.fixed}", "32")]
    if view.passed:
        lines.append(paint(f"  All checks pass. `drill solution {view.drill}` shows the model answer.", "32"))
    else:
        lines.append(f"  Stuck? `drill hint {view.drill}` gives the next hint.")
    return "\n".join(lines)
