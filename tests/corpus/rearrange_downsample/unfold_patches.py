import torch.nn.functional as F


def rearrange_downsample(x):
    b, c, h, w = x.shape
    # unfold lists each non-overlapping 2x2 patch as a column of C*4 values, channel-major
    cols = F.unfold(x, kernel_size=2, stride=2)  # (B, 4C, H/2 * W/2)
    return cols.view(b, c * 4, h // 2, w // 2)
