import torch


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    s = {name: v.to(device) for name, v in schedule.items()}
    x = torch.rand(n_samples, img_channels, img_size, img_size, device=device)
    for t in reversed(range(len(s["betas"]))):
        eps = model(x, torch.full((n_samples,), t, dtype=torch.long, device=device))
        x = (x - s["betas"][t] / s["sqrt_one_minus_alpha_bar"][t] * eps) / s["sqrt_alpha"][t]
        if t > 0:
            x += s["betas"][t].sqrt() * torch.randn_like(x)
    return x
