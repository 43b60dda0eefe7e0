"""This sampler runs without an error, but it has exactly one bug. Find it and fix it.

What it should do: generate n_samples images by running the reverse chain. model(x_t, t)
returns the noise it sees in x_t, with t a (n_samples,) long tensor holding the current
timestep. Start from x_T ~ N(0, I) of shape (n_samples, img_channels, img_size, img_size) on
`device`; for t = T-1, ..., 0 replace x_t by x_{t-1} = μ_θ(x_t, t) + σ_t·z with
μ_θ = (x_t − (1 − α_t)/√(1 − ᾱ_t)·ε̂)/√α_t, σ_t = √β_t, a fresh z ~ N(0, I) at every step and
no noise at t = 0; return the final x. Sampling needs no gradients.
"""

import torch


# dli-drill: include sample_ddpm/solution sample_ddpm
