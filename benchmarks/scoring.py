"""Scorer benchmark: a batch of 200 eight-bar one-part MIDI candidates (the chords, bass, melody
and drums of 50 four-part songs, each part alone, as the phases score them), end to end (MIDI bytes
-> beat-grid piano roll + symbolic features -> ONNX -> ranking) beside ONNX inference alone and
beside the PyTorch model, as ratios measured in one run, with the goals (end to end within
1.25x of ONNX inference alone; >= 500 candidates/s). The same candidates as ``music.song.Song``
values, as the phases hand them over (rolls and features from their note arrays, nothing
parsed), are timed beside them (goal >= 1,000 candidates/s, within 1.25x). The model is the default fusion architecture (the weights do
not change the cost), exported to ONNX in a temp folder.

    .venv/bin/python benchmarks/scoring.py [--model MODEL] [--repeat 20]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from timing import best_of


def candidates(n: int = 50, bars: int = 8, seed: int = 0) -> list[bytes]:
    from symusic import Note

    from chromatic.music.midi import add_track, new_score, score_bytes

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        s = new_score(int(rng.integers(80, 140)), "4/4", "A minor")
        chords, bass, mel = (
            add_track(s, "chords", program=0),
            add_track(s, "bass", program=33),
            add_track(s, "melody", program=73),
        )
        drums = add_track(s, "drums", is_drum=True)
        for b in range(bars):
            root = int(rng.choice([57, 60, 62, 64, 65, 67]))
            for p in (root, root + 3, root + 7):
                chords.notes.append(Note(time=b * 1920, duration=1900, pitch=p, velocity=80))
            for k in range(4):
                bass.notes.append(
                    Note(
                        time=b * 1920 + k * 480,
                        duration=450,
                        pitch=root - 24 + (7 if k % 2 else 0),
                        velocity=90,
                    )
                )
            for k in range(8):
                mel.notes.append(
                    Note(
                        time=b * 1920 + k * 240,
                        duration=220,
                        pitch=int(root + 12 + rng.choice([0, 2, 3, 5, 7])),
                        velocity=85,
                    )
                )
                drums.notes.append(
                    Note(time=b * 1920 + k * 240, duration=60, pitch=42, velocity=70)
                )
            drums.notes.append(Note(time=b * 1920, duration=60, pitch=36, velocity=110))
            drums.notes.append(Note(time=b * 1920 + 960, duration=60, pitch=38, velocity=100))
        out.append(score_bytes(s))
    return out


def one_part(blobs: list[bytes]) -> list[bytes]:
    """Each track of each song alone: what a phase hands the scorer (a song of several tracks is
    scored track by track, the model having been trained on one-track segments)."""
    from chromatic.music.midi import load_score, score_bytes

    out = []
    for blob in blobs:
        score = load_score(blob)
        for k in range(len(score.tracks)):
            part = score.copy()
            part.tracks = [score.tracks[k].copy()]
            out.append(score_bytes(part))
    return out


def cnn_macs(cfg) -> int:
    """Multiply-accumulates per candidate: strided convolutions + projections + MLP."""
    h, w, c_in, total = cfg.roll_pitches, cfg.roll_steps, 1, 0
    for i, c in enumerate(cfg.cnn_channels):
        k = 5 if i == 0 else 3
        h, w = (h + 1) // 2, (w + 1) // 2
        total += h * w * c * c_in * k * k
        c_in = c
    total += c_in * cfg.midi_dim
    total += (
        cfg.feature_dim * cfg.feature_hidden + (cfg.feature_hidden + cfg.midi_dim) * cfg.midi_dim
    )
    total += (cfg.audio_dim + 2 * cfg.text_dim) * cfg.proj_dim
    d = 3 * cfg.proj_dim
    for hd in cfg.hidden_dims:
        total += d * hd
        d = hd
    return total + d * 10


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    import torch

    from chromatic.model.export import export_run
    from chromatic.model.fusion import FusionConfig, FusionModel
    from chromatic.model.train import load_model, save_model
    from chromatic.scoring import ChromaticScorer

    blobs = one_part(candidates())
    with tempfile.TemporaryDirectory() as tmp:
        model_path = args.model
        if model_path is None:
            cfg = FusionConfig(
                encoders={
                    "text_encoder": {
                        "name": "minilm",
                        "id": "minilm@all-MiniLM-L6-v2-0.1.0",
                        "dim": 384,
                    },
                    "audio_encoder": {"name": "mir", "id": "mir@1", "dim": 100},
                }
            )
            torch.manual_seed(0)
            save_model(FusionModel(cfg).eval(), Path(tmp) / "model.pt", {"metrics": {}})
            export_run(tmp, Path(tmp) / "fitness")
            model_path = Path(tmp) / "fitness"
            run = Path(tmp)
        else:
            run = Path(
                model_path.with_suffix(".json").read_text()
                and __import__("json").loads(model_path.with_suffix(".json").read_text())[
                    "training"
                ]["run"]
            )
        scorer = ChromaticScorer.load(model_path)
        torch_model, _ = load_model(run)
        n = len(blobs)
        from chromatic.music.midi import load_score
        from chromatic.music.symbolic import midi_features_batch

        inputs = [scorer.midi_inputs(b) for b in blobs]
        rolls = np.stack([r for r, _ in inputs])
        feats = np.stack([f for _, f in inputs])
        feeds = scorer._feeds(n, rolls, [None] * n, None, None, feats)
        scores = [load_score(b) for b in blobs]

        items = [{"id": str(i), "midi": b} for i, b in enumerate(blobs)]
        from chromatic.music.song_midi import read_midi

        songs = [{"id": str(i), "midi": read_midi(b)} for i, b in enumerate(blobs)]

        def from_songs():  # what the phases hand over; the scorer's memo emptied: all unseen
            scorer.__dict__.pop("_memo", None)
            return scorer.score_batch(songs, color="G")

        # end to end and ONNX alone in alternating rounds (each the best of a few runs): the
        # ratio is the median of the rounds' ratios, so a burst of other load hits both sides
        rounds = max(3, args.repeat // 4)
        pairs = [
            (
                best_of(lambda: scorer.score_batch(items, color="G"), 4),
                best_of(lambda: scorer.infer(feeds), 4),
            )
            for _ in range(rounds)
        ]
        t_e2e = min(p[0] for p in pairs)
        t_onnx = min(p[1] for p in pairs)
        ratio = float(np.median([e / o for e, o in pairs]))
        song_pairs = [
            (best_of(from_songs, 4), best_of(lambda: scorer.infer(feeds), 4)) for _ in range(rounds)
        ]
        t_song = min(p[0] for p in song_pairs)
        song_ratio = float(np.median([e / o for e, o in song_pairs]))
        fused = ChromaticScorer.load(model_path, fuse=True)  # each GELU one node

        def fused_songs():
            fused.__dict__.pop("_memo", None)
            return fused.score_batch(songs, color="G")

        fused_pairs = [
            (best_of(fused_songs, 4), best_of(lambda: fused.infer(feeds), 4)) for _ in range(rounds)
        ]
        t_fsong, t_fonnx = (min(p[k] for p in fused_pairs) for k in (0, 1))
        t_inputs = best_of(lambda: scorer._midi_batch([load_score(b) for b in blobs]), args.repeat)
        t_parse = best_of(lambda: [load_score(b) for b in blobs], args.repeat)
        t_feats = best_of(lambda: midi_features_batch(scores), args.repeat)
        tfeeds = {
            k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in feeds.items()
        }
        with torch.inference_mode():
            t_torch = best_of(lambda: torch_model(**tfeeds), args.repeat)
        macs = cnn_macs(torch_model.cfg)
        print(
            f"scorer on {n} eight-bar one-part MIDI candidates (torch {torch.get_num_threads()} threads, onnxruntime CPU)"
        )
        print(
            f"  end to end (bytes -> roll -> ONNX -> rank) {t_e2e * 1000:7.1f} ms  {n / t_e2e:7.0f} candidates/s"
        )
        print(
            f"  end to end from Songs (in memory -> ONNX)  {t_song * 1000:7.1f} ms  {n / t_song:7.0f} candidates/s"
            f"  ({song_ratio:.2f}x ONNX alone, median of {rounds} alternating rounds; goal <= 1.25x, >= 1,000/s)"
        )
        print(
            f"  the same, GELUs fused (load(fuse=True))   {t_fsong * 1000:7.1f} ms  {n / t_fsong:7.0f} candidates/s"
            f"  (ONNX alone {n / t_fonnx:.0f}/s; {float(np.median([e / o for e, o in fused_pairs])):.2f}x)"
        )
        print(
            f"  MIDI inputs (parse + roll + features)      {t_inputs * 1000:7.1f} ms  {n / t_inputs:7.0f} candidates/s"
        )
        print(
            f"    of which parsing                         {t_parse * 1000:7.1f} ms;  symbolic features (one batch) {t_feats * 1000:7.1f} ms"
        )
        print(
            f"  ONNX inference alone                       {t_onnx * 1000:7.1f} ms  {n / t_onnx:7.0f} candidates/s"
        )
        print(
            f"  PyTorch model inference                    {t_torch * 1000:7.1f} ms  {n / t_torch:7.0f} candidates/s"
        )
        print(
            f"  end to end / ONNX inference: {ratio:.2f}x, median of {rounds} alternating rounds "
            f"(goal <= 1.25x; the rest's inputs are built while ONNX runs the first quarter);  "
            f"PyTorch / ONNX: {t_torch / t_onnx:.2f}x"
        )
        print(
            f"  end to end {n / t_e2e:.0f} candidates/s (goal >= 500): "
            + ("met" if n / t_e2e >= 500 else "not met")
            + f"; roll grid {scorer.roll_config.grid}, match {scorer.match_method}, head {scorer.head}"
        )
        print(
            f"  model cost: {macs / 1e6:.1f} M multiply-accumulates per candidate ({2 * macs / 1e6:.0f} MFLOP)"
        )


if __name__ == "__main__":
    main()
