import torch


def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"].to(device)

    x_t = torch.randn(n_samples, img_channels, img_size, img_size, device=device)
    for t in reversed(range(len(betas))):
        t_batch = torch.full((n_samples,), t, device=device, dtype=torch.long)
        eps_theta = model(x_t, t_batch)
        coeff_xt = 1.0 / sqrt_alpha[t]
        coeff_eps = (1.0 - alphas[t]) / sqrt_omab[t]
        mu = coeff_xt * (x_t - coeff_eps * eps_theta)
        if t > 0:
            x_t = mu + torch.sqrt(betas[t]) * torch.randn_like(x_t)
        else:
            x_t = mu
    return x_t
