import torch


def drop_condition(labels, p_uncond, num_classes):
    null_class = num_classes
    labels_cfg = labels.clone()
    mask = torch.rand(labels.shape, device=labels.device) < p_uncond
    labels_cfg[mask] = null_class
    return labels_cfg
