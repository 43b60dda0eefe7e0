import torch


def drop_condition(labels, p_uncond, num_classes):
    # like the course's context mask: keep with probability 1 - p, multiply
    c_mask = torch.bernoulli(torch.ones_like(labels, dtype=torch.float) * (1 - p_uncond))
    return labels * c_mask.long()
