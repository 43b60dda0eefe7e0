import torch


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    # Two forward passes per step, unconditional first, as the lesson writes it.
    T = len(schedule["betas"])
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"].to(device)
    class_labels = class_labels.to(device)
    null_labels = torch.full_like(class_labels, num_classes)

    x_t = torch.randn(shape, device=device)
    for t in reversed(range(T)):
        t_batch = torch.full((shape[0],), t, device=device, dtype=torch.long)
        eps_uncond = model(x_t, t_batch, null_labels)
        eps_cond = model(x_t, t_batch, class_labels)
        eps_guided = eps_uncond + guidance_scale * (eps_cond - eps_uncond)
        mu = (x_t - (1.0 - alphas[t]) / sqrt_omab[t] * eps_guided) / sqrt_alpha[t]
        x_t = mu + torch.sqrt(betas[t]) * torch.randn_like(x_t) if t > 0 else mu
    return x_t
