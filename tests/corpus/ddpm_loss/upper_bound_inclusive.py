import torch
import torch.nn.functional as F


def train_step(model, optimizer, x_0, schedule):
    T = len(schedule["betas"])
    # t goes from 0 to T-1
    t = torch.randint(0, T - 1, (x_0.shape[0],), device=x_0.device)
    noise = torch.randn_like(x_0)
    sqrt_ab = schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1)
    sqrt_omab = schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1)
    x_t = sqrt_ab * x_0 + sqrt_omab * noise

    loss = F.mse_loss(model(x_t, t), noise)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
