"""Scoring synthetic data against real data: fidelity, detection, utility, privacy."""
