"""The course track: drills in the real course's code and conventions (issue 12).

tests/drills/test_content.py validates every drill (the starter fails, the solution and the
alternatives score full marks, each catalogued bug is diagnosed as itself). This file checks what
is specific to the course track: the drills form one group, the reference they grade against
agrees with the facts in ../shared/lessons/COURSE.md where a drill depends on them, and each
convention the course does not share with the lessons is caught, as itself, in every drill it
applies to.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from drills.common.course_probe import course_terms
from drills.course_block_names.checks import ASSESSMENT, ASSESSMENT_PARAMETERS
from drills.course_context_mask.checks import STATISTICS_DROP, _independence, _keep_rate
from drills.course_reverse_q.checks import COURSE_STEP
from drills.course_sample_w.checks import course_guidance
from drills.course_unet.checks import _forward
from engine.cli import main
from engine.drills import sandbox
from engine.drills.capture import Attempt
from engine.drills.catalog import all_drills, get_drill
from engine.drills.grader import grade_record
from engine.drills.mutants import mutant_sources
from engine.drills.plugin import load_checks
from reference import course

COURSE_DRILLS = {
    "course_q", "course_reverse_q", "course_context_mask", "course_sample_w", "course_block_names",
    "course_residual_conv_block", "course_down_block", "course_up_block", "course_sinusoidal_embed",
    "course_embed_block", "course_unet",
}

# Each convention where the course differs from the lessons, and the catalog key under which every
# drill it applies to names it. (The embedding block and the naming worksheet have none of these.)
CONFUSIONS = [
    ("√β_t instead of √β_(t−1)", "course_reverse_q", "reverse.noise_at_t"),
    ("w instead of 1 + w", "course_sample_w", "guidance.lesson_scale"),
    ("a null class instead of a multiplied mask", "course_context_mask", "mask.null_class"),
    ("a null class instead of a multiplied mask", "course_unet", "unet.mask_ignored"),
    ("one coin per sample instead of per element", "course_context_mask", "mask.per_sample"),
    ("one coin per sample instead of per element", "course_sample_w", "sample_w.mask_per_sample"),
    ("added instead of multiplied context", "course_unet", "unet.context_added"),
    ("added instead of multiplied context", "course_unet", "unet.roles_swapped"),
    ("t instead of t/T", "course_unet", "unet.t_not_scaled"),
    ("t instead of t/T", "course_sample_w", "sample_w.t_divided"),
    ("data in [−1, 1] instead of [0, 1]", "course_q", "q.data_rescaled"),
    ("data in [−1, 1] instead of [0, 1]", "course_sample_w", "sample_w.rescaled_output"),
    ("the lessons' residual from the input", "course_residual_conv_block", "rescb.shortcut_from_input"),
    ("the lessons' residual from the input", "course_residual_conv_block", "rescb.projected_input_shortcut"),
    ("the lessons' DownBlock returning (skip, down)", "course_down_block", "downc.returns_skip"),
    ("the lessons' UpBlock upsampling before joining", "course_up_block", "upc.upsample_before_concat"),
    ("the lessons' frequencies with half instead of half − 1", "course_sinusoidal_embed", "sine.lesson_frequencies"),
]


def grade_text(drill, text, folder):
    """Grade ``text`` from a file, in-process, with the functions the grader process uses."""
    path = folder / f"{drill.id}.py"
    path.write_text(text, encoding="utf-8")
    checks = load_checks(drill)
    torch.manual_seed(0)
    calls = checks.probe(sandbox.load_learner_module(str(path)), torch.device("cpu"), Attempt(str(path)))
    return grade_record(drill.id, checks, {"ok": True, "calls": calls}, torch.device("cpu"))


# ---- the group ------------------------------------------------------------------------------

def test_the_course_drills_are_one_track_under_one_lesson():
    course_track = {drill.id for drill in all_drills() if drill.track == "course"}
    assert course_track == COURSE_DRILLS
    assert {get_drill(drill_id).lesson for drill_id in COURSE_DRILLS} == {"Course"}


def test_the_course_drills_come_after_every_lesson_drill_in_the_list():
    ordered = [drill.track for drill in all_drills()]
    first_course = ordered.index("course")
    assert set(ordered[first_course:]) == {"course"}


def test_drill_list_shows_the_course_drills_under_course(capsys):
    assert main(["list"]) == 0
    lines = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert {drill_id: lines[drill_id] for drill_id in COURSE_DRILLS} == dict.fromkeys(COURSE_DRILLS, "Course")


# ---- the reference agrees with COURSE.md where the drills depend on it ------------------------

def test_the_schedule_is_the_assessment_s():
    schedule = course.ASSESSMENT_SCHEDULE
    assert schedule.T == 150
    assert torch.allclose(schedule.B, torch.linspace(1e-4, 0.02, 150))
    assert torch.allclose(schedule.a_bar, torch.cumprod(1 - schedule.B, 0))


def test_reverse_q_adds_the_previous_step_s_noise_as_the_drill_expects():
    """The reference's step is u_t + √B[t−1]·z with z the noise it drew (replayed from the seed),
    and so is the step the drill grades against."""
    s = course.ASSESSMENT_SCHEDULE
    x_t, e_t = torch.randn(2, 4, 1, 6, 6)
    for step in (1, 2, 75, 149):
        t = torch.full((4, 1, 1, 1), step)
        with torch.random.fork_rng():
            torch.manual_seed(step)
            stepped = course.reverse_q(x_t, t, e_t)
            torch.manual_seed(step)
            z = torch.randn_like(x_t)
        expected = s.sqrt_a_inv[step] * (x_t - s.pred_noise_coeff[step] * e_t) + s.B[step - 1].sqrt() * z
        assert torch.allclose(stepped, expected, atol=1e-6)
        assert torch.allclose(COURSE_STEP(x_t, t, e_t, z), expected, atol=1e-6)


def test_reverse_q_returns_the_mean_at_the_last_step():
    x_t, e_t = torch.randn(2, 3, 1, 5, 5)
    t = torch.zeros(3, 1, 1, 1, dtype=torch.long)
    s = course.ASSESSMENT_SCHEDULE
    assert torch.allclose(course.reverse_q(x_t, t, e_t), s.sqrt_a_inv[0] * (x_t - s.pred_noise_coeff[0] * e_t))


def test_the_noise_scale_term_the_diagnoser_names_is_the_previous_step_s():
    s = course.ASSESSMENT_SCHEDULE
    term = next(term for term in course_terms(s.B, s.a, s.a_bar) if term.symbol == "√β_({t}−1)")
    assert math.isnan(float(term.values[0]))
    assert torch.allclose(term.values[1:].float(), s.B[:-1].sqrt())


def test_the_reference_mask_passes_the_drill_s_statistics():
    """One coin per element with keep-probability 1 − p: the drill's keep-rate and independence checks accept it."""
    torch.manual_seed(3)
    _, c_mask = course.get_context_mask(torch.randint(0, 10, (8000,)), STATISTICS_DROP)
    assert _keep_rate(c_mask.double()).ok
    assert _independence(c_mask.double()).ok


def test_one_coin_per_sample_fails_the_drill_s_independence_check():
    torch.manual_seed(4)
    per_sample = torch.bernoulli(torch.full((8000, 1), 1 - STATISTICS_DROP)).expand(-1, 10)
    assert _keep_rate(per_sample.double()).ok
    assert not _independence(per_sample.double()).ok


def test_the_guidance_is_one_plus_w_and_w_zero_is_conditional():
    keep, drop = torch.randn(2, 3, 1, 4, 4)
    assert torch.equal(course.weighted_noise(keep, drop, 0.0), keep)
    for w in (0.0, 1.0, 2.5):
        assert torch.allclose(course.weighted_noise(keep, drop, w), course_guidance(w)(keep, drop))
        assert torch.allclose(course.weighted_noise(keep, drop, w), (1 + w) * keep - w * drop)


@pytest.fixture(scope="module")
def assessment_unet():
    torch.manual_seed(0)
    return course.UNet(*ASSESSMENT).eval()


def test_the_assessment_unet_has_the_parameter_count_the_worksheet_checks(assessment_unet):
    assert sum(p.numel() for p in assessment_unet.parameters()) == ASSESSMENT_PARAMETERS == 2_547_457


def test_the_unet_forward_is_the_drill_s_course_forward(assessment_unet):
    """t/T, c · c_mask, c_emb · h + t_emb: the forward the drill's variants change one convention of."""
    x = torch.rand(2, 1, 28, 28)
    t = torch.tensor([3.0, 140.0])
    c = F.one_hot(torch.tensor([1, 7]), 10).float()
    c_mask = torch.tensor([[1.0] * 10, [0.0] * 10])
    with torch.no_grad():
        assert torch.allclose(assessment_unet(x, t, c, c_mask), _forward()(assessment_unet, x, t, c, c_mask), atol=1e-5)
        for variant in (_forward(scale_time=False), _forward(context_multiplies=False), _forward(mask=False)):
            assert not torch.allclose(assessment_unet(x, t, c, c_mask), variant(assessment_unet, x, t, c, c_mask), atol=1e-3)


def test_the_unet_sees_t_over_T(assessment_unet):
    """The same weights under T = 300 at 2t give what T = 150 gives at t: only t/T reaches the network."""
    doubled = course.UNet(300, 1, 28)
    doubled.load_state_dict(assessment_unet.state_dict())
    x, c = torch.rand(2, 1, 28, 28), F.one_hot(torch.tensor([0, 5]), 10).float()
    t = torch.tensor([10.0, 90.0])
    with torch.no_grad():
        assert torch.allclose(assessment_unet(x, t, c, torch.ones_like(c)), doubled.eval()(x, 2 * t, c, torch.ones_like(c)), atol=1e-5)


def test_the_mask_multiplies_the_context(assessment_unet):
    """A zero mask and a zero context are the same input: the course drops context by multiplying."""
    x, t = torch.rand(2, 1, 28, 28), torch.tensor([20.0, 100.0])
    c = F.one_hot(torch.tensor([2, 8]), 10).float()
    with torch.no_grad():
        masked = assessment_unet(x, t, c, torch.zeros_like(c))
        zeroed = assessment_unet(x, t, torch.zeros_like(c), torch.ones_like(c))
        kept = assessment_unet(x, t, c, torch.ones_like(c))
    assert torch.allclose(masked, zeroed)
    assert not torch.allclose(masked, kept, atol=1e-4)


def test_the_sinusoidal_frequencies_end_at_one_ten_thousandth():
    """With half − 1 in the spacing, the last sine of time 1 is sin(1/10000)."""
    features = course.SinusoidalPositionEmbedBlock(8)(torch.ones(1))
    assert features[0, 0] == pytest.approx(math.sin(1.0))
    assert features[0, 3] == pytest.approx(math.sin(1e-4), rel=1e-4)


# ---- each convention confusion is caught as itself ----------------------------------------------

@pytest.mark.parametrize("confusion, drill_id, key", CONFUSIONS, ids=[f"{d}:{k}" for _, d, k in CONFUSIONS])
def test_each_convention_confusion_is_named_as_itself(confusion, drill_id, key, tmp_path):
    drill = get_drill(drill_id)
    assert key in {bug.key for bug in drill.bugs}, f"{drill_id} does not catalogue {confusion}"
    result = grade_text(drill, mutant_sources(drill.folder)[key], tmp_path)
    assert result.score < result.max_score
    assert [d.key for d in result.diagnoses][:1] == [key], (confusion, [(c.id, c.message) for c in result.checks if not c.passed])


def test_every_convention_of_the_issue_is_caught_somewhere():
    caught = {confusion for confusion, _, _ in CONFUSIONS}
    assert {
        "√β_t instead of √β_(t−1)", "w instead of 1 + w", "a null class instead of a multiplied mask",
        "one coin per sample instead of per element", "added instead of multiplied context", "t instead of t/T",
        "data in [−1, 1] instead of [0, 1]",
    } <= caught
