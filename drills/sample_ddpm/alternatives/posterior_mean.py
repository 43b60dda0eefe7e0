import torch


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    # The posterior form: predict x_0, then take the mean of q(x_{t-1} | x_t, x_0).
    s = {name: values.to(device) for name, values in schedule.items()}
    T = s["betas"].shape[0]
    x = torch.randn((n_samples, img_channels, img_size, img_size), device=device)
    for t in range(T - 1, -1, -1):
        eps = model(x, torch.full((n_samples,), t, device=device, dtype=torch.long))
        a_bar = s["alpha_bar"][t]
        a_bar_prev = s["alpha_bar"][t - 1] if t > 0 else torch.ones((), device=device)
        x_0 = (x - torch.sqrt(1 - a_bar) * eps) / torch.sqrt(a_bar)
        mean = (torch.sqrt(a_bar_prev) * s["betas"][t] * x_0 + torch.sqrt(s["alphas"][t]) * (1 - a_bar_prev) * x) / (1 - a_bar)
        noise = torch.randn(x.shape, device=device) if t > 0 else torch.zeros_like(x)
        x = mean + torch.sqrt(s["betas"][t]) * noise
    return x
