import math

import torch
from einops.layers.torch import Rearrange
from torch import nn


# dli-drill: include common/course_blocks GELUConvBlock RearrangePoolBlock DownBlock UpBlock
# dli-drill: include common/course_blocks SinusoidalPositionEmbedBlock EmbedBlock ResidualConvBlock UNet
