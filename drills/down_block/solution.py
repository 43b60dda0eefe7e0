from torch import nn


# dli-drill: include common/lesson_blocks ResidualBlock DownBlock
