import torch


def precompute_schedule(betas):
    """Everything training and sampling need, computed once from the betas.

    betas: (T,) float32 tensor of noise variances β_t.

    Return a dict of (T,) tensors, on the same device as betas, with exactly these keys:
      'betas'                     β_t
      'alphas'                    α_t = 1 − β_t
      'alpha_bar'                 ᾱ_t = α_0 · α_1 · … · α_t   (the product up to and including t)
      'sqrt_alpha_bar'            √ᾱ_t
      'sqrt_one_minus_alpha_bar'  √(1 − ᾱ_t)
      'sqrt_alpha'                √α_t
    """
    raise NotImplementedError("write precompute_schedule")
