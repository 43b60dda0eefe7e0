"""Feedback blank by blank, on learner-shaped notebooks: the solution with one mistake each.

Each mistake must fail the blank it belongs to, with a message that says which confusion it is,
and leave the blanks it does not touch passing."""

from __future__ import annotations

import pytest

from engine.rehearse.notebook import blanks

MISTAKES = {
    "per-sample mask": (
        "c_mask = torch.bernoulli(torch.ones_like(c_hot).float() - drop_prob).to(device)",
        "c_mask = torch.bernoulli(torch.ones(c_hot.shape[0], 1) - drop_prob).expand_as(c_hot).to(device)",
        18, "your mask is one coin per sample; the course draws one per element",
    ),
    "keep-probability given as the drop": (
        "torch.ones_like(c_hot).float() - drop_prob",
        "torch.ones_like(c_hot).float() * drop_prob",
        18, "keeps 10 %",
    ),
    "w·(ε_c − ε_u)": (
        "e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c",
        "e_t = w * (e_t_keep_c - e_t_drop_c)",
        22, "you wrote w·(ε_c − ε_u)",
    ),
    "the lessons' guidance": (
        "e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c",
        "e_t = e_t_drop_c + w * (e_t_keep_c - e_t_drop_c)",
        22, "the lessons' form",
    ),
    "√β_t instead of √β_{t−1}": ("B_t = B[t - 1]", "B_t = B[t]", None, "scaled by √β_t"),
    "data scaled to [−1, 1]": (
        "    x = batch[0].to(device)\n",
        "    x = batch[0].to(device) * 2 - 1\n",
        None, "rescales the images to [−1, 1]",
    ),
    "cumsum": ("a_bar = torch.cumprod(a, dim=0)", "a_bar = torch.cumsum(a, dim=0)", 1, "running sum"),
    "no square root": ("sqrt_a_inv = torch.sqrt(1 / a)", "sqrt_a_inv = (1 / a)", 4, "under the square root"),
    "swapped coefficients in q": (
        "x_t = sqrt_a_bar_t * x_0 + sqrt_one_minus_a_bar_t * noise",
        "x_t = sqrt_one_minus_a_bar_t * x_0 + sqrt_a_bar_t * noise",
        6, "swapped",
    ),
    "swapped arguments of the mean": (
        "u_t = sqrt_a_inv_t * (x_t - pred_noise_coeff_t * e_t)",
        "u_t = sqrt_a_inv_t * (e_t - pred_noise_coeff_t * x_t)",
        9, "x_t and e_t are swapped",
    ),
    "noise at the last step": ("if t[0] == 0:", "if t[0] == -1:", 10, "at t = 0 reverse_q still adds noise"),
    "L1 loss": ("return F.mse_loss(noise, noise_pred)", "return F.l1_loss(noise, noise_pred)", 19, "mean absolute error"),
    "drop 0.9": ("c_drop_prob = 0.1", "c_drop_prob = 0.9", 20, "0.9 drops nine in ten"),
    "never drop": ("c_drop_prob = 0.1", "c_drop_prob = 0.0", 20, "never dropped"),
    "images as labels": (
        "get_context_mask(batch[1], c_drop_prob)", "get_context_mask(batch[0], c_drop_prob)", 21, "the labels are batch[1]",
    ),
    "negative weight": ("w = 2.0", "w = -1.0", 23, "choose w ≥ 0"),
}


def test_the_model_solution_passes_every_blank(check):
    feedback = check_solution(check)
    assert all(item.ok for item in feedback), [item.message for item in feedback if not item.ok]
    assert {item.blank for item in feedback} == {item.number for item in blanks()}


def check_solution(check):
    from engine.rehearse.notebook import solution_text

    return check(solution_text())


@pytest.mark.parametrize("name", MISTAKES)
def test_each_mistake_is_named_on_its_blank(name, edit, check, failures):
    old, new, number, phrase = MISTAKES[name]
    failed = failures(check(edit(old, new)))
    assert number in failed, failed
    assert phrase in failed[number]
    # The blanks that use a wrong one wait for it ("checked once … right"); no other blank fails.
    blamed = {n for n, message in failed.items() if "checked once" not in message}
    assert len(blamed) <= 2, f"a single mistake should not fail unrelated blanks: {failed}"


def test_a_wrong_table_is_blamed_on_its_blank_and_the_uses_wait_for_it(edit, check, failures):
    failed = failures(check(edit("sqrt_a_bar = torch.sqrt(a_bar)", "sqrt_a_bar = a_bar")))
    assert "under the square root" in failed[2]
    assert "checked once blanks 1, 2 and 3 are right" in failed[6]
    assert 1 not in failed and 3 not in failed


def test_an_error_in_a_cell_names_the_line_and_stops_before_the_checks(edit, check):
    (problem,) = [item for item in check(edit("sqrt_a_inv = torch.sqrt(1 / a)", "sqrt_a_inv = torch.sqrt(1 / a_typo)")) if not item.ok]
    assert not problem.ok
    assert "NameError on line" in problem.message and "a_typo" in problem.message


def test_an_error_inside_a_function_is_told_on_its_blank(edit, check, failures):
    failed = failures(check(edit("e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c", "e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c[:3]")))
    assert failed[22].startswith("Blank 22") and "raised RuntimeError on line" in failed[22] and "while calling sample_w" in failed[22]


def test_get_loss_passing_t_over_T_is_caught(edit, check, failures):
    failed = failures(check(edit("noise_pred = model(x_noisy, t, *model_args)", "noise_pred = model(x_noisy, t / T, *model_args)")))
    assert "passes t / T to the model" in failed[None]
