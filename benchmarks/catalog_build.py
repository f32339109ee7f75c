"""Catalog benchmark: manifests per second (validate + build the tracks table) on the real
catalog, and piano rolls per second on synthesized MIDI, symusic path vs pretty_midi path.

    .venv/bin/python benchmarks/catalog_build.py [REAL_CATALOG]

Prints figures and ratios measured in this one run (no stored baselines).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from timing import best_of

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    catalog = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "real" / "catalog"
    )
    from chromatic.catalog.manifest import find_manifests, load_manifest
    from chromatic.catalog.tracks import build_tracks
    from chromatic.catalog.validate import validate_catalog
    from chromatic.music.midi import load_score
    from chromatic.music.pianoroll import SECONDS_CONFIG, piano_roll, piano_roll_pretty_midi
    from chromatic.synth.catalog import synth_catalog

    n = len(find_manifests(catalog))
    with tempfile.TemporaryDirectory() as tmp:
        t_load = best_of(lambda: [load_manifest(p) for p in find_manifests(catalog)], 3)
        t_val = best_of(lambda: validate_catalog(catalog), 3)
        t_build = best_of(lambda: build_tracks(catalog, Path(tmp) / "data"), 3)
        print(f"catalog: {n} manifests ({catalog})")
        print(f"  load+schema     {t_load * 1000:7.1f} ms  {n / t_load:8.0f} manifests/s")
        print(f"  validate        {t_val * 1000:7.1f} ms  {n / t_val:8.0f} manifests/s")
        print(f"  build (parquet) {t_build * 1000:7.1f} ms  {n / t_build:8.0f} manifests/s")

        songs = [p.parent.name for p in find_manifests(catalog)][::6]  # every 6th song
        synth_catalog(
            catalog, Path(tmp) / "synth", songs=songs, audio=False, progress=False, workers=1
        )
        blobs = [p.read_bytes() for p in sorted((Path(tmp) / "synth").glob("*/*.mid"))]
        # one roll per 25.6 s window of each file
        windows = []
        for b in blobs:
            dur = float(load_score(b).to("second").end())
            windows += [(b, s) for s in range(0, max(int(dur), 1), 26)]
        print(
            f"piano rolls: {len(windows)} windows from {len(blobs)} synthesized MIDI files ({len(songs)} songs)"
        )

        def rolls_symusic():
            for b, s in windows:
                piano_roll(b, start=float(s), config=SECONDS_CONFIG)

        def rolls_pretty():
            for b, s in windows:
                piano_roll_pretty_midi(b, start=float(s))

        t_sym = best_of(rolls_symusic, 3)
        t_pm = best_of(rolls_pretty, 1)
        print(f"  symusic    {len(windows) / t_sym:8.0f} rolls/s")
        print(f"  pretty_midi{len(windows) / t_pm:8.0f} rolls/s")
        print(f"  ratio symusic / pretty_midi: {t_pm / t_sym:.1f}x")


if __name__ == "__main__":
    main()
