import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
N_CLASSES = 10


def get_context_mask(c, drop_prob):
    index = c.to(device=device, dtype=torch.int64).unsqueeze(1)  # (B, 1)
    c_hot = torch.zeros(len(c), N_CLASSES, dtype=torch.int64, device=device).scatter_(1, index, 1)
    keep = torch.full(c_hot.shape, 1.0 - drop_prob, device=device)
    return c_hot, torch.bernoulli(keep)
