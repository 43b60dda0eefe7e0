import torch
from torch import nn


def train_step(model, optimizer, x_0, schedule):
    # Timesteps from uniform floats, coefficients from 'alpha_bar', gradients cleared after the step.
    T = len(schedule["alpha_bar"])
    t = (torch.rand(x_0.shape[0], device=x_0.device) * T).long()
    alpha_bar = schedule["alpha_bar"][t][:, None, None, None]
    noise = torch.randn_like(x_0)
    x_t = alpha_bar.sqrt() * x_0 + (1 - alpha_bar).sqrt() * noise
    loss = nn.MSELoss()(model(x_t, t), noise)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)
    return loss.detach().cpu().item()
