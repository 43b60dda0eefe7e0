import torch


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    s = {name: value.to(device) for name, value in schedule.items()}
    labels = class_labels.to(device)
    null_labels = torch.full_like(labels, num_classes)
    x = torch.randn(*shape, device=device)
    for t in range(len(s["betas"]) - 1, -1, -1):
        t_batch = torch.full((shape[0],), t, dtype=torch.long, device=device)
        eps_c = model(x, t_batch, labels)
        eps_u = model(x, t_batch, null_labels)
        eps = eps_u + guidance_scale * (eps_c - eps_u)
        x = (x - s["betas"][t] / s["sqrt_one_minus_alpha_bar"][t] * eps) / s["sqrt_alpha"][t]
        if t > 0:
            x = x + s["betas"][t].sqrt() * torch.randn_like(x)
    return x
