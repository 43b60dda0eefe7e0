import torch


def drop_condition(labels, p_uncond, num_classes):
    drop = torch.rand(labels.shape, device=labels.device) < p_uncond
    # classes are 0 .. num_classes - 1, the extra one is the last index
    null_class = num_classes - 1
    return torch.where(drop, torch.full_like(labels, null_class), labels)
