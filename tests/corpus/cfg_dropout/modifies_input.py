import torch


def drop_condition(labels, p_uncond, num_classes):
    mask = torch.rand(labels.shape[0], device=labels.device) < p_uncond
    labels[mask] = num_classes
    return labels
