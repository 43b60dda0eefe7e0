import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

T = 150
B_start = 0.0001
B_end = 0.02
B = torch.linspace(B_start, B_end, T).to(device)

a = 1.0 - B
a_bar = a.cumprod(0)
sqrt_a_bar = a_bar.sqrt()
sqrt_one_minus_a_bar = (1.0 - a_bar).sqrt()
sqrt_a_inv = 1.0 / a.sqrt()
pred_noise_coeff = B / sqrt_one_minus_a_bar  # 1 − a is B


def q(x_0, t):
    steps = t.long()
    noise = torch.randn(x_0.shape, device=x_0.device)
    signal_scale = sqrt_a_bar[steps].view(-1, 1, 1, 1)
    noise_scale = sqrt_one_minus_a_bar[steps].view(-1, 1, 1, 1)
    return signal_scale * x_0 + noise_scale * noise, noise
