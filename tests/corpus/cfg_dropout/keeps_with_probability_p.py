import torch


def drop_condition(labels, p_uncond, num_classes):
    keep = torch.rand(labels.shape, device=labels.device) < p_uncond
    return torch.where(keep, labels, torch.full_like(labels, num_classes))
