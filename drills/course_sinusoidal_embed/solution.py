# ruff: noqa: F401 - the include line brings the definitions that use these names
import math

import torch
from torch import nn


# dli-drill: include common/course_blocks SinusoidalPositionEmbedBlock
