from einops import rearrange


def rearrange_downsample(x):
    return rearrange(x, "b c (h p1) (w p2) -> b (p1 p2 c) h w", p1=2, p2=2)
