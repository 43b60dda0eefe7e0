import torch
from einops import rearrange


def train_step(model, optimizer, x_0, schedule):
    model.zero_grad(set_to_none=True)
    batch_size = x_0.size(0)
    T = schedule["sqrt_alpha_bar"].numel()
    t = torch.randint(high=T, size=(batch_size,), device=x_0.device)
    eps = torch.randn(x_0.size(), device=x_0.device, dtype=x_0.dtype)
    scale_signal = rearrange(schedule["sqrt_alpha_bar"].gather(0, t), "b -> b 1 1 1")
    scale_noise = rearrange(schedule["sqrt_one_minus_alpha_bar"].gather(0, t), "b -> b 1 1 1")
    eps_hat = model(scale_signal * x_0 + scale_noise * eps, t)
    loss = (eps_hat - eps).pow(2).mean()
    loss.backward()
    optimizer.step()
    return float(loss.detach())
