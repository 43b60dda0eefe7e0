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
    t = t.int()
    # the mean with its bracket multiplied out
    u_t = sqrt_a_inv[t] * x_t - (sqrt_a_inv[t] * pred_noise_coeff[t]) * e_t
    if t.flatten()[0].item() > 0:
        u_t = u_t + torch.normal(0.0, 1.0, size=x_t.shape, device=x_t.device) * B[t - 1] ** 0.5
    return u_t
