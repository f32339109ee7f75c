"""A batch of candidates on its way into the scorer's model: parsing (one bad file is one error
entry), rolls and symbolic features from one read of each score's notes, and inference of a
large batch in two parts so that most input preparation hides behind onnxruntime."""

from __future__ import annotations

import itertools

import numpy as np

from chromatic.errors import ChromaticError
from chromatic.music.pianoroll import rolls_from_note_sets
from chromatic.music.symbolic import (
    N_FEATURES,
    bar_starts,
    beat_notes,
    features_batch,
    song_bar_starts,
    song_beat_notes,
)
from chromatic.scoring.windows import expand, fold_outputs, windowed

#: Batches of at least twice this many candidates prepare most of their inputs during inference.
PIPELINE_MIN = 8


def _with_notes(midi):
    """A candidate's MIDI as a Score (or the in-memory ``music.song.Song`` it came as), refused
    when it holds no notes: an empty (or header-only) MIDI gets an error entry, not a score of
    the model's null input."""
    from symusic import Score

    from chromatic.errors import MidiError
    from chromatic.music.midi import load_score
    from chromatic.music.song import Song

    if isinstance(midi, Song):
        end = midi.end_tick
        if not any(n.start < end for t in midi.tracks for n in t.notes):
            raise MidiError("song holds no notes; expected a candidate with notes to score")
        return midi
    score = midi if isinstance(midi, Score) else load_score(midi)
    if not score.note_num():
        raise MidiError("MIDI holds no notes; expected a candidate with notes to score")
    return score


def _notes_and_bars(sc, include_drums: bool) -> tuple[dict, tuple]:
    """Beat-grid note arrays and bars of a Score, or of a Song read straight from its tracks
    (``symbolic.song_beat_notes``: the same arrays its Score would give)."""
    from chromatic.music.song import Song

    if isinstance(sc, Song):
        return song_beat_notes(sc, include_drums=include_drums), song_bar_starts(sc)
    return beat_notes(sc, include_drums=include_drums), bar_starts(sc)


def midi_batch(scorer, scores: list) -> tuple[np.ndarray, np.ndarray]:
    """Rolls [B, P, T] and features [B, F] of Scores or Songs (None: no MIDI, zeros), one
    vectorised pass; on the beat grid each one's notes are read once for both."""
    cfg = scorer.roll_config
    with_midi = [k for k, sc in enumerate(scores) if sc is not None]
    present = [scores[k] for k in with_midi]
    read = [_notes_and_bars(sc, cfg.include_drums) for sc in present]
    notes = [n for n, _ in read]
    if cfg.grid == "beat":  # beat_notes are the beat grid's note arrays
        some = rolls_from_note_sets(notes, cfg)
    else:
        some = np.stack([scorer._roll_of(_score(sc)) for sc in present]) if present else None
    some_feats = features_batch(notes, [b for _, b in read]) if present else None
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


def _score(sc):
    """A Score of a Score or of a Song (what a model hears of it, built in memory)."""
    from chromatic.music.song import Song
    from chromatic.music.song_midi import heard_score

    return heard_score(sc) if isinstance(sc, Song) else sc


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
    least = getattr(scorer, "pipeline_min", PIPELINE_MIN)  # breeding's twin: one part
    cuts = [0, n] if n < 2 * least else [0, max(least, n // 4), n]
    errors: dict[int, str] = {}
    ok: list[int] = []
    pending, outs = [], []
    for a, b in itertools.pairwise(cuts):
        parsed, audio, part_ok = parse_items(scorer, items, range(a, b), errors)
        if not part_ok:
            continue
        ok += part_ok
        rolls, feats = midi_batch(scorer, parsed)
        rolls, feats, fold = windowed(scorer, parsed, rolls, feats, _notes_and_bars)
        feeds = scorer._feeds(len(rolls), rolls, expand(fold, audio), cvec, lvec, feats)
        feeds["midi_mask"] = np.array(
            expand(fold, [items[i].get("midi") is not None for i in part_ok]), np.float32
        )
        if len(cuts) == 2:
            return fold_outputs(scorer.infer(feeds), fold), ok, errors
        pending.append(scorer._worker().submit(_infer_folded, scorer, feeds, fold))
    outs = [p.result() for p in pending]
    if not outs:
        return {}, ok, errors
    return {k: np.concatenate([o[k] for o in outs]) for k in outs[0]}, ok, errors


def _infer_folded(scorer, feeds: dict, fold) -> dict:
    return fold_outputs(scorer.infer(feeds), fold)


#: How many songs' model outputs a scorer keeps (then it starts again from none).
MEMO_MAX = 50_000


def heard_key(song) -> bytes:
    """A digest (BLAKE2b, 128 bits) of everything a model's inputs depend on in a Song: its
    tracks' notes and drum flags (in order: the track numbers), its resolution, where it ends, its meters and
    tempo map and whether a title track comes first. Songs with one key have the same rolls and
    features. A digest, not the notes: a breeding run keeps thousands of them."""
    import hashlib

    head = (song.tpq, song.end_tick, bool(song.title), song.meters, song.tempos)
    h = hashlib.blake2b(repr(head).encode(), digest_size=16)
    for t in song.tracks:
        h.update(b"D" if t.is_drum else b"P")
        h.update(len(t.notes).to_bytes(8, "little"))
        h.update(t.note_array.tobytes())  # the array the rolls are then built from
    return h.digest()


def infer_memo(scorer, items: list[dict], cvec, lvec) -> tuple[dict, list[int], dict]:
    """``infer_items``, with the model's outputs of a Song kept by content (``heard_key``) and
    the text vectors: a song heard before (another beam branch's drums, a part bred again) or
    twice in one batch is inferred once. The model scores each row on its own, so a kept row is
    the row it would compute again."""
    from chromatic.music.song import Song

    memo: dict = scorer.__dict__.setdefault("_memo", {})
    if len(memo) > MEMO_MAX:
        memo.clear()
    text = tuple(None if v is None else np.asarray(v).tobytes() for v in (cvec, lvec))
    keys = [
        (heard_key(c["midi"]), text)
        if isinstance(c.get("midi"), Song) and c.get("audio") is None
        else None
        for c in items
    ]
    first: dict = {}
    todo = []
    for i, k in enumerate(keys):
        if k is None or (k not in memo and k not in first):
            if k is not None:
                first[k] = i
            todo.append(i)
    out, done, failed = infer_items(scorer, [items[i] for i in todo], cvec, lvec)
    errors = {todo[j]: msg for j, msg in failed.items()}
    rows = {}
    for pos, j in enumerate(done):
        rows[todo[j]] = {name: v[pos].copy() for name, v in out.items()}
        if keys[todo[j]] is not None:
            memo[keys[todo[j]]] = rows[todo[j]]
    ok, gathered = [], []
    for i, k in enumerate(keys):
        if i not in rows and k is not None and k in first and first[k] in errors:
            errors[i] = errors[first[k]]
        if i in errors:
            continue
        ok.append(i)
        gathered.append(rows[i] if i in rows else memo[k])
    if not gathered:
        return {}, ok, errors
    return {n: np.stack([g[n] for g in gathered]) for n in gathered[0]}, ok, errors
