"""The schedule expressions a learner may write where a coefficient belongs, for the open
coefficient diagnoser (engine/drills/toolkit/coefficients.py) to name.

The order is the order of preference when two expressions have the same values (β_t before
1 − α_t): the simpler spelling is the one shown.
"""

from __future__ import annotations

import torch

from engine.drills.toolkit.coefficients import Term

Schedule = dict[str, torch.Tensor]


def schedule_terms(schedule: Schedule) -> list[Term]:
    """Every expression, evaluated in float64 at each t of ``schedule``."""
    ab = schedule["alpha_bar"].double()
    a = schedule["alphas"].double()
    b = schedule["betas"].double()
    ab_prev = torch.cat([torch.ones(1, dtype=ab.dtype, device=ab.device), ab[:-1]])
    posterior = b * (1 - ab_prev) / (1 - ab)
    return [
        Term("√ᾱ_{t}", ab.sqrt()),
        Term("√(1 − ᾱ_{t})", (1 - ab).sqrt()),
        Term("ᾱ_{t}", ab),
        Term("1 − ᾱ_{t}", 1 - ab),
        Term("1 − √ᾱ_{t}", 1 - ab.sqrt()),
        Term("1/√ᾱ_{t}", 1 / ab.sqrt()),
        Term("√(√ᾱ_{t}) (a square root taken twice)", ab.sqrt().sqrt()),
        Term("√(√(1 − ᾱ_{t})) (a square root taken twice)", (1 - ab).sqrt().sqrt()),
        Term("1/ᾱ_{t}", 1 / ab),
        Term("α_{t}", a),
        Term("√α_{t}", a.sqrt()),
        Term("1/√α_{t}", 1 / a.sqrt()),
        Term("1/α_{t}", 1 / a),
        Term("β_{t}", b),
        Term("√β_{t}", b.sqrt()),
        Term("1 − √α_{t}", 1 - a.sqrt()),
        Term("β_{t}/√(1 − ᾱ_{t})", b / (1 - ab).sqrt()),
        Term("β_{t}/(1 − ᾱ_{t})", b / (1 - ab)),
        Term("β_{t}/√ᾱ_{t}", b / ab.sqrt()),
        Term("√β_{t}/√(1 − ᾱ_{t})", b.sqrt() / (1 - ab).sqrt()),
        Term("β_{t}/(√α_{t}·√(1 − ᾱ_{t}))", b / (a.sqrt() * (1 - ab).sqrt())),
        Term("β̃_{t}", posterior),
        Term("√β̃_{t}", posterior.sqrt()),
        Term("1", torch.ones_like(ab)),
        Term("0", torch.zeros_like(ab)),
    ]
