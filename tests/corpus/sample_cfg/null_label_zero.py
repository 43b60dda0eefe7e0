import torch


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"].to(device)
    class_labels = class_labels.to(device)
    # "no class" label for the unconditional pass
    null_label = torch.zeros_like(class_labels)

    x_t = torch.randn(shape, device=device)
    for t in reversed(range(len(betas))):
        t_batch = torch.full((shape[0],), t, device=device, dtype=torch.long)
        eps_uncond = model(x_t, t_batch, null_label)
        eps_cond = model(x_t, t_batch, class_labels)
        eps_guided = eps_uncond + guidance_scale * (eps_cond - eps_uncond)
        coeff_xt = 1.0 / sqrt_alpha[t]
        coeff_eps = (1.0 - alphas[t]) / sqrt_omab[t]
        mu = coeff_xt * (x_t - coeff_eps * eps_guided)
        if t > 0:
            x_t = mu + torch.sqrt(betas[t]) * torch.randn_like(x_t)
        else:
            x_t = mu
    return x_t
