import torch


def drop_condition(labels, p_uncond, num_classes):
    n_drop = int(round(p_uncond * labels.shape[0]))
    idx = torch.randperm(labels.shape[0], device=labels.device)[:n_drop]
    out = labels.clone()
    out[idx] = num_classes
    return out
