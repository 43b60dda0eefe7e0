import torch


def drop_condition(labels, p_uncond, num_classes):
    keep_probability = torch.full(labels.shape, 1.0 - p_uncond, device=labels.device)
    keep = torch.bernoulli(keep_probability).bool()
    return labels.clone().masked_fill(~keep, num_classes)
