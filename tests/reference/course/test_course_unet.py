"""The course U-Net: 2,547,457 parameters rebuilt from layer formulas, the course's module names, and
probes showing that the context embedding multiplies, the time embedding adds and t is divided by T."""

from __future__ import annotations

import pytest
import torch

from reference.course import IMG_CH, IMG_SIZE, T, UNet, get_context_mask


@pytest.fixture(scope="module")
def model() -> UNet:
    torch.manual_seed(0)
    return UNet(T, IMG_CH, IMG_SIZE, down_chs=(64, 64, 128), t_embed_dim=8, c_embed_dim=10).eval()


@pytest.fixture()
def inputs():
    torch.manual_seed(1)
    x = torch.randn(2, 1, 28, 28)
    c_hot, c_mask = get_context_mask(torch.tensor([3, 8]), 0.0)
    return x, torch.tensor([20, 120]), c_hot, c_mask


def conv(i: int, o: int, k: int = 3) -> int:
    return i * o * k * k + o


def linear(i: int, o: int) -> int:
    return i * o + o


def gelu_conv(i: int, o: int) -> int:
    return conv(i, o) + 2 * o  # GroupNorm: a weight and a bias per channel


def residual(i: int, o: int) -> int:
    return gelu_conv(i, o) + gelu_conv(o, o)


def pool(c: int) -> int:
    return gelu_conv(4 * c, c)


def down(i: int, o: int) -> int:
    return gelu_conv(i, o) + gelu_conv(o, o) + pool(o)


def up(i: int, o: int) -> int:
    return conv(2 * i, o, k=2) + 4 * gelu_conv(o, o)  # ConvTranspose2d counts like a conv


def embed(i: int, e: int) -> int:
    return linear(i, e) + linear(e, e)


def test_assessment_config_has_2547457_parameters(model):
    latent = 128 * 7 * 7
    by_formula = (
        residual(1, 64)
        + down(64, 64)
        + down(64, 128)
        + linear(latent, 64) + linear(64, 64) + linear(64, latent)
        + embed(8, 128) + embed(8, 64) + embed(10, 128) + embed(10, 64)
        + gelu_conv(128, 128)
        + up(128, 64) + up(64, 64)
        + conv(128, 64) + 2 * 64 + conv(64, 1)
    )
    assert by_formula == 2_547_457
    assert sum(p.numel() for p in model.parameters()) == 2_547_457


def test_module_names_follow_the_course_so_its_state_dicts_load(model):
    names = [name for name, _ in model.named_children()]
    assert names == ["down0", "down1", "down2", "to_vec", "dense_emb", "sinusoidaltime", "t_emb1", "t_emb2",
                     "c_embed1", "c_embed2", "up0", "up1", "up2", "out"]
    state = model.state_dict()
    assert state["down0.conv1.model.0.weight"].shape == (64, 1, 3, 3)
    assert state["down1.model.2.conv.model.0.weight"].shape == (64, 256, 3, 3)
    assert state["dense_emb.4.weight"].shape == (128 * 49, 64)
    assert state["t_emb1.model.2.weight"].shape == (128, 128)
    assert state["c_embed2.model.0.weight"].shape == (64, 10)
    assert state["up0.1.model.1.weight"].shape == (128,)
    assert state["up1.model.0.weight"].shape == (256, 64, 2, 2)
    assert state["out.1.weight"].shape == (64,) and state["out.3.weight"].shape == (1, 64, 3, 3)


def test_shapes_through_the_network(model, inputs):
    seen = {}
    hooks = [getattr(model, name).register_forward_hook(lambda m, i, o, name=name: seen.__setitem__(name, o.shape))
             for name in ("down0", "down1", "down2", "dense_emb", "t_emb1", "t_emb2", "c_embed1", "c_embed2",
                          "up0", "up1", "up2", "out")]
    with torch.no_grad():
        out = model(*inputs)
    for hook in hooks:
        hook.remove()
    assert out.shape == (2, 1, 28, 28)
    assert seen == {
        "down0": (2, 64, 28, 28), "down1": (2, 64, 14, 14), "down2": (2, 128, 7, 7),
        "dense_emb": (2, 128 * 49), "t_emb1": (2, 128, 1, 1), "t_emb2": (2, 64, 1, 1),
        "c_embed1": (2, 128, 1, 1), "c_embed2": (2, 64, 1, 1),
        "up0": (2, 128, 7, 7), "up1": (2, 64, 14, 14), "up2": (2, 64, 28, 28), "out": (2, 1, 28, 28),
    }


def run_capturing(model, inputs, replace=None):
    """Run the model, optionally replacing submodules' outputs, and capture what flows.

    Returns ``{name: output}`` for the watched submodules and ``{name + ".in": inputs}`` for up1, up2 and out.
    """
    replace = replace or {}
    captured, hooks = {}, []
    for name in ("up1", "up2", "out"):
        hooks.append(getattr(model, name).register_forward_pre_hook(
            lambda m, args, name=name: captured.__setitem__(name + ".in", args)))

    def swap_and_keep(module, args, output, name):
        output = replace[name](output) if name in replace else output
        captured[name] = output
        return output

    for name in ("down0", "down2", "up0", "up1", "up2", "t_emb1", "t_emb2", "c_embed1", "c_embed2"):
        hooks.append(getattr(model, name).register_forward_hook(
            lambda m, args, out, name=name: swap_and_keep(m, args, out, name)))
    with torch.no_grad():
        model(*inputs)
    for hook in hooks:
        hook.remove()
    return captured


def test_decoder_input_is_context_times_h_plus_time(model, inputs):
    got = run_capturing(model, inputs)
    x1, skip1 = got["up1.in"]
    torch.testing.assert_close(x1, got["c_embed1"] * got["up0"] + got["t_emb1"])
    assert skip1 is got["down2"]
    x2, _ = got["up2.in"]
    torch.testing.assert_close(x2, got["c_embed2"] * got["up1"] + got["t_emb2"])


def test_a_zero_context_embedding_leaves_only_the_time_shift(model, inputs):
    zero = {"c_embed1": torch.zeros_like, "c_embed2": torch.zeros_like}
    got = run_capturing(model, inputs, replace=zero)
    torch.testing.assert_close(got["up1.in"][0], got["t_emb1"].expand(2, 128, 7, 7))
    torch.testing.assert_close(got["up2.in"][0], got["t_emb2"].expand(2, 64, 14, 14))


def test_doubling_the_context_embedding_doubles_the_h_term(model, inputs):
    no_time = {"t_emb1": torch.zeros_like, "t_emb2": torch.zeros_like}
    base = run_capturing(model, inputs, replace=no_time)
    doubled = run_capturing(model, inputs, replace={**no_time, "c_embed1": lambda out: 2 * out})
    torch.testing.assert_close(doubled["up1.in"][0], 2 * base["up1.in"][0])


def test_changing_t_shifts_the_decoder_input_by_a_per_channel_constant(model, inputs):
    x, _, c_hot, c_mask = inputs
    early = run_capturing(model, (x, torch.tensor([10, 10]), c_hot, c_mask))
    late = run_capturing(model, (x, torch.tensor([140, 140]), c_hot, c_mask))
    shift = late["up1.in"][0] - early["up1.in"][0]  # up0 does not depend on t, so only t_emb1 moves
    assert shift.abs().max() > 1e-4
    torch.testing.assert_close(shift, shift[:, :, :1, :1].expand_as(shift), rtol=0, atol=1e-5)
    torch.testing.assert_close(shift, (late["t_emb1"] - early["t_emb1"]).expand_as(shift), rtol=1e-4, atol=1e-5)


def test_t_is_divided_by_T_before_the_sinusoidal_features(model, inputs):
    seen = []
    hook = model.sinusoidaltime.register_forward_pre_hook(lambda m, args: seen.append(args[0].clone()))
    with torch.no_grad():
        model(*inputs)
        model(inputs[0], inputs[1].reshape(2, 1, 1, 1), *inputs[2:])  # the course's sampler passes (B, 1, 1, 1)
    hook.remove()
    torch.testing.assert_close(seen[0], torch.tensor([20 / 150, 120 / 150]))
    torch.testing.assert_close(seen[1], seen[0])


def test_masked_context_is_ignored_and_an_int64_one_hot_is_accepted(model, inputs):
    x, t, c_hot, _ = inputs
    zeros = torch.zeros(2, 10)
    other = torch.nn.functional.one_hot(torch.tensor([0, 1]), 10)
    with torch.no_grad():
        torch.testing.assert_close(model(x, t, c_hot, zeros), model(x, t, other, zeros))
        torch.testing.assert_close(model(x, t, c_hot, torch.ones(2, 10)), model(x, t, c_hot.float(), torch.ones(2, 10)))
        assert not torch.allclose(model(x, t, c_hot, torch.ones(2, 10)), model(x, t, other, torch.ones(2, 10)))


def test_output_head_sees_up2_then_down0(model, inputs):
    got = run_capturing(model, inputs)
    (head_input,) = got["out.in"]
    assert head_input.shape == (2, 128, 28, 28)
    assert torch.equal(head_input[:, :64], got["up2"])
    assert torch.equal(head_input[:, 64:], got["down0"])
