"""Fixtures for driving the app as a learner would: a small fixed bank, a fixed clock, a few real
drills, and a runner for ``async def`` tests (``App.run_test`` is async; no plugin needed for it).

Everything an app test sees is fixed, so the snapshots stay the same from run to run: the bank
is written here rather than read from quiz_bank/, whose content grows.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.drills.catalog import get_drill
from engine.store import Store

START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
DRILL_IDS = ("linear_beta_schedule", "forward_diffusion", "sample_ddpm")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


class FakeClock:
    """The app's clock: a fixed moment that a test moves forward by hand."""

    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _question(qid: str, section: str, prompt: str, choices: list[tuple[str, bool]], multi: bool = False) -> dict:
    return {
        "id": qid,
        "section": section,
        "difficulty": 2,
        "prompt": prompt,
        "multi": multi,
        "choices": [{"text": text, "correct": correct, "why": f"Because {text} is {'right' if correct else 'wrong'}."}
                    for text, correct in choices],
        "explanation": f"The explanation of {qid}.",
    }


BANK = {
    "ddpm": [
        _question(
            "ddpm-shape",
            "ddpm.forward",
            "What shape does `x_t` have?\n\n```python\nx_t, noise = forward_diffusion(x_0, t, schedule)\n```",
            [("`(B, C, H, W)`", True), ("`(B,)`", False), ("`(C, H, W)`", False)],
        ),
        _question(
            "ddpm-all",
            "ddpm.loss",
            "Which hold for the DDPM loss? Select all that apply.",
            [("It is an MSE", True), ("It predicts the noise", True), ("It needs a discriminator", False)],
            multi=True,
        ),
    ],
    "unet": [
        _question(
            "unet-skip",
            "unet.skip_connections",
            "How does `UpBlock` join the skip connection?",
            [("It concatenates `[x, skip]`", True), ("It adds them", False), ("It drops the skip", False)],
        ),
        _question(
            "unet-norm",
            "unet.groupnorm",
            "Why GroupNorm rather than BatchNorm?",
            [("It does not depend on the batch size", True), ("It is faster on every device", False)],
        ),
    ],
}


def _typed(qid: str, code: str, answer: str, mistake: tuple[str, str, str]) -> dict:
    wrong, key, title = mistake
    names = sorted({name for name in ("w", "c", "u", "a") if name in f"{code} {answer}"})
    return {
        "id": qid,
        "kind": "typed",
        "section": "course.assessment",
        "difficulty": 2,
        "prompt": f"Fill the blank of `{qid}`.",
        "code": code,
        "answer": answer,
        "variables": {name: {"low": 0.5, "high": 2} for name in names},
        "mistakes": [{"answer": wrong, "key": key, "title": title, "explanation": f"The explanation of {title.lower()}."}],
        "explanation": f"The explanation of {qid}.",
    }


TYPED_BANK = {
    "course": [
        _typed(
            "course-guidance", "e = ____", "(1 + w) * c - w * u",
            ("u + w * (c - u)", "course.guidance.lessons_form", "The lessons' formula"),
        ),
        _typed("course-cumprod", "a_bar = ____(a, dim=0)", "torch.cumprod", ("torch.cumsum", "course.schedule.cumsum", "A running sum")),
    ],
    "ddpm": BANK["ddpm"][:1],
}


def _write(folder, banks: dict) -> None:
    folder.mkdir()
    for topic, questions in banks.items():
        (folder / f"{topic}.json").write_text(json.dumps({"topic": topic, "questions": questions}), encoding="utf-8")


@pytest.fixture
def typed_bank(tmp_path):
    """Two typed items (course) and one choice question (ddpm)."""
    from engine.quiz.bank import load_bank

    _write(tmp_path / "typed-bank", TYPED_BANK)
    return load_bank(tmp_path / "typed-bank")


@pytest.fixture
def bank(tmp_path):
    from engine.quiz.bank import load_bank

    _write(tmp_path / "bank", BANK)
    return load_bank(tmp_path / "bank")


@pytest.fixture
def store(drill_home):
    with Store() as opened:
        yield opened


@pytest.fixture
def solution() -> Path:
    """A file that passes every check of forward_diffusion."""
    return get_drill("forward_diffusion").solution_path


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def drills():
    return tuple(get_drill(drill_id) for drill_id in DRILL_IDS)


@pytest.fixture
def make_app(store, bank, drills, clock):
    """``make_app(**overrides)``: the app on this test's data, with a fixed seed and clock."""
    from engine.app.app import DrillApp
    from engine.exam.compose import ExamSpec

    def make(**overrides):
        options = {
            "store": store, "bank": bank, "drills": drills, "clock": clock, "seed": 7,
            "exam_spec": ExamSpec(minutes=10, questions_per_topic=2, drills=0),
        }
        options.update(overrides)
        return DrillApp(**options)

    return make

