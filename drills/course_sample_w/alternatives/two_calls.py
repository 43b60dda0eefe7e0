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
    n = c.shape[0]
    keep_mask = torch.ones(c.shape, device=device)
    drop_mask = torch.zeros(c.shape, device=device)
    context = c.to(device).float()
    x = torch.randn((n, IMG_CH, IMG_SIZE, IMG_SIZE), device=device)
    for step in reversed(range(T)):
        t = torch.full((n,), step, device=device, dtype=torch.long)
        # the kept and the dropped predictions from two calls instead of one doubled batch
        e_keep = model(x, t, context, keep_mask)
        e_drop = model(x, t, context, drop_mask)
        x = reverse_q(x, t.view(-1, 1, 1, 1), (1 + w) * e_keep - w * e_drop)
    return x
