import torch


def rearrange_downsample(x: torch.Tensor) -> torch.Tensor:
    B, C, H, W = x.shape
    patches = x.view(B, C, H // 2, 2, W // 2, 2)
    patches = patches.permute(0, 1, 3, 5, 2, 4).contiguous()  # (B, C, p1, p2, H/2, W/2)
    return patches.view(B, C * 4, H // 2, W // 2)
