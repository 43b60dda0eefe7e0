import torch
import torch.nn as nn


def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
    loss_fn = nn.MSELoss()
    history = []
    for epoch in range(epochs):
        total_loss = 0.0
        for images, _ in dataloader:
            images = images.to(device)
            timesteps = torch.randint(0, 1000, (images.shape[0],), device=device)
            noise_scales = (timesteps.float() / 1000.0 * noise_level)[:, None, None, None]
            noise = torch.randn_like(images)
            noisy_images = images + noise_scales * noise
            predicted_clean = model(noisy_images, timesteps)
            loss = loss_fn(predicted_clean, images)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item()
        history.append(loss.item())
    return history
