import torch
import torch.nn as nn


def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
    loss_fn = nn.MSELoss()
    history = []
    for _ in range(epochs):
        total = 0.0
        for images, _ in dataloader:
            images = images.to(device)  # (B, 1, H, W)
            timesteps = torch.randint(0, 1000, (images.shape[0],), device=device)  # one per image
            scales = (timesteps.float() / 1000.0 * noise_level)[:, None, None, None]  # (B, 1, 1, 1)
            noisy = images + scales * torch.randn_like(images)
            predicted = model(noisy, timesteps)
            loss = loss_fn(predicted, images)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        history.append(total / len(dataloader))
    return history
