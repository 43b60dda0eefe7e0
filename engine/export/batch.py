"""Grading a class at once: every ``*.py`` in a folder, on all cores, through one warm grader.

The warm template forks a grader per submission, so N submissions in flight cost N forks, not N
torch imports; every grader works on one thread, so the cores are shared out rather than
oversubscribed. The student's name is the file's stem. Written into the output folder:

- ``summary.csv``: student, score, max_score, status, and the top diagnosis (the first recognised
  bug, else why the code could not be graded, else the first failing check);
- per student, ``<student>/results.json`` (Gradescope) or ``<student>.json`` (the drill JSON), or
  one ``junit.xml`` holding a test suite per student.
"""

from __future__ import annotations

import csv
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from engine.drills import runner
from engine.drills.catalog import Drill
from engine.drills.results import FAIL, RunResult, error_result
from engine.errors import UsageError

SUMMARY = "summary.csv"
JUNIT = "junit.xml"
BAR_WIDTH = 30


@dataclass(frozen=True)
class Graded:
    student: str
    result: RunResult


def submissions(folder: Path) -> list[Path]:
    """The files to grade: every ``*.py`` directly in ``folder``, by name."""
    if not folder.is_dir():
        raise UsageError(f"No such folder: {folder}. --batch takes a folder of .py files, one per student.")
    files = sorted(path for path in folder.glob("*.py") if path.is_file())
    if not files:
        raise UsageError(f"{folder} holds no .py files to grade.")
    return files


def grade_one(drill: Drill, path: Path, grader: runner.Grader, device: str | None, time_limit: float | None,
              memory_limit: int | None) -> RunResult:
    problem = runner.syntax_problem(path)
    if problem:
        return error_result(drill.id, problem)
    request = runner.make_request(drill, path.resolve(), device, time_limit, memory_limit)
    return runner.result_of(grader.answer(request))


def grade_all(
    drill: Drill, files: Sequence[Path], grader: runner.Grader, jobs: int, device: str | None = None,
    time_limit: float | None = None, memory_limit: int | None = None, progress: Callable[[int], None] | None = None,
) -> list[Graded]:
    """Grade ``files`` with ``jobs`` runs in flight; ``progress(done)`` after each. A UsageError stops the batch."""
    done = 0
    graded: list[Graded] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(grade_one, drill, path, grader, device, time_limit, memory_limit): path for path in files}
        try:
            for future, path in futures.items():
                graded.append(Graded(path.stem, future.result()))
                done += 1
                if progress:
                    progress(done)
        except UsageError:
            for pending in futures:
                pending.cancel()
            raise
    return graded


def top_diagnosis(result: RunResult) -> str:
    """One line an instructor can sort by: the recognised bug, the reason it could not run, or the first failure."""
    if result.diagnoses:
        return result.diagnoses[0].title
    if result.error:
        # The summary line: a traceback's last unindented line, a syntax error's first.
        return [line for line in result.error.strip().splitlines() if not line[:1].isspace()][-1]
    failing = next((check for check in result.checks if check.status != "pass" and check.status != "skipped"), None)
    return failing.message.splitlines()[0] if failing else ""


def write_summary(graded: Sequence[Graded], target: Path) -> None:
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "score", "max_score", "status", "top_diagnosis"])
        for item in graded:
            result = item.result
            writer.writerow([item.student, f"{result.score:g}", f"{result.max_score:g}", result.status, top_diagnosis(result)])


def write_documents(graded: Sequence[Graded], fmt: str, out: Path) -> None:
    """The per-student documents (json, gradescope) or the one JUnit file."""
    if fmt == "junit":
        (out / JUNIT).write_text(junit_suites(graded), encoding="utf-8")
        return
    from engine.export.cli import render

    for item in graded:
        target = out / item.student / "results.json" if fmt == "gradescope" else out / f"{item.student}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(item.result, fmt), encoding="utf-8")


def junit_suites(graded: Sequence[Graded]) -> str:
    """One JUnit document with a test suite per student, named after the student."""
    from engine.export.junit import to_junit

    root = ET.Element("testsuites", {"name": "dli-drill"})
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    seconds = 0.0
    for item in graded:
        suite = ET.fromstring(to_junit(item.result)).find("testsuite")
        if suite is None:
            continue
        suite.set("name", f"{item.student}.{item.result.drill}")
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        seconds += float(suite.get("time", "0"))
        root.append(suite)
    root.attrib.update({key: str(value) for key, value in totals.items()} | {"time": f"{seconds:.3f}"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


class ProgressBar:
    """done/total, a bar, and the rate, redrawn in place on a terminal and every tenth otherwise."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.started = time.monotonic()
        self.live = stream.isatty()
        self._shown_tenth = -1

    def __call__(self, done: int) -> None:
        tenth = done * 10 // self.total
        if not self.live and tenth == self._shown_tenth and done != self.total:
            return
        self._shown_tenth = tenth
        elapsed = max(time.monotonic() - self.started, 1e-9)
        filled = done * BAR_WIDTH // self.total
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{self.total}  {done / elapsed:.1f} files/s"
        self.stream.write(f"\r{line}" if self.live else f"{line}\n")
        if self.live and done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def failed(graded: Sequence[Graded]) -> int:
    """How many submissions did not pass."""
    return sum(item.result.status != "pass" for item in graded)


def scores(graded: Sequence[Graded]) -> str:
    """A one-line account of the batch for the terminal."""
    passed = len(graded) - failed(graded)
    failing = sum(item.result.status == FAIL for item in graded)
    return f"{len(graded)} graded: {passed} pass, {failing} fail, {len(graded) - passed - failing} could not be graded"
