import torch


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    T = len(schedule["betas"])
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"].to(device)

    x = torch.randn(n_samples, img_channels, img_size, img_size, device=device)
    for t in range(T - 1, 0, -1):
        t_batch = torch.full((n_samples,), t, dtype=torch.long, device=device)
        eps = model(x, t_batch)
        mean = (x - (1 - alphas[t]) / sqrt_omab[t] * eps) / sqrt_alpha[t]
        if t > 0:
            x = mean + torch.sqrt(betas[t]) * torch.randn_like(x)
        else:
            x = mean
    return x
