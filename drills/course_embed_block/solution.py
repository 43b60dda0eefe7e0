from torch import nn


# dli-drill: include common/course_blocks EmbedBlock
