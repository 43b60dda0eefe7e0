"""The buggy starters themselves are the catalog's implementations: starters/<bug key>.py."""

import importlib.util
from pathlib import Path

STARTERS = Path(__file__).parent / "starters"


def _sampler(path: Path):
    spec = importlib.util.spec_from_file_location(f"debug_sampler_starter_{path.stem.replace('.', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sample_ddpm


BUGS = {path.stem: _sampler(path) for path in sorted(STARTERS.glob("*.py"))}
