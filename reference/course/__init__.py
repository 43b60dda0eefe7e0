"""The NVIDIA DLI course's own diffusion code, under the course's names and signatures.

The lessons' reference (the parent package) teaches the same ideas in other conventions. The
assessment is graded on these: T = 150, noise √B[t−1] in the reverse step, guidance
(1 + w)·e_keep − w·e_drop, a Bernoulli keep-mask on every context element, a context embedding
that multiplies and a time embedding (of t/T) that adds.

The course reads its schedule, image size and device from notebook globals. Here the course's
positional signatures are kept (``q(x_0, t)``, ``reverse_q(x_t, t, e_t)``, ``get_context_mask(c,
drop_prob)``, ``sample_w(model, c, w)``) and the rest are keyword arguments whose defaults are the
assessment's (``schedule=ASSESSMENT_SCHEDULE``, ``img_ch=1``, ``img_size=28``, ``num_classes=10``).
Every function works on the device of its tensor inputs.
"""

from reference.course.blocks import (
    DownBlock,
    EmbedBlock,
    GELUConvBlock,
    RearrangePoolBlock,
    ResidualConvBlock,
    SinusoidalPositionEmbedBlock,
    UpBlock,
)
from reference.course.config import (
    B_END,
    B_START,
    C_DROP_PROB,
    DOWN_CHS,
    IMG_CH,
    IMG_SIZE,
    N_CLASSES,
    T_EMBED_DIM,
    T,
)
from reference.course.context import context_keep_mask, get_context_mask
from reference.course.diffusion import get_loss, q, reverse_q
from reference.course.guidance import sample_w, weighted_noise
from reference.course.schedule import ASSESSMENT_SCHEDULE, CourseSchedule, course_schedule
from reference.course.unet import UNet

__all__ = [
    "ASSESSMENT_SCHEDULE",
    "B_END",
    "B_START",
    "C_DROP_PROB",
    "DOWN_CHS",
    "IMG_CH",
    "IMG_SIZE",
    "N_CLASSES",
    "T_EMBED_DIM",
    "CourseSchedule",
    "DownBlock",
    "EmbedBlock",
    "GELUConvBlock",
    "RearrangePoolBlock",
    "ResidualConvBlock",
    "SinusoidalPositionEmbedBlock",
    "T",
    "UNet",
    "UpBlock",
    "context_keep_mask",
    "course_schedule",
    "get_context_mask",
    "get_loss",
    "q",
    "reverse_q",
    "sample_w",
    "weighted_noise",
]
