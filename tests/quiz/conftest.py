"""Synthetic banks for the quiz tests, written to a temporary folder. ``drill_home`` (DRILL_HOME set
to the test's tmp_path) comes from tests/conftest.py."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from engine.store import Store


def question(qid: str, section: str = "ddpm.forward", **overrides) -> dict:
    data = {
        "id": qid,
        "section": section,
        "difficulty": 2,
        "tags": [],
        "prompt": f"Prompt of {qid}?",
        "choices": [
            {"text": f"right answer of {qid}", "correct": True, "why": "it is right"},
            {"text": f"wrong answer of {qid}", "correct": False, "why": "it is wrong"},
            {"text": f"other wrong answer of {qid}", "correct": False, "why": "it is wrong too"},
        ],
        "explanation": f"Explanation of {qid}.",
    }
    data.update(copy.deepcopy(overrides))
    return data


def multi_question(qid: str, section: str = "ddpm.loss", **overrides) -> dict:
    return question(
        qid,
        section,
        prompt="Which hold? Select all that apply.",
        multi=True,
        choices=[
            {"text": "A", "correct": True, "why": "A holds"},
            {"text": "B", "correct": True, "why": "B holds"},
            {"text": "C", "correct": False, "why": "C does not"},
            {"text": "D", "correct": False, "why": "D does not"},
        ],
        **overrides,
    )


def typed_question(qid: str, section: str = "ddpm.forward", **overrides) -> dict:
    """A typed item: the blank of a guidance line, compared by value on random w, c and u."""
    data = {
        "id": qid,
        "kind": "typed",
        "section": section,
        "difficulty": 2,
        "prompt": f"Fill the blank of {qid}.",
        "code": "e = ____",
        "answer": "(1 + w) * c - w * u",
        "variables": {name: {"low": -2, "high": 2} for name in ("w", "c", "u")},
        "mistakes": [
            {"answer": "u + w * (c - u)", "key": "guidance.lessons_form", "title": "The lessons' form",
             "explanation": "That is the lessons' w·(c − u); this code writes (1 + w)·c − w·u."},
        ],
        "explanation": f"Explanation of {qid}.",
    }
    data.update(copy.deepcopy(overrides))
    return data


def write_bank(folder: Path, topic: str, questions: list[dict], filename: str | None = None) -> Path:
    path = folder / (filename or f"{topic}.json")
    path.write_text(json.dumps({"topic": topic, "questions": questions}), encoding="utf-8")
    return path


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    return folder


@pytest.fixture
def small_bank(bank_dir: Path):
    """Twelve questions over two topics, three sections, all difficulties, some tags and a multi."""
    from engine.quiz.bank import load_bank

    write_bank(
        bank_dir,
        "ddpm",
        [question(f"ddpm-fwd-{i}", "ddpm.forward", difficulty=1 + i % 3, tags=["closed-form"] if i % 2 else []) for i in range(5)]
        + [multi_question("ddpm-loss-multi")],
    )
    write_bank(
        bank_dir,
        "unet",
        [question(f"unet-gn-{i}", "unet.groupnorm", difficulty=1 + i % 3, tags=["norm"]) for i in range(6)],
    )
    return load_bank(bank_dir)


@pytest.fixture
def store(drill_home: Path):
    """A store at the default path, inside this test's DRILL_HOME."""
    with Store() as opened:
        yield opened


@pytest.fixture
def make_question():
    return question


@pytest.fixture
def make_multi():
    return multi_question


@pytest.fixture
def make_typed():
    return typed_question


@pytest.fixture
def bank_writer(bank_dir: Path):
    """``bank_writer(topic, questions, filename=None)`` writes one file into ``bank_dir``."""
    return lambda topic, questions, filename=None: write_bank(bank_dir, topic, questions, filename)
