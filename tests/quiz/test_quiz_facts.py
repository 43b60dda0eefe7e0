"""Facts are recomputed: the computed value must be in every correct answer and in no wrong one, or
in the prompt when the fact says so."""

from __future__ import annotations

import pytest

from engine.quiz.bank import load_bank
from engine.quiz.facts import mentions, verify_facts
from engine.quiz.models import TypedQuestion

FAKE_FACTS = {
    "square": lambda n: str(n * n),
    "shape": lambda: "(1, 64, 16, 16)",
    "not_text": lambda: 3,
}


Q1 = "ddpm.json: q-1"


def numeric_question(make_question, qid, fact, right="25", wrong=("24", "26")):
    return make_question(
        qid,
        facts=[fact],
        choices=[{"text": f"It is {right}.", "correct": True, "why": "computed"}]
        + [{"text": f"It is {value}.", "correct": False, "why": "off by one"} for value in wrong],
    )


def verify(bank_dir, bank_writer, questions):
    bank_writer("ddpm", questions)
    return [str(problem) for problem in verify_facts(load_bank(bank_dir), FAKE_FACTS)]


def test_a_matching_fact_passes(bank_dir, bank_writer, make_question):
    questions = [
        numeric_question(make_question, "q-1", {"name": "square", "args": {"n": 5}}),
        numeric_question(make_question, "q-2", {"name": "shape"}, right="`(1, 64, 16, 16)`", wrong=("`(1, 64, 8, 8)`",)),
        make_question("q-3"),
    ]
    assert verify(bank_dir, bank_writer, questions) == []


@pytest.mark.parametrize(
    ("fact", "right", "wrong", "expected"),
    [
        ({"name": "cube", "args": {"n": 5}}, "25", ("24",), "ddpm.json: q-1: facts[0].name: unknown fact 'cube'"),
        ({"name": "square", "args": {"m": 5}}, "25", ("24",), "ddpm.json: q-1: facts[0].args: square(**{'m': 5}) failed: TypeError"),
        ({"name": "not_text"}, "3", ("4",), "ddpm.json: q-1: facts[0]: not_text returned 3, not a non-empty string"),
        ({"name": "square", "args": {"n": 4}, "where": "prompt"}, "16", ("24",), "ddpm.json: q-1: prompt: lacks the computed value '16'"),
        ({"name": "square", "args": {"n": 5}}, "26", ("24",), f"{Q1}: choices[0].text: is correct but lacks the computed value '25'"),
        ({"name": "square", "args": {"n": 5}}, "25", ("24", "25 or 26"), f"{Q1}: choices[2].text: is wrong but contains the"),
    ],
)
def test_fact_problems(bank_dir, bank_writer, make_question, fact, right, wrong, expected):
    problems = verify(bank_dir, bank_writer, [numeric_question(make_question, "q-1", fact, right, wrong)])
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


@pytest.mark.parametrize(
    ("text", "value", "found"),
    [
        ("alpha_bar is 0.0778.", "0.0778", True),
        ("alpha_bar is 0.07781", "0.0778", False),
        ("t = 673", "673", True),
        ("t = 6730", "673", False),
        ("t = 1673", "673", False),
        ("x = 10.5", "0.5", False),
        ("x = 1.5", "5", False),
        ("shape (1, 64, 16, 16)", "(1, 64, 16, 16)", True),
        ("0.5 and 0.52", "0.5", True),
    ],
)
def test_mentions_whole_numbers_only(text, value, found):
    assert mentions(text, value) is found


def test_a_prompt_fact_is_looked_for_in_the_prompt_only(bank_dir, bank_writer, make_question):
    question = numeric_question(make_question, "q-1", {"name": "square", "args": {"n": 4}, "where": "prompt"}, right="16")
    question["prompt"] = "Given 16, which is right?"
    assert verify(bank_dir, bank_writer, [question]) == []


def test_a_typed_answer_carries_its_fact_and_its_mistakes_do_not(bank_dir, bank_writer, make_typed):
    fact = {"name": "square", "args": {"n": 5}}
    right = make_typed("t-1", code="x = ____", answer="25", variables={}, mistakes=[], facts=[fact])
    wrong = make_typed(
        "t-2", code="x = ____", answer="24", variables={}, facts=[fact],
        mistakes=[{"answer": "25", "key": "k.a", "title": "t", "explanation": "e"}],
    )
    assert verify(bank_dir, bank_writer, [right, wrong]) == [
        "ddpm.json: t-2: answer: is correct but lacks the computed value '25'",
        "ddpm.json: t-2: mistakes[0].answer: is wrong but contains the computed value '25'",
    ]


def test_shipped_facts_recompute():
    bank = load_bank()
    assert [str(problem) for problem in verify_facts(bank)] == []
    assert sum(len(question.facts) for question in bank) >= 40


def test_no_two_questions_compute_the_same_answer_fact():
    """Two questions whose answers are the same computation ask the same thing (v1 had ddpm-sampling-003
    and -004, both answered by σ_999 = 0.1414)."""
    seen: dict[str, str] = {}
    repeated = []
    for question in load_bank():
        for fact in question.facts:
            if fact.where == "answer":
                key = f"{fact.name}{sorted(fact.args.items())}"
                if key in seen:
                    repeated.append((seen[key], question.id))
                seen.setdefault(key, question.id)
    assert repeated == []


# The lessons' figures that computation disproved (shared/lessons/README.md): distractors at most.
LESSON_ERRORS = ("0.6766", "0.0473", "0.000014", "0.8536", "0.5000", "0.1464", "650", "940")


def right_answers(question) -> list[str]:
    if isinstance(question, TypedQuestion):
        return [question.answer, *question.also]
    return [choice.text for choice in question.choices if choice.correct]


def test_the_lessons_wrong_figures_are_never_correct_answers():
    offending = [
        (question.id, figure)
        for question in load_bank()
        for text in right_answers(question)
        for figure in LESSON_ERRORS
        if mentions(text, figure)
    ]
    assert offending == []
