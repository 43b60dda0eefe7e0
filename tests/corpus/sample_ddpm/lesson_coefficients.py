import torch


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_one_minus_alpha_bar = schedule["sqrt_one_minus_alpha_bar"].to(device)
    T = betas.shape[0]

    x_t = torch.randn((n_samples, img_channels, img_size, img_size), device=device)
    for t in range(T - 1, -1, -1):
        t_batch = torch.full((n_samples,), t, device=device, dtype=torch.long)
        eps_theta = model(x_t, t_batch)
        coeff_xt = 1.0 / sqrt_alpha[t]
        coeff_eps = (1.0 - alphas[t]) / sqrt_one_minus_alpha_bar[t]
        mu = coeff_xt * (x_t - coeff_eps * eps_theta)
        if t > 0:
            sigma = torch.sqrt(betas[t])
            z = torch.randn_like(x_t)
            x_t = mu + sigma * z
        else:
            x_t = mu
    return x_t
