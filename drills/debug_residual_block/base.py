"""The lesson's Q1 block: conv → GroupNorm → (+ projected timestep) → GELU → conv → GroupNorm
→ GELU, plus the residual res_conv(x).

x: (B, in_ch, H, W); t_emb: (B, t_dim). Returns (B, out_ch, H, W).

Its forward has one bug. `drill run debug_residual_block` shows what the checks see; fix it
and keep __init__ as it is (the grader loads fixed weights into these attributes).
"""

from torch import nn


# dli-drill: include residual_block/solution ResidualBlock
