"""Synthetic agency drops for demos and tests: `generate(inbox, scale="mo"|"us"|"stress", years, seed)`."""

from sources.generator.run import generate
from sources.generator.summary import GenerationSummary, PlantedRise

__all__ = ["GenerationSummary", "PlantedRise", "generate"]
