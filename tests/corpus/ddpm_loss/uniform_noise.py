import torch
import torch.nn.functional as F
from einops import rearrange


def train_step(model, optimizer, x_0, schedule):
    optimizer.zero_grad()
    t = torch.randint(0, len(schedule["betas"]), (x_0.shape[0],), device=x_0.device)
    noise = torch.rand(x_0.shape, device=x_0.device)
    a = rearrange(schedule["sqrt_alpha_bar"][t], "b -> b 1 1 1")
    b = rearrange(schedule["sqrt_one_minus_alpha_bar"][t], "b -> b 1 1 1")
    loss = F.mse_loss(model(a * x_0 + b * noise, t), noise)
    loss.backward()
    optimizer.step()
    return loss.item()
