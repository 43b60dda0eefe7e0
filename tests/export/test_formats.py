"""The grading exports against their documented structure: the CONTRACTS JSON, JUnit XML (the
elements and attributes of the common JUnit schema, Jenkins' junit-10.xsd, which pytest's own
JUnit output is tested against) and Gradescope's results.json (the fields its autograder
specification documents)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

from engine.drills.catalog import get_drill
from engine.drills.results import ERROR, FAIL, PASS, SKIPPED, Check, Diagnosis, RunResult, error_result
from engine.export.cli import render
from engine.export.gradescope import to_gradescope
from engine.export.junit import to_junit

ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
DECIMAL = re.compile(r"^\d+(\.\d+)?$")
CASE_CHILDREN = {"skipped", "error", "failure", "system-out", "system-err"}
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
                   "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def passing() -> RunResult:
    return RunResult("forward_diffusion", PASS, [Check("shape.out", "shape", PASS, "shape ok", 1, 1),
                                                 Check("formula.x_t", "formula", PASS, "values ok", 2, 2)],
                     output="", duration_s=1.234)


def mixed() -> RunResult:
    checks = [
        Check("shape.out", "shape", PASS, "shape ok", 1, 1),
        Check("formula.x_t", "formula", FAIL, "x_t does not match", 0, 2, evidence="largest error 3.1 at (0, 1)"),
        Check("formula.noise", "formula", FAIL, "noise does not match", 0, 1),
        Check("behaviour.grad", "behaviour", ERROR, "your code raised\nTraceback: boom"),
        Check("bug.catalog", "bug", SKIPPED, "fix the errors above first"),
    ]
    diagnoses = [Diagnosis("forward.no_sqrt", "No square roots", "You used ᾱ_t without sqrt.", "Use sqrt_alpha_bar.")]
    return RunResult("forward_diffusion", FAIL, checks, diagnoses, output="hello\x1b[31m red\x00 \ud800 done\n", duration_s=2.5)


def crashed() -> RunResult:
    return error_result("forward_diffusion", "Syntax error in fd.py, line 3: invalid syntax", duration_s=0.01)


# JSON


@pytest.mark.parametrize("make", [passing, mixed, crashed])
def test_json_is_the_contracts_shape(make):
    result = make()
    data = json.loads(render(result, "json"))
    assert data == result.to_dict()
    assert {"drill", "status", "score", "max_score", "checks", "diagnoses", "output", "duration_s"} <= set(data)
    for check in data["checks"]:
        assert set(check) == {"id", "category", "status", "message", "points", "max_points"}


# JUnit XML


def validate_junit(text: str) -> ET.Element:
    """The structure junit-10.xsd describes; returns the one testsuite."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = list(root)
    assert suites and all(suite.tag == "testsuite" for suite in suites)
    for suite in suites:
        assert suite.get("name") and suite.get("tests") is not None
        children = [child.tag for child in suite]
        # properties?, testcase*, system-out?, system-err? in that order
        order = {"properties": 0, "testcase": 1, "system-out": 2, "system-err": 3}
        assert all(tag in order for tag in children) and [order[t] for t in children] == sorted(order[t] for t in children)
        assert children.count("properties") <= 1 and children.count("system-out") <= 1 and children.count("system-err") <= 1
        for prop in suite.iter("property"):
            assert set(prop.attrib) == {"name", "value"}
        cases = suite.findall("testcase")
        outcomes = [[child.tag for child in case] for case in cases]
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum("failure" in o for o in outcomes)
        assert int(suite.get("errors")) == sum("error" in o for o in outcomes)
        assert int(suite.get("skipped")) == sum("skipped" in o for o in outcomes)
        assert DECIMAL.match(suite.get("time")) and ISO_SECONDS.match(suite.get("timestamp"))
        for case in cases:
            assert case.get("name") and case.get("classname")
            assert {child.tag for child in case} <= CASE_CHILDREN
            assert sum(child.tag in ("failure", "error", "skipped") for child in case) <= 1
            for child in case:
                if child.tag in ("failure", "error"):
                    assert set(child.attrib) <= {"message", "type"}
    for name in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(name)) == sum(int(suite.get(name)) for suite in suites)
    return suites[0]


def test_junit_has_one_testcase_per_check_with_its_outcome():
    suite = validate_junit(to_junit(mixed(), timestamp=datetime(2025, 1, 2, 3, 4, 5, 678, tzinfo=timezone.utc)))
    assert (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "forward_diffusion", "5", "2", "1", "1")
    assert suite.get("timestamp") == "2025-01-02T03:04:05" and suite.get("time") == "2.500"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == ["shape.out", "formula.x_t", "formula.noise", "behaviour.grad", "bug.catalog"]
    assert cases["shape.out"].get("classname") == "forward_diffusion.shape" and len(cases["shape.out"]) == 0
    failure = cases["formula.x_t"].find("failure")
    assert failure.get("message") == "x_t does not match" and failure.get("type") == "fail"
    assert "largest error 3.1 at (0, 1)" in failure.text and "Diagnosis: No square roots" in failure.text
    assert "Diagnosis" not in cases["formula.noise"].find("failure").text
    assert cases["behaviour.grad"].find("error").get("message") == "your code raised"
    assert cases["bug.catalog"].find("skipped").get("message") == "fix the errors above first"
    properties = {(p.get("name"), p.get("value")) for p in suite.iter("property")}
    assert properties == {("status", "fail"), ("score", "1"), ("max_score", "6"),
                          ("diagnosis", "forward.no_sqrt: No square roots")}


def test_junit_survives_output_that_xml_cannot_carry():
    suite = validate_junit(to_junit(mixed()))
    out = suite.find("system-out").text
    assert out.startswith("hello") and "\x1b" not in out and "\x00" not in out and out.endswith("done\n")


def test_junit_counts_code_that_could_not_run_as_one_error():
    suite = validate_junit(to_junit(crashed()))
    case, *skipped = suite.findall("testcase")
    declared = len(crashed().checks)
    assert (case.get("name"), suite.get("tests"), suite.get("errors")) == ("run", str(declared + 1), "1")
    assert declared > 0 and all(check.find("skipped") is not None for check in skipped)
    assert case.find("error").get("message").startswith("Syntax error in fd.py")
    assert suite.find("system-err").text.startswith("Syntax error")


def test_junit_for_a_pass_has_no_outcome_elements():
    suite = validate_junit(to_junit(passing()))
    assert all(len(case) == 0 for case in suite.findall("testcase")) and suite.get("failures") == "0"
    assert suite.find("system-out") is None


# Gradescope results.json


def validate_gradescope(data: dict) -> None:
    assert set(data) <= GRADESCOPE_TOP and {"score", "tests", "output", "execution_time"} <= set(data)
    assert isinstance(data["score"], float) and isinstance(data["execution_time"], int)
    assert isinstance(data["output"], str) and data["tests"]
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITIES
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0
    assert data["score"] == pytest.approx(sum(test["score"] for test in data["tests"]))


def test_gradescope_has_one_test_per_check():
    data = json.loads(render(mixed(), "gradescope"))
    validate_gradescope(data)
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in data["tests"]] == [
        ("shape.out", 1.0, 1.0, "passed"), ("formula.x_t", 0, 2, "failed"), ("formula.noise", 0, 1, "failed"),
        ("behaviour.grad", 0.0, 1.0, "failed"), ("bug.catalog", 0.0, 1.0, "failed")]
    assert data["tests"][1]["output"] == "x_t does not match\nlargest error 3.1 at (0, 1)"
    assert data["tests"][4]["output"].startswith("Skipped: ")
    assert data["score"] == 1.0 and data["execution_time"] == 2
    assert "Diagnosis: No square roots" in data["output"] and "Your code printed:" in data["output"]


def test_gradescope_reports_code_that_could_not_run():
    data = to_gradescope(crashed())
    validate_gradescope(data)
    assert data["tests"][0] == {"name": "run", "score": 0.0, "max_score": 0.0, "status": "failed",
                                "output": "Syntax error in fd.py, line 3: invalid syntax", "visibility": "visible"}
    declared = get_drill("forward_diffusion").max_score()
    assert data["score"] == 0.0 and sum(test["max_score"] for test in data["tests"]) == declared


def test_gradescope_for_a_pass():
    data = to_gradescope(passing())
    validate_gradescope(data)
    assert data["score"] == 3.0 and {t["status"] for t in data["tests"]} == {"passed"}
