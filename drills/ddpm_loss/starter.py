import torch
import torch.nn.functional as F


def train_step(model, optimizer, x_0, schedule):
    """One optimisation step of DDPM's simplified objective on a batch of clean images.

    model(x_t, t) predicts the noise in x_t; optimizer already holds the model's parameters.
    x_0: (B, C, H, W) clean images. schedule: dict of (T,) tensors with at least 'betas',
    'sqrt_alpha_bar' and 'sqrt_one_minus_alpha_bar', on the same device as x_0.

    1. Draw a timestep for EVERY image independently, uniformly from {0, …, T−1}: a (B,) long tensor.
    2. Draw ε ~ N(0, I) and noise the images: x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε.
    3. The loss is the mean squared error between model(x_t, t) and ε.
    4. Clear the old gradients, backpropagate, and take one optimizer step.

    Return the loss as a Python float.
    """
    raise NotImplementedError("write train_step")
