import torch


def _mean(x, eps, t, s):
    return (x - (1 - s["alphas"][t]) / s["sqrt_one_minus_alpha_bar"][t] * eps) / s["sqrt_alpha"][t]


def _sigma(t, s):
    return s["betas"][t].sqrt() if t > 0 else 0.0


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    s = {k: v.to(device) for k, v in schedule.items()}
    x = torch.randn(n_samples, img_channels, img_size, img_size).to(device)
    for t in reversed(range(s["betas"].numel())):
        ts = torch.tensor([t] * n_samples, dtype=torch.long, device=device)
        z = torch.randn_like(x)
        x = _mean(x, model(x, ts), t, s) + _sigma(t, s) * z
    return x
