import torch
from einops import rearrange


def train_step(model, optimizer, x_0, schedule):
    # Gradients cleared before the forward pass, model.zero_grad instead of the optimizer's.
    model.zero_grad()
    batch = x_0.shape[0]
    num_steps = schedule["betas"].shape[0]
    t = torch.randint(num_steps, size=(batch,), device=x_0.device)
    eps = torch.randn(x_0.shape, device=x_0.device, dtype=x_0.dtype)
    signal = rearrange(schedule["sqrt_alpha_bar"].gather(0, t), "b -> b 1 1 1")
    noise_scale = rearrange(schedule["sqrt_one_minus_alpha_bar"].gather(0, t), "b -> b 1 1 1")
    prediction = model(signal * x_0 + noise_scale * eps, t)
    loss = ((prediction - eps) ** 2).mean()
    loss.backward()
    optimizer.step()
    return float(loss.detach())
