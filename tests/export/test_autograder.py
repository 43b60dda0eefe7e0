"""``drill gradescope-autograder``: the files Gradescope needs, and run_autograder run against a
temporary root laid out as Gradescope lays out /autograder (source, submission, results)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"


@pytest.fixture(scope="module")
def autograder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("autograder")
    completed = subprocess.run(
        [sys.executable, "-m", "engine.cli", "gradescope-autograder", "forward_diffusion", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "autograder.zip" in completed.stderr
    return out


def gradescope_root(tmp_path: Path, autograder: Path, files: dict[str, str]) -> Path:
    """/autograder as Gradescope builds it: the zip in source/, run_autograder copied to the root."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder / "autograder.zip") as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    return root


def run_autograder(root: Path) -> dict:
    completed = subprocess.run(
        [str(root / "run_autograder")], capture_output=True, text=True, timeout=180,
        env={**os.environ, "AUTOGRADER_ROOT": str(root), "DRILL_PYTHON": sys.executable},
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_holds_setup_and_run_autograder_at_its_root_executable(autograder):
    with zipfile.ZipFile(autograder / "autograder.zip") as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "dli-drill/pyproject.toml", "dli-drill/drills/forward_diffusion/checks.py"} <= names
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert not [name for name in names if name.endswith("solution.py") or "/alternatives/" in name]
    setup = (autograder / "setup.sh").read_text()
    assert "download.pytorch.org/whl/cpu" in setup and setup.index("torch") < setup.index("dli-drill")


def test_the_bundled_project_builds_with_its_data_files(autograder, tmp_path):
    project = (autograder / "dli-drill" / "pyproject.toml").read_text()
    assert 'name = "dli-drill"' in project and '"torch' in project
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path),
         str(autograder / "dli-drill")],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    wheel = next(tmp_path.glob("dli_drill-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"drills/forward_diffusion/drill.json", "engine/drills/grader.py", "reference/__init__.py"} <= names


def test_run_autograder_grades_the_submission_into_results_json(autograder, tmp_path):
    root = gradescope_root(tmp_path, autograder, {"forward_diffusion.py": SOLUTION.read_text()})
    results = run_autograder(root)
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0
    assert all(test["status"] == "passed" for test in results["tests"])


def test_a_borrowing_submission_under_another_name_scores_nothing(autograder, tmp_path):
    root = gradescope_root(tmp_path, autograder, {"answer.py": "from reference import forward_diffusion\n"})
    results = run_autograder(root)
    assert results["score"] == 0
    assert "reference implementation" in results["output"]


def test_an_empty_submission_gets_a_results_file_that_says_what_to_submit(autograder, tmp_path):
    root = gradescope_root(tmp_path, autograder, {})
    results = run_autograder(root)
    assert results["score"] == 0 and "forward_diffusion.py" in results["output"]
