"""One decoder level of the U-Net: upsample x ×2 (nearest), concatenate [x, skip] along the
channels, then a ResidualBlock from (in_channels + skip_channels) to out_channels.

x: (B, in_channels, H, W); skip: (B, skip_channels, 2H, 2W); t_emb: (B, time_emb_dim).
Returns (B, out_channels, 2H, 2W).

This block has one bug. `drill run debug_up_block` shows what the checks see; fix it and keep
the attribute names `upsample` and `res_block`.
"""

import torch
from torch import nn


# dli-drill: include common/lesson_blocks ResidualBlock UpBlock
