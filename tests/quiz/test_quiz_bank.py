"""Loading and validating the bank: one clear problem per mistake, never a traceback."""

from __future__ import annotations

import json

import pytest

from engine.quiz.bank import BankError, Problem, load_bank
from engine.quiz.catalog import SECTIONS, TOPICS
from engine.quiz.schema import schema_text, write_schema


def problems_of(folder) -> list[str]:
    with pytest.raises(BankError) as caught:
        load_bank(folder)
    return [str(problem) for problem in caught.value.problems]


def test_valid_bank_loads_with_topics_filled_in(small_bank):
    assert len(small_bank) == 12
    assert small_bank["unet-gn-0"].topic == "unet"
    assert small_bank.counts("topic") == {"ddpm": 6, "unet": 6}
    assert small_bank["ddpm-loss-multi"].correct_indices == {0, 1}


def test_schema_file_is_ignored_when_loading(bank_dir, bank_writer, make_question):
    bank_writer("ddpm", [make_question("q-1")])
    write_schema(bank_dir)
    assert [q.id for q in load_bank(bank_dir)] == ["q-1"]


def test_problem_format():
    assert str(Problem("ddpm.json", "q-1", "choices[0].why", "must not be empty")) == (
        "ddpm.json: q-1: choices[0].why: must not be empty"
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"id": "Bad_ID"}, "ddpm.json: Bad_ID: id: String should match pattern"),
        ({"id": "trailing-"}, "ddpm.json: trailing-: id: String should match pattern"),
        ({"difficulty": 0}, "ddpm.json: q-1: difficulty: Input should be greater than or equal to 1"),
        ({"difficulty": 4}, "ddpm.json: q-1: difficulty: Input should be less than or equal to 3"),
        ({"section": "ddpm.nowhere"}, "ddpm.json: q-1: section: Input should be"),
        ({"prompt": "  "}, "ddpm.json: q-1: prompt: must not be empty"),
        ({"explanation": ""}, "ddpm.json: q-1: explanation: must not be empty"),
        ({"colour": "red"}, "ddpm.json: q-1: colour: unknown field"),
        ({"topic": "unet"}, "ddpm.json: q-1: topic: is 'unet' but the file's topic is 'ddpm'"),
        ({"facts": [{"args": {}}]}, "ddpm.json: q-1: facts[0].name: Field required"),
        ({"facts": [{"name": "f", "where": "choices"}]}, "ddpm.json: q-1: facts[0].where: Input should be 'answer' or 'prompt'"),
        ({"kind": "essay"}, "ddpm.json: q-1: kind: must be 'choice' or 'typed'"),
        ({"choices": [{"text": "only", "correct": True, "why": "w"}]}, "ddpm.json: q-1: choices: List should have at least 2 items"),
        (
            {"choices": [{"text": f"c{i}", "correct": i == 0, "why": "w"} for i in range(7)]},
            "ddpm.json: q-1: choices: List should have at most 6 items",
        ),
        (
            {"choices": [{"text": "a", "correct": False, "why": "w"}, {"text": "b", "correct": False, "why": "w"}]},
            "ddpm.json: q-1: choices: no choice is marked correct",
        ),
        (
            {"choices": [{"text": "a", "correct": True, "why": "w"}, {"text": "b", "correct": True, "why": "w"}]},
            "ddpm.json: q-1: choices: 2 choices are correct but multi is false",
        ),
        (
            {"choices": [{"text": "a", "correct": True, "why": "w"}, {"text": "a ", "correct": False, "why": "w"}]},
            "ddpm.json: q-1: choices: two choices have the same text",
        ),
        (
            {"choices": [{"text": "a", "correct": True, "why": ""}, {"text": "b", "correct": False, "why": "w"}]},
            "ddpm.json: q-1: choices[0].why: must not be empty",
        ),
        (
            {"choices": [{"text": "a", "correct": True, "why": "w"}, {"text": "b", "correct": False}]},
            "ddpm.json: q-1: choices[1].why: Field required",
        ),
        ({"multi": True}, "ddpm.json: q-1: multi: a multi-answer question's prompt must say 'all that apply'"),
    ],
)
def test_each_rule_gives_one_problem(bank_dir, bank_writer, make_question, overrides, expected):
    bank_writer("ddpm", [make_question("q-1", **overrides), make_question("q-2")])
    problems = problems_of(bank_dir)
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


def test_multi_with_the_marker_and_one_correct_choice_is_valid(bank_dir, bank_writer, make_question):
    bank_writer("ddpm", [make_question("q-1", multi=True, prompt="Select ALL THAT APPLY.")])
    assert load_bank(bank_dir)["q-1"].multi


def test_question_without_a_usable_id_is_named_by_position(bank_dir, bank_writer, make_question):
    broken = make_question("q-2")
    del broken["id"]
    bank_writer("ddpm", [make_question("q-1"), broken])
    assert problems_of(bank_dir) == ["ddpm.json: questions[1]: id: Field required"]


def test_duplicate_ids_across_files(bank_dir, bank_writer, make_question):
    bank_writer("ddpm", [make_question("same-id")])
    bank_writer("unet", [make_question("same-id", "unet.gelu")])
    assert problems_of(bank_dir) == ["unet.json: same-id: id: duplicate id, first used in ddpm.json"]


def test_duplicate_ids_within_a_file(bank_dir, bank_writer, make_question):
    bank_writer("ddpm", [make_question("same-id"), make_question("same-id")])
    assert problems_of(bank_dir) == ["ddpm.json: same-id: id: duplicate id, first used in ddpm.json"]


def test_invalid_json(bank_dir):
    (bank_dir / "ddpm.json").write_text('{"topic": "ddpm",\n "questions": [}', encoding="utf-8")
    [problem] = problems_of(bank_dir)
    assert problem.startswith("ddpm.json: -: -: invalid JSON at line 2, column")


def test_not_utf8(bank_dir):
    (bank_dir / "ddpm.json").write_bytes(b'{"topic": "\xff"}')
    [problem] = problems_of(bank_dir)
    assert problem.startswith("ddpm.json: -: -: not UTF-8 text")


def test_file_level_problems(bank_dir, bank_writer, make_question):
    (bank_dir / "cfg.json").write_text(json.dumps({"topic": "cfg"}), encoding="utf-8")
    (bank_dir / "course.json").write_text("[]", encoding="utf-8")
    bank_writer("nope", [], filename="unet.json")
    bank_writer("ddpm", [make_question("q-1")], filename="shapes.json")
    assert problems_of(bank_dir) == [
        "cfg.json: -: questions: Field required",
        "course.json: -: -: Input should be a valid dictionary or instance of BankFile",
        "shapes.json: -: topic: is 'ddpm' but the file must be named ddpm.json",
        "unet.json: -: topic: Input should be 'ddpm', 'schedules', 'cfg', 'course', 'unet' or 'shapes'",
    ]


def test_every_problem_in_every_file_is_reported(bank_dir, bank_writer, make_question):
    bank_writer("ddpm", [make_question("q-1", difficulty=9), make_question("q-2", section="x")])
    bank_writer("unet", [make_question("q-1", "unet.gelu")])
    assert len(problems_of(bank_dir)) == 3


def test_empty_folder(bank_dir):
    assert problems_of(bank_dir) == [f"{bank_dir}: -: -: no bank files (*.json) found"]


def test_shipped_schema_is_up_to_date():
    from engine.quiz.bank import default_folder

    assert (default_folder() / "schema.json").read_text(encoding="utf-8") == schema_text(), (
        "quiz_bank/schema.json is stale: run python -m engine.quiz.schema"
    )


def test_shipped_bank_validates_and_covers_every_section():
    bank = load_bank()
    assert len(bank) >= 120
    assert set(bank.counts("section")) == set(SECTIONS)
    assert set(bank.counts("topic")) <= set(TOPICS)
    assert bank.counts("kind")["typed"] >= 40



def mistake(answer: str, key: str) -> dict:
    return {"answer": answer, "key": key, "title": "t", "explanation": "e"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"code": "x = 1"}, "ddpm.json: t-1: code: the code must contain the blank ____ exactly once, not 0 times"),
        ({"code": "x = ____ + ____"}, "ddpm.json: t-1: code: the code must contain the blank ____ exactly once, not 2 times"),
        ({"code": "x = (____"}, "ddpm.json: t-1: code: the code is not valid Python"),
        ({"answer": "a +"}, "ddpm.json: t-1: answer: `a +` is not a Python expression"),
        ({"answer": "q"}, "ddpm.json: t-1: answer: 'q' reads as a command in the plain terminal"),
        ({"also": ["x y"]}, "ddpm.json: t-1: also: [0]: `x y` is not a Python expression"),
        ({"mistakes": [mistake("b", "k.a")] * 2}, "ddpm.json: t-1: mistakes: two mistakes have the same key"),
        ({"mistakes": [mistake("b", "nodots")]}, "ddpm.json: t-1: mistakes[0].key: String should match pattern"),
        ({"mistakes": [mistake("1 +", "k.a")]}, "ddpm.json: t-1: mistakes: [0].answer: `1 +` is not a Python expression"),
        ({"variables": {"a": {"low": 1, "high": 0}}}, "ddpm.json: t-1: variables.a: low must be less than high"),
        ({"multi": True}, "ddpm.json: t-1: multi: unknown field"),
        ({"choices": []}, "ddpm.json: t-1: choices: unknown field"),
    ],
)
def test_each_typed_rule_gives_one_problem(bank_dir, bank_writer, make_typed, overrides, expected):
    bank_writer("ddpm", [make_typed("t-1", **overrides), make_typed("t-2")])
    problems = problems_of(bank_dir)
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


def test_a_blank_takes_a_name_where_the_code_names_something(bank_dir, bank_writer, make_typed):
    bank_writer("ddpm", [make_typed("t-1", code="class ____(nn.Module):\n    pass", answer="DownBlock", variables={}, mistakes=[])])
    bank_writer("unet", [make_typed("t-2", "unet.gelu", code="x = torch.____(y)", answer="torch.sqrt", variables={}, mistakes=[])])
    assert problems_of(bank_dir) == [
        "unet.json: t-2: answer: `torch.sqrt` is not a name: this blank takes one identifier, such as a class or function name"
    ]
