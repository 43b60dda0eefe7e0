import torch


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    s = {k: v.to(device) for k, v in schedule.items()}
    n = shape[0]
    c = torch.cat([class_labels.to(device), torch.full((n,), num_classes, dtype=torch.long, device=device)])
    x_t = torch.randn(shape, device=device)
    for i in reversed(range(len(s["betas"]))):
        t = torch.full((2 * n,), i, dtype=torch.long, device=device)
        e_t = model(x_t.repeat(2, 1, 1, 1), t, c)
        e_t_keep_c = e_t[:n]
        e_t_drop_c = e_t[n:]
        w = guidance_scale
        e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c
        u_t = (x_t - (1 - s["alphas"][i]) / s["sqrt_one_minus_alpha_bar"][i] * e_t) / s["sqrt_alpha"][i]
        if i == 0:
            x_t = u_t
        else:
            x_t = u_t + torch.sqrt(s["betas"][i]) * torch.randn_like(x_t)
    return x_t
