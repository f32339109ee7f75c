"""Compose: beam search across the production phases, the unattended run and its summary."""
