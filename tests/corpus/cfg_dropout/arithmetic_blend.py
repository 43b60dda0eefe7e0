import torch


def drop_condition(labels, p_uncond, num_classes):
    # keep = 1 leaves the label, keep = 0 turns it into the null class
    keep = (torch.rand_like(labels, dtype=torch.float) >= p_uncond).long()
    return keep * labels + (1 - keep) * num_classes
