# ruff: noqa: F401 - the include line brings the definitions that use these names
from torch import nn


# dli-drill: include common/course_blocks GELUConvBlock ResidualConvBlock
