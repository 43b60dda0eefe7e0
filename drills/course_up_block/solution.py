import torch
from torch import nn


# dli-drill: include common/course_blocks GELUConvBlock UpBlock
