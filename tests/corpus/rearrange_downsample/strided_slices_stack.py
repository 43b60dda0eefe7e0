import torch


def rearrange_downsample(x):
    b, c, h, w = x.shape
    # the four corners of every 2x2 patch, in the order (p1, p2) = (0,0), (0,1), (1,0), (1,1)
    corners = [x[:, :, p1::2, p2::2] for p1 in range(2) for p2 in range(2)]
    stacked = torch.stack(corners, dim=2)  # (B, C, 4, H/2, W/2)
    return stacked.reshape(b, 4 * c, h // 2, w // 2)
