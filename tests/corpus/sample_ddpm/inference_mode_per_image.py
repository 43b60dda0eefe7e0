import torch
from einops import repeat


@torch.inference_mode()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    sched = {key: value.to(device) for key, value in schedule.items()}

    def coef(name, t_batch):
        return sched[name][t_batch].view(-1, 1, 1, 1)

    x = torch.randn(n_samples, img_channels, img_size, img_size, device=device)
    for t in reversed(range(len(sched["betas"]))):
        t_batch = repeat(torch.tensor(t, device=device), " -> n", n=n_samples)
        eps = model(x, t_batch)
        x = (x - coef("betas", t_batch) / coef("sqrt_one_minus_alpha_bar", t_batch) * eps) / coef("sqrt_alpha", t_batch)
        if t != 0:
            x = x + coef("betas", t_batch).sqrt() * torch.randn_like(x)
    return x
