import torch


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    T = len(schedule["betas"])
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"].to(device)

    batch = shape[0]
    class_labels = class_labels.to(device)
    null_labels = torch.full_like(class_labels, num_classes)
    labels = torch.cat([class_labels, null_labels])

    x = torch.randn(shape, device=device)
    for t in reversed(range(T)):
        t_batch = torch.full((2 * batch,), t, dtype=torch.long, device=device)
        eps_cond, eps_uncond = model(x.repeat_interleave(2, dim=0), t_batch, labels).chunk(2)
        eps = eps_uncond + guidance_scale * (eps_cond - eps_uncond)
        mean = (x - (1 - alphas[t]) / sqrt_omab[t] * eps) / sqrt_alpha[t]
        if t > 0:
            x = mean + torch.sqrt(betas[t]) * torch.randn_like(x)
        else:
            x = mean
    return x
