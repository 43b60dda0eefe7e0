"""Ground truth for the U-Net area's learner corpus, checked against `reference/` and never the grader.

Every file under tests/corpus/<drill>/ of the U-Net drills is labelled "pass" or "fail" in its
folder's manifest.json. Each drill has one behaviour check below that lists how a learner file
departs from the reference (an empty list means it behaves like the reference). A "pass" file
must give an empty list and a "fail" file a non-empty one; an exception raised by the learner's
code counts as a departure.

- Functions and parameter-free modules are compared value for value on fixed inputs.
- Modules whose weights the drill loads by name get the reference's (randomised) weights the same
  way, then their outputs are compared.
- Whole U-Nets are compared by parameter count at the starter's default configuration (the
  lesson's 11,371,265) and at a small one, then, when the counts agree, by output after the
  reference's weights are copied in through an explicit name mapping written for each file.
- The denoiser's training loop has no reference function: a recording model replays the training
  from what the loop fed it (noise statistics, timesteps, SGD steps, the returned averages).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import reference.unet as ref

CORPUS = Path(__file__).parent
DRILLS = (
    "rearrange_downsample",
    "sinusoidal_embedding",
    "timestep_mlp_embedding",
    "residual_block",
    "down_block",
    "up_block",
    "unet",
    "denoiser_training",
)
KINDS = {
    *("coefficient", "sign", "timestep_index", "broadcasting", "shape", "dimension", "ignores_input"),
    *("randomness", "wrong_operation", "normalisation", "loop", "gradient", "dtype_device", "other"),
}
LESSON_UNET_PARAMETERS = 11_371_265

Problems = list[str]


def load(drill: str, file: str) -> ModuleType:
    """Import one learner file from its path, under a name no other test uses."""
    path = CORPUS / drill / file
    spec = importlib.util.spec_from_file_location(f"corpus_unet_{drill}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def randomise(module: nn.Module, seed: int) -> nn.Module:
    """Give every parameter distinct non-default values, so swapped or skipped layers show."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            noise = torch.randn(p.shape, generator=generator)
            # norm scales stay near 1 so activations keep a sane size
            p.copy_(1.0 + 0.3 * noise if name.endswith("weight") and p.dim() == 1 else 0.3 * noise)
    return module


def compare(name: str, got: object, expected: torch.Tensor, atol: float) -> Problems:
    """Shape, dtype and value of one output against the reference's."""
    if not isinstance(got, torch.Tensor):
        return [f"{name}: returned {type(got).__name__}, expected a tensor"]
    if got.shape != expected.shape:
        return [f"{name}: shape {tuple(got.shape)}, expected {tuple(expected.shape)}"]
    if got.dtype != expected.dtype:
        return [f"{name}: dtype {got.dtype}, expected {expected.dtype}"]
    error = (got.detach() - expected).abs().max().item()
    return [] if error <= atol else [f"{name}: max |error| {error:.3g} > {atol}"]


def learner_raises(check: Callable[..., Problems], *args: object) -> Problems:
    """Run one check; an exception from the learner's code is itself a departure."""
    try:
        return check(*args)
    except Exception as error:  # the learner's code may raise anything
        return [f"raised {type(error).__name__}: {error}"]


# ---------------------------------------------------------------- parameter-free functions


def downsample_case(module: ModuleType, shape: tuple[int, ...]) -> Problems:
    x = torch.randn(shape, generator=torch.Generator().manual_seed(sum(shape)))
    return compare(f"x{shape}", module.rearrange_downsample(x), ref.rearrange_downsample(x), 0.0)


def check_rearrange_downsample(module: ModuleType, file: str) -> Problems:
    # W ≠ H catches transposed axes; W = 2 makes W/2 = 1
    return learner_raises(downsample_case, module, (2, 3, 4, 6)) + learner_raises(downsample_case, module, (1, 2, 8, 2))


def sinusoidal_case(module: ModuleType, dim: int) -> Problems:
    timesteps = torch.tensor([0, 1, 7, 150, 500, 999])
    expected = ref.SinusoidalPositionEmbedding(dim)(timesteps)
    # float32 arguments up to t·ω = 999 differ by ~1e-4 between equivalent formulas
    return compare(f"D={dim}", module.SinusoidalPositionEmbedding(dim)(timesteps), expected, 2e-4)


def check_sinusoidal_embedding(module: ModuleType, file: str) -> Problems:
    # D = 12 has half = 6 = B, where a missing [:, None] broadcasts silently
    return learner_raises(sinusoidal_case, module, 12) + learner_raises(sinusoidal_case, module, 32)


# ---------------------------------------------------------------- blocks with weights loaded by name


def mlp_embedding_case(module: ModuleType, embed_dim: int, hidden_dim: int | None) -> Problems:
    reference = randomise(ref.TimestepMLPEmbedding(embed_dim, hidden_dim), seed=embed_dim)
    learner = module.TimestepMLPEmbedding(embed_dim) if hidden_dim is None else module.TimestepMLPEmbedding(embed_dim, hidden_dim)
    learner.load_state_dict(reference.state_dict())
    timesteps = torch.tensor([0, 3, 250, 999])
    return compare(f"hidden={hidden_dim}", learner(timesteps), reference(timesteps), 1e-5)


def check_timestep_mlp_embedding(module: ModuleType, file: str) -> Problems:
    return learner_raises(mlp_embedding_case, module, 16, None) + learner_raises(mlp_embedding_case, module, 16, 40)


def block_inputs(channels: int, height: int, width: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of 3 feature maps and its (3, 24) time embeddings."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(3, channels, height, width, generator=generator), torch.randn(3, 24, generator=generator)


def residual_case(module: ModuleType, in_ch: int, out_ch: int) -> Problems:
    reference = randomise(ref.ResidualBlock(in_ch, out_ch, 24), seed=in_ch + out_ch)
    # this drill's block (the lesson's Q1) projects t_emb with a bare Linear: no GELU before it
    reference.time_mlp[0] = nn.Identity()
    renames = {"time_mlp.1.": "time_proj.", "residual_conv.": "res_conv."}
    weights = {}
    for name, value in reference.state_dict().items():
        for old, new in renames.items():
            name = name.replace(old, new)
        weights[name] = value
    learner = module.ResidualBlock(in_ch, out_ch, 24)
    learner.load_state_dict(weights)
    x, t_emb = block_inputs(in_ch, 6, 10, seed=out_ch)
    return compare(f"{in_ch}->{out_ch}", learner(x, t_emb), reference(x, t_emb), 1e-5)


def check_residual_block(module: ModuleType, file: str) -> Problems:
    return learner_raises(residual_case, module, 16, 32) + learner_raises(residual_case, module, 16, 16)


def down_case(module: ModuleType, in_ch: int, out_ch: int) -> Problems:
    reference = randomise(ref.DownBlock(in_ch, out_ch, 24), seed=in_ch * out_ch)
    learner = module.DownBlock(in_ch, out_ch, 24)
    learner.res_block.load_state_dict(reference.res_block.state_dict())
    x, t_emb = block_inputs(in_ch, 6, 10, seed=in_ch + 1)
    got = learner(x, t_emb)
    if not (isinstance(got, tuple) and len(got) == 2):
        return [f"{in_ch}->{out_ch}: returned {type(got).__name__}, expected the pair (skip, down)"]
    skip, down = reference(x, t_emb)
    return compare("skip", got[0], skip, 1e-5) + compare("down", got[1], down, 1e-5)


def check_down_block(module: ModuleType, file: str) -> Problems:
    return learner_raises(down_case, module, 16, 32) + learner_raises(down_case, module, 16, 16)


def up_case(module: ModuleType, in_ch: int, skip_ch: int, out_ch: int) -> Problems:
    reference = randomise(ref.UpBlock(in_ch, skip_ch, out_ch, 24), seed=in_ch + skip_ch)
    learner = module.UpBlock(in_ch, skip_ch, out_ch, 24)
    learner.res_block.load_state_dict(reference.res_block.state_dict())
    x, t_emb = block_inputs(in_ch, 3, 5, seed=in_ch)
    skip, _ = block_inputs(skip_ch, 6, 10, seed=skip_ch + 100)
    return compare(f"{in_ch}+{skip_ch}->{out_ch}", learner(x, skip, t_emb), reference(x, skip, t_emb), 1e-5)


def check_up_block(module: ModuleType, file: str) -> Problems:
    return learner_raises(up_case, module, 32, 16, 16) + learner_raises(up_case, module, 24, 8, 16)


# ---------------------------------------------------------------- whole U-Nets

# Reference names -> each file's names. The reference keys look like time_embed.mlp.0.weight,
# init_conv.bias, down2.res_block.time_mlp.1.weight, down2_proj.weight, bottleneck.norm1.bias,
# up3.res_block.residual_conv.weight and final_conv.2.weight. Rules are tried in order; the
# first whose pattern matches the whole key rewrites it. Files absent here keep the names.
Rule = tuple[str, str | Callable[[re.Match[str]], str]]
RES_PARTS = {"conv1": "conv1", "norm1": "gn1", "time_mlp.1": "temb", "conv2": "conv2", "norm2": "gn2", "residual_conv": "short"}


def _recursive_prefix(level: str) -> str:
    return "body." + "inner." * (int(level) - 1)


def _own_res(part: str) -> str:
    return {"conv1": "c1", "norm1": "n1", "time_mlp.1": "t_lin", "conv2": "c2", "norm2": "n2", "residual_conv": "shortcut"}[part]


RES = r"(conv1|norm1|time_mlp\.1|conv2|norm2|residual_conv)"
MODULE_LISTS: list[Rule] = [
    (r"init_conv\.(.*)", r"stem.\1"),
    (r"down(\d)\.res_block\.(.*)", lambda m: f"enc_blocks.{int(m[1]) - 1}.{m[2]}"),
    (r"down(\d)_proj\.(.*)", lambda m: f"projections.{int(m[1]) - 1}.{m[2]}"),
    (r"bottleneck\.(.*)", r"mid.\1"),
    (r"up(\d)\.res_block\.(.*)", lambda m: f"dec_blocks.{3 - int(m[1])}.{m[2]}"),
    (r"final_conv\.(.*)", r"out.\1"),
]
UNET_NAMES: dict[str, list[Rule]] = {
    "module_lists_shared_space_to_depth.py": MODULE_LISTS,
    "skips_in_encoder_order.py": MODULE_LISTS,
    "module_dict_functional.py": [
        (r"time_embed\.mlp\.0\.(.*)", r"layers.t_fc1.\1"),
        (r"time_embed\.mlp\.2\.(.*)", r"layers.t_fc2.\1"),
        (r"init_conv\.(.*)", r"layers.stem.\1"),
        (rf"down(\d)\.res_block\.{RES}\.(.*)", lambda m: f"layers.enc{m[1]}_{RES_PARTS[m[2]]}.{m[3]}"),
        (r"down(\d)_proj\.(.*)", r"layers.enc\1_proj.\2"),
        (rf"bottleneck\.{RES}\.(.*)", lambda m: f"layers.mid_{RES_PARTS[m[1]]}.{m[2]}"),
        (rf"up(\d)\.res_block\.{RES}\.(.*)", lambda m: f"layers.dec{m[1]}_{RES_PARTS[m[2]]}.{m[3]}"),
        (r"final_conv\.0\.(.*)", r"layers.head_gn.\1"),
        (r"final_conv\.2\.(.*)", r"layers.head_conv.\1"),
    ],
    "recursive_levels.py": [
        (r"down(\d)\.res_block\.(.*)", lambda m: f"{_recursive_prefix(m[1])}encode.{m[2]}"),
        (r"down(\d)_proj\.(.*)", lambda m: f"{_recursive_prefix(m[1])}squeeze.{m[2]}"),
        (r"bottleneck\.(.*)", r"body.inner.inner.inner.\1"),
        (r"up(\d)\.res_block\.(.*)", lambda m: f"{_recursive_prefix(m[1])}decode.{m[2]}"),
    ],
    "loop_built_stages.py": [
        (r"time_embed\.mlp\.0\.(.*)", r"t_embedder.1.\1"),
        (r"time_embed\.mlp\.2\.(.*)", r"t_embedder.3.\1"),
        (r"init_conv\.(.*)", r"entry.\1"),
        (r"down(\d)\.(.*)", lambda m: f"encoder.{int(m[1]) - 1}.block.{m[2]}"),
        (r"down(\d)_proj\.(.*)", lambda m: f"encoder.{int(m[1]) - 1}.proj.{m[2]}"),
        (r"bottleneck\.(.*)", r"middle.\1"),
        (r"up(\d)\.(.*)", lambda m: f"decoder.{3 - int(m[1])}.{m[2]}"),
        (r"final_conv\.(.*)", r"head.\1"),
    ],
    "own_blocks_own_names.py": [
        (r"time_embed\.mlp\.0\.(.*)", r"t_mlp.fc1.\1"),
        (r"time_embed\.mlp\.2\.(.*)", r"t_mlp.fc2.\1"),
        (r"init_conv\.(.*)", r"conv_in.\1"),
        (rf"down(\d)\.res_block\.{RES}\.(.*)", lambda m: f"enc{m[1]}.res.{_own_res(m[2])}.{m[3]}"),
        (r"down(\d)_proj\.(.*)", r"enc\1.reduce.\2"),
        (rf"bottleneck\.{RES}\.(.*)", lambda m: f"mid_block.{_own_res(m[1])}.{m[2]}"),
        (rf"up(\d)\.res_block\.{RES}\.(.*)", lambda m: f"dec{m[1]}.res.{_own_res(m[2])}.{m[3]}"),
        (r"final_conv\.0\.(.*)", r"norm_out.\1"),
        (r"final_conv\.2\.(.*)", r"conv_out.\1"),
    ],
}


def learner_name(file: str, reference_name: str) -> str:
    for pattern, replacement in UNET_NAMES.get(file, []):
        if re.fullmatch(pattern, reference_name):
            return re.sub(pattern, replacement, reference_name)
    return reference_name


def copy_reference_weights(file: str, reference: nn.Module, learner: nn.Module) -> None:
    """Copy every reference parameter into the learner's parameter the mapping names; all must be used."""
    targets = dict(learner.named_parameters())
    mapped = {learner_name(file, name): p for name, p in reference.named_parameters()}
    assert set(mapped) == set(targets), f"mapping mismatch: {sorted(set(mapped) ^ set(targets))[:6]}"
    with torch.no_grad():
        for name, p in mapped.items():
            assert targets[name].shape == p.shape, f"{name}: {tuple(targets[name].shape)} vs {tuple(p.shape)}"
            targets[name].copy_(p)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def default_count(module: ModuleType) -> int:
    """Parameters of UNet() with the starter's defaults, built on the meta device (no memory, no init)."""
    with torch.device("meta"):
        return parameter_count(module.UNet())


SMALL = {"in_channels": 2, "base_channels": 8, "time_emb_dim": 16}


def check_unet(module: ModuleType, file: str) -> Problems:
    try:
        count = default_count(module)
        learner = module.UNet(**SMALL)
    except Exception as error:  # the learner's code may raise anything
        return [f"raised {type(error).__name__}: {error}"]
    if count != LESSON_UNET_PARAMETERS:
        return [f"{count:,} parameters at the defaults, expected {LESSON_UNET_PARAMETERS:,}"]
    reference = randomise(ref.UNet(**SMALL), seed=5)
    if parameter_count(learner) != parameter_count(reference):
        return [f"{parameter_count(learner):,} parameters at {SMALL}, expected {parameter_count(reference):,}"]
    # equal counts: the mapping must fit, or the output comparison below would prove nothing
    copy_reference_weights(file, reference, learner)
    x = torch.randn(2, 2, 16, 24, generator=torch.Generator().manual_seed(9))
    timesteps = torch.tensor([3, 917])
    return learner_raises(lambda: compare("output", learner(x, timesteps), reference(x, timesteps), 1e-4))


# ---------------------------------------------------------------- the denoiser's training loop


class RecordingDenoiser(nn.Module):
    """A tiny model that uses both inputs and keeps every (noisy, timesteps) it is called with."""

    def __init__(self, channels: int):
        super().__init__()
        self.mix = nn.Conv2d(channels, channels, 1)
        self.t_gain = nn.Parameter(torch.tensor(0.3))
        self.calls: list[tuple[torch.Tensor, torch.Tensor]] = []

    def forward(self, noisy: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        self.calls.append((noisy.detach().clone(), timesteps.detach().clone()))
        return self.mix(noisy) + self.t_gain * (timesteps.float() / 1000.0)[:, None, None, None]


EPOCHS, BATCH, NOISE_LEVEL, LR = 2, 16, 0.8, 0.05
Calls = list[tuple[torch.Tensor, torch.Tensor]]


def standardised_noise(calls: Calls, batches: list[torch.Tensor]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Per call: (noisy − images) / (t/1000 · noise_level), which must be fresh N(0, I), and where t ≥ 10."""
    out = []
    for k, (noisy, timesteps) in enumerate(calls):
        scale = (timesteps.float() / 1000.0 * NOISE_LEVEL)[:, None, None, None]
        # at small t there is (almost) no noise to standardise
        out.append(((noisy - batches[k % len(batches)]) / scale.clamp_min(1e-12), timesteps >= 10))
    return out


def noise_problems(calls: Calls, batches: list[torch.Tensor]) -> Problems:
    """One uniform timestep per image, and noise that is standard normal, scaled by t/1000 · noise_level, and fresh."""
    for _, timesteps in calls:
        if timesteps.shape != (BATCH,):
            return [f"timesteps of shape {tuple(timesteps.shape)}, expected one per image ({BATCH},)"]
    problems: Problems = []
    if any(timesteps.unique().numel() == 1 for _, timesteps in calls):
        problems.append("every image of a batch got the same timestep")
    t = torch.cat([timesteps for _, timesteps in calls]).float()
    if not (300 < t.mean().item() < 700 and t.min() >= 0 and t.max() < 1000):
        problems.append(f"timesteps not uniform on [0, 1000): mean {t.mean().item():.0f}, range {t.min().item():.0f}..{t.max().item():.0f}")
    z = standardised_noise(calls, batches)
    pooled = torch.cat([zk[usable].flatten() for zk, usable in z])
    mean, std = pooled.mean().item(), pooled.std().item()
    if abs(mean) > 0.1 or not 0.9 < std < 1.1:
        problems.append(f"(noisy − images) / (t/1000 · noise_level) has mean {mean:.3g} and std {std:.3g}, expected 0 and 1")
    (z0, used0), (z1, used1) = z[0], z[1]
    both = used0 & used1
    if both.any() and torch.corrcoef(torch.stack([z0[both].flatten(), z1[both].flatten()]))[0, 1].item() > 0.5:
        problems.append("the first two batches received the same noise")
    return problems


def replay(calls: Calls, initial: dict[str, torch.Tensor], batches: list[torch.Tensor]) -> tuple[list[float], dict[str, torch.Tensor]]:
    """Plain SGD on the MSE to the clean images, over exactly the inputs the learner's loop used."""
    twin = RecordingDenoiser(batches[0].shape[1])
    twin.load_state_dict(initial)
    optimizer = torch.optim.SGD(twin.parameters(), lr=LR)
    losses = []
    for k, (noisy, timesteps) in enumerate(calls):
        loss = F.mse_loss(twin(noisy, timesteps), batches[k % len(batches)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, twin.state_dict()


def training_problems(model: RecordingDenoiser, initial: dict[str, torch.Tensor], batches: list[torch.Tensor], history: object) -> Problems:
    """The weights and the returned epoch averages that the replay says the loop should have produced."""
    losses, expected = replay(model.calls, initial, batches)
    problems = [
        f"after training, {name} differs from plain SGD on the MSE to the clean images"
        for name, value in expected.items()
        if not torch.allclose(model.state_dict()[name], value, atol=1e-5)
    ]
    n = len(batches)
    averages = [sum(losses[e * n : (e + 1) * n]) / n for e in range(EPOCHS)]
    if not isinstance(history, list) or len(history) != EPOCHS:
        problems.append(f"returned {history!r}, expected a list of {EPOCHS} epoch averages")
    elif any(abs(float(h) - a) > 1e-5 * max(1.0, abs(a)) for h, a in zip(history, averages)):
        problems.append(f"returned {[round(float(h), 6) for h in history]}, expected the epoch averages {[round(a, 6) for a in averages]}")
    return problems


def check_denoiser_training(module: ModuleType, file: str) -> Problems:
    images = torch.rand(3 * BATCH, 1, 8, 8, generator=torch.Generator().manual_seed(3)) * 2 - 1
    dataset = torch.utils.data.TensorDataset(images, torch.zeros(3 * BATCH))
    batches = list(images.split(BATCH))
    torch.manual_seed(0)
    model = RecordingDenoiser(1)
    initial = copy.deepcopy(model.state_dict())
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    torch.manual_seed(11)
    try:
        history = module.train_denoiser(
            model, torch.utils.data.DataLoader(dataset, batch_size=BATCH), optimizer, EPOCHS, noise_level=NOISE_LEVEL, device="cpu"
        )
    except Exception as error:  # the learner's code may raise anything
        return [f"raised {type(error).__name__}: {error}"]
    if len(model.calls) != EPOCHS * len(batches):
        return [f"the model was called {len(model.calls)} times, expected {EPOCHS * len(batches)}"]
    return noise_problems(model.calls, batches) or training_problems(model, initial, batches, history)


# ---------------------------------------------------------------- the tests

CHECKS: dict[str, Callable[[ModuleType, str], Problems]] = {
    "rearrange_downsample": check_rearrange_downsample,
    "sinusoidal_embedding": check_sinusoidal_embedding,
    "timestep_mlp_embedding": check_timestep_mlp_embedding,
    "residual_block": check_residual_block,
    "down_block": check_down_block,
    "up_block": check_up_block,
    "unet": check_unet,
    "denoiser_training": check_denoiser_training,
}


def manifest(drill: str) -> dict:
    return json.loads((CORPUS / drill / "manifest.json").read_text(encoding="utf-8"))


def corpus_files() -> list:
    return [
        pytest.param(drill, file, entry, id=f"{drill}/{file}")
        for drill in DRILLS
        for file, entry in manifest(drill)["files"].items()
    ]


@pytest.mark.parametrize("drill", DRILLS)
def test_manifest_describes_every_file(drill):
    data = manifest(drill)
    assert data["drill"] == drill
    assert set(data["files"]) == {p.name for p in (CORPUS / drill).glob("*.py")}
    expected = [e["expect"] for e in data["files"].values()]
    assert 4 <= expected.count("pass") <= 6 and 8 <= expected.count("fail") <= 12
    for entry in data["files"].values():
        if entry["expect"] == "pass":
            assert set(entry) == {"expect", "style"} and entry["style"]
        else:
            assert set(entry) == {"expect", "mistake", "kind"} and entry["mistake"] and entry["kind"] in KINDS


def test_reference_unet_is_the_lessons_model():
    with torch.device("meta"):
        assert parameter_count(ref.UNet()) == LESSON_UNET_PARAMETERS


@pytest.mark.parametrize(("drill", "file", "entry"), corpus_files())
def test_file_behaves_as_labelled(drill, file, entry):
    torch.manual_seed(0)
    problems = CHECKS[drill](load(drill, file), file)
    if entry["expect"] == "pass":
        assert problems == [], f"a correct file departs from the reference: {problems}"
    else:
        assert problems, f"a buggy file behaves like the reference (its mistake: {entry['mistake']})"
