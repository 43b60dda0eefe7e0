"""Grading UpBlock: the learner writes __init__ and forward; the reference's weights are loaded
into their block (same state_dict keys as ``reference.UpBlock``) and the outputs compared.

Shared with ``debug_up_block``, whose catalog is the same.
"""

from __future__ import annotations

import torch

from engine.drills import compare
from engine.drills.capture import entry
from engine.drills.grading import failed, passed
from engine.drills.modules import (
    aligned,
    alignment_message,
    build,
    call_trace,
    called,
    input_gradients,
    keep_result,
    load_reference_weights,
    matching_keys,
    run_variant,
    seeded,
    strict_numerics,
)
from reference import UpBlock

# (in_channels, skip_channels, out_channels, time_emb_dim, x shape); the skip is twice as large.
# In "equal" the output's batch equals its width and every width is the same, so a swapped
# concatenation still runs; elsewhere in ≠ skip ≠ out.
CASES = {
    "lesson_like": (16, 8, 8, 12, (3, 16, 3, 5)),
    "equal": (16, 16, 16, 10, (4, 16, 3, 2)),
    "wide": (24, 8, 16, 12, (2, 24, 2, 3)),
}
WEIGHT_SEED = 5100
VALUE_TOLERANCE = 1e-4


def reference_block(name: str) -> UpBlock:
    c_in, c_skip, c_out, t_dim, _ = CASES[name]
    return seeded(lambda: UpBlock(c_in, c_skip, c_out, t_dim), WEIGHT_SEED + list(CASES).index(name))


def make_inputs(name: str, device: torch.device, full_size_x: bool = False):
    """(x, skip, t_emb); with ``full_size_x``, x already has the skip's height and width."""
    _, c_skip, _, t_dim, (b, c_in, h, w) = CASES[name]
    generator = torch.Generator().manual_seed(5200 + len(name))
    x = torch.randn(b, c_in, h, w, generator=generator)
    skip = torch.randn(b, c_skip, 2 * h, 2 * w, generator=generator)
    t_emb = torch.randn(b, t_dim, generator=generator)
    if full_size_x:
        x = torch.randn(b, c_in, 2 * h, 2 * w, generator=generator)
    return x.to(device), skip.to(device), t_emb.to(device)


def probe(module, device, attempt):
    strict_numerics()
    block_class = entry(module, "UpBlock")
    calls = {}
    for name, (c_in, c_skip, c_out, t_dim, _) in CASES.items():
        block, built = build(attempt, block_class, c_in, c_skip, c_out, t_dim)
        if block is None:
            calls[name] = {"built": built}
            continue
        report = load_reference_weights(block, reference_block(name).state_dict())
        block.to(device)
        x, skip, t_emb = make_inputs(name, device)
        x.requires_grad_(True)
        skip.requires_grad_(True)
        with call_trace(block) as trace:
            raw, output = keep_result(attempt, block, x, skip, t_emb)
        # Called with x already at the skip's size, a block that upsamples after concatenating runs.
        with torch.no_grad():
            full_size = attempt(block, *make_inputs(name, device, full_size_x=True))
        calls[name] = {
            "built": built,
            "alignment": report,
            "trace": trace,
            "output": output,
            "full_size": full_size,
            "gradients": input_gradients(raw, {"x": x, "skip": skip}),
        }
    return calls


def _concat_order(block, x, skip, t_emb):
    return block.res_block(torch.cat([skip, block.upsample(x)], dim=1), t_emb)


def _upsample_after_concat(block, x, skip, t_emb):
    return block.res_block(block.upsample(torch.cat([x, skip], dim=1)), t_emb)


VARIANTS = {
    "upblock.concat_order": _concat_order,
    "upblock.upsample_after_concat": _upsample_after_concat,
}


def _tensor(record: dict):
    return record["value"]["data"] if record["ok"] and record["value"].get("kind") == "tensor" else None


def _skip_unused(name: str, call: dict) -> bool:
    """The res_block was built for, or received, the upsampled x alone: in_channels, not in + skip."""
    c_in, c_skip, c_out, _, _ = CASES[name]
    built_narrow = any(key == "res_block.conv1.weight" and theirs[1] == c_in for key, _, theirs in call["alignment"]["mismatched"])
    fed_narrow = any(shapes and shapes[0][1] == c_in for shapes in called(call["trace"], "res_block.conv1"))
    return built_narrow or fed_narrow


def _wrong_out_channels(name: str, call: dict) -> bool:
    c_in, c_skip, c_out, _, _ = CASES[name]
    return any(key == "res_block.conv1.weight" and theirs[0] != c_out for key, _, theirs in call["alignment"]["mismatched"])


def _skip_detached(calls: dict) -> bool:
    return any(call.get("gradients", {}).get("x") == "flows" and call["gradients"]["skip"] != "flows" for call in calls.values())


def diagnoses(calls: dict, cases: list, formula_ok: bool, drill_keys: set[str]) -> list[str]:
    ran = {name: call for name, call in calls.items() if "output" in call}
    keys = matching_keys(cases, atol=VALUE_TOLERANCE)
    if any(_skip_unused(name, call) for name, call in ran.items()):
        keys.append("upblock.skip_unused")
    if any(_wrong_out_channels(name, call) for name, call in ran.items()):
        keys.append("upblock.wrong_out_channels")
    if formula_ok and _skip_detached(ran):
        keys.append("upblock.skip_detached")
    return [key for key in keys if key in drill_keys]


def _parameters_verdict(calls: dict):
    misaligned = [call["alignment"] for call in calls.values() if "alignment" in call and not aligned(call["alignment"])]
    if misaligned:
        return failed(
            "Your block's parameters do not line up with the reference UpBlock's "
            "(res_block = ResidualBlock(in_channels + skip_channels, out_channels, time_emb_dim)):",
            alignment_message(misaligned[0]),
        )
    return passed("Your block has the reference's parameters, so its weights were loaded into yours")


def _gradients_verdict(calls: dict):
    for name, call in calls.items():
        flows = call.get("gradients", {})
        for which in ("x", "skip"):
            if flows.get(which) != "flows":
                what = "its gradient is all zeros" if flows.get(which) == "zero" else "it gets no gradient at all"
                return failed(
                    f"No gradient reaches the {which} input in case '{name}': {what}. "
                    "What produced it would learn nothing from the decoder's loss through this path."
                )
    return passed("Gradients flow back into both x and the skip connection")


def grade(calls, device, grading):
    strict_numerics()
    if all("alignment" in call for call in calls.values()):
        gradable = grading.check("shape.parameters", "shape", _parameters_verdict(calls))
    else:
        gradable = False
        grading.skip("shape.parameters", "shape", "Not checked: your block could not be built.")
    cases = []
    formula_ok = True
    for name, (c_in, c_skip, c_out, t_dim, shape) in CASES.items():
        call = calls[name]
        b, _, h, w = shape
        label = f"The output for in={c_in}, skip={c_skip}, out={c_out}, x {shape}"
        if "output" not in call:
            gradable = formula_ok = False
            grading.error(f"shape.{name}", "shape", f"Your __init__ raised for {CASES[name][:4]}:\n{call['built']['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your block could not be built.", points=2.0)
            continue
        x, skip, t_emb = make_inputs(name, device)
        full_x, full_skip, full_t = make_inputs(name, device, full_size_x=True)
        variant_block = reference_block(name).to(device)
        observed = _tensor(call["output"])
        cases.append((observed, {key: run_variant(v, variant_block, x, skip, t_emb) for key, v in VARIANTS.items()}))
        cases.append((_tensor(call["full_size"]), {key: run_variant(v, variant_block, full_x, full_skip, full_t) for key, v in VARIANTS.items()}))
        if not call["output"]["ok"]:
            gradable = formula_ok = False
            grading.error(f"shape.{name}", "shape", f"Your forward raised for x {shape}, skip {tuple(skip.shape)}:\n{call['output']['error']}")
            grading.skip(f"formula.{name}", "formula", "Not checked: your forward raised.", points=2.0)
            continue
        layout = compare.layout(label, call["output"]["value"], (b, c_out, 2 * h, 2 * w), torch.float32, device)
        if not grading.check(f"shape.{name}", "shape", layout):
            gradable = formula_ok = False
            grading.skip(f"formula.{name}", "formula", "Not checked: fix the shape first.", points=2.0)
            continue
        if not aligned(call["alignment"]):
            formula_ok = False
            grading.skip(f"formula.{name}", "formula", "Not checked: the reference's weights could not be loaded.", points=2.0)
            continue
        with torch.no_grad():
            expected = variant_block(x, skip, t_emb)
        formula_ok &= grading.check(f"formula.{name}", "formula", compare.values(label, observed, expected, atol=VALUE_TOLERANCE), points=2.0)
    if all("gradients" in call and call["output"]["ok"] for call in calls.values()):
        grading.check("behaviour.gradients", "behaviour", _gradients_verdict(calls))
    else:
        grading.skip("behaviour.gradients", "behaviour", "Not checked: your forward must run first.")
    for key in diagnoses(calls, cases, formula_ok, {bug.key for bug in grading.drill.bugs}):
        grading.diagnose(key)
    grading.catalog_check(gradable)
