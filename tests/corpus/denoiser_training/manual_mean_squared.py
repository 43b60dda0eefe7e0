import torch
import torch.nn as nn


def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
    history = []
    for epoch in range(epochs):
        running, n_batches = 0.0, 0
        for batch in dataloader:
            clean = batch[0].to(device)
            optimizer.zero_grad()
            steps = torch.randint(low=0, high=1000, size=(clean.shape[0],), device=device)
            scale = steps.float().div(1000).mul(noise_level).reshape(-1, 1, 1, 1)
            noisy = clean + scale * torch.randn_like(clean)
            loss = ((model(noisy, steps) - clean) ** 2).mean()
            loss.backward()
            optimizer.step()
            running += loss.item()
            n_batches += 1
        history.append(running / n_batches)
    return history
