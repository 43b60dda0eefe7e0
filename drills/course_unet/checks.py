"""Grading the course's UNet.forward: the reference's weights are loaded into the learner's U-Net
(its __init__ is given) and both run on the same (x, t, c, c_mask).

The forward's own conventions are where the course differs from the lessons: t is divided by T
before the sinusoidal embedding, the context is multiplied by its mask, and in the decoder the
context embedding multiplies while the time embedding adds (c_emb · h + t_emb), at two levels.
Each confusion is a catalogued variant; skips joined at the wrong level are named from the trace.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.drills.toolkit.modules import ModuleCase, ModuleDrill, called
from reference.course import UNet


def _case(name, args, batch, t_shape, dense_context=False):
    T, img_ch, img_size, _, _, c_dim = args

    def inputs(device):
        generator = torch.Generator().manual_seed(4100 + len(name))
        x = torch.randn(batch, img_ch, img_size, img_size, generator=generator)
        steps = torch.randint(0, T, (batch,), generator=generator)
        t = steps.float() if t_shape == "float" else steps.view(-1, 1, 1, 1)
        if dense_context:
            c = torch.randn(batch, c_dim, generator=generator)  # a CLIP-like embedding
        else:
            c = F.one_hot(torch.randint(0, c_dim, (batch,), generator=generator), c_dim).float()
        c_mask = torch.bernoulli(torch.full((batch, c_dim), 0.7), generator=generator)
        c_mask[0] = 0.0  # one sample's context dropped whole, as in the unconditional half of sample_w
        return x.to(device), t.to(device), c.to(device), c_mask.to(device)

    shown = "float (B,)" if t_shape == "float" else "integer (B, 1, 1, 1)"
    return ModuleCase(name, f"T={T}, {img_ch}×{img_size}×{img_size}, down_chs={args[3]}, c_embed_dim={c_dim}, t {shown}",
                      args, inputs)


def _forward(scale_time=True, mask=True, context_multiplies=True, time_adds=True):
    """The course's forward with one convention changed."""

    def forward(net, x, t, c, c_mask):
        down0 = net.down0(x)
        down1 = net.down1(down0)
        down2 = net.down2(down1)
        latent = net.dense_emb(net.to_vec(down2))
        time = t.float().reshape(-1)
        features = net.sinusoidaltime(time / net.T if scale_time else time)
        context = c * c_mask if mask else c

        def inject(h, c_emb, t_emb):
            if not time_adds:
                return t_emb * h + c_emb
            return c_emb * h + t_emb if context_multiplies else c_emb + h + t_emb

        up0 = net.up0(latent)
        up1 = net.up1(inject(up0, net.c_embed1(context), net.t_emb1(features)), down2)
        up2 = net.up2(inject(up1, net.c_embed2(context), net.t_emb2(features)), down1)
        return net.out(torch.cat((up2, down0), 1))

    return forward


class UNetDrill(ModuleDrill):
    entry = "UNet"
    input_names = ("x", "t", "c", "c_mask")
    weight_seed = 4000
    layout_hint = "keep the given __init__"
    must_matter = ("t", "c", "c_mask")
    # "assessment" is the assessment's U-Net (2,547,457 parameters); "flowers" has colour images,
    # T = 400 and t shaped (B, 1, 1, 1) as sample_w passes it; "clip_like" has a dense context
    # whose elements the mask drops one by one.
    cases = (
        _case("assessment", (150, 1, 28, (64, 64, 128), 8, 10), 2, "float"),
        _case("flowers", (400, 3, 16, (32, 32, 64), 8, 3), 2, "column"),
        _case("clip_like", (150, 1, 8, (32, 32, 32), 8, 12), 4, "float", dense_context=True),
    )
    variants = (
        ("unet.t_not_scaled", _forward(scale_time=False)),
        ("unet.context_added", _forward(context_multiplies=False)),
        ("unet.roles_swapped", _forward(time_adds=False)),
        ("unet.mask_ignored", _forward(mask=False)),
    )

    def reference_module(self, case):
        T, img_ch, img_size, down_chs, t_embed_dim, c_embed_dim = case.args
        return UNet(T, img_ch, img_size, down_chs, t_embed_dim, c_embed_dim)

    def recognised(self, record):
        """Skips joined at the wrong decoder level, or the output head without down0: from the
        shapes each block received."""
        for case in self.cases:
            call = record[case.name]
            if "trace" not in call:
                continue
            for level in ("up1", "up2"):
                joined = called(call["trace"], level)
                if any(len(shapes) == 2 and shapes[0][2:] != shapes[1][2:] for shapes in joined):
                    return ["unet.skips_swapped"]
            down_chs = case.args[3]
            head = called(call["trace"], "out")
            if any(shapes and shapes[0][1] == down_chs[0] for shapes in head):
                return ["unet.head_without_down0"]
        return []


checks = UNetDrill()
