import torch
from einops import rearrange


@torch.inference_mode()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    def per_image(name, t_batch):
        return rearrange(schedule[name].to(device)[t_batch], "b -> b 1 1 1")

    x = torch.randn(n_samples, img_channels, img_size, img_size).to(device)
    for t in reversed(range(len(schedule["betas"]))):
        t_batch = torch.tensor([t] * n_samples, device=device)
        eps = model(x, t_batch)
        coeff = (1 - per_image("alphas", t_batch)) / per_image("sqrt_one_minus_alpha_bar", t_batch)
        x = (x - coeff * eps) / per_image("sqrt_alpha", t_batch)
        if t:
            x += per_image("betas", t_batch).sqrt() * torch.randn_like(x)
    return x
