import torch
import torch.nn.functional as F

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
N_CLASSES = 10


def get_context_mask(c, drop_prob):
    labels = c.long().to(device)
    c_hot = F.one_hot(labels, N_CLASSES)
    # keep an element when its uniform draw lands above the drop probability
    c_mask = (torch.rand(c_hot.shape, device=device) >= drop_prob).float()
    return c_hot, c_mask
