"""Exam fixtures: a small synthetic bank, fake drills, a fake clock and a fake grader.
``drill_home`` (DRILL_HOME set to the test's tmp_path) comes from tests/conftest.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.drills.catalog import Bug, DeclaredCheck, Drill
from engine.drills.results import FAIL, PASS, Check, Diagnosis, RunResult
from engine.quiz.bank import load_bank
from engine.store import Store

START = 1_750_000_000.0


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeGrader:
    """Returns the queued results in turn (the last one repeats) and remembers what it graded."""

    def __init__(self, clock: FakeClock | None = None, grading_s: float = 0.0):
        self.results: list[RunResult] = []
        self.calls: list[tuple[str, Path, str | None]] = []
        self.clock, self.grading_s = clock, grading_s

    def queue(self, drill_id: str, points: float, max_points: float = 10.0, diagnoses: tuple[str, ...] = ()) -> None:
        status = PASS if points == max_points else FAIL
        checks = [Check("formula.value", "formula", status, "values", points, max_points)]
        found = [Diagnosis(key, f"title of {key}", f"explanation of {key}", f"hint of {key}") for key in diagnoses]
        self.results.append(RunResult(drill_id, status, checks, found, duration_s=1.5))

    def __call__(self, drill_id: str, path: Path, device: str | None = None) -> RunResult:
        self.calls.append((drill_id, Path(path), device))
        if self.clock is not None:
            self.clock.advance(self.grading_s)
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


def question(qid: str, section: str, right: int = 0, multi: bool = False) -> dict:
    choices = [{"text": f"choice {i} of {qid}", "correct": i == right or (multi and i == right + 1), "why": "because"}
               for i in range(4)]
    prompt = f"Prompt of {qid}? Select all that apply." if multi else f"Prompt of {qid}?"
    return {"id": qid, "section": section, "difficulty": 2, "prompt": prompt, "multi": multi, "choices": choices,
            "explanation": f"Explanation of {qid}."}


@pytest.fixture
def bank(tmp_path: Path):
    """Three topics: ddpm (5 questions, one multi), unet (4), cfg (3)."""
    folder = tmp_path / "bank"
    folder.mkdir()
    files = {
        "ddpm": [question(f"ddpm-{i}", "ddpm.forward") for i in range(4)] + [question("ddpm-multi", "ddpm.loss", multi=True)],
        "unet": [question(f"unet-{i}", "unet.groupnorm") for i in range(4)],
        "cfg": [question(f"cfg-{i}", "cfg.sampling") for i in range(3)],
    }
    for topic, questions in files.items():
        (folder / f"{topic}.json").write_text(json.dumps({"topic": topic, "questions": questions}), encoding="utf-8")
    return load_bank(folder)


def typed(qid: str, section: str = "course.assessment") -> dict:
    """A typed item: the course's guidance line, with one catalogued mistake."""
    return {
        "id": qid, "kind": "typed", "section": section, "difficulty": 2, "prompt": f"Fill the blank of {qid}.",
        "code": "e_t = ____", "answer": "(1 + w) * keep - w * drop",
        "variables": {name: {"low": -2, "high": 2} for name in ("w", "keep", "drop")},
        "mistakes": [{"answer": "drop + w * (keep - drop)", "key": "course.guidance.lessons_form",
                      "title": "The lessons' formula", "explanation": "The course writes (1 + w)·keep − w·drop."}],
        "explanation": f"Explanation of {qid}.",
    }


@pytest.fixture
def typed_bank(tmp_path: Path):
    """Two topics: ddpm (two choice questions) and course (two typed items)."""
    folder = tmp_path / "typed-bank"
    folder.mkdir()
    files = {"ddpm": [question(f"ddpm-{i}", "ddpm.forward") for i in range(2)], "course": [typed("course-0"), typed("course-1")]}
    for topic, questions in files.items():
        (folder / f"{topic}.json").write_text(json.dumps({"topic": topic, "questions": questions}), encoding="utf-8")
    return load_bank(folder)


CHECKS = (DeclaredCheck(id="formula.value", category="formula", points=1.0),)


def fake_drill(drill_id: str, topic: str, section: str) -> Drill:
    bugs = (Bug(key=f"{drill_id}.bug", title=f"Bug of {drill_id}", explanation=f"Why {drill_id} breaks.", hint=f"Fix {drill_id}."),)
    return Drill(drill_id, f"Title of {drill_id}", topic, "Lesson", section, drill_id, f"Summary of {drill_id}.", ("hint",), CHECKS, bugs)


@pytest.fixture
def drills() -> list[Drill]:
    return [
        fake_drill("fake_forward", "ddpm", "ddpm.forward"),
        fake_drill("fake_sampler", "ddpm", "ddpm.sampling"),
        fake_drill("fake_block", "unet", "unet.residual_block"),
    ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def grader(clock: FakeClock) -> FakeGrader:
    """Grading takes no time unless a test sets ``grader.grading_s``."""
    return FakeGrader(clock)


@pytest.fixture
def store(drill_home: Path):
    with Store() as opened:
        yield opened

