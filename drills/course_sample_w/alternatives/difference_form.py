import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# The assessment's settings, schedule and reverse step (given).
IMG_CH = 1
IMG_SIZE = 28
T = 150
B = torch.linspace(0.0001, 0.02, T).to(device)
a = 1.0 - B
a_bar = torch.cumprod(a, dim=0)
sqrt_a_inv = torch.sqrt(1 / a)
pred_noise_coeff = (1 - a) / torch.sqrt(1 - a_bar)


@torch.no_grad()
def reverse_q(x_t, t, e_t):
    t = t.int()
    u_t = sqrt_a_inv[t] * (x_t - pred_noise_coeff[t] * e_t)
    if t[0] == 0:
        return u_t
    return u_t + torch.sqrt(B[t - 1]) * torch.randn_like(x_t)


@torch.no_grad()
def sample_w(model, c, w):
    n_samples = c.size(0)
    x_t = torch.randn(n_samples, IMG_CH, IMG_SIZE, IMG_SIZE, device=device)
    both_c = torch.cat([c, c]).float()
    both_mask = torch.cat([torch.ones_like(c), torch.zeros_like(c)]).float()
    for i in range(T - 1, -1, -1):
        t = torch.full((2 * n_samples,), i, device=device)
        e_keep, e_drop = model(torch.cat([x_t, x_t]), t, both_c, both_mask).chunk(2)
        # the same weights written as a step from the unconditional prediction
        e_t = e_drop + (1 + w) * (e_keep - e_drop)
        x_t = reverse_q(x_t, t[:n_samples].view(-1, 1, 1, 1), e_t)
    return x_t
