"""Grading the whole U-Net. The learner writes every layer, so weights cannot be aligned; the model
is judged by what it does to its data, beside the reference built for the same config:

- its shape flow, read from the operations it runs (engine/drills/toolkit/optrace.py), against
  the reference's, with the first operation whose output has no counterpart marked: any module
  layout passes (attributes, ModuleList/ModuleDict, a functional forward, a loop, recursion);
- its parameter count, with the per-module counts when the totals part;
- its output with the reference's weights in it: which of its parameters plays which of the
  reference's is read from what the two models do (engine/drills/toolkit/weightmap.py), so the
  exact output of any layout of the lesson's network is compared with the reference's;
- its behaviour: the output depends on the timestep, every parameter receives a gradient, the
  skips carry information (the bottleneck's output held fixed, found by resolution, not by
  name), each sample is processed on its own;
- other configs (channels, image sizes) that the lesson's design allows, and on CUDA the
  lesson's full model (base 64, 64×64, 11,371,265 parameters).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from engine.drills import compare
from engine.drills.capture import capture, entry, learner_traceback
from engine.drills.grading import failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.results import Diagnosis
from engine.drills.toolkit import flows, layouts, optrace, weightmap
from engine.drills.toolkit.modules import build, resampling_diagnoses, seeded, strict_numerics
from engine.drills.toolkit.variants import matching_keys, predictions
from reference import DownBlock, ResidualBlock, UNet, UpBlock


@dataclass(frozen=True)
class Config:
    in_channels: int
    base_channels: int
    time_emb_dim: int
    batch: int
    size: tuple[int, int]

    @property
    def kwargs(self) -> dict[str, int]:
        return {"in_channels": self.in_channels, "base_channels": self.base_channels, "time_emb_dim": self.time_emb_dim}

    def describe(self) -> str:
        h, w = self.size
        return f"in_channels={self.in_channels}, base_channels={self.base_channels}, time_emb_dim={self.time_emb_dim}, {h}×{w} images"


# "small" carries the behaviour checks; the others are further configs the lesson's design
# allows (three levels, so the sides must be divisible by 8).
CONFIGS = {
    "small": Config(1, 16, 32, 3, (32, 32)),
    "rgb": Config(3, 8, 16, 2, (16, 16)),
    "wide_image": Config(1, 8, 16, 2, (16, 24)),
}
LESSON = Config(1, 64, 128, 2, (64, 64))
LESSON_PARAMETERS = 11_371_265
TIMESTEPS = [5, 400, 950, 123]
OTHER_TIMESTEPS = [700, 30, 260, 999]
# Relative to the output's largest value: a model that ignores an input reproduces its output
# exactly, while one that uses it moves by a few percent.
SENSITIVITY = 1e-4
WEIGHT_SEED = 7300
VALUE_TOLERANCE = 1e-4


def configs_for(device: torch.device) -> dict[str, Config]:
    return {**CONFIGS, "lesson": LESSON} if device.type == "cuda" else dict(CONFIGS)


def make_inputs(config: Config, device: torch.device):
    """(x, timesteps, other timesteps, x with every pixel changed)."""
    generator = torch.Generator().manual_seed(7000 + config.base_channels)
    x = torch.randn(config.batch, config.in_channels, *config.size, generator=generator)
    changed = x + 0.5 * torch.randn(x.shape, generator=generator)
    t = torch.tensor(TIMESTEPS[: config.batch])
    t_other = torch.tensor(OTHER_TIMESTEPS[: config.batch])
    return x.to(device), t.to(device), t_other.to(device), changed.to(device)


def _run(attempt, fn, *args) -> dict[str, Any]:
    """Call learner-facing code that returns plain data: {"ok", "value"} or {"ok": False, "error"}."""
    try:
        return {"ok": True, "value": fn(*args)}
    except Exception as error:  # noqa: BLE001 - the learner's model failing is reported, not raised
        return {"ok": False, "error": learner_traceback(error, attempt.learner_file)}


def _build_model(unet_class, config: Config, device: torch.device, attempt):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model, built = build(attempt, lambda: unet_class(**config.kwargs))
    return (model.to(device) if model is not None else None), built


def _parameters_without_gradient(model: nn.Module, output) -> list[str]:
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        return [name for name, _ in model.named_parameters()]
    projection = torch.randn(output.shape, generator=torch.Generator().manual_seed(1)).to(output.device)
    (output * projection).sum().backward()
    return [name for name, p in model.named_parameters() if p.grad is None or not bool(p.grad.abs().sum() > 0)]


def _one_by_one(model: nn.Module, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return torch.cat([model(x[i : i + 1], t[i : i + 1]) for i in range(len(x))])


def _ops(model: nn.Module, x: torch.Tensor, t: torch.Tensor) -> list[list[Any]]:
    with torch.no_grad():
        return [op.to_list() for op in optrace.record_ops(lambda: model(x, t), model)[1]]


def _frozen_bottleneck(model: nn.Module, x: torch.Tensor, changed: torch.Tensor, t: torch.Tensor) -> dict[str, Any]:
    """How much the output moves when the input changes but the bottleneck's output is held fixed.

    Why this shows that the skips carry information: with the bottleneck's output replaced by the
    one computed for x, whatever the decoder still learns about the changed input can only arrive
    by a path around the bottleneck, i.e. through the skip connections. Without skips the output is
    then exactly the one for x (the change is 0.0); with them every pixel of the input reaches the
    decoder at full resolution and the output moves. The bottleneck is found from the operations
    (the last one at the smallest resolution before the first that upsamples), not from names.
    """
    clean, ops = optrace.record_ops(lambda: model(x, t), model)
    index = optrace.bottleneck_index(ops, x.shape[0])
    if index is None:
        return {"found": False}
    kept = optrace.output_of(lambda: model(x, t), index, model)
    assert kept is not None  # the index is one of the operations this very forward ran
    frozen = optrace.frozen_at(lambda: model(changed, t), index, kept, model)
    where = ops[index].module or "forward"
    return {"found": True, "where": where, "change": float((frozen - clean).abs().max()), "scale": float(clean.abs().max())}


def _probe_config(unet_class, config: Config, device, attempt) -> tuple[nn.Module | None, dict[str, Any]]:
    model, built = _build_model(unet_class, config, device, attempt)
    if model is None:
        return None, {"built": built}
    x, t, _, _ = make_inputs(config, device)
    return model, {"built": built, "parameters": flows.stage_parameters(model), "ops": _run(attempt, _ops, model, x, t)}


def reference_model(config: Config, device: torch.device) -> UNet:
    """The reference for ``config`` with seeded weights, the same in the child and the grader."""
    return seeded(lambda: UNet(**config.kwargs, levels=3), WEIGHT_SEED).to(device)


def _with_reference_weights(model: nn.Module, config: Config, device: torch.device) -> dict[str, Any] | torch.Tensor:
    """A copy of the learner's model holding the reference's weights, run on the inputs; or why it could not be."""
    x, t, _, _ = make_inputs(config, device)
    reference, mine = reference_model(config, device), copy.deepcopy(model)
    why = weightmap.copy_reference_weights(reference, mine, lambda: reference(x, t), lambda: mine(x, t))
    if why is not None:
        return {"why": why}
    with torch.no_grad():
        output: torch.Tensor = mine(x, t)
    return output


def _probe_behaviour(unet_class, device, attempt) -> dict[str, Any]:
    config = CONFIGS["small"]
    model, record = _probe_config(unet_class, config, device, attempt)
    if model is None:
        return record
    x, t, t_other, changed = make_inputs(config, device)
    record["modules"] = sorted({type(module).__name__ for module in model.modules()})
    record["shapes"] = [[name, list(parameter.shape)] for name, parameter in model.named_parameters()]
    box = {}

    def forward(*arguments):
        box["value"] = model(*arguments)
        return box["value"]

    record["output"] = attempt(forward, x, t)
    record["no_gradient"] = _run(attempt, _parameters_without_gradient, model, box.get("value"))
    with torch.no_grad():
        record["other_timesteps"] = attempt(model, x, t_other)
        record["first_timestep_for_all"] = attempt(model, x, t[:1].repeat(len(t)))
        record["one_by_one"] = attempt(_one_by_one, model, x, t)
        if record["ops"]["ok"]:
            record["skips"] = _run(attempt, _frozen_bottleneck, model, x, changed, t)
        mapped = _run(attempt, _with_reference_weights, model, config, device)
        captured = mapped["ok"] and isinstance(mapped["value"], torch.Tensor)
        record["mapped"] = {**mapped, "value": capture(mapped["value"])} if captured else mapped
    return record


class UNetDrill(DrillChecks):
    def probe(self, module, device, attempt):
        strict_numerics()
        unet_class = entry(module, "UNet")
        calls = {"small": _probe_behaviour(unet_class, device, attempt)}
        for name, config in configs_for(device).items():
            if name != "small":
                calls[name] = _probe_config(unet_class, config, device, attempt)[1]
        return calls

    def grade(self, record, device, grading):
        strict_numerics()
        configs = configs_for(device)
        facts = {name: reference_facts(config, device) for name, config in configs.items()}
        main, config = record["small"], CONFIGS["small"]
        verdicts: dict[str, object] = {}
        if "ops" not in main:
            grading.error("shape.output", f"Your UNet could not be built with {config.describe()}:\n{main['built']['error']}")
        else:
            x, _, _, _ = make_inputs(config, device)
            if main["output"]["ok"]:
                grading.check("shape.output", compare.layout("The output", main["output"]["value"], tuple(x.shape), torch.float32, device))
            else:
                grading.error("shape.output", f"Your forward raised on x {tuple(x.shape)}:\n{main['output']['error']}")
            grading.check("shape.flow", _flow_verdict(config, facts["small"][0], main["ops"], device))
            grading.check("behaviour.parameters", _parameters_verdict(config, facts["small"][1], main["parameters"]))
            grading.check("formula.output", _mapped_verdict(main, config, device))
            for check_id, make_verdict in BEHAVIOUR_CHECKS:
                verdict = make_verdict(main)
                verdicts[check_id] = verdict
                if verdict is None:
                    grading.skip(check_id, "Not checked: your forward must run and return a tensor first.")
                else:
                    grading.check(check_id, verdict)
        for name, other in configs.items():
            if name in ("small", "lesson"):
                continue
            if "ops" not in record[name]:
                error = record[name]["built"]["error"]
                grading.error(f"shape.config.{name}", f"Your UNet could not be built with {other.describe()}:\n{error}")
            else:
                grading.check(f"shape.config.{name}", _flow_verdict(other, facts[name][0], record[name]["ops"], device))
        if "lesson" in configs:
            lesson = record["lesson"]
            if "parameters" in lesson:
                grading.check("shape.config.lesson", _flow_verdict(LESSON, facts["lesson"][0], lesson["ops"], device))
                verdict = _parameters_verdict(LESSON, facts["lesson"][1], lesson["parameters"], expected_total=LESSON_PARAMETERS)
                grading.check("behaviour.parameters.lesson", verdict)
        if not grading.all_passed():
            _diagnose(record, facts, verdicts, device, grading)


# ---- the reference's side ----------------------------------------------------------------------


def reference_facts(config: Config, device: torch.device, model: nn.Module | None = None) -> tuple[list[list[Any]], list[list[Any]]]:
    """The reference's (or a variant's) operation flow and per-module parameters for ``config``."""
    model = (model if model is not None else UNet(**config.kwargs, levels=3)).to(device)
    x, t, _, _ = make_inputs(config, device)
    with torch.no_grad():
        ops = optrace.record_ops(lambda: model(x, t), model)[1]
    return flows.op_flow(ops, config.batch, tuple(x.shape)), flows.stage_parameters(model)


def planned_unet(config: Config, widths: list[int]) -> UNet:
    """The lesson's U-Net with level i working at widths[i-1] channels (and the bottleneck at widths[3]),
    assembled from the reference's blocks."""
    t_dim = 4 * config.time_emb_dim
    model = UNet(**config.kwargs, levels=3)
    for i in (1, 2, 3):
        c, wider = widths[i - 1], widths[i]
        setattr(model, f"down{i}", DownBlock(c, c, t_dim))
        setattr(model, f"down{i}_proj", nn.Conv2d(4 * c, wider, kernel_size=1))
        setattr(model, f"up{i}", UpBlock(wider, c, c, t_dim))
    model.bottleneck = ResidualBlock(widths[3], widths[3], t_dim)
    return model


def undoubled_plans(base: int) -> list[list[int]]:
    """Every width plan where one or more levels keep the previous width instead of doubling it."""
    plans = []
    for keeps in itertools.product([False, True], repeat=3):
        if any(keeps):
            widths = [base]
            for keep in keeps:
                widths.append(widths[-1] if keep else 2 * widths[-1])
            plans.append(widths)
    return plans


# ---- verdicts ------------------------------------------------------------------------------


def _learner_flow(ops_record: dict[str, Any], config: Config) -> list[list[Any]]:
    ops = [optrace.Op.from_list(op) for op in ops_record["value"]]
    return flows.op_flow(ops, config.batch, (config.batch, config.in_channels, *config.size))


def _flow_verdict(config: Config, reference_flow: list[Any], ops_record: dict[str, Any], device: torch.device):
    if not ops_record["ok"]:
        return failed(f"Your model raised on {config.describe()}:\n{ops_record['error']}")
    rows = flows.align(reference_flow, _learner_flow(ops_record, config))
    first = flows.first_difference(rows)
    if first is None:
        extra = sum(1 for status, _, _ in rows if status == flows.EXTRA)
        mine = f" (plus {extra} step{'s' * (extra > 1)} of your own)" if extra else ""
        return passed(f"Your shape flow matches the reference's for {config.describe()}{mine}")
    status, ours, _ = rows[first]
    assert ours is not None  # the first difference is a reference step that has no equal partner
    where = f"at {ours[0]}" if status == flows.DIFFER else f"after the reference's {ours[0]}"
    return failed(f"Your shape flow parts from the reference's {where} ({config.describe()}):", flows.flow_table(rows))


def _parameters_verdict(config: Config, reference_parameters: list[Any], yours: list[Any], expected_total: int | None = None):
    ours, theirs = sum(n for _, n in reference_parameters), sum(n for _, n in yours)
    if expected_total is not None:
        ours = expected_total
    if ours == theirs:
        return passed(f"{theirs:,} parameters, as the reference has for {config.describe()}")
    return failed(
        f"Your model has {theirs:,} parameters; the reference has {ours:,} ({theirs - ours:+,}) for {config.describe()}.",
        flows.parameter_table(reference_parameters, yours),
    )


def _mapped_verdict(record: dict[str, Any], config: Config, device: torch.device):
    mapped = record["mapped"]
    if not mapped["ok"]:
        return failed(f"Your model raised when it was run with the reference's weights:\n{mapped['error']}")
    if "why" in mapped["value"]:
        return failed(f"Your output could not be compared with the reference's: {mapped['value']['why']}.")
    x, t, _, _ = make_inputs(config, device)
    with torch.no_grad():
        expected = reference_model(config, device)(x, t)
    observed = mapped["value"]["data"].to(device)
    verdict = compare.values("With the reference's weights in it, your output", observed, expected, atol=VALUE_TOLERANCE)
    if verdict.ok:
        return passed("With the reference's weights in it, your model gives the reference's output exactly")
    return verdict


def _tensor(record: dict[str, Any] | None):
    if record is None or not record["ok"] or record["value"].get("kind") != "tensor":
        return None
    return record["value"]["data"]


def _timestep_verdict(record: dict[str, Any]):
    out, other = _tensor(record["output"]), _tensor(record["other_timesteps"])
    if out is None or other is None or out.shape != other.shape:
        return None
    change = float((out - other).abs().max())
    if change > SENSITIVITY * max(float(out.abs().max()), 1e-6):
        return passed(f"The output depends on the timestep (it moves by up to {change:.3g} when t changes)")
    return failed("The output does not depend on the timestep: the same images with other timesteps give the same output.")


def _gradients_verdict(record: dict[str, Any]):
    missing = record["no_gradient"]
    if not missing["ok"]:
        return failed(f"Backpropagating through your model raised:\n{missing['error']}")
    if not missing["value"]:
        return passed("Every parameter receives a gradient")
    names = ", ".join(missing["value"][:6]) + (f" … and {len(missing['value']) - 6} more" if len(missing["value"]) > 6 else "")
    return failed(f"{len(missing['value'])} parameter tensors receive no gradient, so they never learn: {names}.")


def _skips_verdict(record: dict[str, Any]):
    skips = record.get("skips")
    if skips is None:
        return None
    if not skips["ok"]:
        return failed(f"Your model raised while its skips were tested:\n{skips['error']}")
    found = skips["value"]
    if not found["found"]:
        return failed("Your model never goes down to a bottleneck and back up, so there are no skips to test: "
                      "the feature maps must shrink level by level and grow again.")
    if found["change"] > SENSITIVITY * max(found["scale"], 1e-6):
        return passed(f"The skips carry information: with the bottleneck's output (in {found['where']}) held fixed, "
                      "a changed input still changes the output")
    return failed(
        f"With your bottleneck's output (in {found['where']}) held fixed, changing the input does not change the output: "
        "nothing reaches the decoder except through the bottleneck, so the skip connections carry no information."
    )


def _per_sample_verdict(record: dict[str, Any]):
    batched, alone = _tensor(record["output"]), _tensor(record["one_by_one"])
    if batched is None or alone is None or batched.shape != alone.shape:
        return None
    if compare.matches(batched, alone, atol=1e-4, rtol=1e-3):
        return passed("Each sample's output is the same in a batch as on its own")
    return failed(
        "A sample's output changes with the other samples of its batch.",
        compare.closeness(batched, alone, 1e-4, 1e-3)[1].replace("expected", "alone").replace("got", "in the batch"),
    )


BEHAVIOUR_CHECKS = [
    ("behaviour.timestep", _timestep_verdict),
    ("behaviour.gradients", _gradients_verdict),
    ("behaviour.skips", _skips_verdict),
    ("behaviour.per_sample", _per_sample_verdict),
]


# ---- diagnosis -----------------------------------------------------------------------------


def _single_timestep(record: dict[str, Any]) -> bool:
    out, first = _tensor(record["output"]), _tensor(record["first_timestep_for_all"])
    return out is not None and first is not None and out.shape == first.shape and compare.matches(out, first, atol=1e-5)


def _hardcoded_out_channels(record: dict[str, Any], device: torch.device) -> bool:
    rgb = record.get("rgb", {}).get("ops")
    if not rgb or not rgb["ok"]:
        return False
    flow = _learner_flow(rgb, CONFIGS["rgb"])
    return bool(flow) and flow[-1][1][0][1] == 1 and CONFIGS["rgb"].in_channels != 1


def _failed(verdicts: dict[str, Any], check_id: str) -> bool:
    verdict = verdicts.get(check_id)
    return verdict is not None and not verdict.ok


def _undoubled(record: dict[str, Any], facts: dict[str, Any], device: torch.device) -> bool:
    ops = record["small"].get("ops")
    if not ops or not ops["ok"]:
        return False
    config = CONFIGS["small"]
    learner = _learner_flow(ops, config)
    if flows.first_difference(flows.align(facts["small"][0], learner)) is None:
        return False
    for widths in undoubled_plans(config.base_channels):
        variant, _ = reference_facts(config, device, planned_unet(config, widths))
        if flows.first_difference(flows.align(variant, learner)) is None:
            return True
    return False


@contextmanager
def _patched(model: nn.Module, kind: type, forward: Callable[..., Any]) -> Iterator[None]:
    """While inside, every ``kind`` submodule of ``model`` runs ``forward`` instead of its own."""
    blocks = [module for module in model.modules() if isinstance(module, kind)]
    for block in blocks:
        block.forward = forward.__get__(block)
    try:
        yield
    finally:
        for block in blocks:
            del block.forward


def _patched_run(kind: type, forward: Callable[..., Any]) -> Callable[..., Any]:
    def run(model, x, t):
        with _patched(model, kind, forward):
            return model(x, t)

    return run


def _skip_first(block, x, skip, t_emb):
    return block.res_block(torch.cat([skip, block.upsample(x)], dim=1), t_emb)


def _bilinear(block, x, skip, t_emb):
    up = nn.functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    return block.res_block(torch.cat([up, skip], dim=1), t_emb)


def _skip_before_block(block, x, t_emb):
    return x, block.downsample(block.res_block(x, t_emb))


def _scaled_timesteps(model, x, t):
    return model(x, t.float() / 1000)


# Value mistakes, on the reference with its weights: what a learner's model computes with them.
VARIANTS = (
    ("unet.concat_order", _patched_run(UpBlock, _skip_first)),
    ("unet.bilinear_upsampling", _patched_run(UpBlock, _bilinear)),
    ("unet.skip_before_block", _patched_run(DownBlock, _skip_before_block)),
    ("unet.scaled_timesteps", _scaled_timesteps),
)


def _value_keys(main: dict[str, Any], device: torch.device) -> list[str]:
    mapped = main.get("mapped", {})
    if not mapped.get("ok") or mapped["value"].get("kind") != "tensor":
        return []
    config = CONFIGS["small"]
    x, t, _, _ = make_inputs(config, device)
    observed = mapped["value"]["data"].to(device)
    return matching_keys([(observed, predictions(VARIANTS, reference_model(config, device), x, t))], atol=VALUE_TOLERANCE)


def _diagnose(record: dict[str, Any], facts: dict[str, Any], verdicts: dict[str, Any], device: torch.device, grading) -> None:
    main = record["small"]
    keys = _value_keys(main, device)
    if _undoubled(record, facts, device):
        keys.append("unet.width_not_doubled")
    if _failed(verdicts, "behaviour.skips") and main.get("skips", {}).get("value", {}).get("found"):
        keys.append("unet.skips_unused")
    if _failed(verdicts, "behaviour.timestep"):
        keys.append("unet.timestep_ignored")
    if _failed(verdicts, "behaviour.per_sample"):
        if "BatchNorm2d" in main.get("modules", []):
            keys.append("unet.batch_norm")
        elif _single_timestep(main):
            keys.append("unet.single_timestep")
    if _hardcoded_out_channels(record, device):
        keys.append("unet.hardcoded_out_channels")
    for key in keys:
        grading.diagnose(key)
    if keys:
        return
    for diagnosis in _open_diagnoses(main, facts, device):
        grading.add_diagnosis(diagnosis)


def _unused_layers(main: dict[str, Any]) -> list[Any]:
    missing = main.get("no_gradient", {})
    if not missing.get("ok") or not missing["value"] or not main["output"]["ok"]:
        return []
    names = missing["value"]
    layers = sorted({name.rsplit(".", 1)[0] for name in names})
    return [Diagnosis(
        "unet.unused_layer", f"Layers built but never used: {', '.join(layers[:4])}",
        f"{', '.join(layers[:4])} {'is' if len(layers) == 1 else 'are'} created in __init__ but never reached by forward "
        "(no gradient arrives there), so the computation it should do is missing: e.g. a block that never adds its "
        "timestep projection.",
        "Call every layer you build on the path it belongs to, or remove it; compare forward with the lesson's block by block.",
    )]


def _layer_shapes(main: dict[str, Any], config: Config) -> list[Any]:
    """Parameters whose shape differs from the reference's one in the same role (a kernel 3×3 for 1×1, say)."""
    if "shapes" not in main:
        return []
    theirs = sorted(tuple(shape) for _, shape in main["shapes"])
    ours = sorted(tuple(p.shape) for p in UNet(**config.kwargs, levels=3).parameters())
    extra, lacking = list(theirs), []
    for shape in ours:
        if shape in extra:
            extra.remove(shape)
        else:
            lacking.append(shape)
    if not extra or len(extra) != len(lacking) or len(extra) > 3:
        return []
    pairs = "; ".join(f"{tuple(got)} where the reference has {tuple(want)}" for got, want in zip(extra, lacking))
    kernels = [(got, want) for got, want in zip(extra, lacking) if len(got) == len(want) == 4 and got[:2] == want[:2]]
    what = (f"a {kernels[0][0][2]}×{kernels[0][0][3]} kernel where the lesson uses {kernels[0][1][2]}×{kernels[0][1][3]}"
            if kernels else "layers of other sizes than the lesson's")
    return [Diagnosis("unet.layer_shape", f"A layer of the wrong size: {what}",
                      f"Your model has the lesson's layers but for {len(extra)} parameter tensor(s) of another shape: {pairs}.",
                      "Build that layer with the lesson's kernel size and channel counts.")]


def _open_diagnoses(main: dict[str, Any], facts: dict[str, Any], device: torch.device) -> list[Any]:
    """What the operations say first (a resampling done another way), then the layers (one never
    used, one of another size), then the error the model raised."""
    config = CONFIGS["small"]
    if "ops" not in main or not main["ops"]["ok"]:
        found = layouts.error_diagnosis("unet", main["built"]["error"] if "ops" not in main else main["ops"]["error"])
        return [found] if found else []
    start = (config.batch, config.in_channels, *config.size)
    theirs = optrace.flow([optrace.Op.from_list(op) for op in main["ops"]["value"]], config.batch, start)
    reference = UNet(**config.kwargs, levels=3).to(device)
    x, t, _, _ = make_inputs(config, device)
    with torch.no_grad():
        ours = optrace.flow(optrace.record_ops(lambda: reference(x, t), reference)[1], config.batch, start)
    return resampling_diagnoses(ours, theirs, "UNet") or _unused_layers(main) or _layer_shapes(main, config)


checks = UNetDrill()
