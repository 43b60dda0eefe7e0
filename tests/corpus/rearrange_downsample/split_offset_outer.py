import torch


def rearrange_downsample(x):
    b, c, h, w = x.shape
    x = x.reshape(b, c, 2, h // 2, 2, w // 2)
    x = x.permute(0, 1, 2, 4, 3, 5)  # (B, C, 2, 2, H/2, W/2)
    return x.reshape(b, c * 4, h // 2, w // 2)
