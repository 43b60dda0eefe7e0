import math

import torch


def cosine_beta_schedule(T, s=0.008):
    """The cosine variance schedule of Improved DDPM (Nichol & Dhariwal).

    Here ᾱ is designed first and the betas are derived from it:
      f(t) = cos²( (t/T + s) / (1 + s) · π/2 )   for t = 0, 1, …, T
      ᾱ_t  = f(t) / f(0)                          (so ᾱ_0 = 1)
      β_t  = 1 − ᾱ_{t+1} / ᾱ_t                    for t = 0, …, T−1
    Clamp every β to [1e-5, 0.999] so that no step is degenerate (the last one is 1 without it).

    Return a float32 tensor of shape (T,).
    """
    raise NotImplementedError("write cosine_beta_schedule")
