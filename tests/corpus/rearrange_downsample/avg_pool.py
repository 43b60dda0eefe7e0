import torch
from torch import nn


def rearrange_downsample(x):
    pool = nn.AvgPool2d(2)
    return pool(x)  # (B, C, H/2, W/2)
