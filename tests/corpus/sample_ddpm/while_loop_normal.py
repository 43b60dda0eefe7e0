import torch


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    shape = (n_samples, img_channels, img_size, img_size)
    betas = schedule["betas"].to(device)
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"].to(device)

    x = torch.normal(0.0, 1.0, size=shape, device=device)
    t = len(betas) - 1
    while t >= 0:
        steps = torch.full((n_samples,), t, dtype=torch.long, device=device)
        predicted_noise = model(x, steps)
        x = (x - betas[t] / sqrt_omab[t] * predicted_noise) / sqrt_alpha[t]
        if t > 0:
            x = x + torch.normal(0.0, float(betas[t].sqrt()), size=shape, device=device)
        t -= 1
    return x
