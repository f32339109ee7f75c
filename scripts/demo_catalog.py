"""Rewrite the example catalog's parts with the composer (``chromatic.synth.composed``).

    .venv/bin/python scripts/demo_catalog.py [--catalog examples/catalog] [--seed 0]

Each color's three songs take the genres and moods of its first (song 90: one genre family a color, so
the composer's feel for it, its density, subdivision, swing, harmony and register, is the
color's); each song's key keeps its tonic and takes major or minor as the artist's catalog mixes them
within a color (``/work/shared/real`` manifests: the share of minor songs a color, Black 0.80,
Red 0.92, Orange 0.60, Yellow 0.60, Green 0.75, Blue 0.55, Indigo 0.55, Violet 0.42, rounded
to three songs); then the song is composed from its manifest and its parts written beside it.
Run once when the composer changes; ``make demo`` only plays the committed files.
"""

from __future__ import annotations

import argparse
import time
import zlib
from pathlib import Path

from chromatic.catalog.manifest import find_manifests
from chromatic.synth.composed import rewrite_song
from chromatic.yamlio import dump_plain, read_yaml

REPO = Path(__file__).resolve().parents[1]
#: Minor songs of each color's three (songs 90, 91, 92 in order): the artist's share, rounded.
MODES = {
    "01": ("minor", "minor", "major"),
    "02": ("minor", "minor", "minor"),
    "03": ("minor", "major", "minor"),
    "04": ("major", "minor", "minor"),
    "05": ("minor", "major", "minor"),
    "06": ("minor", "major", "minor"),
    "07": ("minor", "minor", "major"),
    "08": ("major", "minor", "major"),
}


def set_mode(manifest: Path, genres: dict[str, tuple]) -> str:
    """The song's key in its mode (``MODES``), its genres and moods those of its color's first
    song (``genres``: prefix -> song 90's genres and moods), so the composer gives a color's
    three songs one genre family's feel, adjusted by the same moods."""
    prefix, track = manifest.parent.name.split("_")
    data = read_yaml(manifest, ValueError)
    tonic = str(data["key"]).split()[0]
    data["key"] = f"{tonic} {MODES[prefix][int(track) - 90]}"
    data["genres"], data["mood"] = (list(v) for v in genres[prefix])
    manifest.write_text(dump_plain(data))
    return data["key"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalog", type=Path, default=REPO / "examples" / "catalog")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-n", type=int, default=12, help="candidates per phase (default 12)")
    args = ap.parse_args()
    manifests = find_manifests(args.catalog)
    genres = {
        m.parent.name[:2]: (read_yaml(m, ValueError)["genres"], read_yaml(m, ValueError)["mood"])
        for m in manifests
        if m.parent.name.endswith("_90")
    }
    for manifest in manifests:
        t = time.perf_counter()
        key = set_mode(manifest, genres)
        seed = args.seed + zlib.crc32(manifest.parent.name.encode()) % 10_000
        parts = rewrite_song(manifest, seed, args.n)
        print(
            f"{manifest.parent.name}: {key}, {', '.join(parts)} ({time.perf_counter() - t:.1f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
