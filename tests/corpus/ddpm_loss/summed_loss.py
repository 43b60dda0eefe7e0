import torch


def train_step(model, optimizer, x_0, schedule):
    B = x_0.shape[0]
    T = schedule["betas"].shape[0]
    t = torch.randint(0, T, (B,), device=x_0.device)
    eps = torch.randn_like(x_0)
    x_t = schedule["sqrt_alpha_bar"][t][:, None, None, None] * x_0 + schedule["sqrt_one_minus_alpha_bar"][t][:, None, None, None] * eps
    eps_pred = model(x_t, t)
    loss = ((eps_pred - eps) ** 2).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
