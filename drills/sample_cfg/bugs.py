"""Learner-shaped implementations of every catalogued bug: one sampler, written the way a learner
would, with options that each put one bug in it. ``sampler(Options())`` is a correct sampler."""

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Options:
    scale: str = "sqrt_alpha"  # the mean's bracket is divided by schedule[scale][t]
    sign: float = -1.0  # the sign of the noise term in the mean
    sigma: str = "sqrt_beta"  # or "beta", "posterior", "none"
    noise_at_t0: bool = False
    loop: str = "reversed"  # or "stops_at_1", "forward"
    t_offset: int = 0  # added to the t the model is given
    update_x: bool = True
    no_grad: bool = True
    fresh_noise: bool = True
    guidance: str = "standard"  # or "swapped", "one_plus_w", "cond_only"
    null: str = "num_classes"  # or "zero"
    calls: str = "batched"  # or "cond_only"


def _timesteps(options, T):
    return {"reversed": range(T - 1, -1, -1), "stops_at_1": range(T - 1, 0, -1), "forward": range(T)}[options.loop]


def _sigma(options, s, t):
    if options.sigma == "beta":
        return s["betas"][t]
    if options.sigma == "posterior":
        return torch.sqrt(s["betas"][t] * (1 - s["alpha_bar"][t - 1]) / (1 - s["alpha_bar"][t]))
    return torch.sqrt(s["betas"][t])


def _guide(options, eps_c, eps_u, w):
    if options.guidance == "swapped":
        return eps_c + w * (eps_u - eps_c)
    if options.guidance == "one_plus_w":
        return (1 + w) * eps_c - w * eps_u
    if options.guidance == "cond_only":
        return eps_c
    return eps_u + w * (eps_c - eps_u)


def sampler(options: Options):
    def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
        s = {name: values.to(device) for name, values in schedule.items()}
        batch = shape[0]
        labels = class_labels.to(device)
        null = torch.full_like(labels, 0 if options.null == "zero" else num_classes)
        x = torch.randn(shape, device=device)
        z_once = torch.randn_like(x)
        for t in _timesteps(options, len(s["betas"])):
            t_batch = torch.full((batch,), t + options.t_offset, dtype=torch.long, device=device)
            if options.calls == "cond_only":
                eps_c = model(x, t_batch, labels)
                eps_u = eps_c
            else:
                eps_c, eps_u = model(torch.cat([x, x]), torch.cat([t_batch, t_batch]), torch.cat([labels, null])).chunk(2)
            eps = _guide(options, eps_c, eps_u, guidance_scale)
            mean = (x + options.sign * (1 - s["alphas"][t]) / s["sqrt_one_minus_alpha_bar"][t] * eps) / s[options.scale][t]
            if options.sigma != "none" and (t > 0 or options.noise_at_t0):
                z = torch.randn_like(x) if options.fresh_noise else z_once
                mean = mean + _sigma(options, s, t) * z
            if options.update_x:
                x = mean
            result = mean
        return result

    if not options.no_grad:
        return sample_cfg
    return torch.no_grad()(sample_cfg)


BUGS = {
    "cfg.single_pass": sampler(Options(calls="cond_only")),
    "cfg.swapped_cond_uncond": sampler(Options(guidance="swapped")),
    "cfg.wrong_null_label": sampler(Options(null="zero")),
    "cfg.one_plus_w_convention": sampler(Options(guidance="one_plus_w")),
    "cfg.no_guidance": sampler(Options(guidance="cond_only")),
    "sample.plus_sign_in_mean": sampler(Options(sign=1.0)),
    "sample.alpha_bar_in_mean_coefficient": sampler(Options(scale="sqrt_alpha_bar")),
    "sample.missing_sqrt_on_alpha": sampler(Options(scale="alphas")),
    "sample.sigma_is_beta": sampler(Options(sigma="beta")),
    "sample.noise_at_t0": sampler(Options(noise_at_t0=True)),
    "sample.no_noise": sampler(Options(sigma="none")),
    "sample.posterior_variance": sampler(Options(sigma="posterior")),
    "sample.skips_last_step": sampler(Options(loop="stops_at_1")),
    "sample.timestep_off_by_one": sampler(Options(t_offset=1)),
    "sample.loop_forward": sampler(Options(loop="forward")),
    "sample.x_not_updated": sampler(Options(update_x=False)),
    "sample.missing_no_grad": sampler(Options(no_grad=False)),
    "sample.same_noise_every_step": sampler(Options(fresh_noise=False)),
}
