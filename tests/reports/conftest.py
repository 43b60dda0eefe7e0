"""A seeded history with known numbers, for the report tests. ``drill_home`` comes from tests/conftest.py.

What the learner did (all UTC):

- 2025-01-06: quiz ddpm-0 wrong, ddpm-0 wrong, ddpm-1 right, unet-0 right; fake_forward fails 4/10 (bug fwd.a).
- 2025-01-08: quiz ddpm-0 right, unet-1 wrong; fake_forward fails 6/10 (fwd.a, fwd.b), then passes 10/10;
  fake_block errors 0/10.
- 2025-01-10: a 10-minute mock exam (seed 3, cfg only): cfg-0 answered wrong after 60 s, fake_cfg graded 5/10
  (bug cfgd.a) after 90 s more, then submitted: 2.5/6 points, 2:30 used.
- The report is made on 2025-01-20, when cfg-0's review card is due.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.drills.catalog import Bug, DeclaredCheck, Drill
from engine.drills.results import FAIL, Check, Diagnosis, RunResult
from engine.exam.compose import ExamSpec
from engine.exam.session import Exam
from engine.quiz.bank import load_bank
from engine.reports.history import collect
from engine.store import Store

NOW = datetime(2025, 1, 20, 12, 0, tzinfo=timezone.utc)


def at(day: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, day, 18, minute, tzinfo=timezone.utc)


def _question(qid: str, section: str, prompt: str | None = None) -> dict:
    return {
        "id": qid, "section": section, "difficulty": 2, "prompt": prompt or f"Prompt of {qid}?",
        "choices": [{"text": f"right {qid}", "correct": True, "why": "yes"},
                    {"text": f"wrong {qid}", "correct": False, "why": "no"}],
        "explanation": f"Explanation of {qid}.",
    }


def _drill(drill_id: str, topic: str, section: str, bugs: tuple[str, ...]) -> Drill:
    catalog = tuple(
        Bug(key=key, title=f"Title of {key}", explanation=f"Explanation of {key}, with `code`.", hint=f"Hint of {key}.") for key in bugs
    )
    checks = (DeclaredCheck(id="formula.value", category="formula", points=1.0),)
    return Drill(drill_id, f"Title of {drill_id}", topic, "Lesson", section, drill_id, f"Summary of {drill_id}.", ("h",), checks, catalog)


@pytest.fixture
def bank(tmp_path: Path):
    folder = tmp_path / "bank"
    folder.mkdir()
    files = {
        "ddpm": [_question("ddpm-0", "ddpm.forward", "What is `q(x_t | x_0)` in **closed form**?\n\n```python\nx = 1\n```")]
        + [_question(f"ddpm-{i}", "ddpm.forward") for i in range(1, 4)],
        "unet": [_question(f"unet-{i}", "unet.groupnorm") for i in range(3)],
        "cfg": [_question("cfg-0", "cfg.sampling")],
    }
    for topic, questions in files.items():
        (folder / f"{topic}.json").write_text(json.dumps({"topic": topic, "questions": questions}), encoding="utf-8")
    return load_bank(folder)


@pytest.fixture
def drills() -> list[Drill]:
    return [
        _drill("fake_forward", "ddpm", "ddpm.forward", ("fwd.a", "fwd.b")),
        _drill("fake_block", "unet", "unet.residual_block", ("blk.a",)),
        _drill("fake_cfg", "cfg", "cfg.sampling", ("cfgd.a",)),
    ]


@pytest.fixture
def store(drill_home: Path):
    with Store() as opened:
        yield opened


@pytest.fixture
def seeded(store: Store, bank, drills) -> Store:
    for qid, correct, moment in [
        ("ddpm-0", False, at(6, 1)), ("ddpm-0", False, at(6, 2)), ("ddpm-1", True, at(6, 3)), ("unet-0", True, at(6, 4)),
        ("ddpm-0", True, at(8, 1)), ("unet-1", False, at(8, 2)),
    ]:
        question = bank[qid]
        store.record_quiz_attempt(qid, question.topic, question.section, correct, float(correct), [0 if correct else 1],
                                  20.0, None, moment)
    for drill_id, status, score, bugs, moment in [
        ("fake_forward", "fail", 4.0, ["fwd.a"], at(6, 10)),
        ("fake_forward", "fail", 6.0, ["fwd.a", "fwd.b"], at(8, 10)),
        ("fake_forward", "pass", 10.0, [], at(8, 20)),
        ("fake_block", "error", 0.0, [], at(8, 30)),
    ]:
        store.record_drill_attempt(drill_id, status, score, 10.0, bugs, 2.0, f"/work/{drill_id}.py", created_at=moment)

    clock_now = [at(10).timestamp()]
    checks = [Check("formula.value", "formula", FAIL, "values", 5.0, 10.0)]
    found = [Diagnosis("cfgd.a", "Title of cfgd.a", "Explanation of cfgd.a.", "Hint of cfgd.a.")]
    exam = Exam.start(bank, store, ExamSpec(minutes=10, seed=3, questions_per_topic=1, drills=1, topics=("cfg",)),
                      lambda: clock_now[0], drills=drills, grader=lambda *args, **kwargs: RunResult("fake_cfg", FAIL, checks, found))
    clock_now[0] += 60
    exam.answer_question([next(i for i, c in enumerate(exam.current_item.choices) if not c.correct)])
    clock_now[0] += 90
    exam.submit_drill(store.path)
    exam.finish()
    return store


@pytest.fixture
def history(seeded: Store, bank, drills):
    return collect(seeded, bank, drills, now=NOW)


@pytest.fixture
def empty_history(store: Store, bank, drills):
    return collect(store, bank, drills, now=NOW)
