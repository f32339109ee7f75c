"""A batch of candidates on its way into the scorer's model: parsing (one bad file is one error
entry), rolls and symbolic features from one read of each score's notes, and inference of a
large batch in two parts so that most input preparation hides behind onnxruntime."""

from __future__ import annotations

import itertools

import numpy as np

from chromatic.errors import ChromaticError
from chromatic.music.pianoroll import rolls_from_note_sets
from chromatic.music.symbolic import N_FEATURES, beat_notes, midi_features_batch

#: Batches of at least twice this many candidates prepare most of their inputs during inference.
PIPELINE_MIN = 8


def _with_notes(midi):
    """A candidate's MIDI as a Score, refused when it holds no notes: an empty (or header-only)
    MIDI gets an error entry, not a score of the model's null input."""
    from symusic import Score

    from chromatic.errors import MidiError
    from chromatic.music.midi import load_score

    score = midi if isinstance(midi, Score) else load_score(midi)
    if not score.note_num():
        raise MidiError("MIDI holds no notes; expected a candidate with notes to score")
    return score


def midi_batch(scorer, scores: list) -> tuple[np.ndarray, np.ndarray]:
    """Rolls [B, P, T] and features [B, F] of Scores (None: no MIDI, zeros), one
    vectorised pass; on the beat grid each score's notes are read once for both."""
    cfg = scorer.roll_config
    with_midi = [k for k, sc in enumerate(scores) if sc is not None]
    present = [scores[k] for k in with_midi]
    notes = [beat_notes(sc, include_drums=cfg.include_drums) for sc in present]
    if cfg.grid == "beat":  # beat_notes are the beat grid's note arrays
        some = rolls_from_note_sets(notes, cfg)
    else:
        some = np.stack([scorer._roll_of(sc) for sc in present]) if present else None
    some_feats = (
        midi_features_batch(present, include_drums=cfg.include_drums, notes=notes)
        if present
        else None
    )
    if len(present) == len(scores):  # every row has MIDI: no copy into a zero batch
        if some is None:
            some = np.zeros((0, cfg.pitches, cfg.steps), np.float32)
        return some, (
            some_feats if some_feats is not None else np.zeros((0, N_FEATURES), np.float32)
        )
    rolls = np.zeros((len(scores), cfg.pitches, cfg.steps), np.float32)
    feats = np.zeros((len(scores), N_FEATURES), np.float32)
    if present:
        rolls[with_midi], feats[with_midi] = some, some_feats
    return rolls, feats


def parse_items(scorer, items: list[dict], idx: range, errors: dict) -> tuple[list, list, list]:
    """(Scores, audio embeddings, indices) of the readable candidates among ``idx``; each
    unreadable one becomes an entry of ``errors``."""
    parsed, audio, ok = [], [], []
    for i in idx:
        c = items[i]
        try:
            score = _with_notes(c["midi"]) if c.get("midi") is not None else None
            a = scorer.embed_audio(c.get("audio"))
        except ChromaticError as e:
            errors[i] = str(e)
            continue
        except Exception as e:  # a candidate's bad file must not stop the batch
            errors[i] = f"{type(e).__name__}: {e}"
            continue
        parsed.append(score)
        audio.append(a)
        ok.append(i)
    return parsed, audio, ok


def infer_items(scorer, items: list[dict], cvec, lvec) -> tuple[dict, list[int], dict]:
    """Model outputs of the readable candidates, their indices and the errors of the rest.
    A large batch goes in two parts: the rest is parsed and its rolls and features built
    while onnxruntime (which releases the GIL) runs the first quarter, so most input
    preparation hides behind inference."""
    n = len(items)
    cuts = [0, n] if n < 2 * PIPELINE_MIN else [0, max(PIPELINE_MIN, n // 4), n]
    errors: dict[int, str] = {}
    ok: list[int] = []
    pending, outs = [], []
    for a, b in itertools.pairwise(cuts):
        parsed, audio, part_ok = parse_items(scorer, items, range(a, b), errors)
        if not part_ok:
            continue
        ok += part_ok
        rolls, feats = midi_batch(scorer, parsed)
        feeds = scorer._feeds(len(part_ok), rolls, audio, cvec, lvec, feats)
        feeds["midi_mask"] = np.array(
            [items[i].get("midi") is not None for i in part_ok], np.float32
        )
        if len(cuts) == 2:
            return scorer.infer(feeds), ok, errors
        pending.append(scorer._worker().submit(scorer.infer, feeds))
    outs = [p.result() for p in pending]
    if not outs:
        return {}, ok, errors
    return {k: np.concatenate([o[k] for o in outs]) for k in outs[0]}, ok, errors
