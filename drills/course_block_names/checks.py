"""Grading the name-the-block worksheet: the assessment gives seven block bodies with their class
names blanked, and the learner names each one.

Here the bodies are labelled Block1 … Block7 and the learner binds each of the course's names to
one of them (``DownBlock = Block7``). Each name is graded by which body it is bound to (its
identity, not its spelling), and the course's U-Net, which the file builds from those names, must
then have the assessment's 2,547,457 parameters and, with the course's weights loaded, the
reference's output. A wrong binding is named by the body it points at.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from engine.drills import compare
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.results import Diagnosis
from engine.drills.toolkit.functions import tensors
from engine.drills.toolkit.modules import build, load_weights, seeded
from reference.course import UNet

# Which labelled body implements which of the course's classes, and how to recognise it.
BODIES = {
    "GELUConvBlock": ("Block2", "one 3×3 convolution, a GroupNorm and a GELU"),
    "RearrangePoolBlock": ("Block5", "a space-to-depth Rearrange and a GELUConvBlock from 4·C back to C channels"),
    "DownBlock": ("Block7", "two GELUConvBlocks and a RearrangePoolBlock: an encoder level that halves the size"),
    "UpBlock": ("Block3", "a concatenation of (x, skip), a ConvTranspose2d and four GELUConvBlocks: a decoder level"),
    "SinusoidalPositionEmbedBlock": ("Block1", "no weights: the sines and cosines of time·ω with log-spaced frequencies"),
    "EmbedBlock": ("Block4", "Linear → GELU → Linear and an Unflatten to (emb_dim, 1, 1)"),
    "ResidualConvBlock": ("Block6", "two GELUConvBlocks whose outputs are added, x1 + x2"),
}
LABELS = {label: name for name, (label, _) in BODIES.items()}
# Mix-ups of two bodies that look alike, as the catalog names them.
SWAPS = {
    frozenset({"GELUConvBlock", "ResidualConvBlock"}): "names.gelu_residual_swapped",
    frozenset({"DownBlock", "UpBlock"}): "names.down_up_swapped",
    frozenset({"DownBlock", "RearrangePoolBlock"}): "names.down_rearrange_swapped",
    frozenset({"EmbedBlock", "SinusoidalPositionEmbedBlock"}): "names.embed_sinusoidal_swapped",
}
ASSESSMENT = (150, 1, 28)  # T, img_ch, img_size
ASSESSMENT_PARAMETERS = 2_547_457
WEIGHT_SEED = 3900


def _unet_inputs(device: torch.device) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(3901)
    x = torch.rand(2, 1, 28, 28, generator=generator)
    t = torch.tensor([12.0, 131.0])
    c = F.one_hot(torch.tensor([4, 9]), 10).float()
    return x.to(device), t.to(device), c.to(device), torch.ones_like(c).to(device)


def _reference_unet() -> torch.nn.Module:
    return seeded(lambda: UNet(*ASSESSMENT), WEIGHT_SEED)


class BlockNames(DrillChecks):
    # ---- in the sandboxed child -------------------------------------------------------------

    def probe(self, module, device, attempt):
        bodies = {f"Block{i}": getattr(module, f"Block{i}", None) for i in range(1, 8)}
        answers = {}
        for name in BODIES:
            bound = getattr(module, name, None)
            label = next((label for label, body in bodies.items() if body is not None and bound is body), None)
            if label is None:
                label = "it is not defined" if not hasattr(module, name) else f"it is {bound!r:.40}"
            answers[name] = label
        unet_class = getattr(module, "UNet", None)
        record: dict[str, Any] = {"answers": answers}
        if unet_class is None:
            record["unet"] = {"built": {"ok": False, "error": "The file no longer defines the given UNet."}}
            return record
        network, built = build(attempt, lambda: unet_class(*ASSESSMENT))
        record["unet"] = {"built": built}
        if network is not None:
            record["unet"]["parameters"] = sum(p.numel() for p in network.parameters())
            record["unet"]["alignment"] = load_weights(network, _reference_unet().state_dict())
            network.to(device).eval()
            with torch.no_grad():
                record["unet"]["output"] = attempt(network, *_unet_inputs(device))
        return record

    # ---- in the grader ----------------------------------------------------------------------

    def grade(self, record, device, grading):
        answers = record["answers"]
        unbound = [name for name, label in answers.items() if label not in LABELS]
        if unbound:
            grading.check("shape.answers", failed(
                "Every one of the course's seven names must be bound to one of the bodies Block1 … Block7.",
                "\n".join(f"{name}: {answers[name]}" for name in unbound)))
        else:
            grading.check("shape.answers", passed("Each of the seven names is bound to one of the given bodies"))
        for name, (label, _) in BODIES.items():
            given = answers[name]
            if given == label:
                grading.check(f"formula.{name}", passed(f"{name} = {label}"))
            elif given in LABELS:
                grading.check(f"formula.{name}", failed(f"{name} is bound to {given}, whose body is not the {name}."))
            else:
                grading.check(f"formula.{name}", failed(f"{name} is not bound to any of the given bodies ({given})."))
        grading.check("behaviour.unet", self._unet_verdict(record["unet"], device))
        if not grading.all_passed():
            for diagnosis in diagnoses(answers, grading):
                grading.add_diagnosis(diagnosis)

    @staticmethod
    def _unet_verdict(unet: dict[str, Any], device: torch.device) -> Verdict:
        if not unet["built"]["ok"]:
            return failed("The course's U-Net could not be built from your names:", unet["built"]["error"])
        if unet["parameters"] != ASSESSMENT_PARAMETERS:
            return failed(f"The course's U-Net built from your names has {unet['parameters']:,} parameters; with the right "
                          f"blocks it has {ASSESSMENT_PARAMETERS:,} for the assessment's settings.")
        if not unet["output"]["ok"]:
            return failed("The course's U-Net built from your names raised on a batch of digits:", unet["output"]["error"])
        reference = _reference_unet().to(device).eval()
        with torch.no_grad():
            expected = reference(*_unet_inputs(device))
        observed = tensors(unet["output"]["value"], device)
        if not isinstance(observed, torch.Tensor) or observed.shape != expected.shape:
            return failed("The course's U-Net built from your names does not return a (2, 1, 28, 28) prediction.")
        verdict = compare.values("The U-Net built from your names", observed, expected, atol=1e-4)
        if not verdict.ok:
            return verdict
        return passed(f"The course's U-Net built from your names has {ASSESSMENT_PARAMETERS:,} parameters and the reference's output")


def diagnoses(answers: dict[str, str], grading: Grading) -> list[Diagnosis]:
    """A catalogued swap of two look-alike bodies, or else each wrong name with the body it points at."""
    wrong = {name for name, (label, _) in BODIES.items() if answers[name] != label}
    swapped = frozenset(wrong)
    if swapped in SWAPS and all(answers[name] in LABELS and LABELS[answers[name]] in wrong for name in wrong):
        grading.diagnose(SWAPS[swapped])
        return []
    found = []
    for name in sorted(wrong):
        given = answers[name]
        if given not in LABELS:
            continue
        actual = LABELS[given]
        found.append(Diagnosis(
            f"names.{name}",
            f"{name} points at the {actual}",
            f"You bound {name} to {given}, but {given} is the course's {actual}: {BODIES[actual][1]}. "
            f"The {name} is {BODIES[name][1]}.",
            f"Find the body that is {BODIES[name][1]}, and bind {name} to it.",
        ))
    return found


checks = BlockNames()
