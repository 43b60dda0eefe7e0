import torch


@torch.no_grad()
def sample_ddpm(model, n_samples, img_channels, img_size, schedule, device):
    betas = schedule["betas"].to(device)
    alphas = schedule["alphas"].to(device)
    alpha_bar = schedule["alpha_bar"].to(device)
    one = torch.ones(1, device=device)
    alpha_bar_prev = torch.cat([one, alpha_bar[:-1]])

    x = torch.randn(n_samples, img_channels, img_size, img_size, device=device)
    for t in reversed(range(len(betas))):
        eps = model(x, torch.full((n_samples,), t, dtype=torch.long, device=device))
        # predict x_0, then take the mean of q(x_{t-1} | x_t, x_0)
        x0_hat = (x - torch.sqrt(1 - alpha_bar[t]) * eps) / torch.sqrt(alpha_bar[t])
        c0 = torch.sqrt(alpha_bar_prev[t]) * betas[t] / (1 - alpha_bar[t])
        ct = torch.sqrt(alphas[t]) * (1 - alpha_bar_prev[t]) / (1 - alpha_bar[t])
        mean = c0 * x0_hat + ct * x
        x = mean + torch.sqrt(betas[t]) * torch.randn_like(x) if t > 0 else mean
    return x
