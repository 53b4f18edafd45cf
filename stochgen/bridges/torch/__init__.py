"""GAN and VAE synthesizers on torch (optional extra)."""
