"""Training data: segments + embeddings + piano rolls + canonical targets, and honest splits.

Piano rolls are built from each row's MIDI slice (on the beat grid by default, or the old
tempo-map-aware 100 ms grid) and held as uint8 velocities (a quarter of the float size); the
symbolic features (``chromatic.music.symbolic``) of the same slice sit beside them; targets
come from the taxonomy alone.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from chromatic.embed.run import EMBEDDINGS_FILE, read_embedding_meta
from chromatic.errors import CatalogError
from chromatic.music.pianoroll import DEFAULT_CONFIG, PianoRollConfig, grid_notes, roll_from_notes
from chromatic.music.symbolic import N_FEATURES, midi_features_batch
from chromatic.segments.build import SEGMENTS_FILE, read_media
from chromatic.taxonomy import AXES, parse_color

ROW_COLUMNS = [
    "segment_id",
    "song_id",
    "color",
    "has_midi",
    "has_lyric",
    "lyric_text",
    "concept",
    "start_seconds",
]


@dataclass
class Dataset:
    ids: np.ndarray  # [N] str
    songs: np.ndarray  # [N] str
    colors: np.ndarray  # [N] str (color names)
    targets: np.ndarray  # [N, 3 axes, 3 modes] float32
    audio: np.ndarray  # [N, Da] float32 (zeros where absent)
    audio_mask: np.ndarray  # [N] float32
    concept: np.ndarray  # [N, Dt]
    concept_mask: np.ndarray
    lyric: np.ndarray  # [N, Dt]
    lyric_mask: np.ndarray
    roll_index: np.ndarray  # [N] int, -1 = no MIDI
    rolls: np.ndarray  # [M, P, T] uint8 velocities
    texts: list[str]  # concept + lyric text per row
    concept_texts: list[str]
    lyric_texts: list[str]  # "" for instrumental rows
    encoders: dict
    data_hash: str
    roll_config: PianoRollConfig
    features: np.ndarray | None = None  # [N, F] float32 symbolic features (zeros: no MIDI)

    def __post_init__(self) -> None:
        if self.features is None:
            self.features = np.zeros((len(self.ids), N_FEATURES), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def midi_mask(self) -> np.ndarray:
        return (self.roll_index >= 0).astype(np.float32)

    def roll_batch(self, idx: np.ndarray) -> np.ndarray:
        out = np.zeros(
            (len(idx), self.roll_config.pitches, self.roll_config.steps), dtype=np.float32
        )
        for k, i in enumerate(idx):
            j = self.roll_index[i]
            if j >= 0:
                out[k] = self.rolls[j].astype(np.float32) / 127.0
        return out

    def subset(self, idx: np.ndarray) -> Dataset:
        keep_rolls = self.roll_index[idx]
        used = np.unique(keep_rolls[keep_rolls >= 0])
        remap = {int(o): n for n, o in enumerate(used)}
        return Dataset(
            ids=self.ids[idx],
            songs=self.songs[idx],
            colors=self.colors[idx],
            targets=self.targets[idx],
            audio=self.audio[idx],
            audio_mask=self.audio_mask[idx],
            concept=self.concept[idx],
            concept_mask=self.concept_mask[idx],
            lyric=self.lyric[idx],
            lyric_mask=self.lyric_mask[idx],
            roll_index=np.array([remap.get(int(r), -1) for r in keep_rolls], dtype=np.int64),
            rolls=self.rolls[used] if len(used) else self.rolls[:0],
            texts=[self.texts[i] for i in idx],
            concept_texts=[self.concept_texts[i] for i in idx],
            lyric_texts=[self.lyric_texts[i] for i in idx],
            encoders=self.encoders,
            data_hash=self.data_hash,
            roll_config=self.roll_config,
            features=self.features[idx],
        )


def target_array(color_name: str) -> np.ndarray:
    c = parse_color(color_name)
    return np.array([c.target(a) for a in AXES], dtype=np.float32)


def _fixed(col, n: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """A FixedSizeList column with nulls -> dense float32 [n, dim] and a 0/1 mask."""
    arr = col.combine_chunks()
    mask = np.asarray(arr.is_valid(), dtype=np.float32)
    out = np.zeros((n, dim), dtype=np.float32)
    if mask.any():
        flat = np.asarray(arr.flatten(), dtype=np.float32).reshape(-1, dim)
        out[mask.astype(bool)] = flat if len(flat) == int(mask.sum()) else flat[mask.astype(bool)]
    return out, mask


def load_dataset(
    data_dir: str | Path, *, roll_config: PianoRollConfig = DEFAULT_CONFIG, progress: bool = False
) -> Dataset:
    from chromatic.music.midi import load_score

    data = Path(data_dir)
    seg_path, emb_path = data / SEGMENTS_FILE, data / EMBEDDINGS_FILE
    for p, cmd in ((seg_path, "segments build"), (emb_path, "embed")):
        if not p.is_file():
            raise CatalogError(f"{p} not found; run 'chromatic {cmd}' first")
    meta = read_embedding_meta(data)
    seg = pq.read_table(seg_path, columns=ROW_COLUMNS)
    emb = pq.read_table(emb_path)
    if seg.column("segment_id").to_pylist() != emb.column("segment_id").to_pylist():
        raise CatalogError(
            f"{emb_path} does not match {seg_path} (segments rebuilt since?); run 'chromatic embed' again"
        )
    n = seg.num_rows
    rows = seg.to_pylist()
    dt, da = meta["text_encoder"]["dim"], meta["audio_encoder"]["dim"]
    concept, cmask = _fixed(emb.column("concept_emb"), n, dt)
    lyric, lmask = _fixed(emb.column("lyric_emb"), n, dt)
    audio, amask = _fixed(emb.column("audio_emb"), n, da)
    roll_index = np.full(n, -1, dtype=np.int64)
    feats = np.zeros((n, N_FEATURES), dtype=np.float32)
    rolls: list[np.ndarray] = []
    by_song: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r["has_midi"]:
            by_song.setdefault(r["song_id"], []).append(i)
    for song, idx in sorted(by_song.items()):
        media = read_media(data, song, [rows[i]["segment_id"] for i in idx])
        scores = []
        for i in idx:
            score = load_score(media[rows[i]["segment_id"]]["midi"], name=rows[i]["segment_id"])
            na = grid_notes(score, roll_config)
            roll = roll_from_notes(
                na["start"], na["end"], na["pitch"], na["velocity"], config=roll_config
            )
            scores.append(score)
            roll_index[i] = len(rolls)
            rolls.append(np.rint(roll * 127).astype(np.uint8))
        feats[idx] = midi_features_batch(scores, include_drums=roll_config.include_drums)
    h = hashlib.sha256()
    h.update(json.dumps(meta, sort_keys=True).encode())
    for p in (seg_path, emb_path):
        h.update(p.read_bytes())
    return Dataset(
        ids=np.array([r["segment_id"] for r in rows]),
        songs=np.array([r["song_id"] for r in rows]),
        colors=np.array([r["color"] for r in rows]),
        targets=np.stack([target_array(r["color"]) for r in rows])
        if rows
        else np.zeros((0, 3, 3), np.float32),
        audio=audio,
        audio_mask=amask,
        concept=concept,
        concept_mask=cmask,
        lyric=lyric,
        lyric_mask=lmask,
        roll_index=roll_index,
        rolls=np.stack(rolls)
        if rolls
        else np.zeros((0, roll_config.pitches, roll_config.steps), np.uint8),
        texts=[
            (r["concept"] or "")
            + ("\n" + r["lyric_text"] if r["has_lyric"] and r["lyric_text"] else "")
            for r in rows
        ],
        concept_texts=[r["concept"] or "" for r in rows],
        lyric_texts=[r["lyric_text"] if r["has_lyric"] and r["lyric_text"] else "" for r in rows],
        encoders=meta,
        data_hash=h.hexdigest()[:16],
        roll_config=roll_config,
        features=feats,
    )


@dataclass
class Split:
    train: np.ndarray
    val: np.ndarray
    kind: str  # "song" | "row"
    train_songs: list[str]
    val_songs: list[str]
    unvalidated_colors: list[str]  # colors with a single song: train only


def song_split(songs: np.ndarray, colors: np.ndarray, val_fraction: float, seed: int) -> Split:
    """Song-grouped split, stratified by color: no song is in both sides.

    scikit-learn's StratifiedGroupKFold (round(1 / val_fraction) folds, shuffled by ``seed``)
    proposes the validation fold that balances colors by rows; the fold that covers the most
    colors is taken, then completed so that every color with at least two songs has at least
    one song on each side (colors with a single song train only)."""
    from sklearn.model_selection import StratifiedGroupKFold

    rng = np.random.default_rng(seed)
    color_songs: dict[str, list[str]] = {}
    for s, c in sorted(set(zip(songs.tolist(), colors.tolist(), strict=True))):
        color_songs.setdefault(c, []).append(s)
    single = sorted(c for c, ss in color_songs.items() if len(ss) < 2)
    multi = ~np.isin(colors, single)
    val_set: set[str] = set()
    if multi.any():
        rows = np.flatnonzero(multi)
        k = max(2, min(round(1 / val_fraction), len(set(songs[rows].tolist()))))
        sgkf = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed % 2**32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            folds = [
                set(songs[rows][te].tolist())
                for _, te in sgkf.split(rows, colors[rows], songs[rows])
            ]
        val_set = max(folds, key=lambda f: len({colors[songs == s][0] for s in f}))
    for _c, ss in sorted(color_songs.items()):
        if len(ss) < 2:
            continue
        held = [s for s in ss if s in val_set]
        if not held:
            val_set.add(ss[int(rng.integers(len(ss)))])
        elif len(held) == len(ss):
            val_set.discard(held[int(rng.integers(len(held)))])
    val_songs = sorted(val_set)
    is_val = np.isin(songs, val_songs)
    return Split(
        train=np.flatnonzero(~is_val),
        val=np.flatnonzero(is_val),
        kind="song",
        train_songs=sorted(set(songs[~is_val].tolist())),
        val_songs=val_songs,
        unvalidated_colors=single,
    )


def row_split(n: int, val_fraction: float, seed: int, songs: np.ndarray) -> Split:
    """The old, optimistic split: rows at random, so one song sits on both sides."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    k = max(1, round(val_fraction * n))
    val, train = np.sort(perm[:k]), np.sort(perm[k:])
    return Split(
        train, val, "row", sorted(set(songs[train].tolist())), sorted(set(songs[val].tolist())), []
    )


def inner_split(
    songs: np.ndarray, colors: np.ndarray, rows: np.ndarray, val_fraction: float, seed: int
) -> Split:
    """A song-grouped split of ``rows`` only (indices into the full arrays), for choosing the
    epoch and fitting calibration inside the training songs. Stratified by color where colors
    have two songs among ``rows``; otherwise (one song per color, as in a small catalog) a
    plain random choice of about ``val_fraction`` of the songs, at least one."""
    rows = np.asarray(rows)
    sub = song_split(songs[rows], colors[rows], val_fraction, seed)
    if len(sub.val) == 0:
        names = sorted(set(songs[rows].tolist()))
        if len(names) < 2:
            return Split(rows, rows[:0], "song", names, [], sorted(set(colors[rows].tolist())))
        rng = np.random.default_rng(seed)
        k = max(1, round(val_fraction * len(names)))
        val_songs = sorted(rng.choice(names, size=k, replace=False).tolist())
        is_val = np.isin(songs[rows], val_songs)
        return Split(
            train=rows[~is_val],
            val=rows[is_val],
            kind="song",
            train_songs=sorted(set(songs[rows][~is_val].tolist())),
            val_songs=val_songs,
            unvalidated_colors=sorted(set(colors[rows].tolist())),
        )
    return Split(
        train=rows[sub.train],
        val=rows[sub.val],
        kind="song",
        train_songs=sub.train_songs,
        val_songs=sub.val_songs,
        unvalidated_colors=sub.unvalidated_colors,
    )
