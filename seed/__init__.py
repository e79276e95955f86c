"""The mission's real data as YAML files, an idempotent loader and a synthetic scale generator."""

from seed.loader import load_real
from seed.synthetic import add_synthetic

__all__ = ["add_synthetic", "load_real"]
