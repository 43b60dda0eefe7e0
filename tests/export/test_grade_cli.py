"""``drill grade`` end to end, with the real grader process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from engine.store import Store

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "drills" / "forward_diffusion" / "solution.py"


def drill(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=120,
                          env=os.environ, cwd=ROOT)


def buggy(tmp_path: Path) -> Path:
    path = tmp_path / "submission.py"
    path.write_text(SOLUTION.read_text().replace("sqrt_ab * x_0 + sqrt_omab * noise", "sqrt_omab * x_0 + sqrt_ab * noise"))
    return path


def test_a_passing_file_as_junit_to_a_file(tmp_path, drill_home):
    target = tmp_path / "reports" / "junit.xml"
    result = drill("grade", "forward_diffusion", "--file", str(SOLUTION), "--format", "junit", "--out", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "forward_diffusion: pass" in result.stderr
    suite = ET.parse(target).getroot().find("testsuite")
    assert suite.get("failures") == "0" and suite.get("errors") == "0" and int(suite.get("tests")) >= 3
    with Store() as store:
        assert store.drill_attempts() == []  # grading a submission is not the learner's practice


def test_a_buggy_file_as_gradescope_on_stdout(tmp_path):
    result = drill("grade", "forward_diffusion", "--file", str(buggy(tmp_path)), "--format", "gradescope")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["score"] < sum(test["max_score"] for test in data["tests"])
    assert "Diagnosis: Signal and noise coefficients swapped" in data["output"]
    assert {test["status"] for test in data["tests"]} == {"passed", "failed"}


def test_json_is_what_drill_run_prints(tmp_path):
    graded = json.loads(drill("grade", "forward_diffusion", "--file", str(buggy(tmp_path))).stdout)
    ran = json.loads(drill("run", "forward_diffusion", "--file", str(buggy(tmp_path)), "--json").stdout)
    # The same verdicts; messages differ only in the random inputs the evidence quotes.
    for result in (graded, ran):
        del result["duration_s"]
        result["checks"] = [(c["id"], c["category"], c["status"], c["points"], c["max_points"]) for c in result["checks"]]
    assert graded == ran and graded["status"] == "fail"


def test_usage_errors(tmp_path):
    unknown = drill("grade", "forward", "--file", str(SOLUTION))
    assert unknown.returncode == 2 and "no drill called 'forward'" in unknown.stderr
    missing = drill("grade", "forward_diffusion", "--file", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "No such file" in missing.stderr
    blocker = tmp_path / "file"
    blocker.write_text("")
    unwritable = drill("grade", "forward_diffusion", "--file", str(SOLUTION), "--out", str(blocker / "x.json"))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr
    for result in (unknown, missing, unwritable):
        assert "Traceback" not in result.stderr
