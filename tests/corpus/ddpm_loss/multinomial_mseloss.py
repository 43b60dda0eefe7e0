import torch
from torch import nn


def train_step(model, optimizer, x_0, schedule):
    T = schedule["betas"].shape[0]
    # uniform over the T steps, drawn with replacement, one per image
    weights = torch.ones(T, device=x_0.device)
    t = torch.multinomial(weights, x_0.shape[0], replacement=True)
    noise = torch.randn_like(x_0)
    x_t = schedule["sqrt_alpha_bar"][t][:, None, None, None] * x_0 + schedule["sqrt_one_minus_alpha_bar"][t][:, None, None, None] * noise
    criterion = nn.MSELoss()
    loss = criterion(model(x_t, t), noise)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach().item()
