import torch


def rearrange_downsample(x):
    """Downsample by 2 without losing information (the lesson's rearrange pooling).

    x: (B, C, H, W) with H and W even.
    Return (B, 4C, H/2, W/2): every 2×2 patch of channel c becomes four channels,
    4·c + 2·p1 + p2 for the value at row offset p1 and column offset p2 of the patch.
    Use einops, reshape/permute, or anything else that gives exactly this layout.
    """
    raise NotImplementedError("write rearrange_downsample")
