import torch
import torch.nn.functional as F

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
N_CLASSES = 10


def get_context_mask(c, drop_prob):
    """One-hot labels, and a mask that drops each of their elements with probability drop_prob.

    c: (B,) digit labels, as integers (batch[1]) or floats (torch.Tensor([digit])).
    drop_prob: the chance that an element is dropped (0.1 in training, 0 when sampling).
    Return (c_hot, c_mask), both (B, N_CLASSES) on `device`: c_hot the one-hot of the labels,
    and c_mask a float tensor of 0s and 1s drawn independently for EVERY element, each 1 with
    probability 1 − drop_prob (not one draw per sample). The U-Net multiplies c_hot by c_mask, so a
    sample whose hot element is dropped gets an all-zero context.
    """
    c_hot = F.one_hot(c.to(torch.int64), num_classes=N_CLASSES).to(device)
    c_mask = torch.bernoulli(torch.ones_like(c_hot).float() - drop_prob).to(device)
    return c_hot, c_mask
