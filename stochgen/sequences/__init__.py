"""Panels and time series: context rows, sequence lengths, order gaps and latent dynamics."""

from stochgen.sequences.synthesizer import SequenceSynthesizer

__all__ = ["SequenceSynthesizer"]
