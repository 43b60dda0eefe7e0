import torch


def drop_condition(labels, p_uncond, num_classes):
    u = torch.rand(labels.shape[0], device=labels.device)
    null = torch.full_like(labels, num_classes)
    return torch.where(u < p_uncond, null, labels)
