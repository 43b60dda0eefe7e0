import torch


def drop_condition(labels, p_uncond, num_classes):
    # The lesson's style: copy, then overwrite the dropped positions with the null index.
    mask = torch.rand(labels.shape[0], device=labels.device) < p_uncond
    dropped = labels.clone()
    dropped[mask] = num_classes
    return dropped
