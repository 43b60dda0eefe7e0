import torch
import torch.nn as nn


def train_denoiser(model, dataloader, optimizer, epochs, noise_level=0.5, device="cpu"):
    """Train `model` to recover clean images from noisy ones: the U-Net lesson's denoiser loop.

    dataloader yields (images, labels) with images (B, C, H, W) in [-1, 1] on the CPU; model and
    optimizer are ready on `device`. For every batch of every epoch:
      - give each image its own integer timestep t in [0, 1000);
      - noise it: noisy = images + (t / 1000 · noise_level) · ε, with ε ~ N(0, I);
      - predict the clean images with model(noisy, t) — the model needs the timestep;
      - the loss is the mean squared error between the prediction and the clean images;
      - update the weights: zero the gradients, backpropagate, step.
    Return a list with the average loss of each epoch (floats).
    """
    raise NotImplementedError("write train_denoiser")
