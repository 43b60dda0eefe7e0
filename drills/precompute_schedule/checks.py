"""Grading precompute_schedule: a dict, every key present with the layout of the betas, then every
coefficient's values, on three schedules (random betas, the course's linear T=150, cosine T=1000).

A wrong dict is explained by the catalog first (each variant rebuilds the whole dict with one
ingredient replaced). Otherwise each entry that is wrong *by itself* — not merely because an entry
it is derived from is wrong, which is checked against the learner's own entries — is looked up in a
dictionary of schedule expressions ("your 'sqrt_alpha' equals 1/√α_t at every t"); a key that is
missing is looked for under another name by its values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType

import torch

from drills.common.schedule_terms import schedule_terms
from engine.drills import compare
from engine.drills.capture import Attempt, entry
from engine.drills.grading import Grading, Verdict, failed, passed
from engine.drills.plugin import DrillChecks
from engine.drills.records import ProbeRecord
from engine.drills.results import Diagnosis
from engine.drills.toolkit import coefficients, layouts
from engine.drills.toolkit.functions import tensors
from reference import cosine_beta_schedule, linear_beta_schedule, precompute_schedule

AREA = "precompute"
KEYS = ("betas", "alphas", "alpha_bar", "sqrt_alpha_bar", "sqrt_one_minus_alpha_bar", "sqrt_alpha")
CASE_LABELS = {
    "random": "12 random betas",
    "course": "the course's linear betas (T=150)",
    "cosine": "the cosine betas for T=1000",
}
Schedule = dict[str, torch.Tensor]

# How each entry follows from the others (the betas from the input): an entry that is wrong although
# this rule holds on the learner's own entries only inherits its parent's mistake.
DERIVED: dict[str, tuple[str, Callable[[torch.Tensor], torch.Tensor]]] = {
    "alphas": ("betas", lambda betas: 1 - betas),
    "alpha_bar": ("alphas", lambda alphas: torch.cumprod(alphas, dim=0)),
    "sqrt_alpha_bar": ("alpha_bar", torch.sqrt),
    "sqrt_one_minus_alpha_bar": ("alpha_bar", lambda alpha_bar: torch.sqrt(1 - alpha_bar)),
    "sqrt_alpha": ("alphas", torch.sqrt),
}
# The expression each entry should hold, as schedule_terms spells it.
SYMBOLS = {
    "betas": "β_{t}",
    "alphas": "α_{t}",
    "alpha_bar": "ᾱ_{t}",
    "sqrt_alpha_bar": "√ᾱ_{t}",
    "sqrt_one_minus_alpha_bar": "√(1 − ᾱ_{t})",
    "sqrt_alpha": "√α_{t}",
}


def make_betas(name: str, device: torch.device) -> torch.Tensor:
    if name == "random":
        generator = torch.Generator().manual_seed(31)
        betas = 1e-3 + 0.3 * torch.rand(12, generator=generator)
    else:
        betas = linear_beta_schedule(150) if name == "course" else cosine_beta_schedule(1000)
    return betas.to(device)


def _terms(schedule: Schedule) -> list[coefficients.Term]:
    """The shared schedule expressions, and a root taken of the root where a radicand belongs."""
    alpha_bar = schedule["alpha_bar"].double()
    return [*schedule_terms(schedule), coefficients.Term("√(1 − √ᾱ_{t})", (1 - alpha_bar.sqrt()).sqrt())]


# ---- the catalog: the whole dict with one ingredient replaced ---------------------------------------


def _cumprod(values: torch.Tensor) -> torch.Tensor:
    return torch.cumprod(values, dim=0)


def _variant(
    alpha_bar: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = lambda betas, alphas: _cumprod(alphas),
    sqrt_one_minus: Callable[[torch.Tensor], torch.Tensor] = lambda ab: torch.sqrt(1 - ab),
    sqrt_alpha: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = lambda alphas, ab: torch.sqrt(alphas),
) -> Callable[[torch.Tensor], Schedule]:
    def precompute(betas: torch.Tensor) -> Schedule:
        alphas = 1 - betas
        ab = alpha_bar(betas, alphas)
        return {
            "betas": betas,
            "alphas": alphas,
            "alpha_bar": ab,
            "sqrt_alpha_bar": torch.sqrt(ab),
            "sqrt_one_minus_alpha_bar": sqrt_one_minus(ab),
            "sqrt_alpha": sqrt_alpha(alphas, ab),
        }

    return precompute


def _exclusive_cumprod(betas: torch.Tensor, alphas: torch.Tensor) -> torch.Tensor:
    return torch.cat([torch.ones_like(alphas[:1]), _cumprod(alphas)[:-1]])


VARIANTS: dict[str, Callable[[torch.Tensor], Schedule]] = {
    "precompute.cumsum": _variant(alpha_bar=lambda betas, alphas: torch.cumsum(alphas, dim=0)),
    "precompute.cumprod_of_betas": _variant(alpha_bar=lambda betas, alphas: _cumprod(betas)),
    "precompute.exclusive_cumprod": _variant(alpha_bar=_exclusive_cumprod),
    "precompute.product_not_cumulative": _variant(alpha_bar=lambda betas, alphas: torch.prod(alphas, dim=0)),
    "precompute.sqrt_difference": _variant(sqrt_one_minus=lambda ab: 1 - torch.sqrt(ab)),
    "precompute.variance_not_std": _variant(sqrt_one_minus=lambda ab: 1 - ab),
    "precompute.sqrt_alpha_of_alpha_bar": _variant(sqrt_alpha=lambda alphas, ab: torch.sqrt(ab)),
}


def _same(got: torch.Tensor, expected: torch.Tensor) -> bool:
    """Same shape and values within tolerance, NaNs included (a wrong ᾱ can make a square root NaN in both)."""
    if got.shape != expected.shape:
        return False
    got, expected = got.double().cpu(), expected.double().cpu()
    got_nan, expected_nan = torch.isnan(got), torch.isnan(expected)
    return torch.equal(got_nan, expected_nan) and compare.matches(got[~got_nan], expected[~expected_nan])


class PrecomputeSchedule(DrillChecks):
    def probe(self, module: ModuleType, device: torch.device, attempt: Attempt) -> ProbeRecord:
        precompute = entry(module, "precompute_schedule")
        return {name: attempt(precompute, make_betas(name, device)) for name in CASE_LABELS}

    def grade(self, record: ProbeRecord, device: torch.device, grading: Grading) -> None:
        returned = self._returned_dicts(record, device, grading)
        expected = {name: precompute_schedule(make_betas(name, device)) for name in CASE_LABELS}
        layout_ok = []
        for key in KEYS:
            if returned is None:
                grading.skip(f"shape.{key}", "Not checked: the function must first return a dict.")
            elif grading.check(f"shape.{key}", self._key_layout(key, record, expected, device)):
                layout_ok.append(key)
        for key in KEYS:
            if returned is not None and key in layout_ok:
                grading.check(f"formula.{key}", self._key_values(key, returned, expected))
            else:
                grading.skip(f"formula.{key}", f"Not checked: fix the shape of '{key}' first.")
        if returned is not None and not grading.all_passed():
            self._diagnose(returned, expected, grading)
            if not grading.diagnosed:
                self._diagnose_layout(record, expected, grading)
        elif returned is None:
            self._diagnose_calls(record, grading)

    # ---- checks ----------------------------------------------------------------------------------

    @staticmethod
    def _returned_dicts(record: ProbeRecord, device: torch.device, grading: Grading) -> dict[str, dict[str, torch.Tensor]] | None:
        """The tensors of the dict returned for every case, or None after failing the check that says why not."""
        returned = {}
        for name, label in CASE_LABELS.items():
            call = record[name]
            if not call["ok"]:
                grading.error("shape.returns_dict", f"Your function raised on {label}:\n{call['error']}")
                return None
            if call["value"]["kind"] != "dict":
                got = compare.describe(call["value"])
                grading.check("shape.returns_dict", failed(f"precompute_schedule should return a dict, but it returned {got}."))
                return None
            values = {key: tensors(item, device) for key, item in call["value"]["items"].items()}
            returned[name] = {key: value for key, value in values.items() if isinstance(value, torch.Tensor)}
        grading.check("shape.returns_dict", passed("precompute_schedule returns a dict"))
        return returned

    @staticmethod
    def _key_layout(key: str, record: ProbeRecord, expected: Mapping[str, Schedule], device: torch.device) -> Verdict:
        for name, label in CASE_LABELS.items():
            items = record[name]["value"]["items"]
            if key not in items:
                present = ", ".join(repr(k) for k in items) or "nothing"
                return failed(f"The dict has no key '{key}' (for {label}); it has {present}.")
            T = len(expected[name]["betas"])
            verdict = compare.layout(f"'{key}' for {label}", items[key], (T,), torch.float32, device)
            if not verdict.ok:
                return verdict
        return passed(f"'{key}': shape (T,), float32, {device.type}, for every schedule")

    @staticmethod
    def _key_values(key: str, returned: Mapping[str, Mapping[str, torch.Tensor]], expected: Mapping[str, Schedule]) -> Verdict:
        for name, label in CASE_LABELS.items():
            verdict = compare.values(f"'{key}' for {label}", returned[name][key], expected[name][key])
            if not verdict.ok:
                return verdict
        return passed(f"'{key}' matches the reference for every schedule")

    # ---- diagnosis -------------------------------------------------------------------------------

    @staticmethod
    def _diagnose_calls(record: ProbeRecord, grading: Grading) -> None:
        """A function that raised or returned no dict: what its error says, if it is a known kind."""
        for name in CASE_LABELS:
            call = record[name]
            problem = layouts.error_diagnosis(AREA, call["error"]) if not call["ok"] else None
            if problem is not None:
                grading.add_diagnosis(problem)
                return

    @staticmethod
    def _diagnose_layout(record: ProbeRecord, expected: Mapping[str, Schedule], grading: Grading) -> None:
        """The first entry whose shape or dtype is off, in words."""
        for key in KEYS:
            for name in CASE_LABELS:
                captured = record[name]["value"]["items"].get(key)
                problem = None if captured is None else layouts.layout_diagnosis(AREA, f"'{key}'", captured, expected[name][key])
                if problem is not None:
                    grading.add_diagnosis(problem)
                    return

    def _diagnose(self, returned: Mapping[str, Mapping[str, torch.Tensor]], expected: Mapping[str, Schedule], grading: Grading) -> None:
        keys = [key for key, variant in VARIANTS.items() if self._variant_matches(variant, returned, expected)]
        for key in keys:
            grading.diagnose(key)
        if keys:
            return
        for diagnosis in [*self._renamed(returned, expected), *self._wrong_entries(returned, expected)]:
            grading.add_diagnosis(diagnosis)

    @staticmethod
    def _variant_matches(variant: Callable[[torch.Tensor], Schedule], returned: Mapping[str, Mapping[str, torch.Tensor]],
                         expected: Mapping[str, Schedule]) -> bool:
        """The variant gives every entry the learner returned, in every case, and its mistake shows in one of them."""
        shows = False
        for name in CASE_LABELS:
            produced = variant(expected[name]["betas"])
            got = returned[name]
            present = [key for key in KEYS if key in got]
            if not all(_same(got[key], produced[key]) for key in present):
                return False
            shows = shows or any(not _same(produced[key], expected[name][key]) for key in present)
        return shows

    @staticmethod
    def _renamed(returned: Mapping[str, Mapping[str, torch.Tensor]], expected: Mapping[str, Schedule]) -> list[Diagnosis]:
        """Missing keys whose values the learner returned under another name."""
        renames = []
        for key in KEYS:
            if key in returned["random"]:
                continue
            for other in returned["random"]:
                if other not in KEYS and all(other in returned[n] and _same(returned[n][other], expected[n][key]) for n in CASE_LABELS):
                    renames.append(f"'{other}' holds what '{key}' should")
                    break
        if not renames:
            return []
        return [Diagnosis(
            f"{AREA}.key_names",
            "The right values under other key names",
            f"Your dict has the right values but not the names the drill asks for: {'; '.join(renames)}. "
            "The code that reads the schedule looks entries up by these exact names.",
            f"Use exactly these keys: {', '.join(repr(key) for key in KEYS)}.",
        )]

    @staticmethod
    def _inherited(key: str, got: Mapping[str, torch.Tensor], betas: torch.Tensor) -> bool:
        """Whether ``key`` follows from the learner's own parent entry by the right rule."""
        if key == "betas":
            return False
        parent, rule = DERIVED[key]
        source = betas if parent == "betas" and parent not in got else got.get(parent)
        return source is not None and source.shape == got[key].shape and _same(got[key], rule(source.double()))

    def _wrong_entries(self, returned: Mapping[str, Mapping[str, torch.Tensor]], expected: Mapping[str, Schedule]) -> list[Diagnosis]:
        """Each entry wrong by itself, named from the schedule's expressions."""
        diagnoses = []
        for key in KEYS:
            cases = [n for n in CASE_LABELS if key in returned[n] and returned[n][key].shape == expected[n][key].shape]
            if len(cases) != len(CASE_LABELS) or all(_same(returned[n][key], expected[n][key]) for n in cases):
                continue
            if all(self._inherited(key, returned[n], expected[n]["betas"]) for n in cases):
                continue
            diagnoses.append(self._named(key, returned, expected))
        return diagnoses

    @staticmethod
    def _named(key: str, returned: Mapping[str, Mapping[str, torch.Tensor]], expected: Mapping[str, Schedule]) -> Diagnosis:
        table = coefficients.TermTable()
        for name in CASE_LABELS:
            schedule = {k: v.double().cpu() for k, v in expected[name].items()}
            table.add(_terms(schedule), torch.arange(len(schedule["betas"])))
        values = torch.cat([returned[n][key].double().cpu() for n in CASE_LABELS])
        match = coefficients.identify(values, table)
        right = coefficients.spelled(SYMBOLS[key])
        hint = f"'{key}' is {right}: compute it from the entries it depends on, as the task describes."
        if match is None:
            truth = torch.cat([expected[n][key].double().cpu() for n in CASE_LABELS])
            rows = "; ".join(f"at t={t} yours is {float(values[t]):.5g}, the right one {float(truth[t]):.5g}" for t in (0, 5, 11))
            return Diagnosis(f"{AREA}.{key}", f"'{key}' holds other values than {right}",
                             f"Your '{key}' matches no schedule expression: {rows} (the 12 random betas).", hint)
        found = match.describe()
        return Diagnosis(f"{AREA}.{key}", f"'{key}' holds {found}, not {right}",
                         f"Your '{key}' equals {found} at every t of every schedule; it should be {right}.", hint)


checks = PrecomputeSchedule()
