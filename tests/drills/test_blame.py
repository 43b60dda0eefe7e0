"""A crash in our own code is reported as ours, with the traceback in a log under $DRILL_HOME,
and never as the learner's fault; the learner's own crash still points at their line.

The broken checks are made with a ``sitecustomize`` module on PYTHONPATH, which Python imports
at start-up: it breaks the real forward_diffusion checks inside the grader processes only (a
cold grader, or the warm template and every grader forked from it), never the files on disk.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.drills.blame import LOG_NAME
from engine.drills.results import ERROR
from engine.drills.runner import COLD, run_drill
from engine.drills.warm import PrivateGrader

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"
OURS = "The grader failed on your output — please report it"

BREAKAGES = {
    "grade": """
        def grade(calls, device, grading):
            raise RuntimeError("deliberately broken grade")
        module.checks.grade = grade
    """,
    "probe": """
        def probe(module, device, attempt):
            raise RuntimeError("deliberately broken probe")
        module.checks.probe = probe
    """,
}


@pytest.fixture(params=["cold", "warm"])
def mode(request):
    return request.param


def broken_grader(tmp_path: Path, monkeypatch, part: str, mode: str):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import drills.forward_diffusion.checks as module\n" + textwrap.dedent(BREAKAGES[part])
    )
    monkeypatch.setenv("PYTHONPATH", str(folder))
    return COLD if mode == "cold" else PrivateGrader()


@pytest.mark.parametrize("part", list(BREAKAGES))
def test_a_crash_in_our_checks_is_ours_and_logged(tmp_path, monkeypatch, drill_home, part, mode):
    grader = broken_grader(tmp_path, monkeypatch, part, mode)
    try:
        result = run_drill("forward_diffusion", SOLUTION, device="cpu", grader=grader)
    finally:
        if grader is not COLD:
            grader.close()
    log = drill_home / "logs" / LOG_NAME
    assert result.status == ERROR
    assert result.error.startswith(OURS)
    assert str(log) in result.error
    assert "did your code" not in result.error and "Traceback" not in result.error
    assert f"deliberately broken {part}" in log.read_text()
    assert "forward_diffusion" in log.read_text()


def test_the_learners_own_crash_is_still_theirs(tmp_path, mode):
    path = tmp_path / "forward_diffusion.py"
    path.write_text("def forward_diffusion(x_0, t, noise_schedule):\n    return 1 / 0\n")
    grader = COLD if mode == "cold" else PrivateGrader()
    try:
        result = run_drill("forward_diffusion", path, device="cpu", grader=grader)
    finally:
        if grader is not COLD:
            grader.close()
    messages = " ".join(check.message for check in result.checks)
    assert "line 2, in forward_diffusion" in messages and "ZeroDivisionError" in messages
    assert OURS not in result.error
