"""The starter's worksheet filled in with each catalogued mistake, used to validate the catalog."""

from drills.unet_shapes.checks import STARTER_SEED, VARIANTS, draw, wrong_worksheet

BUGS = {key: {"seed": STARTER_SEED, "shapes": wrong_worksheet(key, draw(STARTER_SEED))} for key in VARIANTS}
