"""The fitted model on disk: ``model.pt`` (weights, config, calibration, metrics) written
atomically, read back, and calibration handed from one fit to another."""

from __future__ import annotations

from pathlib import Path

import torch

from chromatic import __version__
from chromatic.errors import ChromaticError
from chromatic.fileio import atomic_path
from chromatic.model.fusion import FusionConfig, FusionModel

MODEL_FILE = "model.pt"
__all__ = ["MODEL_FILE", "copy_calibration", "load_model", "save_model"]


CALIBRATION_BUFFERS = ("temperature", "midi_temperature", "confidence_scale")


def copy_calibration(src: FusionModel, dst: FusionModel) -> None:
    """Give ``dst`` the temperatures and confidence scaling fitted for ``src``."""
    with torch.no_grad():
        for name in CALIBRATION_BUFFERS:
            getattr(dst, name).copy_(getattr(src, name))
    dst.calibration = {**src.calibration, "fitted_on": "the selection fit's validation songs"}


def save_model(model: FusionModel, path: Path, extra: dict) -> None:
    with atomic_path(path) as tmp:
        torch.save(
            {
                "config": model.cfg.to_dict(),
                "state_dict": model.state_dict(),
                "format": 1,
                "chromatic_version": __version__,
                "calibration": getattr(model, "calibration", {"calibrated": False}),
                **extra,
            },
            tmp,
        )


def load_model(path: str | Path, device: str = "cpu") -> tuple[FusionModel, dict]:
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        raise ChromaticError(
            f"{path} not found; expected a run folder with {MODEL_FILE} (run 'chromatic train')"
        )
    ck = torch.load(path, map_location=device, weights_only=False)
    model = FusionModel(FusionConfig.from_dict(ck["config"]))
    model.load_state_dict(ck["state_dict"])
    model.calibration = ck.get("calibration") or {"calibrated": False}
    model.eval()
    return model, ck
