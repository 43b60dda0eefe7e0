import torch


def drop_condition(labels, p_uncond, num_classes):
    if torch.rand(1).item() < p_uncond:
        return torch.full_like(labels, num_classes)
    return labels.clone()
