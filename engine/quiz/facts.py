"""Facts are computed, not typed: a question whose answer is a number or a shape names the
computation that produces it, and :func:`verify_facts` recomputes every one.

The computations are content and live with the bank, in the module named ``FACTS_MODULE``
(``quiz_bank.facts``), which exposes a ``FACTS`` dict from names to functions. It is found by
name, so the engine never imports the bank; and since the facts import torch and the reference,
it is loaded only to verify facts, never to load the bank or run a quiz.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from functools import cache

from engine.quiz.bank import BANK_PACKAGE, Bank, Problem
from engine.quiz.models import ChoiceQuestion, Fact, Question

FactFunction = Callable[..., str]
FACTS_MODULE = f"{BANK_PACKAGE}.facts"


@cache
def registry(module: str = FACTS_MODULE) -> dict[str, FactFunction]:
    """The ``FACTS`` registry of ``module``."""
    facts = importlib.import_module(module).FACTS
    if not isinstance(facts, dict):
        raise TypeError(f"{module}.FACTS must be a dict of fact functions")
    return facts


def mentions(text: str, value: str) -> bool:
    """Whether ``value`` occurs in ``text`` as a whole number: "0.5" is not in "0.52" or "10.5"."""
    for match in re.finditer(re.escape(value), text):
        before, after = text[: match.start()], text[match.end() :]
        if re.search(r"\d\.?$", before) and value[:1].isdigit():
            continue
        if re.match(r"\.?\d", after) and value[-1:].isdigit():
            continue
        return True
    return False


def verify_facts(bank: Bank, facts: Mapping[str, FactFunction] | None = None) -> list[Problem]:
    """Recompute each question's facts: an answer fact must appear in every correct answer and in no
    wrong one; a prompt fact in the prompt."""
    facts = registry() if facts is None else facts
    return [
        Problem(f"{question.topic}.json", question.id, _field(index, field), message)
        for question in bank
        for index, fact in enumerate(question.facts)
        for field, message in _check(question, fact, facts)
    ]


def _field(index: int, field: str) -> str:
    """A field of the fact itself (".name", ".") is named from the fact's place in the list."""
    return f"facts[{index}]{field}".rstrip(".") if field.startswith(".") else field


def _answers(question: Question) -> list[tuple[str, str, bool]]:
    """``(field, text, correct)`` for every answer a question offers or catalogues."""
    if isinstance(question, ChoiceQuestion):
        return [(f"choices[{i}].text", choice.text, choice.correct) for i, choice in enumerate(question.choices)]
    return [("answer", question.answer, True)] + [
        (f"mistakes[{i}].answer", mistake.answer, False) for i, mistake in enumerate(question.mistakes)
    ]


def _check(question: Question, fact: Fact, facts: Mapping[str, FactFunction]) -> list[tuple[str, str]]:
    """``(field, problem)`` pairs; a field starting with "." belongs to the fact itself."""
    function = facts.get(fact.name)
    if function is None:
        return [(".name", f"unknown fact '{fact.name}'")]
    try:
        value = function(**fact.args)
    except Exception as error:  # noqa: BLE001 - a failing fact is a problem to report, whatever the failure
        return [(".args", f"{fact.name}(**{fact.args}) failed: {type(error).__name__}: {error}")]
    if not isinstance(value, str) or not value:
        return [(".", f"{fact.name} returned {value!r}, not a non-empty string")]
    if fact.where == "prompt":
        return [] if mentions(question.prompt, value) else [("prompt", f"lacks the computed value {value!r}")]
    problems = []
    for field, text, correct in _answers(question):
        if correct and not mentions(text, value):
            problems.append((f"{field}", f"is correct but lacks the computed value {value!r}"))
        if not correct and mentions(text, value):
            problems.append((f"{field}", f"is wrong but contains the computed value {value!r}"))
    return problems
