"""The notebook as text: cells, the scaffold made from the solution, and what is told without running."""

from __future__ import annotations

import ast
import re

import pytest

from engine.rehearse.notebook import (
    TRAINING_LOOP_TAG,
    Blank,
    blank_out,
    blanks,
    parse_cells,
    scaffold_text,
    solution_text,
    static_feedback,
    with_overrides,
)

KINDS = ("DownBlock", "EmbedBlock", "GELUConvBlock", "RearrangePoolBlock", "ResidualConvBlock", "SinusoidalPositionEmbedBlock", "UpBlock")


def test_the_scaffold_is_the_solution_with_each_blank_replaced_once():
    scaffold, solution = scaffold_text(), solution_text()
    numbers = [int(n) for n in re.findall(r"FIXME_(\d+)", scaffold)]
    assert sorted(numbers) == list(range(1, len(blanks()) + 1)) == [item.number for item in blanks()]
    assert not re.search(r"FIXME_\d", solution)
    # Filling each blank with its answer gives the solution back.
    answers = {item.number: item.answer for item in blanks()}
    assert re.sub(r"FIXME_(\d+)\b", lambda found: answers[int(found.group(1))], scaffold) == solution


def test_the_blanks_are_of_the_assessments_kinds():
    answers = {item.answer for item in blanks()}
    assert {"torch.cumprod", "torch.sqrt", "bernoulli", "mse_loss", "0.1", "batch[1]", "t", "x_t", "e_t"} <= answers
    assert set(KINDS) <= answers
    assert "(1 + w) * e_t_keep_c - w * e_t_drop_c" in answers


def test_cells_are_percent_format_with_markdown_and_tags():
    cells = parse_cells(solution_text())
    assert cells[0].kind == "markdown" and cells[0].source.lstrip().startswith("# # Rehearsal")
    loops = [cell for cell in cells if TRAINING_LOOP_TAG in cell.tags]
    assert len(loops) == 1 and loops[0].kind == "code" and "for epoch in range(EPOCHS)" in loops[0].source
    lines = solution_text().splitlines()
    for cell in cells:
        # first_line points at the cell's first source line in the file
        assert lines[cell.first_line - 2].startswith("# %%")
    assert all(ast.parse(cell.source) for cell in cells if cell.kind == "code")


def test_the_solution_needs_no_static_fix_and_names_its_classes_right():
    feedback = static_feedback(solution_text(), "solution.py")
    assert all(item.ok for item in feedback)
    assert sorted(item.blank for item in feedback) == [11, 12, 13, 14, 15, 16, 17]


def test_the_untouched_scaffold_names_every_empty_blank_with_its_line():
    text = scaffold_text()
    feedback = static_feedback(text, "rehearsal.py")
    assert [item.blank for item in feedback] == [item.number for item in blanks()]
    assert not any(item.ok for item in feedback)
    first = feedback[0].message
    line = next(n for n, line in enumerate(text.splitlines(), 1) if "FIXME_1(" in line)
    assert "Blank 1" in first and "still empty" in first and f"line {line}" in first


def test_one_blank_left_is_the_only_one_named():
    text = solution_text().replace("c_drop_prob = 0.1", "c_drop_prob = FIXME_20")
    feedback = [item for item in static_feedback(text, "rehearsal.py") if not item.ok]
    assert [item.blank for item in feedback] == [20]


def test_a_syntax_error_names_its_blank_and_line():
    text = solution_text().replace("a_bar = torch.cumprod(a, dim=0)", "a_bar = torch.cumprod(a, dim=0")
    (problem,) = static_feedback(text, "rehearsal.py")
    assert not problem.ok and problem.blank == 1
    assert "Syntax error on line" in problem.message and "blank 1" in problem.message


def test_a_syntax_error_in_a_shared_line_names_both_blanks():
    text = solution_text().replace(
        "x_t = sqrt_a_bar_t * x_0 + sqrt_one_minus_a_bar_t * noise", "x_t = sqrt_a_bar_t * x_0 + + * noise"
    )
    (problem,) = static_feedback(text, "rehearsal.py")
    assert "blanks 6 and 7" in problem.message


def test_swapped_class_names_are_named_from_their_bodies():
    text = solution_text()
    text = text.replace("class GELUConvBlock(nn.Module):", "class Swap(nn.Module):")
    text = text.replace("class ResidualConvBlock(nn.Module):", "class GELUConvBlock(nn.Module):")
    text = text.replace("class Swap(nn.Module):", "class ResidualConvBlock(nn.Module):")
    wrong = {item.blank: item.message for item in static_feedback(text, "rehearsal.py") if not item.ok}
    assert set(wrong) == {12, 16}
    assert "you named it ResidualConvBlock; this body is the GELUConvBlock" in wrong[12]


def test_a_missing_training_loop_tag_is_named():
    text = solution_text().replace(f'# %% tags=["{TRAINING_LOOP_TAG}"]', "# %%")
    (problem,) = static_feedback(text, "rehearsal.py")
    assert TRAINING_LOOP_TAG in problem.message and not problem.ok


def test_blanks_that_disagree_with_the_solution_are_refused():
    with pytest.raises(ValueError, match="occurs 0 times"):
        blank_out("x = 1\n", (Blank(1, "y = 2", "2", "a number"),))
    with pytest.raises(ValueError, match="exactly once"):
        blank_out("t = t + t\n", (Blank(1, "t = t + t", "t", "a step"),))


def test_a_word_answer_is_blanked_only_where_it_stands_alone():
    assert blank_out("if t[0] == 0:  # at the step\n", (Blank(10, "if t[0] == 0:  # at the step", "t", "the step"),)) == (
        "if FIXME_10[0] == 0:  # at the step\n"
    )


def test_overrides_replace_top_level_assignments_only():
    tree = with_overrides("T = nrows * ncols\ndef f():\n    T = 3\n    return T\nBATCH_SIZE = 128\n", {"T": "20", "BATCH_SIZE": "16"})
    namespace: dict = {}
    exec(compile(tree, "cell", "exec"), namespace)  # noqa: S102 - the cell is this test's own
    assert namespace["T"] == 20 and namespace["BATCH_SIZE"] == 16 and namespace["f"]() == 3
