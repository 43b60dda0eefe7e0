"""Learner-shaped training loops, each with one catalogued bug, used to validate the catalog."""

import torch
import torch.nn.functional as F


def _loop(pass_timestep=True, per_sample=True, scale_by_t=True, target="clean", order=("zero_grad", "backward", "step")):
    def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
        history = []
        for _ in range(epochs):
            total = 0.0
            for images, _ in dataloader:
                images = images.to(device)
                count = images.shape[0] if per_sample else 1
                timesteps = torch.randint(0, 1000, (count,), device=device).expand(images.shape[0])
                scales = (timesteps.float() / 1000 * noise_level)[:, None, None, None] if scale_by_t else noise_level
                noise = torch.randn_like(images)
                noisy = images + scales * noise
                predicted = model(noisy, timesteps) if pass_timestep else model(noisy)
                goal = {"clean": images, "noise": noise, "noisy": noisy}[target]
                loss = F.mse_loss(predicted, goal)
                actions = {"zero_grad": optimizer.zero_grad, "backward": loss.backward, "step": optimizer.step}
                for action in order:
                    actions[action]()
                total += loss.item()
            history.append(total / len(dataloader))
        return history

    return train_denoiser


BUGS = {
    "training.timestep_not_passed": _loop(pass_timestep=False),
    "training.single_timestep": _loop(per_sample=False),
    "training.constant_noise_level": _loop(scale_by_t=False),
    "training.noise_target": _loop(target="noise"),
    "training.noisy_target": _loop(target="noisy"),
    "training.missing_zero_grad": _loop(order=("backward", "step")),
    "training.zero_grad_after_backward": _loop(order=("backward", "zero_grad", "step")),
    "training.step_before_backward": _loop(order=("zero_grad", "step", "backward")),
}
