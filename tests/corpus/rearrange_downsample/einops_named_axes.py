import einops


def rearrange_downsample(x):
    # name the patch offsets dy/dx so the pattern reads like the layout it builds
    return einops.rearrange(x, "batch ch (rows dy) (cols dx) -> batch (ch dy dx) rows cols", dy=2, dx=2)
