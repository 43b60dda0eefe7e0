import torch
from einops import rearrange, repeat


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    s = {k: v.to(device) for k, v in schedule.items()}
    B = shape[0]
    labels = torch.cat([class_labels.to(device), torch.full((B,), num_classes, device=device, dtype=torch.long)])

    x = torch.normal(0.0, 1.0, size=tuple(shape), device=device)
    for t in reversed(range(s["betas"].shape[0])):
        x_in = repeat(x, "b c h w -> (two b) c h w", two=2)
        t_in = torch.full((2 * B,), t, device=device, dtype=torch.long)
        eps_c, eps_u = rearrange(model(x_in, t_in, labels), "(two b) c h w -> two b c h w", two=2).unbind(0)
        eps = eps_u + guidance_scale * (eps_c - eps_u)
        coef = (1 - s["alphas"][t]) / s["sqrt_one_minus_alpha_bar"][t]
        mean = (x - coef * eps) / s["sqrt_alpha"][t]
        sigma = float(s["betas"][t].sqrt()) if t > 0 else 0.0
        x = mean + torch.normal(0.0, sigma, size=tuple(shape), device=device) if sigma > 0 else mean
    return x
