"""A rehearsal in plain text, for the terminal (torch-free): the blanks' feedback, the progress
line, the per-digit table and the verdict."""

from __future__ import annotations

import math

from engine.rehearse.events import Progress
from engine.rehearse.notebook import Feedback
from engine.rehearse.rules import N_DIGITS, PASS_MARK, SAMPLES_PER_DIGIT

BAR_WIDTH = 24


def clock(seconds: float) -> str:
    """``m:ss``."""
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def feedback_lines(feedback: list[Feedback]) -> list[str]:
    """One line per finding, ✓ or ✗, blanks in order, then what concerns the notebook as a whole."""
    return [f"  {'✓' if item.ok else '✗'} {item.message}" for item in feedback]


def progress_line(progress: Progress) -> str:
    done = progress.step / progress.steps if progress.steps else 1.0
    filled = round(done * BAR_WIDTH)
    bar = "█" * filled + "░" * (BAR_WIDTH - filled)
    return (f"  training {bar} {progress.step}/{progress.steps} steps · loss {progress.loss:.4f} · "
            f"{clock(progress.elapsed_s)} elapsed, about {clock(progress.left_s)} left")


def digit_table(predictions: list[list[int]]) -> list[str]:
    """Per digit: what the classifier read in its samples and how many were right; then the total."""
    lines = ["  digit  read as      right"]
    for digit, read in enumerate(predictions):
        right = read.count(digit)
        lines.append(f"  {digit:>5}  {' '.join(str(r) for r in read):<11}  {right}/{len(read)}{'' if right == len(read) else '  ✗'}")
    correct = sum(row.count(digit) for digit, row in enumerate(predictions))
    total = sum(len(row) for row in predictions)
    share = correct / total if total else 0.0
    lines.append(f"  total               {correct}/{total} = {share:.0%} (the pass mark is {PASS_MARK:.0%})")
    return lines


def verdict(accuracy: float) -> str:
    total = N_DIGITS * SAMPLES_PER_DIGIT
    if accuracy >= PASS_MARK:
        return f"PASS: the classifier read {accuracy:.0%} of the samples as the digit asked for (the assessment needs {PASS_MARK:.0%})."
    return (f"NOT YET: {accuracy:.0%} read as the digit asked for; the assessment needs {PASS_MARK:.0%} "
            f"({math.ceil(PASS_MARK * total)} of {total}). Train longer, or raise w.")
