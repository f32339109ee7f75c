"""The fitness model: fusion model, text-only models, data, training, metrics, export.

Import submodules directly; they need torch (the ``ml`` extra).
"""
