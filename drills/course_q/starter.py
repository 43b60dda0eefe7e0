import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# The assessment's schedule (given): T steps, β rising linearly.
T = 150
B_start = 0.0001
B_end = 0.02
B = torch.linspace(B_start, B_end, T).to(device)

# FIXME: replace each `...` with the course's expression (every one is a tensor of shape (T,)).
# Forward diffusion variables
a = 1.0 - B
a_bar = ...  # the cumulative product of a along dim 0
sqrt_a_bar = ...  # mean coefficient: √a_bar
sqrt_one_minus_a_bar = ...  # standard deviation coefficient: √(1 − a_bar)

# Reverse diffusion variables
sqrt_a_inv = ...  # √(1 / a)
pred_noise_coeff = ...  # predicted noise coefficient: (1 − a) / √(1 − a_bar)


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
    # FIXME: gather each image's two coefficients from the tables, shaped (B, 1, 1, 1), and
    # scale the image and the noise by them
    x_t = ...
    return x_t, noise
