"""GAN and VAE synthesizers on torch (optional ``torch`` extra): not built yet.

The design reserves this package for torch-backed synthesizers behind the same
``fit`` / ``sample`` / ``save`` / ``load`` interface; no issue has asked for
them so far, and nothing here is importable beyond this placeholder.
"""
