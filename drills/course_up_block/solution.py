# ruff: noqa: F401 - the include line brings the definitions that use these names
import torch
from torch import nn


# dli-drill: include common/course_blocks GELUConvBlock UpBlock
