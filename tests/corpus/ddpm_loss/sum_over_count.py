import torch


def train_step(model, optimizer, x_0, schedule):
    optimizer.zero_grad()
    T = len(schedule["betas"])
    t = torch.randint(low=0, high=T, size=(len(x_0),), device=x_0.device)
    epsilon = torch.randn(*x_0.shape, device=x_0.device)
    shape = (-1,) + (1,) * (x_0.dim() - 1)
    x_t = schedule["sqrt_alpha_bar"][t].view(shape) * x_0 + schedule["sqrt_one_minus_alpha_bar"][t].view(shape) * epsilon
    squared_error = (model(x_t, t) - epsilon) ** 2
    loss = squared_error.sum() / squared_error.numel()
    loss.backward()
    optimizer.step()
    return loss.item()
