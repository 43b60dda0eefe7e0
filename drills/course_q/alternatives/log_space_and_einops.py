import torch
from einops import rearrange

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

T = 150
B_start = 0.0001
B_end = 0.02
B = torch.linspace(B_start, B_end, T).to(device)

a = 1.0 - B
# a product of many factors, taken as the exponential of a sum of logarithms
a_bar = torch.exp(torch.cumsum(torch.log(a), dim=0))
sqrt_a_bar = a_bar ** 0.5
sqrt_one_minus_a_bar = (1 - a_bar) ** 0.5
sqrt_a_inv = a ** -0.5
pred_noise_coeff = (1 - a) * (1 - a_bar) ** -0.5


def q(x_0, t):
    index = t.to(torch.int64)
    noise = torch.normal(0.0, 1.0, size=x_0.shape, device=x_0.device)
    mean_scale = rearrange(sqrt_a_bar[index], "b -> b 1 1 1")
    std_scale = rearrange(sqrt_one_minus_a_bar[index], "b -> b 1 1 1")
    x_t = torch.addcmul(mean_scale * x_0, std_scale, noise)
    return x_t, noise
