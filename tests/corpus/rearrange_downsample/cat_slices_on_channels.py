import torch


def rearrange_downsample(x):
    top_left = x[:, :, 0::2, 0::2]
    top_right = x[:, :, 0::2, 1::2]
    bottom_left = x[:, :, 1::2, 0::2]
    bottom_right = x[:, :, 1::2, 1::2]
    return torch.cat([top_left, top_right, bottom_left, bottom_right], dim=1)  # (B, 4C, H/2, W/2)
