import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

T = 150
B_start = 0.0001
B_end = 0.02
B = torch.linspace(B_start, B_end, T).to(device)

a = 1.0 - B
running, products = torch.tensor(1.0, device=device), []
for a_t in a:
    running = running * a_t
    products.append(running)
a_bar = torch.stack(products)
sqrt_a_bar = torch.sqrt(a_bar)
sqrt_one_minus_a_bar = torch.sqrt(1 - a_bar)
sqrt_a_inv = torch.rsqrt(a)
pred_noise_coeff = (1 - a) / sqrt_one_minus_a_bar


def q(x_0, t):
    t = t.long()
    shape = (len(t),) + (1,) * (x_0.dim() - 1)
    noise = torch.empty_like(x_0).normal_()
    x_t = sqrt_a_bar.gather(0, t).reshape(shape) * x_0 + sqrt_one_minus_a_bar.gather(0, t).reshape(shape) * noise
    return x_t, noise
