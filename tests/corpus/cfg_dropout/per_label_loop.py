import torch


def drop_condition(labels, p_uncond, num_classes):
    coins = torch.rand(len(labels)).tolist()
    kept = [num_classes if coin < p_uncond else int(label) for coin, label in zip(coins, labels.tolist())]
    return torch.tensor(kept, dtype=torch.long, device=labels.device)
