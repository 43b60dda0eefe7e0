import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# The assessment's schedule and tables (given).
T = 150
B_start = 0.0001
B_end = 0.02
B = torch.linspace(B_start, B_end, T).to(device)

a = 1.0 - B
a_bar = torch.cumprod(a, dim=0)
sqrt_a_bar = torch.sqrt(a_bar)
sqrt_one_minus_a_bar = torch.sqrt(1 - a_bar)
sqrt_a_inv = torch.sqrt(1 / a)
pred_noise_coeff = (1 - a) / torch.sqrt(1 - a_bar)


@torch.no_grad()
def reverse_q(x_t, t, e_t):
    """One step back, from x_t to x_{t−1}, given the model's predicted noise e_t.

    x_t, e_t: (B, C, H, W). t holds the same step for every image: (B, 1, 1, 1) integers as
    sample_w passes it, or (1,) floats as sample_images does, so make it integer before indexing.
    The mean is u_t = sqrt_a_inv[t] · (x_t − pred_noise_coeff[t] · e_t). At the last step
    (t = 0) return u_t as it is; at every other step add fresh noise z ~ N(0, I) scaled by the
    PREVIOUS step's standard deviation: u_t + √B[t − 1] · z. Return (B, C, H, W).
    """
    t = t.int()
    pred_noise_coeff_t = pred_noise_coeff[t]
    sqrt_a_inv_t = sqrt_a_inv[t]
    u_t = sqrt_a_inv_t * (x_t - pred_noise_coeff_t * e_t)
    if t[0] == 0:  # the same step for every image
        return u_t
    B_t = B[t - 1]  # the previous step's variance
    new_noise = torch.randn_like(x_t)
    return u_t + torch.sqrt(B_t) * new_noise
