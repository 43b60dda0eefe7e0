import torch


@torch.no_grad()
def sample_cfg(model, shape, schedule, class_labels, guidance_scale, num_classes, device):
    """Generate one image per class label with classifier-free guidance.

    model(x_t, t, labels) returns the noise it sees in x_t, given a (N,) long tensor of
    timesteps t and a (N,) long tensor of class labels; the label `num_classes` is the null
    class, which the model was trained to treat as "no condition".
    shape: (B, C, H, W) of the images to generate; class_labels: (B,) long tensor.
    schedule: dict of (T,) tensors: 'betas', 'alphas', 'alpha_bar', 'sqrt_alpha',
              'sqrt_alpha_bar' and 'sqrt_one_minus_alpha_bar'.

    Run the DDPM reverse chain from x_T ~ N(0, I) (on `device`) down to t = 0, but at every step
    use the guided prediction ε̂ = ε̂_∅ + w·(ε̂_c − ε̂_∅), with w = guidance_scale, ε̂_c the
    prediction for the class labels and ε̂_∅ the one for the null class.
    Return the final x, of `shape`.
    """
    raise NotImplementedError("write sample_cfg")
