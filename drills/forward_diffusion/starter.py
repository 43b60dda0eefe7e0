import torch


def forward_diffusion(x_0, t, noise_schedule):
    """Noise clean images x_0 to their timesteps t in a single jump.

    x_0: (B, C, H, W) clean images in [-1, 1].
    t: (B,) long tensor, one 0-indexed timestep per image.
    noise_schedule: dict with at least 'sqrt_alpha_bar' and 'sqrt_one_minus_alpha_bar', each (T,).

    Return (x_t, noise), both (B, C, H, W), where noise ~ N(0, I) is exactly the noise in x_t.
    """
    raise NotImplementedError("write forward_diffusion")
