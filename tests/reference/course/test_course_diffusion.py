"""q, reverse_q and get_loss against hand computations, and the √B[t−1] noise by its statistics."""

from __future__ import annotations

import math

import torch

from reference.course import ASSESSMENT_SCHEDULE, course_schedule, get_loss, q, reverse_q

B = [1e-4 + (0.02 - 1e-4) * i / 149 for i in range(150)]


def a_bar_py(t: int) -> float:
    return math.prod(1 - b for b in B[: t + 1])


def reverse_mean_py(x_t: torch.Tensor, t: int, e_t: torch.Tensor) -> torch.Tensor:
    """μ from the reverse formula, with (1 − a) written as β and √(1/a) as 1/√(1 − β)."""
    beta = B[t]
    return (x_t - beta / math.sqrt(1 - a_bar_py(t)) * e_t) / math.sqrt(1 - beta)


# ---- q ----

def test_q_returns_the_noise_it_drew_and_mixes_by_the_closed_form():
    x_0 = torch.rand(3, 1, 28, 28)
    t = torch.tensor([0.0, 74.0, 149.0])  # the course passes float steps
    torch.manual_seed(4)
    x_t, noise = q(x_0, t)
    torch.manual_seed(4)
    assert torch.equal(noise, torch.randn_like(x_0))
    for i, step in enumerate((0, 74, 149)):
        expected = math.sqrt(a_bar_py(step)) * x_0[i] + math.sqrt(1 - a_bar_py(step)) * noise[i]
        # float32 1 − ᾱ_0 = 1e-4 keeps only about four significant digits
        torch.testing.assert_close(x_t[i], expected, rtol=1e-5, atol=1e-5)


def test_q_statistics_at_a_late_step():
    torch.manual_seed(0)
    x_0 = torch.full((1, 1, 200, 200), 0.8)
    x_t, _ = q(x_0, torch.tensor([120]))
    assert abs(x_t.mean().item() - math.sqrt(a_bar_py(120)) * 0.8) < 0.01
    assert abs(x_t.std().item() - math.sqrt(1 - a_bar_py(120))) < 0.01


def test_q_uses_a_custom_schedule():
    x_0 = torch.ones(1, 1, 2, 2)
    short = course_schedule(T=2, B_start=0.5, B_end=0.5)
    torch.manual_seed(1)
    x_t, noise = q(x_0, torch.tensor([1]), schedule=short)
    torch.testing.assert_close(x_t, 0.5 * x_0 + math.sqrt(0.75) * noise)


# ---- reverse_q ----

def test_reverse_q_at_step_zero_returns_the_mean_exactly_and_draws_nothing():
    torch.manual_seed(2)
    x_t, e_t = torch.randn(2, 1, 8, 8), torch.randn(2, 1, 8, 8)
    t = torch.zeros(2)
    state = torch.get_rng_state()
    out = reverse_q(x_t, t, e_t)
    assert torch.equal(torch.get_rng_state(), state)
    torch.testing.assert_close(out, reverse_mean_py(x_t, 0, e_t), rtol=1e-5, atol=1e-5)
    assert torch.equal(out, reverse_q(x_t, t, e_t))


def test_reverse_q_adds_noise_of_the_previous_steps_beta():
    torch.manual_seed(3)
    x_t, e_t = torch.randn(1, 1, 200, 200), torch.randn(1, 1, 200, 200)
    for step in (1, 60, 149):
        residual = reverse_q(x_t, torch.tensor([step]), e_t) - reverse_mean_py(x_t, step, e_t)
        sigma = math.sqrt(B[step - 1])
        # 40,000 draws estimate the mean to σ/200 and the std to about 0.4 %
        assert abs(residual.mean().item()) < 4 * sigma / 200
        assert abs(residual.std().item() / sigma - 1) < 0.015


def test_reverse_q_previous_beta_is_unmistakable_at_step_one():
    torch.manual_seed(5)
    x_t = torch.zeros(1, 1, 300, 300)
    residual = reverse_q(x_t, torch.tensor([1]), torch.zeros_like(x_t))  # μ = 0 here
    assert abs(residual.std().item() - math.sqrt(B[0])) < 0.02 * math.sqrt(B[0])
    assert abs(residual.std().item() - math.sqrt(B[1])) > 0.2 * math.sqrt(B[1])


def test_reverse_q_accepts_the_samplers_4d_t():
    torch.manual_seed(6)
    x_t, e_t = torch.randn(2, 1, 4, 4), torch.randn(2, 1, 4, 4)
    flat = reverse_q(x_t, torch.tensor([0, 0]), e_t)
    four_d = reverse_q(x_t, torch.tensor([0, 0]).reshape(2, 1, 1, 1), e_t)
    assert torch.equal(flat, four_d)


def test_reverse_q_takes_each_rows_coefficients_but_lets_t0_decide_the_noise():
    torch.manual_seed(8)
    x_t, e_t = torch.randn(2, 1, 4, 4), torch.randn(2, 1, 4, 4)
    out = reverse_q(x_t, torch.tensor([0, 30]), e_t)  # the course's samplers never mix steps
    torch.testing.assert_close(out[0], reverse_mean_py(x_t[:1], 0, e_t[:1])[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(out[1], reverse_mean_py(x_t[1:], 30, e_t[1:])[0], rtol=1e-5, atol=1e-6)


def test_reverse_q_does_not_track_gradients():
    x_t = torch.randn(1, 1, 4, 4, requires_grad=True)
    assert not reverse_q(x_t, torch.tensor([3]), torch.randn(1, 1, 4, 4)).requires_grad


# ---- get_loss ----

class OracleNoise(torch.nn.Module):
    """Recovers ε exactly from x_t, given the clean images: the loss must then be ~0."""

    def __init__(self, x_0: torch.Tensor):
        super().__init__()
        self.x_0 = x_0

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, *_context: torch.Tensor) -> torch.Tensor:
        a_bar = torch.tensor([a_bar_py(int(step)) for step in t])[:, None, None, None]
        return (x_t - a_bar.sqrt() * self.x_0) / (1 - a_bar).sqrt()


def test_get_loss_is_zero_for_a_perfect_predictor_and_about_one_for_zero():
    torch.manual_seed(7)
    x_0 = torch.rand(16, 1, 8, 8)
    t = torch.randint(0, 150, (16,)).float()
    assert get_loss(OracleNoise(x_0), x_0, t).item() < 1e-8
    zero = get_loss(lambda x, *_: torch.zeros_like(x), x_0, t)
    assert abs(zero.item() - 1.0) < 0.1


def test_get_loss_passes_raw_steps_and_the_context_to_the_model():
    seen: list[tuple[torch.Tensor, ...]] = []

    def model(x: torch.Tensor, t: torch.Tensor, c: torch.Tensor, c_mask: torch.Tensor) -> torch.Tensor:
        seen.append((t, c, c_mask))
        return torch.zeros_like(x)

    t, c, mask = torch.tensor([5.0, 140.0]), torch.eye(10)[:2], torch.ones(2, 10)
    get_loss(model, torch.rand(2, 1, 4, 4), t, c, mask, schedule=ASSESSMENT_SCHEDULE)
    assert torch.equal(seen[0][0], t) and seen[0][1] is c and seen[0][2] is mask
