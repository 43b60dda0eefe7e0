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
    n_samples = len(c)
    x_t = torch.randn(n_samples, IMG_CH, IMG_SIZE, IMG_SIZE).to(device)
    # the dropped half gets an all-zero context, which is what a zero mask makes of it
    contexts = torch.cat([c.float(), torch.zeros_like(c, dtype=torch.float32)])
    mask = torch.ones_like(contexts)
    for i in range(T)[::-1]:
        t = torch.tensor([i], device=device).repeat(2 * n_samples, 1, 1, 1)
        e_t = model(x_t.repeat(2, 1, 1, 1), t, contexts, mask)
        guided = (1.0 + w) * e_t[:n_samples] - w * e_t[n_samples:]
        x_t = reverse_q(x_t, t[:n_samples], guided)
    return x_t
