"""Typed answers are judged by meaning: equivalent spellings pass, near misses fail with the right
feedback, and the learner's text is only ever parsed, never run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engine.quiz.bank import load_bank
from engine.quiz.models import TypedQuestion
from engine.quiz.typed import DIFFERENT, SYNTAX, UNKNOWN_NAME, judge, verify_typed


def item(code: str, answer: str, **extra) -> TypedQuestion:
    return TypedQuestion.model_validate(
        {"id": "t", "kind": "typed", "section": "ddpm.forward", "difficulty": 1, "prompt": "p", "explanation": "e",
         "code": code, "answer": answer, **extra}
    )


def spread(*names: str, low: float = -2.0, high: float = 2.0) -> dict[str, dict[str, float]]:
    return {name: {"low": low, "high": high} for name in names}


LOSS = item("loss = ____", "F.mse_loss(pred, noise)", variables=spread("pred", "noise"))
CUMPROD = item("a_bar = ____(a, dim=0)", "torch.cumprod", variables=spread("a", low=0.9, high=1.0))
CAT = item("x = torch.cat(____, dim=1)", "[x, skip]")
BLOCK = item("class ____(nn.Module):\n    pass", "DownBlock")
START = item("betas = torch.linspace(____, 0.02, T)", "1e-4")
GUIDED = item(
    "e = ____", "(1 + w) * c - w * u", variables=spread("w", "c", "u"),
    mistakes=[{"answer": "u + w * (c - u)", "key": "guidance.lessons_form", "title": "The lessons' form", "explanation": "x"}],
)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (LOSS, "F.mse_loss(noise, pred)"),  # the order of a symmetric function's arguments
        (LOSS, "torch.nn.functional.mse_loss(input=pred, target=noise)"),  # a full path, keywords
        (LOSS, "nn.functional.mse_loss(pred, noise, reduction='mean')"),  # another alias, a default written out
        (LOSS, "((noise - pred) ** 2).mean()"),  # the same numbers on random inputs
        (CUMPROD, "torch.cumprod"),
        (CUMPROD, "a_bar = torch.cumprod(a, 0)"),  # the whole line, the dimension positional
        (CUMPROD, "a_bar = a.cumprod(dim=0)"),  # a tensor method
        (CAT, "(x, skip)"),  # a tuple is a sequence like a list
        (BLOCK, "DownBlock"),
        (START, "0.0001"),
        (START, "10 ** -4"),  # arithmetic on numbers is folded
        (GUIDED, "c * (w + 1) - u * w"),  # commuted operands
        (GUIDED, "c + w * (c - u)"),  # another algebraic form
        (GUIDED, "  (1+w)*c-w*u  "),  # spacing
    ],
)
def test_equivalent_answers_are_accepted(question, answer):
    verdict = judge(question, answer)
    assert verdict.accepted, verdict.feedback
    assert verdict.feedback is None


@pytest.mark.parametrize(
    ("question", "answer", "key"),
    [
        (LOSS, "F.mse_loss(pred, noise, reduction='sum')", DIFFERENT),
        (LOSS, "F.l1_loss(pred, noise)", DIFFERENT),
        (CUMPROD, "torch.cumsum", DIFFERENT),
        (CUMPROD, "cumprod", UNKNOWN_NAME),
        (CAT, "[skip, x]", DIFFERENT),
        (BLOCK, "downblock", DIFFERENT),  # Python names are case-sensitive
        (BLOCK, "Down Block", SYNTAX),
        (START, "1e-3", DIFFERENT),
        (GUIDED, "u + w * (c - u)", "guidance.lessons_form"),  # a catalogued mistake, in its own spelling…
        (GUIDED, "w * c + (1 - w) * u", "guidance.lessons_form"),  # …or in any equivalent one
        (GUIDED, "(1 + w) * c + w * u", DIFFERENT),
        (GUIDED, "(1 + w) * c - w *", SYNTAX),
        (GUIDED, "(1 + w) * cond - w * u", UNKNOWN_NAME),
    ],
)
def test_near_misses_are_rejected_with_feedback(question, answer, key):
    verdict = judge(question, answer)
    assert not verdict.accepted
    assert verdict.feedback is not None and verdict.feedback.key == key
    assert verdict.feedback.title and verdict.feedback.explanation
    assert verdict.answer == question.answer


def test_the_verdict_shows_the_line_with_the_answer_written_in():
    assert judge(CUMPROD, "torch.cumsum").line == "a_bar = torch.cumsum(a, dim=0)"
    assert judge(CUMPROD, "a_bar = torch.cumprod(a, 0)").line == "a_bar = torch.cumprod(a, 0)"


def test_unknown_names_are_named_in_the_feedback():
    assert "`cond`" in judge(GUIDED, "(1 + w) * cond - w * u").feedback.explanation


def test_other_right_answers_listed_in_also_are_accepted():
    loop = item("for t in ____:\n    pass", "reversed(range(T))", also=["range(T - 1, -1, -1)"])
    assert judge(loop, "range(T-1, -1, -1)").accepted
    assert not judge(loop, "range(T)").accepted


def test_the_learners_text_is_never_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for attack in (
        "open('canary.txt', 'w').write('ran')",
        "__import__('pathlib').Path('canary.txt').write_text('ran')",
        "[c for c in ().__class__.__base__.__subclasses__()]",
    ):
        assert not judge(GUIDED, attack).accepted
        assert not judge(LOSS, attack).accepted
    assert not (tmp_path / "canary.txt").exists()


@pytest.mark.parametrize(
    "text",
    [
        "(" * 400 + "w" + ")" * 400,  # deeper than the parser allows: refused, not a crash
        "w " + "+ w " * 200,  # longer than an answer may be
        "10 ** 10 ** 10",  # a number too large to compute: judged without computing it
        "c * 1e308 * 1e308",  # overflows to inf on random values
        "\x00",
    ],
)
def test_hostile_inputs_get_a_verdict(text):
    verdict = judge(GUIDED, text)
    assert not verdict.accepted and verdict.feedback is not None


def test_judging_never_imports_torch():
    code = """
import sys
from engine.quiz.models import TypedQuestion
from engine.quiz.typed import judge
q = TypedQuestion.model_validate({"id": "t", "kind": "typed", "section": "ddpm.forward", "difficulty": 1,
    "prompt": "p", "explanation": "e", "code": "loss = ____", "answer": "F.mse_loss(pred, noise)",
    "variables": {"pred": {"low": -1, "high": 1}, "noise": {"low": -1, "high": 1}}})
assert judge(q, "((pred - noise) ** 2).mean()").accepted
print("torch" in sys.modules)
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip() == "False"


def test_verify_reports_items_that_contradict_themselves():
    broken = item(
        "e = ____", "(1 + w) * c - w * u", variables={**spread("w", "c", "u"), "z": {"low": 0, "high": 1}},
        mistakes=[
            {"answer": "c * (1 + w) - w * u", "key": "same.as_key", "title": "t", "explanation": "e"},
            {"answer": "u", "key": "first.key", "title": "t", "explanation": "e"},
            {"answer": "u * 1", "key": "second.key", "title": "t", "explanation": "e"},
        ],
    )
    from engine.quiz.bank import Bank

    assert [str(problem) for problem in verify_typed(Bank([broken.model_copy(update={"topic": "ddpm"})]))] == [
        "ddpm.json: t: variables: z not in the code or its answers",
        "ddpm.json: t: mistakes[0].answer: is accepted as right",
        "ddpm.json: t: mistakes[2].answer: is recognised as first.key",
    ]


def test_every_shipped_typed_item_is_consistent():
    bank = load_bank()
    assert [str(problem) for problem in verify_typed(bank)] == []
    assert sum(isinstance(question, TypedQuestion) for question in bank) >= 40


# Real items of the bank: answers a learner might type, and what each one deserves.
SHIPPED = [
    ("course-blank-cumprod", ["torch.cumprod", "a_bar = torch.cumprod(a, 0)"], [("torch.cumsum", "course.schedule.cumsum")]),
    (
        "course-blank-sqrt-a-bar",
        ["a_bar ** 0.5", "a_bar.sqrt()", "torch.sqrt(input=a_bar)", "torch.pow(a_bar, 0.5)"],
        [
            ("math.sqrt(a_bar)", "course.schedule.math_sqrt"),
            ("a_bar", "course.schedule.no_sqrt"),
            ("torch.sqrt(1 - a_bar)", DIFFERENT),
        ],
    ),
    ("course-blank-noise-coeff", ["(1 - a_bar) ** 0.5"], [("torch.sqrt(1 - a)", "course.reverse.one_step_denominator")]),
    (
        "course-blank-q",
        ["noise * sqrt_one_minus_a_bar_t + x_0 * sqrt_a_bar_t"],
        [("sqrt_one_minus_a_bar_t * x_0 + sqrt_a_bar_t * noise", "course.q.swapped")],
    ),
    ("course-blank-loss", ["mse_loss"], [("l1_loss", "course.loss.l1"), ("MSELoss", DIFFERENT)]),
    (
        "course-blank-guidance",
        ["e_t_keep_c*(1+w) - w*e_t_drop_c", "e_t_keep_c + w * (e_t_keep_c - e_t_drop_c)"],
        [
            ("e_t_drop_c + w * (e_t_keep_c - e_t_drop_c)", "course.guidance.lessons_form"),
            ("(1 + w) * e_t_keep_c + w * e_t_drop_c", DIFFERENT),
        ],
    ),
    ("course-blank-bernoulli", ["bernoulli"], [("rand_like", "course.mask.uniform"), ("torch.bernoulli", SYNTAX)]),
    ("course-blank-labels", ["batch[1]"], [("batch[0]", "course.batch.images")]),
    ("course-blank-previous-beta", ["t - 1", "t-1"], [("t", "course.reverse.beta_t")]),
    ("course-blank-class-down", ["DownBlock"], [("UpBlock", "course.names.up_for_down"), ("Downblock", DIFFERENT)]),
    ("course-blank-clip-width", ["CLIP_FEATURES", "512"], [("3", "course.clip.classes")]),
    ("ddpm-blank-sample-loop", ["reversed(range(T))", "range(T-1, -1, -1)"], [("range(T)", "ddpm.sample.forward_order")]),
    (
        "cfg-blank-drop-mask",
        ["p_uncond > torch.rand(B, device=device)"],
        [("torch.rand(B, device=device) > p_uncond", "cfg.drop.inverted")],
    ),
    ("cfg-blank-guidance", ["w * eps_cond + (1 - w) * eps_uncond"], [("(1 + w) * eps_cond - w * eps_uncond", "cfg.guidance.course_form")]),
    ("unet-blank-concat", ["(x, skip)"], [("[skip, x]", "unet.up.concat_order")]),
    ("shapes-blank-view", ["-1, 1, 1, 1", "x_0.shape[0], 1, 1, 1"], [("1, 1, 1, -1", "shapes.view.batch_last")]),
    ("schedules-blank-beta-start", ["0.0001", "1E-4"], [("0", "schedules.zero_first_beta")]),
]


@pytest.mark.parametrize(("qid", "accepted", "rejected"), SHIPPED, ids=[row[0] for row in SHIPPED])
def test_shipped_items_judge_like_a_teacher(qid, accepted, rejected):
    question = load_bank()[qid]
    assert isinstance(question, TypedQuestion)
    for answer in accepted:
        assert judge(question, answer).accepted, answer
    for answer, key in rejected:
        verdict = judge(question, answer)
        assert not verdict.accepted, answer
        assert verdict.feedback is not None and verdict.feedback.key == key, (answer, verdict.feedback)
