"""The assessment's grading rules, as its grader applies them (torch-free).

For each digit 0–9 the grader asks ``sample_w`` for ``SAMPLES_PER_DIGIT`` images of shape
``IMAGE_SHAPE``; the learner passes when at least ``PASS_MARK`` of them are classified as the
digit asked for. The classifier sees the images normalised with MNIST's mean and standard deviation.
"""

from __future__ import annotations

N_DIGITS = 10
SAMPLES_PER_DIGIT = 5
IMAGE_SHAPE = (1, 28, 28)
PASS_MARK = 0.95
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
