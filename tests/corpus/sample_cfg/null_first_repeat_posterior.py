import torch


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    alpha_bar = schedule["alpha_bar"].to(device)
    n = shape[0]
    labels = torch.cat([torch.full((n,), num_classes, dtype=torch.long), class_labels.cpu()]).to(device)

    x = torch.randn(shape, device=device)
    for t in reversed(range(len(betas))):
        steps = torch.full((2 * n,), t, dtype=torch.long, device=device)
        out = model(x.repeat(2, 1, 1, 1), steps, labels)
        eps_uncond, eps_cond = out[:n], out[n:]
        eps = (1 - guidance_scale) * eps_uncond + guidance_scale * eps_cond
        # posterior mean through the x_0 estimate
        ab = alpha_bar[t]
        ab_prev = alpha_bar[t - 1] if t > 0 else torch.ones((), device=device)
        x0 = (x - (1 - ab).sqrt() * eps) / ab.sqrt()
        mean = (ab_prev.sqrt() * betas[t] * x0 + alphas[t].sqrt() * (1 - ab_prev) * x) / (1 - ab)
        x = mean + betas[t].sqrt() * torch.randn_like(x) if t > 0 else mean
    return x
