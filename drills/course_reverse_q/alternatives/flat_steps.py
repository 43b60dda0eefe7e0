import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

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
    step = int(t.flatten()[0])  # every image is at the same step
    mean = sqrt_a_inv[step] * (x_t - pred_noise_coeff[step] * e_t)
    if step == 0:
        return mean
    return mean + B[step - 1].sqrt() * torch.randn(x_t.shape, device=x_t.device)
