import torch
import torch.nn.functional as F


def q_sample(x_0, t, schedule):
    noise = torch.randn_like(x_0)
    a = schedule["sqrt_alpha_bar"][t].view(-1, 1, 1, 1)
    b = schedule["sqrt_one_minus_alpha_bar"][t].view(-1, 1, 1, 1)
    return a * x_0 + b * noise, noise


def train_step(model, optimizer, x_0, schedule):
    T = len(schedule["betas"])
    t = torch.randint(0, T, (x_0.shape[0],), device=x_0.device)
    x_t, noise = q_sample(x_0, t, schedule)
    predicted = model(x_t, t)
    loss = F.mse_loss(predicted, noise)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
