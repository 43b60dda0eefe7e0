"""The bank's topics and sections, kept free of pydantic so that building the CLI parser stays cheap."""

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
