"""arrangement.mid as a DAW opens it: the last pass before the file is written.

In memory the arrangement's tracks are named by phase ("chords", "melody"; "chords 4" where a
phase plays two programs): the performance pass and the preview find parts that way. On disk
(``music.daw.finish``) each track is named by its instrument, with its phase kept in a
``part: <phase>`` text event (``music.daw.part_roles`` reads it back), each pitched part has its
own channel and drums channel 10, the conductor track holds only tempo, meter, key, section
markers and chord names, and the chord names are text events at every chord change: the
approved chord loops' names laid out as assembly lays out their notes (looped to the section's
bars, transposed with the section), and the cadence the ending writes in the last two bars.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from chromatic.music import daw
from chromatic.music.gm import instrument_name
from chromatic.music.key import Key
from chromatic.music.meter import TPQ
from chromatic.music.song import Song
from chromatic.music.song_midi import from_score, write_midi
from chromatic.produce.arrange.ending import CADENCES

#: A sung lead's tracks as a DAW and a vocal synth expect them: the lead alone
#: (one voice, a lyric per note), its octave doubling beside it.
LEAD_NAMES = {"melody": "Lead Vocal", "double": "Lead Vocal Double"}
_CHORD = re.compile(r"^([A-G](?:##|bb|#|b)?)(.*?)(?:/([A-G](?:##|bb|#|b)?))?$")
_LETTER_PC = dict(zip("CDEFGAB", (0, 2, 4, 5, 7, 9, 11), strict=True))


def _pc(name: str) -> int:
    return (_LETTER_PC[name[0]] + name.count("#") - name.count("b")) % 12


def transpose_symbol(symbol: str, semitones: int, key: Key) -> str:
    """A chord symbol moved by ``semitones``, its root (and bass) spelled as ``key`` spells."""
    if semitones % 12 == 0:
        return symbol
    m = _CHORD.match(symbol)
    if m is None:
        return symbol
    root, rest, bass = m.groups()
    out = key.pitch_name((_pc(root) + semitones) % 12) + rest
    return out + (f"/{key.pitch_name((_pc(bass) + semitones) % 12)}" if bass else "")


def track_parts(arr) -> list[daw.Part]:
    """The note tracks of ``arr.score`` (file order) as instruments: GM names (the phase added
    where two tracks would share one; a sung lead "Lead Vocal", ``LEAD_NAMES``), the phase as
    role, channels by phase."""
    by_name = {i.name: i for i in arr.instruments}
    tracks = [t for t in arr.score.tracks if len(t.notes) and t.name in by_name]
    insts = [by_name[t.name] for t in tracks]
    sung = any(len(t.lyrics) for t in tracks if by_name[t.name].phase == "melody")
    names = [_name(i, sung) for i in insts]
    names = [
        f"{n} ({i.phase})" if names.count(n) > 1 else n for n, i in zip(names, insts, strict=True)
    ]
    channels = daw.channels_for([(i.phase, i.is_drum) for i in insts])
    return [daw.Part(n, i.phase, ch) for n, i, ch in zip(names, insts, channels, strict=True)]


def _name(inst, sung: bool) -> str:
    if sung and inst.phase in LEAD_NAMES:
        return LEAD_NAMES[inst.phase]
    name = instrument_name(inst.program, inst.is_drum)
    return f"{name} Double" if inst.phase == "double" else name


def _loop_chords(path: Path) -> tuple[list[tuple[int, str]], int]:
    """A chord loop's (tick, name) in the arrangement's resolution, and its length in ticks."""
    mf = daw.read_midi(path)
    scale = TPQ / mf.ticks_per_beat
    length = max(sum(m.time for m in t) for t in mf.tracks)
    return [(round(t * scale), n) for t, n in daw.chord_texts(mf)], round(length * scale)


def chord_names(arr, root: Path, key: Key) -> list[tuple[int, str]]:
    """Chord names along the arrangement (see the module docstring)."""
    from chromatic.produce.arrange.ending import chords_of
    from chromatic.produce.promote import normalize_label

    bar = bar_ticks(arr)
    out: list[tuple[int, str]] = []
    cache: dict[str, tuple[list[tuple[int, str]], int]] = {}
    for span in arr.sections:
        label = normalize_label(span.name)
        path = root / "chords" / "approved" / f"{label}.mid"
        if label not in cache:
            cache[label] = _loop_chords(path) if path.is_file() else ([], 0)
        names, period = cache[label]
        if not names or period <= 0:
            continue
        shift = span.planned.transpose
        start, end = span.start_bar * bar, (span.start_bar + span.total_bars) * bar
        for r in range(span.repeat):
            offset = start + r * span.bars * bar
            stop = min(end, offset + span.bars * bar)
            while offset < stop:
                out += [
                    (offset + t, transpose_symbol(n, shift, key))
                    for t, n in names
                    if offset + t < stop
                ]
                offset += period
    total = arr.total_bars * bar
    if total >= 2 * bar and arr.sections:
        last = arr.sections[-1].planned.transpose
        tonic = (key.pc + last) % 12
        cadence = _cadence(arr, root)
        pre, home = chords_of(tonic, key.is_minor, cadence)
        out = [(t, n) for t, n in out if t < total - 2 * bar]
        out += [(total - 2 * bar, _triad(pre, key)), (total - bar, _triad(home, key))]
    merged: list[tuple[int, str]] = []
    for t, n in sorted(out):
        if not merged or merged[-1][1] != n:  # the same chord again is no change
            merged.append((t, n))
    return merged


def _triad(pcs: tuple[int, ...], key: Key) -> str:
    minor = len(pcs) > 1 and (pcs[1] - pcs[0]) % 12 == 3
    return key.pitch_name(pcs[0]) + ("m" if minor else "")


def _cadence(arr, root: Path) -> str:
    from chromatic.produce.folder import open_folder
    from chromatic.produce.style.table import style_for

    folder = open_folder(root)
    cadence = style_for(folder.proposal(), folder.root).ending.cadence
    return cadence if cadence in CADENCES else "authentic"


def bar_ticks(arr) -> int:
    """Ticks per bar of the arrangement (its one time signature)."""
    ts = arr.score.time_signatures[0] if len(arr.score.time_signatures) else None
    num, den = (ts.numerator, ts.denominator) if ts is not None else (4, 4)
    return round(arr.score.tpq * 4 * num / den)


def arrangement_song(arr, root: Path, key: Key) -> Song:
    """The arrangement as a Song: its note tracks named and given roles as a DAW shows them
    (``track_parts``), its title (the conductor track's name), chord names, whole bars."""
    score = arr.score
    title = (
        str(score.tracks[0].name) if len(score.tracks) and not len(score.tracks[0].notes) else ""
    )
    parts = iter(track_parts(arr))
    song = from_score(
        score, chords=chord_names(arr, root, key), end=arr.total_bars * bar_ticks(arr)
    )
    tracks = []
    for i, t in enumerate(song.tracks):
        if i == 0 and title:
            continue  # the title track: ``Song.title`` writes it back first
        if t.notes:
            p = next(parts)
            t = replace(t, name=p.name, role=p.role)
        tracks.append(t)
    return replace(song, tracks=tuple(tracks), title=title)


def arrangement_bytes(arr, root: Path, key: Key) -> bytes:
    """The bytes of arrangement.mid (see the module docstring)."""
    return write_midi(arrangement_song(arr, root, key))
