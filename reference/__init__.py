"""Reference implementations of the DDPM, classifier-free guidance and U-Net code the drills teach.

Pure torch and einops; this package knows nothing of the engine that grades against it.
"""

from reference.device import pick_device
from reference.diffusion import (
    extract,
    forward_diffusion,
    q_sample,
    reverse_mean,
    reverse_sigma,
    reverse_step,
    sample_ddpm,
)
from reference.guidance import drop_condition, guided_noise, sample_cfg
from reference.schedules import (
    cosine_beta_schedule,
    first_step_below,
    linear_beta_schedule,
    precompute_schedule,
)
from reference.shape_flow import FlowStep, parameter_count, shape_flow
from reference.training import cfg_loss, ddpm_loss, train_ddpm, train_ddpm_cfg, train_step
from reference.unet import (
    ConditionalUNet,
    DownBlock,
    RearrangeDownsample,
    ResidualBlock,
    SinusoidalPositionEmbedding,
    SkipConcat,
    TimestepMLPEmbedding,
    UNet,
    UpBlock,
    rearrange_downsample,
)

__all__ = [
    "ConditionalUNet",
    "DownBlock",
    "FlowStep",
    "RearrangeDownsample",
    "ResidualBlock",
    "SinusoidalPositionEmbedding",
    "SkipConcat",
    "TimestepMLPEmbedding",
    "UNet",
    "UpBlock",
    "cfg_loss",
    "cosine_beta_schedule",
    "ddpm_loss",
    "drop_condition",
    "extract",
    "first_step_below",
    "forward_diffusion",
    "guided_noise",
    "linear_beta_schedule",
    "parameter_count",
    "pick_device",
    "precompute_schedule",
    "q_sample",
    "rearrange_downsample",
    "reverse_mean",
    "reverse_sigma",
    "reverse_step",
    "sample_cfg",
    "sample_ddpm",
    "shape_flow",
    "train_ddpm",
    "train_ddpm_cfg",
    "train_step",
]
