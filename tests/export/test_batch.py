"""``drill grade ID --batch DIR``: a folder of submissions graded at once, through one warm grader."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine.export.batch import ProgressBar

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"
STARTER = ROOT / "drills" / "forward_diffusion" / "starter.py"


def drill(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=300, env=os.environ)


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "alice.py").write_text(SOLUTION.read_text())
    (folder / "bob.py").write_text(
        SOLUTION.read_text().replace("sqrt_ab * x_0 + sqrt_omab * noise", "sqrt_omab * x_0 + sqrt_ab * noise")
    )
    (folder / "carol.py").write_text("def forward_diffusion(x_0, t, noise_schedule)\n    return x_0\n")
    (folder / "dave.py").write_text("from reference import forward_diffusion\n")
    (folder / "notes.txt").write_text("not a submission")
    return folder


def summary(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_a_class_is_graded_into_gradescope_results_and_a_summary(classroom, tmp_path):
    out = tmp_path / "grades"
    completed = drill("grade", "forward_diffusion", "--batch", str(classroom), "--out", str(out), "--jobs", "2")
    assert completed.returncode == 1, completed.stderr  # not everyone passes
    rows = summary(out)
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert rows["alice"]["status"] == "pass" and rows["alice"]["score"] == rows["alice"]["max_score"]
    assert rows["bob"]["status"] == "fail" and rows["bob"]["top_diagnosis"]
    assert rows["carol"]["status"] == "error" and "line 1" in rows["carol"]["top_diagnosis"]
    assert rows["dave"]["status"] == "error" and "reference implementation" in rows["dave"]["top_diagnosis"]
    for student in rows:
        results = json.loads((out / student / "results.json").read_text())
        assert results["score"] == float(rows[student]["score"])
        assert results["tests"]
    assert "4/4" in completed.stderr and "files/s" in completed.stderr
    assert "4 graded: 1 pass, 1 fail, 2 could not be graded" in completed.stderr


def test_a_class_as_one_junit_file_with_a_suite_per_student(classroom, tmp_path):
    out = tmp_path / "grades"
    completed = drill("grade", "forward_diffusion", "--batch", str(classroom), "--out", str(out), "--format", "junit", "--cold")
    assert completed.returncode == 1, completed.stderr
    root = ET.parse(out / "junit.xml").getroot()
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {f"{student}.forward_diffusion" for student in ("alice", "bob", "carol", "dave")}
    assert suites["alice.forward_diffusion"].get("failures") == "0"
    assert int(root.get("tests")) == sum(int(suite.get("tests")) for suite in suites.values())
    assert summary(out)["alice"]["status"] == "pass"


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["--batch", "{classroom}"], "needs --out"),
        (["--batch", "{empty}", "--out", "{out}"], "no .py files"),
        (["--batch", "{missing}", "--out", "{out}"], "No such folder"),
    ],
)
def test_batch_usage_errors_are_one_line(classroom, tmp_path, args, phrase):
    (tmp_path / "empty").mkdir()
    names = {"classroom": classroom, "empty": tmp_path / "empty", "missing": tmp_path / "missing", "out": tmp_path / "out"}
    completed = drill("grade", "forward_diffusion", *[arg.format(**names) for arg in args])
    assert completed.returncode == 2
    assert completed.stderr.startswith("drill: ") and phrase in completed.stderr and completed.stderr.count("\n") == 1


def test_the_progress_bar_shows_done_total_and_rate():
    stream = io.StringIO()
    bar = ProgressBar(20, stream)
    for done in range(1, 21):
        bar(done)
    lines = stream.getvalue().splitlines()
    # Not a terminal: the first file, then a line every tenth of the way, not one per file.
    assert len(lines) == 11
    assert lines[-1].startswith("[" + "#" * 30 + "] 20/20") and lines[-1].endswith("files/s")
