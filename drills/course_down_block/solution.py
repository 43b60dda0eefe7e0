from einops.layers.torch import Rearrange
from torch import nn


# dli-drill: include common/course_blocks GELUConvBlock RearrangePoolBlock DownBlock
