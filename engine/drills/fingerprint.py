"""What a warm grader was started with, as one digest: a grader whose digest differs is stale.

It covers the dli-drill version, the interpreter, every source and data file of the project's
packages (path, size and modification time, read before they are imported), torch's installed
files, and the environment variables that change how torch or the grader starts. Computing it
takes a few milliseconds and imports nothing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Iterable

from engine import __version__

PACKAGES = ("reference", "engine", "drills", "quiz_bank")
ENVIRONMENT = ("CUDA_VISIBLE_DEVICES", "PYTHONPATH", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTORCH_NVML_BASED_CUDA_CHECK")


def _package_files(name: str) -> list[str]:
    spec = importlib.util.find_spec(name)
    files = []
    for root in (spec.submodule_search_locations or []) if spec else []:
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(sub for sub in subfolders if sub != "__pycache__")
            files += [os.path.join(folder, file) for file in sorted(names) if file.endswith((".py", ".json"))]
    return files


def _torch_files() -> list[str]:
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        return []
    folder = os.path.dirname(spec.origin)
    return [spec.origin, os.path.join(folder, "version.py")]


def stat_digest(paths: Iterable[str | os.PathLike[str]], seed: str) -> str:
    """A digest of ``seed`` and each file's path, size and modification time (a missing file is skipped)."""
    digest = hashlib.sha256(seed.encode())
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def code_fingerprint() -> str:
    files = [file for name in PACKAGES for file in _package_files(name)] + _torch_files()
    environment = "".join(f"{name}={os.environ.get(name, '')}\0" for name in ENVIRONMENT)
    return stat_digest(files, f"{__version__}\0{sys.executable}\0{sys.version}\0{environment}")
