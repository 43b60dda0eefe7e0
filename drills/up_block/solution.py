import torch
from torch import nn


# dli-drill: include common/lesson_blocks ResidualBlock UpBlock
