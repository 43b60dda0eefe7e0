"""Judging what a learner typed into a blank: by meaning, not by spelling.

The answer is spliced into the item's code (``engine.quiz.blank_code``) and compared with the
course's line in two ways; either one accepts it:

1. their normal forms are equal (``engine.quiz.code_meaning``): aliases, keyword or positional
   arguments, defaults, argument order where it does not matter, number spellings;
2. when the item declares ``variables``, both lines are evaluated on the same random values and
   give the same numbers (``engine.quiz.code_values``): ``x ** 0.5`` is ``torch.sqrt(x)``.

A learner who types the whole line instead of the blank is judged on that line. A wrong answer
gets feedback keyed like a drill's diagnosis: the item's catalogued mistake it matches (judged
the same way), or else one of three generic keys: ``typed.syntax`` (not something the blank can
take), ``typed.unknown_name`` (a name the code does not have), ``typed.different``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from engine.quiz.bank import Bank, Problem
from engine.quiz.blank_code import BlankError, fill, parse_whole, shown
from engine.quiz.code_meaning import names_used, normal_form, normalise
from engine.quiz.models import TypedQuestion, Variable

SYNTAX, UNKNOWN_NAME, DIFFERENT = "typed.syntax", "typed.unknown_name", "typed.different"


@dataclass(frozen=True)
class Feedback:
    """Why an answer is wrong: ``key``, ``title`` and ``explanation``, as a drill's diagnosis has."""

    key: str
    title: str
    explanation: str


@dataclass(frozen=True)
class TypedVerdict:
    given: str
    accepted: bool
    answer: str
    line: str
    feedback: Feedback | None = None


def equivalent(given: ast.Module, expected: ast.Module, variables: Mapping[str, Variable]) -> bool:
    """Whether two filled-in lines mean the same: equal normal forms, or equal values on random inputs."""
    if normal_form(given) == normal_form(expected):
        return True
    if not variables:
        return False
    # Imported here: numpy is needed only for the items that are compared by value.
    from engine.quiz.code_values import same_values

    return bool(same_values(_normal_module(given), _normal_module(expected), variables))


def _normal_module(tree: ast.Module) -> ast.Module:
    normal = normalise(tree)
    assert isinstance(normal, ast.Module)
    return normal


def _readings(question: TypedQuestion, text: str) -> tuple[list[tuple[ast.Module, str]], BlankError | None]:
    """The learner's text read as the blank's content and as a whole line, where each reading parses,
    each with the line as it reads. The error says why the text cannot stand in the blank, unless it
    reads as a whole statement (someone who typed the full line), for which that error would mislead."""
    readings: list[tuple[ast.Module, str]] = []
    problem = None
    try:
        readings.append((fill(question.code, text), shown(question.code, text)))
    except BlankError as error:
        problem = error
    whole = parse_whole(text)
    if whole is not None:
        readings.append((whole, text.strip()))
        if not all(isinstance(statement, ast.Expr) for statement in whole.body):
            problem = None
    return readings, problem


def judge(question: TypedQuestion, text: str) -> TypedVerdict:
    """Accept ``text`` when it means what the course writes in the blank; otherwise say why not."""
    expected = [fill(question.code, right) for right in (question.answer, *question.also)]
    variables = question.variables
    readings, problem = _readings(question, text)
    given = text.strip()
    for tree, line in readings:
        if any(equivalent(tree, right, variables) for right in expected):
            return TypedVerdict(given, True, question.answer, line)
    verdict = TypedVerdict(given, False, question.answer, readings[0][1] if readings else shown(question.code, text))
    for mistake in question.mistakes:
        wrong = fill(question.code, mistake.answer)
        if any(equivalent(tree, wrong, variables) for tree, _ in readings):
            return _reject(verdict, Feedback(mistake.key, mistake.title, mistake.explanation))
    if problem is not None or not readings:
        return _reject(verdict, Feedback(SYNTAX, "Not something this blank can hold", f"{problem}."))
    filled = readings[0][0]
    unknown = sorted(names_used(filled) - names_used(expected[0]) - set(variables))
    if unknown:
        return _reject(
            verdict,
            Feedback(UNKNOWN_NAME, "A name this code does not have", f"`{unknown[0]}` is not defined at this point of the code."),
        )
    return _reject(verdict, Feedback(DIFFERENT, "Not the course's line", "Your line does not compute what the course's line computes."))


def _reject(verdict: TypedVerdict, feedback: Feedback) -> TypedVerdict:
    return TypedVerdict(verdict.given, False, verdict.answer, verdict.line, feedback)


def verify_typed(bank: Bank) -> list[Problem]:
    """Every typed item is self-consistent: its answer is accepted, and every catalogued mistake is
    rejected and recognised as itself; declared variables occur in the code and let it be evaluated."""
    problems = []
    for question in bank:
        if isinstance(question, TypedQuestion):
            problems += [Problem(f"{question.topic}.json", question.id, field, message) for field, message in _check(question)]
    return problems


def _check(question: TypedQuestion) -> list[tuple[str, str]]:
    problems = []
    verdict = judge(question, question.answer)
    if not verdict.accepted:
        problems.append(("answer", "is not accepted by its own item"))
    expected = fill(question.code, question.answer)
    texts = [question.answer, *question.also, *(mistake.answer for mistake in question.mistakes)]
    used = set().union(*(names_used(fill(question.code, text)) for text in texts))
    missing = sorted(set(question.variables) - used)
    if missing:
        problems.append(("variables", f"{', '.join(missing)} not in the code or its answers"))
    elif question.variables:
        from engine.quiz.code_values import same_values

        if same_values(_normal_module(expected), _normal_module(expected), question.variables) is not True:
            problems.append(("variables", "the course's line cannot be evaluated on them"))
    for index, mistake in enumerate(question.mistakes):
        found = judge(question, mistake.answer)
        if found.accepted:
            problems.append((f"mistakes[{index}].answer", "is accepted as right"))
        elif found.feedback is None or found.feedback.key != mistake.key:
            other = found.feedback.key if found.feedback else "nothing"
            problems.append((f"mistakes[{index}].answer", f"is recognised as {other}"))
    return problems
