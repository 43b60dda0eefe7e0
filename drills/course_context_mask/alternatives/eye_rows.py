import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
N_CLASSES = 10


def get_context_mask(c, drop_prob):
    c_hot = torch.eye(N_CLASSES, device=device)[c.to(device).long()]
    c_mask = torch.full_like(c_hot, 1.0 - drop_prob).bernoulli()
    return c_hot, c_mask
