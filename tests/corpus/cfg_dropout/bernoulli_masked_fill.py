import torch


def drop_condition(labels, p_uncond, num_classes):
    probs = torch.full(labels.shape, float(p_uncond), device=labels.device)
    dropped = torch.bernoulli(probs).bool()
    return labels.masked_fill(dropped, num_classes)
