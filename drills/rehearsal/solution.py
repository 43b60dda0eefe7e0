# %% [markdown]
# # Rehearsal: the assessment, end to end
#
# This notebook has the shape of the course's assessment (notebook 06): train a diffusion model
# that draws the handwritten digit it is asked for, well enough that an MNIST classifier
# recognises at least 95 % of 50 samples (5 of each digit). Replace every `FIXME_n` (there are
# 23), then run `drill rehearse run`. Open this file in Jupyter (with jupytext) or VS Code to see
# it as a notebook; keep the `# %%` cell markers and the `training-loop` tag.
#
# How `drill rehearse run` runs this file, in a process of its own:
#
# 1. It reads the file and names every blank still empty and any syntax error, before running anything.
# 2. It runs the code cells in order, in one namespace. Before the first cell it defines
#    `dataloader`: shuffled batches `(images, labels)`, images of shape (BATCH_SIZE, 1, 28, 28)
#    with pixels in [0, 1], labels the digits 0–9. Wherever a cell assigns one of `device`, `T`,
#    `BATCH_SIZE`, `LEARNING_RATE`, `DOWN_CHS` or `GROUP_SIZES`, it uses the profile's value
#    instead (`--profile course` keeps the course's sizes; `cpu` and `tiny` shrink them).
# 3. It checks each blank on its own, with feedback per blank. Nothing is trained until all pass.
# 4. It skips the cell tagged `training-loop` and runs its own copy of that loop, calling your
#    `training_step` on every batch, for the profile's number of steps (the course's: five epochs
#    of MNIST's 70,000 images), with a progress bar, the profile's learning-rate schedule, a time
#    limit and a stop on a NaN loss.
# 5. It calls your `sample_w(model, c, w)` as the grader does: for each digit, 5 one-hot contexts,
#    so 10 calls returning (5, 1, 28, 28) each. It classifies the 50 images after normalising
#    them with MNIST's mean 0.1307 and standard deviation 0.3081, and passes at 95 % or more.

# %%
import math

import torch
import torch.nn.functional as F
from einops.layers.torch import Rearrange
from torch import nn
from torch.optim import Adam

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# %% [markdown]
# ## 1. The digits
#
# MNIST: 28 × 28 pixels, one channel, pixels in [0, 1]. Unlike the earlier notebooks, the images
# are not rescaled to [-1, 1], and they are not flipped: a mirrored digit is not a digit. The
# classifier that grades the samples expects exactly this.

# %%
IMG_SIZE = 28
IMG_CH = 1
BATCH_SIZE = 128
N_CLASSES = 10
EPOCHS = 5
LEARNING_RATE = 0.001

# %% [markdown]
# ## 2. The diffusion process
#
# T = 150 steps with β rising linearly from 0.0001 to 0.02, as in the course.

# %%
nrows = 10
ncols = 15
T = nrows * ncols
B_start = 0.0001
B_end = 0.02
B = torch.linspace(B_start, B_end, T).to(device)

# %% [markdown]
# **Blanks 1–5.** The quantities `q` and `reverse_q` read from: ᾱ_t, the running product of
# α = 1 − β, and four square roots.

# %%
a = 1.0 - B
a_bar = torch.cumprod(a, dim=0)
sqrt_a_bar = torch.sqrt(a_bar)  # scales the image in q
sqrt_one_minus_a_bar = torch.sqrt(1 - a_bar)  # scales the noise in q

# For the reverse process
sqrt_a_inv = torch.sqrt(1 / a)
pred_noise_coeff = (1 - a) / torch.sqrt(1 - a_bar)

# %% [markdown]
# **Blanks 6–7.** `q` noises a clean batch to step `t` in one jump. Which coefficient goes with
# the image and which with the noise?

# %%
def q(x_0, t):
    t = t.int()
    noise = torch.randn_like(x_0)
    sqrt_a_bar_t = sqrt_a_bar[t, None, None, None]
    sqrt_one_minus_a_bar_t = sqrt_one_minus_a_bar[t, None, None, None]

    x_t = sqrt_a_bar_t * x_0 + sqrt_one_minus_a_bar_t * noise
    return x_t, noise


# %% [markdown]
# **Blanks 8–10.** `reverse_q` takes one step back, from `t` to `t − 1`. Each blank is one of
# `x_t` (the noisy image), `t` (the current step) or `e_t` (the predicted noise).

# %%
@torch.no_grad()
def reverse_q(x_t, t, e_t):
    t = t.int()
    pred_noise_coeff_t = pred_noise_coeff[t]
    sqrt_a_inv_t = sqrt_a_inv[t]
    u_t = sqrt_a_inv_t * (x_t - pred_noise_coeff_t * e_t)
    if t[0] == 0:  # every sample of the batch is at the same step
        return u_t  # the last step adds no noise
    B_t = B[t - 1]  # the noise of the previous step
    new_noise = torch.randn_like(x_t)
    return u_t + torch.sqrt(B_t) * new_noise


# %% [markdown]
# ## 3. The U-Net
#
# **Blanks 11–17.** The names of the seven building blocks were lost. Give each class its name
# from what its body does; there is one of each: `DownBlock`, `EmbedBlock`, `GELUConvBlock`,
# `RearrangePoolBlock`, `ResidualConvBlock`, `SinusoidalPositionEmbedBlock`, `UpBlock`.

# %%
class SinusoidalPositionEmbedBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        half_dim = self.dim // 2
        scale = math.log(10000) / (half_dim - 1)
        frequencies = torch.exp(torch.arange(half_dim, device=time.device) * -scale)
        angles = time[:, None] * frequencies[None, :]
        return torch.cat((angles.sin(), angles.cos()), dim=-1)


# %%
class GELUConvBlock(nn.Module):
    def __init__(self, in_ch, out_ch, group_size):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(in_ch, out_ch, 3, 1, 1),
            nn.GroupNorm(group_size, out_ch),
            nn.GELU(),
        )

    def forward(self, x):
        return self.model(x)


# %%
class UpBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.model = nn.Sequential(
            nn.ConvTranspose2d(2 * in_chs, out_chs, 2, 2),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
        )

    def forward(self, x, skip):
        return self.model(torch.cat((x, skip), 1))


# %%
class EmbedBlock(nn.Module):
    def __init__(self, input_dim, emb_dim):
        super().__init__()
        self.input_dim = input_dim
        self.model = nn.Sequential(
            nn.Linear(input_dim, emb_dim),
            nn.GELU(),
            nn.Linear(emb_dim, emb_dim),
            nn.Unflatten(1, (emb_dim, 1, 1)),
        )

    def forward(self, x):
        return self.model(x.view(-1, self.input_dim))


# %%
class RearrangePoolBlock(nn.Module):
    def __init__(self, in_chs, group_size):
        super().__init__()
        self.rearrange = Rearrange("b c (h p1) (w p2) -> b (c p1 p2) h w", p1=2, p2=2)
        self.conv = GELUConvBlock(4 * in_chs, in_chs, group_size)

    def forward(self, x):
        return self.conv(self.rearrange(x))


# %%
class ResidualConvBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.conv1 = GELUConvBlock(in_chs, out_chs, group_size)
        self.conv2 = GELUConvBlock(out_chs, out_chs, group_size)

    def forward(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(x1)
        return x1 + x2


# %%
class DownBlock(nn.Module):
    def __init__(self, in_chs, out_chs, group_size):
        super().__init__()
        self.model = nn.Sequential(
            GELUConvBlock(in_chs, out_chs, group_size),
            GELUConvBlock(out_chs, out_chs, group_size),
            RearrangePoolBlock(out_chs, group_size),
        )

    def forward(self, x):
        return self.model(x)


# %% [markdown]
# The course's U-Net, given. `group_sizes` is added here so that the smaller profiles can shrink
# the channels: the course's (8, 32) needs channels divisible by 32.

# %%
class UNet(nn.Module):
    def __init__(self, T, img_ch, img_size, down_chs=(64, 64, 128), t_embed_dim=8, c_embed_dim=10, group_sizes=(8, 32)):
        super().__init__()
        self.T = T
        up_chs = down_chs[::-1]
        latent_image_size = img_size // 4
        small_group_size, big_group_size = group_sizes

        self.down0 = ResidualConvBlock(img_ch, down_chs[0], small_group_size)
        self.down1 = DownBlock(down_chs[0], down_chs[1], big_group_size)
        self.down2 = DownBlock(down_chs[1], down_chs[2], big_group_size)
        self.to_vec = nn.Sequential(nn.Flatten(), nn.GELU())

        self.dense_emb = nn.Sequential(
            nn.Linear(down_chs[2] * latent_image_size**2, down_chs[1]),
            nn.ReLU(),
            nn.Linear(down_chs[1], down_chs[1]),
            nn.ReLU(),
            nn.Linear(down_chs[1], down_chs[2] * latent_image_size**2),
            nn.ReLU(),
        )
        self.sinusoidaltime = SinusoidalPositionEmbedBlock(t_embed_dim)
        self.t_emb1 = EmbedBlock(t_embed_dim, up_chs[0])
        self.t_emb2 = EmbedBlock(t_embed_dim, up_chs[1])
        self.c_embed1 = EmbedBlock(c_embed_dim, up_chs[0])
        self.c_embed2 = EmbedBlock(c_embed_dim, up_chs[1])

        self.up0 = nn.Sequential(
            nn.Unflatten(1, (up_chs[0], latent_image_size, latent_image_size)),
            GELUConvBlock(up_chs[0], up_chs[0], big_group_size),
        )
        self.up1 = UpBlock(up_chs[0], up_chs[1], big_group_size)
        self.up2 = UpBlock(up_chs[1], up_chs[2], big_group_size)

        self.out = nn.Sequential(
            nn.Conv2d(2 * up_chs[-1], up_chs[-1], 3, 1, 1),
            nn.GroupNorm(small_group_size, up_chs[-1]),
            nn.ReLU(),
            nn.Conv2d(up_chs[-1], img_ch, 3, 1, 1),
        )

    def forward(self, x, t, c, c_mask):
        down0 = self.down0(x)
        down1 = self.down1(down0)
        down2 = self.down2(down1)
        latent_vec = self.dense_emb(self.to_vec(down2))

        t = t.float() / self.T  # the time embedding sees t/T, in [0, 1]
        t = self.sinusoidaltime(t)
        t_emb1 = self.t_emb1(t)
        t_emb2 = self.t_emb2(t)

        c = c.float() * c_mask  # the grader's one-hots are int64, as F.one_hot makes them
        c_emb1 = self.c_embed1(c)
        c_emb2 = self.c_embed2(c)

        up0 = self.up0(latent_vec)
        up1 = self.up1(c_emb1 * up0 + t_emb1, down2)  # the context scales, the time shifts
        up2 = self.up2(c_emb2 * up1 + t_emb2, down1)
        return self.out(torch.cat((up2, down0), 1))


# %%
DOWN_CHS = (64, 64, 128)
GROUP_SIZES = (8, 32)
model = UNet(T, IMG_CH, IMG_SIZE, down_chs=DOWN_CHS, t_embed_dim=8, c_embed_dim=N_CLASSES, group_sizes=GROUP_SIZES)
model = model.to(device)

# %% [markdown]
# ## 4. Training
#
# **Blank 18.** Classifier-free guidance needs a model that also works without its context, so
# training hides the context now and then. `get_context_mask` returns the one-hot contexts and a
# mask of the same shape that keeps each entry with probability 1 − `drop_prob`.

# %%
def get_context_mask(c, drop_prob):
    c_hot = F.one_hot(c.to(torch.int64), num_classes=N_CLASSES).to(device)
    c_mask = torch.bernoulli(torch.ones_like(c_hot).float() - drop_prob).to(device)
    return c_hot, c_mask


# %% [markdown]
# **Blank 19.** The loss compares the noise that `q` added with the noise the model predicts.
# (The course's notebook passes `t / T` to the model here, and its U-Net divides by T again; this
# notebook passes `t`, so that training and sampling show the model the same t/T.)

# %%
def get_loss(model, x_0, t, *model_args):
    x_noisy, noise = q(x_0, t)
    noise_pred = model(x_noisy, t, *model_args)
    return F.mse_loss(noise, noise_pred)


# %% [markdown]
# **Blanks 20–21.** One batch's loss: the probability of dropping the context, and the labels
# that become the one-hot contexts.

# %%
def training_step(model, batch):
    c_drop_prob = 0.1
    t = torch.randint(0, T, (BATCH_SIZE,), device=device).float()
    x = batch[0].to(device)
    c_hot, c_mask = get_context_mask(batch[1], c_drop_prob)
    return get_loss(model, x, t, c_hot, c_mask)


# %% [markdown]
# The loop `drill rehearse run` replaces with its own copy (same steps, plus a progress bar, the
# profile's learning-rate schedule, a time limit and a stop on a NaN loss).

# %% tags=["training-loop"]
optimizer = Adam(model.parameters(), lr=LEARNING_RATE)
model.train()
for epoch in range(EPOCHS):
    for step, batch in enumerate(dataloader):
        optimizer.zero_grad()
        loss = training_step(model, batch)
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"epoch {epoch} | step {step:03d} | loss {loss.item():.4f}")

# %% [markdown]
# ## 5. Sampling with guidance
#
# **Blank 22.** Each step runs the model on a doubled batch: the first half sees its context,
# the second half has it masked out. Combine the two predicted noises with the weight `w`
# as the course does.

# %%
@torch.no_grad()
def sample_w(model, c, w):
    input_size = (IMG_CH, IMG_SIZE, IMG_SIZE)
    n_samples = len(c)
    w = torch.tensor([w]).float()
    w = w[:, None, None, None].to(device)
    x_t = torch.randn(n_samples, *input_size).to(device)

    c = c.repeat(2, 1)  # the first half keeps its context ...
    c_mask = torch.ones_like(c).to(device)
    c_mask[n_samples:] = 0.0  # ... the second half has none

    for i in reversed(range(T)):
        t = torch.tensor([i]).to(device)
        t = t.repeat(n_samples, 1, 1, 1)

        x_t = x_t.repeat(2, 1, 1, 1)
        t = t.repeat(2, 1, 1, 1)

        e_t = model(x_t, t, c, c_mask)
        e_t_keep_c = e_t[:n_samples]
        e_t_drop_c = e_t[n_samples:]
        e_t = (1 + w) * e_t_keep_c - w * e_t_drop_c

        x_t = x_t[:n_samples]
        t = t[:n_samples]
        x_t = reverse_q(x_t, t, e_t)

    return x_t


# %% [markdown]
# **Blank 23.** The guidance weight. w = 0 samples from the conditional model alone; a larger w
# pushes each sample further towards its digit. The course's solution uses 1; a model trained
# for fewer steps (the `cpu` profile) needs more.

# %%
w = 2.0

# %% [markdown]
# ## 6. The assessment
#
# `drill rehearse run` calls `sample_w(model, c, w)` for each digit with 5 one-hot contexts, as
# the grader does, and shows the 50 samples, what the classifier read in each and a table per digit.
