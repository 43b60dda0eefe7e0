"""A drill result as Gradescope's autograder ``results.json``.

Fields, as Gradescope's autograder specification documents them: top-level ``score`` (it
overrides the sum of the tests), ``execution_time`` (seconds), ``output`` (text shown for the
whole submission) and ``tests``, each with ``name``, ``score``, ``max_score``, ``status``
(``passed`` or ``failed``), ``output`` and ``visibility`` (``visible``: students see every
check, as they do in ``drill run``). A result with no checks (the code could not run at all)
gets one failed test, ``run``, carrying the reason.
"""

from __future__ import annotations

from typing import Any

from engine.drills.results import PASS, SKIPPED, RunResult

VISIBLE = "visible"


def to_gradescope(result: RunResult) -> dict[str, Any]:
    data = result.to_dict()
    tests = [
        {
            "name": check["id"] if check["id"].startswith(f"{check['category']}.") else f"{check['category']}.{check['id']}",
            "score": check["points"],
            "max_score": check["max_points"],
            "status": "passed" if check["status"] == PASS else "failed",
            "output": check["message"] if check["status"] != SKIPPED else f"Skipped: {check['message']}",
            "visibility": VISIBLE,
        }
        for check in data["checks"]
    ]
    if result.error or not tests:
        # Code that could not run: why, first, then the declared checks it scored nothing on.
        tests.insert(0, {"name": "run", "score": 0.0, "max_score": 0.0, "status": "failed",
                         "output": result.error or "The code could not be graded.", "visibility": VISIBLE})
    return {
        "score": float(data["score"]),
        "execution_time": round(data["duration_s"]),
        "output": _summary(result, data),
        "tests": tests,
    }


def _summary(result: RunResult, data: dict[str, Any]) -> str:
    lines = [f"{result.drill}: {data['status']}, {data['score']:g}/{data['max_score']:g} points."]
    if result.error:
        lines += ["", result.error]
    for diagnosis in data["diagnoses"]:
        lines += ["", f"Diagnosis: {diagnosis['title']}", diagnosis["explanation"], f"Fix: {diagnosis['hint']}"]
    if result.output.strip():
        lines += ["", "Your code printed:", result.output.rstrip()]
    return "\n".join(lines)
