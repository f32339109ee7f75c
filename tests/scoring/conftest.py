from __future__ import annotations

import pytest

from tests.model.conftest import embedded_data  # noqa: F401  (the shared small DATA folder)


@pytest.fixture(scope="session")
def exported(embedded_data, tmp_path_factory):  # noqa: F811
    """A briefly trained tiny model, exported: (run dir, MODEL path, data dir)."""
    from chromatic.model.export import export_run
    from chromatic.model.fusion import FusionConfig
    from chromatic.model.train import train_fusion

    root = tmp_path_factory.mktemp("exported")
    cfg = FusionConfig(epochs=3, cnn_channels=(4, 8), midi_dim=16, proj_dim=32, hidden_dims=(32,), val_fraction=0.5)
    train_fusion(embedded_data, root / "run", config=cfg, row_level=False, progress=False)
    export_run(root / "run", root / "fitness")
    return root / "run", root / "fitness", embedded_data
