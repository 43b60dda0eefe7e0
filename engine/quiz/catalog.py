"""The bank's topics, sections and question kinds, kept free of pydantic so that building the CLI
parser (and starting the app) stays cheap."""

from typing import Final

# A question is answered by picking choices, or by typing what goes in a blank of code.
CHOICE: Final = "choice"
TYPED: Final = "typed"

TOPICS = ("ddpm", "schedules", "cfg", "course", "unet", "shapes")

SECTIONS = (
    "ddpm.markov_chain",
    "ddpm.schedules",
    "ddpm.forward",
    "ddpm.reverse",
    "ddpm.sampling",
    "ddpm.loss",
    "ddpm.training",
    "cfg.training",
    "cfg.sampling",
    "cfg.guidance_scale",
    "course.differences",
    "course.blocks",
    "course.assessment",
    "course.clip",
    "unet.architecture",
    "unet.skip_connections",
    "unet.groupnorm",
    "unet.gelu",
    "unet.rearrange_pooling",
    "unet.timestep_embedding",
    "unet.residual_block",
    "unet.down_up_blocks",
    "unet.full_model",
    "unet.training",
    "shapes.arithmetic",
)
