import torch
from einops import repeat


@torch.inference_mode()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    # One batched call with the null half first, and the posterior form of the mean.
    s = {name: values.to(device) for name, values in schedule.items()}
    null = torch.full_like(class_labels, num_classes)
    labels = torch.cat([null, class_labels]).to(device)
    x = torch.randn(*shape, device=device)
    for t in range(len(s["betas"]) - 1, -1, -1):
        both = repeat(x, "b c h w -> (two b) c h w", two=2)
        eps_uncond, eps_cond = model(both, torch.full((2 * shape[0],), t, device=device), labels).chunk(2)
        eps = (1 - guidance_scale) * eps_uncond + guidance_scale * eps_cond
        a_bar = s["alpha_bar"][t]
        a_bar_prev = s["alpha_bar"][t - 1] if t > 0 else torch.tensor(1.0, device=device)
        x_0 = (x - (1 - a_bar).sqrt() * eps) / a_bar.sqrt()
        x = (a_bar_prev.sqrt() * s["betas"][t] * x_0 + s["sqrt_alpha"][t] * (1 - a_bar_prev) * x) / (1 - a_bar)
        if t > 0:
            x = x + s["betas"][t].sqrt() * torch.randn_like(x)
    return x
