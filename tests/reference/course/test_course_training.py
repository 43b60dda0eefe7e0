"""A short run of the course's training recipe on synthetic two-class images lowers the loss."""

from __future__ import annotations

import torch

from reference.course import C_DROP_PROB, UNet, get_context_mask, get_loss

IMG = 8


def synthetic_batch(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Class 0 lights the top half of the image, class 1 the bottom half; pixels in [0, 1] as in the assessment."""
    labels = torch.randint(0, 2, (n,))
    images = torch.zeros(n, 1, IMG, IMG)
    images[labels == 0, :, : IMG // 2] = 1.0
    images[labels == 1, :, IMG // 2 :] = 1.0
    return images, labels


def held_out_loss(model: UNet) -> float:
    generator_state = torch.get_rng_state()
    torch.manual_seed(123)
    images, labels = synthetic_batch(128)
    t = torch.randint(0, 150, (128,)).float()
    c_hot, c_mask = get_context_mask(labels, 0.0, num_classes=2)
    with torch.no_grad():
        loss = get_loss(model, images, t, c_hot, c_mask).item()
    torch.set_rng_state(generator_state)
    return loss


def test_twenty_five_steps_lower_the_loss():
    torch.manual_seed(0)
    model = UNet(150, 1, IMG, down_chs=(32, 32, 32), t_embed_dim=8, c_embed_dim=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    before = held_out_loss(model)
    for _ in range(25):
        images, labels = synthetic_batch(16)
        t = torch.randint(0, 150, (16,)).float()  # one step per image, as the course draws it
        c_hot, c_mask = get_context_mask(labels, C_DROP_PROB, num_classes=2)
        loss = get_loss(model, images, t, c_hot, c_mask)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = held_out_loss(model)
    assert after < 0.5 * before, (before, after)
