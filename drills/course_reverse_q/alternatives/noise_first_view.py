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
    t = t.long().view(-1)
    z = torch.randn_like(x_t)
    scale = sqrt_a_inv[t].view(-1, 1, 1, 1)
    coeff = pred_noise_coeff[t].view(-1, 1, 1, 1)
    u_t = scale * (x_t - coeff * e_t)
    last = bool((t == 0).all())
    sigma = torch.zeros_like(scale) if last else torch.sqrt(B[t - 1]).view(-1, 1, 1, 1)
    return u_t + sigma * z
