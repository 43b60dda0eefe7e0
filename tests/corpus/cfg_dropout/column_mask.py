import torch


def drop_condition(labels, p_uncond, num_classes):
    drop = torch.rand(labels.shape[0], 1, device=labels.device) < p_uncond
    return torch.where(drop, torch.full_like(labels, num_classes), labels)
