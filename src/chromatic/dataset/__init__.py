"""The built dataset: verification (coverage, fidelity), export, dataset card, hub upload."""
