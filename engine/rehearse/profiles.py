"""The rehearsal's profiles: the notebook's sizes, how long to train and how (torch-free).

- ``course``: the assessment's own sizes (U-Net channels 64/64/128, batch 128, T = 150, Adam at a
  constant 1e-3) for 2,730 steps, which is five epochs of MNIST's 70,000 images. For a GPU.
- ``cpu``: a smaller U-Net (16/32/64) on batches of 64, with the learning rate warmed up to 2e-3 and
  decayed linearly to zero, so that the model solution passes on a 2-core CPU within 10 minutes.
- ``tiny``: for tests; checks the plumbing in seconds and is not expected to pass.

Training ends after ``steps`` steps or ``minutes`` minutes, whichever comes first; the learning
rate follows whichever of the two is further along, so the decay always reaches its end.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import UsageError

CONSTANT, WARMUP_LINEAR = "constant", "warmup-linear"


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    T: int
    batch_size: int
    down_chs: tuple[int, int, int]
    group_sizes: tuple[int, int]
    steps: int
    minutes: float
    peak_lr: float
    schedule: str = CONSTANT
    warmup_steps: int = 0
    threads: int | None = None  # torch's CPU threads; None keeps torch's default

    def overrides(self, device: str) -> dict[str, str]:
        """Python source for each notebook constant the profile sets, by name."""
        return {
            "device": f"torch.device({device!r})",
            "T": repr(self.T),
            "BATCH_SIZE": repr(self.batch_size),
            "LEARNING_RATE": repr(self.peak_lr),
            "DOWN_CHS": repr(self.down_chs),
            "GROUP_SIZES": repr(self.group_sizes),
        }


PROFILES = {
    "course": Profile(
        name="course",
        summary="the assessment's sizes: 64/64/128 channels, batch 128, lr 1e-3, 2,730 steps (a GPU's work)",
        T=150,
        batch_size=128,
        down_chs=(64, 64, 128),
        group_sizes=(8, 32),
        steps=5 * (70_000 // 128),
        minutes=60.0,
        peak_lr=1e-3,
    ),
    "cpu": Profile(
        name="cpu",
        summary="a 16/32/64 U-Net, batch 64, lr 2e-3 decayed linearly; passes within 10 minutes on 2 CPU cores",
        T=150,
        batch_size=64,
        down_chs=(16, 32, 64),
        group_sizes=(8, 16),
        steps=1500,
        minutes=7.5,
        peak_lr=2e-3,
        schedule=WARMUP_LINEAR,
        warmup_steps=50,
    ),
    "tiny": Profile(
        name="tiny",
        summary="for tests: a toy U-Net for a few steps; checks the plumbing, never passes",
        T=20,
        batch_size=16,
        down_chs=(8, 8, 16),
        group_sizes=(4, 8),
        steps=12,
        minutes=1.0,
        peak_lr=1e-3,
        threads=1,
    ),
}
DEFAULT = "cpu"


def get_profile(name: str) -> Profile:
    if name not in PROFILES:
        raise UsageError(f"there is no profile '{name}': choose one of {', '.join(PROFILES)}")
    return PROFILES[name]


def learning_rate(profile: Profile, step: int, progress: float) -> float:
    """The learning rate at ``step``, ``progress`` (0 to 1) through training.

    constant: the peak all along. warmup-linear: rises linearly to the peak over the warm-up steps,
    then falls linearly, reaching zero when training ends.
    """
    if profile.schedule == CONSTANT:
        return profile.peak_lr
    warm = min(1.0, (step + 1) / profile.warmup_steps) if profile.warmup_steps else 1.0
    return profile.peak_lr * warm * max(0.0, 1.0 - progress)
