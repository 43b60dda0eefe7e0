import torch
import torch.nn as nn


def add_noise(images, timesteps, noise_level):
    """x + (t/1000 · noise_level) · ε, one scale per image."""
    scale = (timesteps.float() / 1000.0 * noise_level)[:, None, None, None]
    return images + scale * torch.randn_like(images)


def train_step(model, optimizer, images, noise_level, loss_fn):
    t = torch.randint(0, 1000, (len(images),), device=images.device)
    loss = loss_fn(model(add_noise(images, t, noise_level), t), images)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
    loss_fn = nn.MSELoss()
    averages = []
    for _ in range(epochs):
        losses = [train_step(model, optimizer, images.to(device), noise_level, loss_fn) for images, _ in dataloader]
        averages.append(sum(losses) / len(losses))
    return averages
