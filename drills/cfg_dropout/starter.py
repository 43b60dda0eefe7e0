import torch


def drop_condition(labels, p_uncond, num_classes):
    """Condition dropout for classifier-free guidance training.

    labels: (B,) long tensor of class indices in [0, num_classes).
    Independently for every sample, with probability p_uncond, replace its label by the
    null class, whose index is num_classes (one extra embedding row meaning "no class").
    Every other label stays as it is.

    Return a new (B,) long tensor on the same device; do not modify `labels` itself.
    """
    raise NotImplementedError("write drop_condition")
