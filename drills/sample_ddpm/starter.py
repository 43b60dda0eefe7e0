import torch


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    """Generate n_samples images with a trained noise model by running the reverse chain.

    model(x_t, t) returns the noise it sees in x_t; t is a (n_samples,) long tensor that holds
    the current step's timestep for every image.
    schedule: dict of (T,) tensors: 'betas', 'alphas', 'alpha_bar', 'sqrt_alpha',
              'sqrt_alpha_bar' and 'sqrt_one_minus_alpha_bar'.

    Start from pure noise x_T ~ N(0, I) of shape (n_samples, img_channels, img_size, img_size)
    on `device`. Then for t = T-1, T-2, ..., 0 replace x_t by x_{t-1} = μ_θ(x_t, t) + σ_t·z,
    with σ_t = √β_t, a fresh z ~ N(0, I) at every step, and no noise at all at t = 0.
    Return the final x (float32, same shape, on `device`).
    """
    raise NotImplementedError("write sample_ddpm")
