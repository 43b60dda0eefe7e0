"""The simplified DDPM objective and the loops that minimise it, with and without CFG."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
import torch.nn.functional as F

from reference.diffusion import Schedule, forward_diffusion
from reference.guidance import drop_condition


def ddpm_loss(model: torch.nn.Module, x_0: torch.Tensor, schedule: Schedule) -> torch.Tensor:
    """L_simple = E_{t, x_0, ε} ‖ε − ε_θ(x_t, t)‖², one Monte-Carlo sample per image.

    t is drawn uniformly from {0, …, T−1} for every sample of the batch separately.
    """
    T = len(schedule["betas"])
    t = torch.randint(0, T, (x_0.shape[0],), device=x_0.device)  # (B,)
    x_t, noise = forward_diffusion(x_0, t, schedule)
    return F.mse_loss(model(x_t, t), noise)


def train_step(
    model: torch.nn.Module, optimizer: torch.optim.Optimizer, x_0: torch.Tensor, schedule: Schedule
) -> float:
    """One optimisation step: loss, then zero_grad → backward → step. Returns the loss."""
    loss = ddpm_loss(model, x_0, schedule)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train_ddpm(
    model: torch.nn.Module,
    dataloader: Iterable[Sequence[torch.Tensor]],
    schedule: Schedule,
    epochs: int = 100,
    lr: float = 2e-4,
    device: torch.device | str = "cpu",
) -> list[float]:
    """Train a noise predictor with Adam. The loader yields (images, labels); returns the loss per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = {name: values.to(device) for name, values in schedule.items()}
    model.train()
    history = []
    for _ in range(epochs):
        losses = [train_step(model, optimizer, x_0.to(device), schedule) for x_0, _ in dataloader]
        history.append(sum(losses) / len(losses))
    return history


def cfg_loss(
    model: torch.nn.Module,
    x_0: torch.Tensor,
    labels: torch.Tensor,
    schedule: Schedule,
    p_uncond: float,
    num_classes: int,
) -> torch.Tensor:
    """The simplified loss of a class-conditional model, with the label dropped to the null class at rate p_uncond."""
    T = len(schedule["betas"])
    t = torch.randint(0, T, (x_0.shape[0],), device=x_0.device)
    x_t, noise = forward_diffusion(x_0, t, schedule)
    return F.mse_loss(model(x_t, t, drop_condition(labels, p_uncond, num_classes)), noise)


def train_ddpm_cfg(
    model: torch.nn.Module,
    dataloader: Iterable[Sequence[torch.Tensor]],
    schedule: Schedule,
    epochs: int = 100,
    lr: float = 2e-4,
    p_uncond: float = 0.1,
    num_classes: int = 10,
    device: torch.device | str = "cpu",
) -> list[float]:
    """Train a conditional noise predictor for classifier-free guidance; returns the loss per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = {name: values.to(device) for name, values in schedule.items()}
    model.train()
    history = []
    for _ in range(epochs):
        losses = []
        for x_0, labels in dataloader:
            loss = cfg_loss(model, x_0.to(device), labels.to(device), schedule, p_uncond, num_classes)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append(sum(losses) / len(losses))
    return history
