import torch


def reverse_q(x_t, t, e_t, B, a, sqrt_a_inv, sqrt_one_minus_a_bar):
    t_int = int(t[0])
    pred_noise_coeff = (1 - a[t_int]) / sqrt_one_minus_a_bar[t_int]
    u_t = sqrt_a_inv[t_int] * (x_t - pred_noise_coeff * e_t)
    if t_int == 0:
        return u_t
    B_t = B[t_int - 1]
    new_noise = torch.randn_like(x_t)
    return u_t + torch.sqrt(B_t) * new_noise


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    B = schedule["betas"].to(device)
    a = schedule["alphas"].to(device)
    sqrt_a_inv = 1 / schedule["sqrt_alpha"].to(device)
    sqrt_one_minus_a_bar = schedule["sqrt_one_minus_alpha_bar"].to(device)

    x_t = torch.randn(n_samples, img_channels, img_size, img_size, device=device)
    for i in range(0, len(B))[::-1]:
        t = torch.full((n_samples,), i, device=device)
        e_t = model(x_t, t)
        x_t = reverse_q(x_t, t, e_t, B, a, sqrt_a_inv, sqrt_one_minus_a_bar)
    return x_t
