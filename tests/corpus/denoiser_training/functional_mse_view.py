import torch
import torch.nn.functional as F


def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
    model.train()
    epoch_losses = []
    for _ in range(epochs):
        batch_losses = []
        for images, _labels in dataloader:
            images = images.to(device)
            B = images.size(0)
            t = torch.randint(0, 1000, (B,), device=device)
            sigma = (t / 1000 * noise_level).view(B, 1, 1, 1)
            eps = torch.randn(images.shape, device=device)
            pred = model(images + sigma * eps, t)
            loss = F.mse_loss(pred, images)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        epoch_losses.append(sum(batch_losses) / len(batch_losses))
    return epoch_losses
