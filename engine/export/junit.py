"""A drill result as JUnit XML, the report format CI systems read (Jenkins, GitLab, GitHub actions).

Layout, following the common JUnit schema (Jenkins' junit-10.xsd)::

    <testsuites name="dli-drill" tests failures errors skipped time>
      <testsuite name=DRILL tests failures errors skipped time timestamp>
        <properties> status, score, max_score, and one "diagnosis" per recognised bug </properties>
        <testcase classname="DRILL.CATEGORY" name=CHECK_ID>          one per check
          <failure message type="fail">…</failure> | <error …/> | <skipped message/>
        </testcase>
        <system-out>what the learner's code printed</system-out>
        <system-err>why the code could not be graded, when it could not</system-err>
      </testsuite>
    </testsuites>

A result whose code could not run at all has one errored testcase, ``run``, first, and its
declared checks skipped after it, so that a CI system counts it as a failure out of the drill's
real number of tests rather than as an empty, passing suite. Characters that
XML 1.0 cannot carry (terminal escapes, NUL) are replaced, so a learner's output cannot break
the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

from engine.drills.results import ERROR, FAIL, SKIPPED, RunResult

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _element(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: _text(value) for key, value in attributes.items()})
    if text:
        element.text = _text(text)
    return element


def to_junit(result: RunResult, timestamp: datetime | None = None) -> str:
    data = result.to_dict()
    checks = data["checks"]
    crashed = bool(result.error) or not checks
    counts = {
        "tests": len(checks) + crashed,
        "failures": sum(check["status"] == FAIL for check in checks),
        "errors": sum(check["status"] == ERROR for check in checks) + crashed,
        "skipped": sum(check["status"] == SKIPPED for check in checks),
        "time": f"{data['duration_s']:.3f}",
    }
    moment = (timestamp or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0, tzinfo=None)

    root = ET.Element("testsuites", {"name": "dli-drill", **{k: str(v) for k, v in counts.items()}})
    suite = _element(root, "testsuite", name=result.drill, **counts, timestamp=moment.isoformat())
    properties = _element(suite, "properties")
    _element(properties, "property", name="status", value=data["status"])
    _element(properties, "property", name="score", value=f"{data['score']:g}")
    _element(properties, "property", name="max_score", value=f"{data['max_score']:g}")
    for diagnosis in data["diagnoses"]:
        _element(properties, "property", name="diagnosis", value=f"{diagnosis['key']}: {diagnosis['title']}")

    if crashed:
        case = _element(suite, "testcase", classname=result.drill, name="run")
        _element(case, "error", result.error, message=result.error.splitlines()[0] if result.error else "", type="error")
    first_failure = next((check for check in checks if check["status"] == FAIL), None)
    for check in checks:
        case = _element(suite, "testcase", classname=f"{result.drill}.{check['category']}", name=check["id"])
        first_line = check["message"].splitlines()[0] if check["message"] else ""
        if check["status"] == FAIL:
            # The diagnosis explains the first failure; repeating it under every failure only adds noise.
            diagnoses = data["diagnoses"] if check is first_failure else []
            _element(case, "failure", _failure_text(check["message"], diagnoses), message=first_line, type="fail")
        elif check["status"] == ERROR:
            _element(case, "error", check["message"], message=first_line, type="error")
        elif check["status"] == SKIPPED:
            _element(case, "skipped", message=first_line)

    if result.output:
        _element(suite, "system-out", result.output)
    if result.error:
        _element(suite, "system-err", result.error)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _failure_text(message: str, diagnoses: list[dict[str, Any]]) -> str:
    """A failure's message plus what the diagnosis found, so that a CI log shows the likely cause."""
    lines = [message]
    for diagnosis in diagnoses:
        lines += ["", f"Diagnosis: {diagnosis['title']}", diagnosis["explanation"], f"Fix: {diagnosis['hint']}"]
    return "\n".join(lines)
