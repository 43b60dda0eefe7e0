import torch


def rearrange_downsample(x):
    b, c, h, w = x.shape
    x = x.view(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
    return x.view(b, c * 4, h // 2, w // 2)
