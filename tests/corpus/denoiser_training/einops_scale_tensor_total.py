import torch
import torch.nn as nn
from einops import rearrange


def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
    criterion = nn.MSELoss(reduction="mean")
    history = []
    for _ in range(epochs):
        total = torch.zeros(())
        count = 0
        for x, _ in dataloader:
            x = x.to(device)
            t = torch.randint(0, 1000, (x.shape[0],), device=device)
            scales = rearrange(t.float() * (noise_level / 1000.0), "b -> b 1 1 1")
            x_noisy = torch.addcmul(x, scales, torch.randn_like(x))
            loss = criterion(model(x_noisy, t), x)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.detach().cpu()
            count += 1
        history.append(float(total) / count)
    return history
