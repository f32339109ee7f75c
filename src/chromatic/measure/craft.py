"""The craft figures for a finished production folder (docs/MUSICALITY.md, "Added
for the color, craft and fitness work"): what the musicality benchmark prints beside its other
figures.

- **clash rate**: strong-beat lead notes (the bar's first beat or its middle) a minor second,
  minor ninth or major seventh from a chord, bass or other accompanying pitch *sounding* at the
  onset (sampled an eighth of a quarter after it: a humanized release is not a rub); ``clash_long``: those lasting a quarter or more; **sounding chord tones**: strong-beat
  lead notes whose pitch class sounds in the chord or bass part;
- **lead above**: lead notes at or above the highest sounding note of the chord and backing
  parts (the lead's octave doubling left out; a descant style's backing too: it is meant
  above); **lead median**: its median MIDI pitch;
- **backing**: ``backing_above``, the backing-vocal notes sounding with the lead that sit over
  it (near 1 for a descant style, 0 otherwise), ``backing_leaps``, octave leaps inside a
  backing phrase (``backing_figures``);
- **out of range**: notes outside their track's GM instrument (``music.ranges``);
- **key agreement**: music21's ``analyze('key')`` (its default, Aarden-Essen profiles) over
  every pitched note, weighted by duration, names the planned tonic; ``key_agree_kk`` the same
  with the Krumhansl-Kessler profiles (``analyze("krumhansl")``);
- **modulations**: changes of the plan's ``transpose`` from one section pass to the next;
- **longest identical drum run**: consecutive bars whose drum onsets and keys (on the grid)
  are the same;
- **lead monophony**: lead-track notes overlapping no other note of that track; **lyric
  coverage**: lead-track notes with a lyric event at their onset (None for an instrumental);
- from the preview, when rendered: **transition steps** (BS.1770 loudness of the two bars
  after each section start minus the two bars before it; the largest rise and the largest
  absolute step), **stereo correlation** (Pearson, left vs right), the **spectral centroid**
  and the energy shares (dB of the total) of 2-6 kHz and above 6 kHz.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np

from chromatic.measure.musicality import STRUCK_TOGETHER, Piece, on_grid
from chromatic.music.daw import part_roles
from chromatic.music.midi import load_score, read_lyrics
from chromatic.music.ranges import outside
from chromatic.yamlio import read_yaml

RUB = (1, 11)


def _tracks(path: Path) -> list[tuple[str, int, bool, list[tuple[float, float, int]], list[int]]]:
    score = load_score(path)
    roles = part_roles(path)
    tpq = score.ticks_per_quarter
    out = []
    for t in score.tracks:
        if not len(t.notes):
            continue
        role = roles.get(t.name) or t.name.split(" ")[0].lower()
        notes = [(n.time / tpq, n.duration / tpq, int(n.pitch)) for n in t.notes]
        out.append((role, int(t.program), bool(t.is_drum), notes, [x for x, _ in read_lyrics(t)]))
    return out


def _sounding(notes, t: float) -> list[int]:
    return [p for s, d, p in notes if s - 1e-6 <= t < s + d - 1e-6]


def descant_style(folder: Path) -> bool:
    """Whether the folder's style sings its backing above the lead (``variation.descant``)."""
    from chromatic.produce.folder import open_folder
    from chromatic.produce.style.table import style_for

    f = open_folder(folder)
    return bool(style_for(f.proposal(), f.root).variation.descant)


def symbolic(folder: Path, piece: Piece) -> dict:
    tracks = _tracks(folder / "arrangement.mid")
    tpq = load_score(folder / "arrangement.mid").ticks_per_quarter
    pitched = [tr for tr in tracks if not tr[2]]
    chords = [n for r, _, _, ns, _ in pitched if r == "chords" for n in ns]
    bass = [n for r, _, _, ns, _ in pitched if r == "bass" for n in ns]
    # the lead sits above the accompaniment; a descant style's backing is meant above it
    skip = ("melody", "bass", "double") + (("harmony",) if descant_style(folder) else ())
    backing = [n for r, _, _, ns, _ in pitched if r not in skip for n in ns]
    accomp = [n for r, _, _, ns, _ in pitched if r not in ("melody", "double") for n in ns]
    melody = piece.melody
    bar, half = piece.bar_quarters, piece.bar_quarters / 2
    strong = clash = long = chord_tone = 0
    above = with_acc = 0
    for n in melody:
        # sampled an eighth of a quarter in: the humanized timing (at most that far off the
        # grid, ``arrange.perform``) lets a chord's release overlap the next lead note by a
        # few milliseconds, which is heard as the release, not as a rub
        at = n.onset + STRUCK_TOGETHER
        top = _sounding(backing, at)
        if top:
            with_acc += 1
            above += n.pitch >= max(top)
        pos = n.onset % bar
        if min(abs(pos), abs(pos - half), abs(pos - bar)) > STRUCK_TOGETHER / 2:
            continue
        here = _sounding(accomp, at)
        if not here:
            continue
        strong += 1
        rub = any((n.pitch - p) % 12 in RUB for p in here)
        clash += rub
        long += rub and n.duration >= 1.0 - 1e-6
        chord_tone += n.pitch % 12 in {p % 12 for p in _sounding(chords + bass, at)}
    leads = [tr for tr in pitched if tr[0] == "melody"]
    lead_notes = sorted(n for tr in leads for n in tr[3])
    mono = _alone_count(lead_notes)
    lyric_at = [t / tpq for tr in leads for t in tr[4]]
    lyric = None
    if lyric_at:
        marks = np.array(sorted(lyric_at))
        lyric = sum(
            bool(np.any(np.abs(marks - s) <= 1 / 8 + 1e-9)) for s, _, _ in lead_notes
        ) / max(len(lead_notes), 1)
    pitches = sorted(p for _, _, p in lead_notes)
    return {
        "clash_rate": clash / strong if strong else None,
        "clash_long": long,
        "sounding_chord_tones": chord_tone / strong if strong else None,
        "lead_above": above / with_acc if with_acc else None,
        "lead_median": float(pitches[len(pitches) // 2]) if pitches else None,
        "out_of_range": sum(outside([p for *_, p in ns], prog, d) for _, prog, d, ns, _ in tracks),
        "lead_mono": mono / len(lead_notes) if lead_notes else None,
        "lyric_coverage": lyric,
        "drum_run": float(drum_run(piece)),
        **key_agreement(folder, pitched, piece),
        "modulations": float(modulations(folder)),
        **backing_figures(pitched, melody),
    }


def backing_figures(pitched, melody) -> dict:
    """``backing_above``: the backing-vocal notes (``harmony``) sounding with the lead that sit
    over its highest sounding note (a descant's figure; under the lead otherwise);
    ``backing_leaps``: leaps of an octave or more inside a backing phrase (its top line, notes
    less than a quarter apart)."""
    notes = sorted(n for r, _, _, ns, _ in pitched if r == "harmony" for n in ns)
    melody = [(n.onset, n.duration, n.pitch) for n in melody]
    above = with_lead = 0
    for s, _, p in notes:
        lead = _sounding(melody, s + STRUCK_TOGETHER)
        if lead:
            with_lead += 1
            above += p > max(lead)
    tops: dict[float, tuple[float, int]] = {}
    for s, d, p in notes:
        if s not in tops or p > tops[s][1]:
            tops[s] = (d, p)
    line = sorted((s, d, p) for s, (d, p) in tops.items())
    leaps = sum(
        abs(b[2] - a[2]) >= 12 and b[0] - (a[0] + a[1]) < 1.0 for a, b in itertools.pairwise(line)
    )
    return {
        "backing_above": above / with_lead if with_lead else None,
        "backing_leaps": float(leaps) if notes else None,
    }


def _alone_count(notes: list[tuple[float, float, int]]) -> int:
    """Notes (sorted by onset) that overlap no other note: no earlier note still sounds at
    their onset and the next one starts at or after their end."""
    count, reach = 0, -1.0
    for i, (s, d, _) in enumerate(notes):
        nxt = notes[i + 1][0] if i + 1 < len(notes) else float("inf")
        count += reach <= s + 1e-6 and nxt >= s + d - 1e-6
        reach = max(reach, s + d)
    return count


def drum_run(piece: Piece) -> int:
    """The longest run of consecutive bars with the same drum onsets and keys."""
    step = round(piece.bar_quarters * 24)
    bars: dict[int, set] = {}
    for t, key in piece.drum_hits:
        g = on_grid(t)
        bars.setdefault(g // step, set()).add((g % step, key))
    best = run = 0
    prev = None
    for b in range(max(bars, default=-1) + 1):
        sig = frozenset(bars.get(b, ()))
        run = run + 1 if sig and sig == prev else (1 if sig else 0)
        best, prev = max(best, run), sig
    return best


def key_agreement(folder: Path, pitched, piece: Piece) -> dict:
    from music21 import note, stream

    s = stream.Stream()
    for _, _, _, notes, _ in pitched:
        for _, d, p in notes:
            s.append(note.Note(midi=p, quarterLength=max(min(d, 8.0), 0.125)))
    if not len(s.notes):
        return {"key_agree": None, "key_agree_kk": None, "m21_key": None}
    k, kk = s.analyze("key"), s.analyze("krumhansl")
    return {
        "key_agree": float(k.tonic.pitchClass == piece.tonic),
        "key_agree_kk": float(kk.tonic.pitchClass == piece.tonic),
        "m21_key": f"{k} / {kk}",
    }


def modulations(folder: Path) -> int:
    plan = read_yaml(folder / "production_plan.yml", ValueError)
    seq = []
    for s in plan.get("sections", []):
        if s.get("approved", True) is False:
            continue
        seq += [int(s.get("transpose", 0) or 0)] * int(s.get("repeat", 1) or 0)
    return sum(a != b for a, b in itertools.pairwise(seq))


def audio(folder: str | os.PathLike) -> dict:
    """The preview's figures (see the module docstring); {} without a preview."""
    import soundfile as sf

    folder = Path(folder)
    files = sorted(folder.glob("arrangement.wav")) + sorted(folder.glob("arrangement.flac"))
    if not files:
        return {}
    data, rate = sf.read(files[0], always_2d=True)
    out: dict = {}
    if data.shape[1] == 2:
        out["stereo_corr"] = float(np.corrcoef(data[:, 0], data[:, 1])[0, 1])
    mono = data.mean(axis=1)
    from scipy.signal import welch

    f, pxx = welch(mono, fs=rate, nperseg=4096)
    total = float(pxx.sum()) or 1e-20
    out["centroid_hz"] = float((f * pxx).sum() / total)
    out["band_2_6k_db"] = float(10 * np.log10(pxx[(f >= 2000) & (f < 6000)].sum() / total + 1e-20))
    out["band_6k_db"] = float(10 * np.log10(pxx[f >= 6000].sum() / total + 1e-20))
    out |= transitions(folder, data, rate)
    return out


def transitions(folder: Path, data: np.ndarray, rate: int) -> dict:
    import pyloudnorm

    plan = read_yaml(folder / "production_plan.yml", ValueError)
    bar_s = float(plan.get("length", {}).get("bar_seconds") or 0)
    if bar_s <= 0:
        return {}
    starts, at = [], 0
    for s in plan.get("sections", []):
        if s.get("approved", True) is False or not int(s.get("repeat", 1) or 0):
            continue
        starts.append(at)
        at += int(s.get("bars", 0)) * int(s.get("repeat", 1))
    meter = pyloudnorm.Meter(rate)
    steps = []
    for b in starts[1:]:
        a, m, z = (round(x * bar_s * rate) for x in (b - 2, b, b + 2))
        if a < 0 or z > len(data):
            continue
        before, after = meter.integrated_loudness(data[a:m]), meter.integrated_loudness(data[m:z])
        if np.isfinite(before) and np.isfinite(after):
            steps.append(after - before)
    if not steps:
        return {}
    return {"step_max_rise": max(steps), "step_max_abs": max(abs(x) for x in steps)}
