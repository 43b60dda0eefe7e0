"""Learner-shaped implementations of every catalogued bug, used to validate the catalog.

Each is the model solution with one thing changed, built by ``_train_step``.
"""

import torch
import torch.nn.functional as F


def _timesteps(how, T, batch, device):
    if how == "one_for_batch":
        return torch.full((batch,), int(torch.randint(0, T, ())), device=device)
    low, high = (1, T + 1) if how == "one_to_T" else (0, T)
    return torch.randint(low, high, (batch,), device=device)


def _train_step(
    timesteps="uniform", noise="randn", reshape=True, model_input="x_t", pass_t=True, target="noise",
    zero_grad="before_backward", step=True, returns="float",
):
    def per_sample(coefficients, t):
        return coefficients[t].view(-1, 1, 1, 1) if reshape else coefficients[t]

    def train_step(model, optimizer, x_0, schedule):
        T = len(schedule["betas"])
        t = _timesteps(timesteps, T, x_0.shape[0], x_0.device)
        eps = torch.randn_like(x_0) if noise == "randn" else torch.rand_like(x_0)
        signal_scale = per_sample(schedule["sqrt_alpha_bar"], t)
        x_t = signal_scale * x_0 + per_sample(schedule["sqrt_one_minus_alpha_bar"], t) * eps
        seen = x_t if model_input == "x_t" else x_0
        prediction = model(seen, t) if pass_t else model(seen)
        loss = F.mse_loss(prediction, eps if target == "noise" else x_0)
        if zero_grad == "before_backward":
            optimizer.zero_grad()
        loss.backward()
        if zero_grad == "after_backward":
            optimizer.zero_grad()
        if step:
            optimizer.step()
        return loss.item() if returns == "float" else loss

    return train_step


BUGS = {
    "loss.target_is_image": _train_step(target="image"),
    "loss.zero_grad_after_backward": _train_step(zero_grad="after_backward"),
    "loss.missing_zero_grad": _train_step(zero_grad="never"),
    "loss.missing_step": _train_step(step=False),
    "loss.single_timestep": _train_step(timesteps="one_for_batch"),
    "loss.t_out_of_range": _train_step(timesteps="one_to_T"),
    "loss.no_timestep": _train_step(pass_t=False),
    "loss.returns_tensor": _train_step(returns="tensor"),
    "loss.model_sees_clean_image": _train_step(model_input="x_0"),
    "loss.uniform_noise": _train_step(noise="rand"),
    "loss.missing_reshape": _train_step(reshape=False),
}
