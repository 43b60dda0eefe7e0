import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# The assessment's schedule (given): T steps, β rising linearly.
T = 150
B_start = 0.0001
B_end = 0.02
B = torch.linspace(B_start, B_end, T).to(device)

# Forward diffusion variables
a = 1.0 - B
a_bar = torch.cumprod(a, dim=0)
sqrt_a_bar = torch.sqrt(a_bar)  # mean coefficient
sqrt_one_minus_a_bar = torch.sqrt(1 - a_bar)  # standard deviation coefficient

# Reverse diffusion variables
sqrt_a_inv = torch.sqrt(1 / a)
pred_noise_coeff = (1 - a) / torch.sqrt(1 - a_bar)  # predicted noise coefficient


def q(x_0, t):
    """Noise clean images x_0 to step t in one jump.

    x_0: (B, C, H, W) images with pixels in [0, 1], as the assessment's MNIST loader gives them.
    t: (B,) steps in [0, T), as floats (the training loop draws them with .float()) or integers.
    Return (x_t, noise), both (B, C, H, W): noise ~ N(0, I) drawn here, and
        x_t = sqrt_a_bar[t] · x_0 + sqrt_one_minus_a_bar[t] · noise
    with each coefficient shaped (B, 1, 1, 1) so that it scales its own image.
    """
    t = t.int()
    noise = torch.randn_like(x_0)
    sqrt_a_bar_t = sqrt_a_bar[t, None, None, None]  # (B, 1, 1, 1)
    sqrt_one_minus_a_bar_t = sqrt_one_minus_a_bar[t, None, None, None]
    x_t = sqrt_a_bar_t * x_0 + sqrt_one_minus_a_bar_t * noise
    return x_t, noise
