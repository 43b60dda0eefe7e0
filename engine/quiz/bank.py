"""Loading the quiz bank: every ``*.json`` file in the ``quiz_bank`` folder except the schema.

The bank is content, found by its package name (``BANK_PACKAGE``) rather than imported, so that
the engine never depends on it statically.

A malformed bank raises :class:`BankError`, which lists every problem found in every file, one
per line as ``file: question id: field: what is wrong``, so that an author can fix them all in
one pass.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from engine.errors import UsageError
from engine.quiz.catalog import CHOICE, TYPED
from engine.quiz.models import VISIBLE_PATTERN, BankFile, Question

BANK_PACKAGE = "quiz_bank"
SCHEMA_FILE = "schema.json"
_NONE = "-"


@dataclass(frozen=True)
class Problem:
    file: str
    question: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.question}: {self.field}: {self.message}"


class BankError(UsageError):
    """The bank could not be loaded; ``problems`` says why, one entry (and one line) per problem."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = "".join(f"\n  {problem}" for problem in self.problems)
        super().__init__(f"the quiz bank cannot be loaded; fix these problems in its files (or reinstall dli-drill):{lines}")


class Bank:
    """The loaded questions, in file order, each with its topic filled in."""

    def __init__(self, questions: Iterable[Question]):
        self.questions = tuple(questions)
        self._by_id = {question.id: question for question in self.questions}

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def __getitem__(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def counts(self, key: str) -> Counter[str]:
        """How many questions per ``topic``, ``section`` or ``kind``."""
        return Counter(getattr(question, key) for question in self.questions)


def default_folder() -> Path:
    """The folder of the installed ``quiz_bank`` package."""
    from importlib.resources import files

    return Path(str(files(BANK_PACKAGE)))


def bank_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.json") if path.name != SCHEMA_FILE)


def load_bank(folder: str | Path | None = None) -> Bank:
    folder = Path(folder) if folder is not None else default_folder()
    files = bank_files(folder)
    if not files:
        raise BankError([Problem(str(folder), _NONE, _NONE, "no bank files (*.json) found")])

    problems: list[Problem] = []
    questions: list[Question] = []
    first_file_of: dict[str, str] = {}
    for path in files:
        data, file_problems = _read_json(path)
        problems += file_problems
        if data is None:
            continue
        # Duplicates are found from the raw ids, so that they are reported even beside other problems.
        for qid in _raw_ids(data):
            if qid in first_file_of:
                problems.append(Problem(path.name, qid, "id", f"duplicate id, first used in {first_file_of[qid]}"))
            else:
                first_file_of[qid] = path.name
        loaded, file_problems = _validate(path, data)
        problems += file_problems
        questions += loaded
    if problems:
        raise BankError(problems)
    return Bank(questions)


def _read_json(path: Path) -> tuple[Any, list[Problem]]:
    name = path.name
    try:
        return json.loads(path.read_text(encoding="utf-8")), []
    except UnicodeDecodeError as error:
        return None, [Problem(name, _NONE, _NONE, f"not UTF-8 text ({error.reason} at byte {error.start})")]
    except json.JSONDecodeError as error:
        return None, [Problem(name, _NONE, _NONE, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}")]
    except OSError as error:
        return None, [Problem(name, _NONE, _NONE, f"cannot be read: {error.strerror}")]


def _raw_ids(data: Any) -> list[str]:
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [entry["id"] for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str)]


def _validate(path: Path, data: Any) -> tuple[list[Question], list[Problem]]:
    name = path.name
    try:
        bank_file = BankFile.model_validate(data)
    except ValidationError as error:
        return [], [_problem_from(name, data, detail) for detail in error.errors()]

    problems = []
    if bank_file.topic != path.stem:
        problems.append(Problem(name, _NONE, "topic", f"is '{bank_file.topic}' but the file must be named {bank_file.topic}.json"))
    questions = []
    for question in bank_file.questions:
        if question.topic not in (None, bank_file.topic):
            problems.append(
                Problem(name, question.id, "topic", f"is '{question.topic}' but the file's topic is '{bank_file.topic}'")
            )
        questions.append(question.model_copy(update={"topic": bank_file.topic}))
    return questions, problems


def _problem_from(file: str, data: Any, detail: ErrorDetails) -> Problem:
    location = list(detail["loc"])
    question = _NONE
    if len(location) >= 2 and location[0] == "questions" and isinstance(location[1], int):
        index = location[1]
        entry = data["questions"][index]
        given_id = entry.get("id") if isinstance(entry, dict) else None
        question = given_id if isinstance(given_id, str) and given_id else f"questions[{index}]"
        # A question's errors come under its kind's tag (questions[3].choice.difficulty): the kind is implied.
        location = location[3:] if location[2:3] in ([CHOICE], [TYPED]) else location[2:]
    if detail["type"] == "kind":
        return Problem(file, question, "kind", str(detail["msg"]))
    return Problem(file, question, _format_location(location), _message(detail))


def _format_location(location: list[str | int]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _NONE


def _message(detail: ErrorDetails) -> str:
    if detail["type"] == "value_error":
        return str(detail["ctx"]["error"])
    if detail["type"] == "string_pattern_mismatch" and detail["ctx"]["pattern"] == VISIBLE_PATTERN:
        return "must not be empty"
    if detail["type"] == "extra_forbidden":
        return "unknown field"
    return str(detail["msg"])
