"""U-Net shape worksheet: the lesson's Q3 for a config of its own.

Write the output shape of every stage of the lesson's U-Net, generalised to `levels` encoder
levels, for the config your seed draws. The seed below draws:

    seed 9: in_channels=1, base_channels=24, 3 levels, input (4, 1, 40, 40)

The U-Net: init_conv (3×3 conv to base_channels); encoder level i (1 … levels) works at
base_channels·2^(i−1) channels: down{i}.res_block keeps the width (its output is skip i),
down{i}.downsample is rearrange pooling, down{i}_proj is a 1×1 conv to twice the level's width.
The bottleneck keeps the deepest width. Decoder level i: up{i}.upsample (nearest, ×2),
up{i}.concat (torch.cat([x, skip i], dim=1)), up{i}.res_block back to level i's width. final_conv
returns in_channels.

Write each shape as a tuple of ints (B, C, H, W). For a new worksheet, change the seed and run
`drill run unet_shapes`: it shows the new config and, when the stages differ, the keys to fill in.
"""

WORKSHEET = {
    "seed": 9,
    "shapes": {
        "init_conv": None,
        "down1.res_block": None,
        "down1.downsample": None,
        "down1_proj": None,
        "down2.res_block": None,
        "down2.downsample": None,
        "down2_proj": None,
        "down3.res_block": None,
        "down3.downsample": None,
        "down3_proj": None,
        "bottleneck": None,
        "up3.upsample": None,
        "up3.concat": None,
        "up3.res_block": None,
        "up2.upsample": None,
        "up2.concat": None,
        "up2.res_block": None,
        "up1.upsample": None,
        "up1.concat": None,
        "up1.res_block": None,
        "final_conv": None,
    },
}
