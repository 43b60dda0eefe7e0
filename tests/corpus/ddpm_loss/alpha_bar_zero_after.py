import torch
import torch.nn.functional as F


def train_step(model, optimizer, x_0, schedule):
    n = x_0.shape[0]
    t = (torch.rand(n, device=x_0.device) * len(schedule["betas"])).floor().long()
    alpha_bar = schedule["alpha_bar"][t].reshape(n, 1, 1, 1)
    noise = torch.randn_like(x_0)
    x_t = torch.sqrt(alpha_bar) * x_0 + torch.sqrt(1 - alpha_bar) * noise
    loss = F.mse_loss(model(x_t, t), noise, reduction="mean")
    loss.backward()
    optimizer.step()
    # leave clean gradients for the next call
    optimizer.zero_grad()
    return loss.item()
