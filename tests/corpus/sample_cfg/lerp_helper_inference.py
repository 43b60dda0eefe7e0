import torch


def _guided_noise(model, x, t_batch, labels, null_labels, w):
    """ε_∅ + w (ε_c − ε_∅), written as a linear interpolation from ε_∅ towards ε_c."""
    eps_cond = model(x, t_batch, labels)
    eps_null = model(x, t_batch, null_labels)
    return torch.lerp(eps_null, eps_cond, w)


@torch.inference_mode()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    sqrt_alpha = schedule["sqrt_alpha"].to(device)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"].to(device)
    betas = schedule["betas"].to(device)
    labels = class_labels.to(device)
    null_labels = torch.ones_like(labels) * num_classes

    x = torch.randn(shape).to(device)
    for t in reversed(range(betas.numel())):
        t_batch = torch.tensor([t] * shape[0], device=device)
        eps = _guided_noise(model, x, t_batch, labels, null_labels, guidance_scale)
        x = (x - betas[t] / sqrt_omab[t] * eps) / sqrt_alpha[t]
        if t:
            x = x + betas[t].sqrt() * torch.randn_like(x)
    return x
