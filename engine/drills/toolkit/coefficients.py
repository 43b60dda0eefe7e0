"""Coefficient identification: naming a wrong coefficient that no catalog foresaw.

Where the right answer is a per-sample linear combination of tensors the grader knows
(x_t = a·x_0 + b·ε, μ = a·x_t + c·ε̂, ε̂ = a·ε_c + b·ε_u), the learner's output is fitted, sample
by sample, as such a combination by least squares. Each fitted coefficient is then looked up in a
dictionary of schedule expressions (√ᾱ_t, 1 − √ᾱ_t, 1/√α_t, β_t/√(1 − ᾱ_t), …, each also read one
step early or late, and with either sign) evaluated at every sample's own t. A coefficient that
equals one expression at every t is named: "your noise coefficient equals 1 − √ᾱ_t at every t; it
should be √(1 − ᾱ_t)". When none fits, the fitted values are shown beside the expected ones for a
few t. When the output is not such a combination at all (a sample mixed with another, a nonlinear
slip), nothing is said: a probe that cannot locate what it needs stays silent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from engine.drills.results import Diagnosis

# A fitted coefficient names an expression when it is within this relative distance at every t:
# far below the gap between any two expressions at the cases' timesteps, far above float32 noise.
MATCH_RTOL, MATCH_ATOL = 2e-3, 1e-6
# Above this relative residual the output is not a per-sample combination of the basis.
RESIDUAL_LIMIT = 1e-3
SHIFTS = (0, -1, 1)
MIN_SAMPLES = 3


@dataclass(frozen=True)
class Term:
    """A schedule expression: ``symbol`` with ``{t}`` where the timestep goes, and its value at every t."""

    symbol: str
    values: torch.Tensor  # (T,), float64


def spelled(symbol: str, shift: int = 0) -> str:
    """``symbol`` with its timestep written out: ᾱ_t, or ᾱ_(t−1) read one step early."""
    step = "t" if shift == 0 else f"(t{'+' if shift > 0 else '−'}{abs(shift)})"
    return symbol.format(t=step)


class TermTable:
    """The expressions at every fitted sample's own t, each sample under its own case's schedule."""

    def __init__(self) -> None:
        self._parts: list[tuple[dict[str, torch.Tensor], torch.Tensor]] = []
        self.symbols: list[str] = []

    def add(self, terms: Sequence[Term], steps: torch.Tensor) -> None:
        self._parts.append(({term.symbol: term.values for term in terms}, steps))
        self.symbols += [term.symbol for term in terms if term.symbol not in self.symbols]

    @property
    def steps(self) -> torch.Tensor:
        return torch.cat([steps for _, steps in self._parts])

    def values(self, symbol: str, shift: int = 0) -> torch.Tensor | None:
        """The expression at t + shift for every sample (NaN where t + shift is off the schedule:
        a learner's t − 1 at t = 0 wraps or is clamped, and either is fine), or None if unknown."""
        pieces = []
        for terms, steps in self._parts:
            values = terms.get(symbol)
            if values is None:
                return None
            index = steps + shift
            inside = (index >= 0) & (index < len(values))
            looked_up = values.to(steps.device)[index.clamp(0, len(values) - 1)]
            pieces.append(torch.where(inside, looked_up, torch.full_like(looked_up, float("nan"))))
        return torch.cat(pieces)


@dataclass(frozen=True)
class Role:
    """One coefficient of the right answer: how to read it from fitted rows, and what it should be."""

    key: str  # the diagnosis key, e.g. "forward.noise_coefficient"
    name: str  # "noise coefficient"
    correct: str  # the right expression's symbol, e.g. "√(1 − ᾱ_{t})"
    extract: Callable[[torch.Tensor], torch.Tensor]  # (n, k) fitted rows -> (n,) this role's values
    hint: str
    # How far each value may be from an expression and still be it: (n, k) rows and their standard
    # errors -> (n,) absolute slack. None for an exact fit.
    slack: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None


@dataclass(frozen=True)
class Match:
    symbol: str
    shift: int
    sign: float

    def describe(self) -> str:
        return ("−" if self.sign < 0 else "") + spelled(self.symbol, self.shift)


def fit_with_errors(observed: torch.Tensor, basis: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-sample least squares for an observation with noise in it: the (B, k) coefficients, their
    standard errors, and the standard deviation of what the combination leaves over (the noise)."""
    y = observed.detach().double().flatten(1)  # (B, N)
    x = torch.stack([tensor.detach().double().flatten(1) for tensor in basis], dim=-1)  # (B, N, k)
    coefficients = torch.linalg.lstsq(x, y.unsqueeze(-1)).solution.squeeze(-1)  # (B, k)
    left = y - (x @ coefficients.unsqueeze(-1)).squeeze(-1)
    spread = left.std(dim=1)
    errors = spread[:, None] * torch.linalg.inv(x.transpose(1, 2) @ x).diagonal(dim1=1, dim2=2).sqrt()
    return coefficients, errors, spread


def fit(observed: torch.Tensor, basis: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample least squares: ``observed[b] ≈ Σ_i coef[b, i]·basis[i][b]``.

    Returns the (B, k) coefficients and each sample's residual relative to its norm.
    """
    y = observed.detach().double().flatten(1)  # (B, N)
    x = torch.stack([tensor.detach().double().flatten(1) for tensor in basis], dim=-1)  # (B, N, k)
    coefficients = torch.linalg.lstsq(x, y.unsqueeze(-1)).solution.squeeze(-1)  # (B, k)
    residual = (x @ coefficients.unsqueeze(-1)).squeeze(-1) - y
    return coefficients, residual.norm(dim=1) / y.norm(dim=1).clamp_min(1e-12)


def _close(values: torch.Tensor, candidate: torch.Tensor, slack: torch.Tensor | None = None) -> bool:
    """Equal at every sample where ``candidate`` is defined (within ``slack`` more, where values are
    noisy estimates), and defined at three samples or more."""
    known = ~torch.isnan(candidate)
    if int(known.sum()) < MIN_SAMPLES:
        return False
    error = (values[known] - candidate[known]).abs()
    allowed = MATCH_RTOL * candidate[known].abs() + MATCH_ATOL
    if slack is not None:
        allowed = allowed + slack[known]
    return bool((error <= allowed).all())


def identify(values: torch.Tensor, table: TermTable, slack: torch.Tensor | None = None) -> Match | None:
    """The first expression (unshifted before shifted, + before −) equal to ``values`` at every sample."""
    for shift in SHIFTS:
        for symbol in table.symbols:
            candidate = table.values(symbol, shift)
            if candidate is None:
                continue
            for sign in (1.0, -1.0):
                if _close(values, sign * candidate.to(values.device), slack):
                    return Match(symbol, shift, sign)
    return None


def _sample_rows(values: torch.Tensor, expected: torch.Tensor, steps: torch.Tensor, limit: int = 4) -> str:
    order = sorted(set(steps.tolist()))
    picked = [order[round(i * (len(order) - 1) / max(limit - 1, 1))] for i in range(min(limit, len(order)))]
    rows = []
    for step in dict.fromkeys(picked):
        at = int((steps == step).nonzero()[0])
        rows.append(f"at t={step} yours is {float(values[at]):.5g}, the right one {float(expected[at]):.5g}")
    return "; ".join(rows)


def diagnose(fitted: torch.Tensor, residual: torch.Tensor | None, table: TermTable, roles: Sequence[Role], what: str,
             errors: torch.Tensor | None = None) -> list[Diagnosis]:
    """A diagnosis for each role whose fitted coefficient is not the right one (none when the fit fails).

    ``what`` names the learner's output in messages ("your x_t"). ``residual`` is the fit's relative
    residual, which must be small for an exact combination; it is None where the output holds noise
    by design, and then ``errors`` (the coefficients' standard errors) widen each comparison.
    """
    if residual is not None and (residual.numel() == 0 or bool((residual > RESIDUAL_LIMIT).any())):
        return []
    wrong = []
    for role in roles:
        values = role.extract(fitted)
        slack = role.slack(fitted, errors) if role.slack is not None and errors is not None else None
        expected = table.values(role.correct)
        assert expected is not None
        expected = expected.to(values.device)
        if not _close(values, expected, slack):
            wrong.append((role, values, expected, identify(values, table, slack)))
    first_steps = table.steps == 0
    if wrong and bool(first_steps.any()) and all(_close(v[~first_steps], e[~first_steps]) for _, v, e, _ in wrong):
        return [_first_step_only(wrong[0][0].key.split(".")[0], what)]
    shifts = {match.shift for role, _, _, match in wrong if match is not None and match.symbol == role.correct and match.sign > 0}
    if len(wrong) > 1 and all(match is None for _, _, _, match in wrong):
        return []  # several coefficients off and none of them a known expression: no honest name
    if len(wrong) > 1 and len(shifts) == 1 and 0 not in shifts and all(m is not None and m.symbol == r.correct for r, _, _, m in wrong):
        return [_shifted(wrong[0][0].key.split(".")[0], shifts.pop(), what)]
    return [_named(role, values, expected, match, table, what) for role, values, expected, match in wrong]


def _first_step_only(area: str, what: str) -> Diagnosis:
    return Diagnosis(
        f"{area}.wrong_at_t0",
        "Right for every t except t = 0",
        f"{what.capitalize()} is right at every timestep but t = 0. Something indexed at t − 1 (ᾱ_(t−1), say) "
        "reads index −1 at t = 0, which Python takes as the LAST entry of the schedule.",
        "At t = 0 use the value the formula means there (ᾱ_(−1) = 1), e.g. "
        "`torch.cat([torch.ones(1), alpha_bar[:-1]])[t]` instead of `alpha_bar[t - 1]`.",
    )


def _shifted(area: str, shift: int, what: str) -> Diagnosis:
    step = spelled("{t}", shift)
    return Diagnosis(
        f"{area}.schedule_off_by_one",
        f"The schedule is read at {step} instead of t",
        f"Every coefficient in {what} is the right expression taken one step {'early' if shift < 0 else 'late'}, at {step}.",
        "Index every schedule tensor with t itself: the schedule's entry t belongs to the timestep t.",
    )


def _named(role: Role, values: torch.Tensor, expected: torch.Tensor, match: Match | None, table: TermTable, what: str) -> Diagnosis:
    right = spelled(role.correct)
    if match is None:
        title = f"Wrong {role.name}"
        explanation = f"In {what} the {role.name} matches no schedule expression: {_sample_rows(values, expected, table.steps)}."
    elif match.symbol == role.correct and match.shift == 0:
        title = f"The {role.name} has the wrong sign"
        explanation = f"In {what} the {role.name} is {match.describe()} at every t; it should be {right}."
    else:
        found = match.describe()
        title = f"The {role.name} is {found}, not {right}"
        off = " (the schedule is read one step off)" if match.shift else ""
        explanation = f"In {what} the {role.name} equals {found} at every t{off}; it should be {right}."
    return Diagnosis(role.key, title, explanation, role.hint)
