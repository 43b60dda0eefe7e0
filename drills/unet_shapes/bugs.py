"""The starter's worksheet filled in with each catalogued mistake, used to validate the catalog."""

from drills.unet_shapes.checks import VARIANTS, draw, wrong_worksheet
from drills.unet_shapes.worksheet import STARTER_SEED

BUGS = {key: {"seed": STARTER_SEED, "shapes": wrong_worksheet(key, draw(STARTER_SEED))} for key in VARIANTS}
