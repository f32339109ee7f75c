"""The example catalog has a sound per color: a simple classifier hears it on held-out songs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chromatic.catalog.manifest import load_manifest
from chromatic.measure.reference_features import notes_of, reference_features, windows
from chromatic.music.key import Key
from chromatic.synth.palette import PALETTES, RHYTHMS
from chromatic.taxonomy import ALBUM_COLORS, parse_color
from tests.conftest import EXAMPLES


def test_every_album_color_has_a_palette_and_the_manifests_use_its_mode():
    assert set(PALETTES) == {c.name for c in ALBUM_COLORS}
    assert all(p.rhythm in RHYTHMS for p in PALETTES.values())
    for path in sorted((EXAMPLES / "catalog").glob("*/*.yml")):
        m = load_manifest(path).manifest
        assert Key.parse(m.key).mode == PALETTES[parse_color(m.rainbow_color).name].mode, path


def song_features(
    catalog: Path, seconds: float = 10.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from symusic import Score

    feats, colors, songs = [], [], []
    for folder in sorted(p for p in catalog.iterdir() if p.is_dir()):
        m = load_manifest(folder / f"{folder.name}.yml").manifest
        notes = np.concatenate([notes_of(Score(str(f))) for f in sorted(folder.glob("*.mid"))])
        for w in windows(notes, seconds):
            feats.append(reference_features(w))
            colors.append(parse_color(m.rainbow_color).name)
            songs.append(folder.name)
    return np.array(feats), np.array(colors), np.array(songs)


def held_out_song_accuracy(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """Leave one song out: a logistic regression trained on the other songs' windows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    pred = cross_val_predict(clf, x, y, groups=groups, cv=LeaveOneGroupOut())
    return float((pred == y).mean())


@pytest.mark.slow
def test_synthesized_colors_are_separable_on_held_out_songs(tmp_path):
    from chromatic.synth.catalog import synth_catalog

    res = synth_catalog(EXAMPLES / "catalog", tmp_path, workers=1, progress=False, audio=False)
    assert not res.failed
    x, y, g = song_features(tmp_path)
    acc = held_out_song_accuracy(x, y, g)
    chance = 1 / len(set(y))
    print(
        f"\nexample catalog, 10 s windows of {len(set(g))} songs: logistic regression on rotated "
        f"pitch-class histogram + density + register, leave-one-song-out accuracy {acc:.1%} "
        f"(chance {chance:.1%}, {acc / chance:.1f}x)"
    )
    assert acc > 3 * chance


@pytest.mark.slow
def test_drum_and_bass_parts_alone_carry_the_color(tmp_path):
    """Every part of a synthesized song has the color's feel, not only the harmony: drum stems
    and bass lines alone, by their symbolic features, tell held-out songs' colors apart."""
    from symusic import Score

    from chromatic.music.symbolic import midi_features
    from chromatic.synth.catalog import synth_catalog

    synth_catalog(EXAMPLES / "catalog", tmp_path, workers=1, progress=False, audio=False)
    for part in ("drum", "bass"):
        x, y, g = [], [], []
        for folder in sorted(p for p in tmp_path.iterdir() if p.is_dir()):
            color = parse_color(load_manifest(folder / f"{folder.name}.yml").manifest.rainbow_color)
            for f in sorted(folder.glob(f"*{part}*.mid")):
                s = Score(str(f))
                for k in range(4):  # four windows per file
                    w = s.clip(k * s.end() // 4, (k + 1) * s.end() // 4, clip_end=True)
                    if w.note_num():
                        x.append(midi_features(w))
                        y.append(color.name)
                        g.append(folder.name)
        x, y, g = np.array(x), np.array(y), np.array(g)
        n = len(set(y))
        assert n >= 7, part  # Green's songs have no drums
        acc = held_out_song_accuracy(x, y, g)
        print(f"\n{part} alone: leave-one-song-out accuracy {acc:.1%} (chance {1 / n:.1%})")
        assert acc > 3 / n, part
