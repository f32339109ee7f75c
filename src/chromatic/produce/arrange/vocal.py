"""The lead alone, for a vocal synthesizer (ACE Studio, Synthesizer V): ``lead_vocal.mid``.

arrangement.mid keeps the Standard MIDI File lyric convention (one syllable per note, a word
that continues ends its syllable with "-": "re-", "mem-", "bers"; "-" alone continues the
syllable before it, a melisma), which notation and karaoke readers expect. A vocal synth reads
a note's lyric as a *word* and looks it up in its dictionary, so this file writes:

- the whole word on the note of its first syllable and ``+`` on each note of its further
  syllables (Synthesizer V's convention for a word spread over notes);
- ``-`` on a melisma note (both applications hold the previous vowel on it);
- one track: the conductor's tempo map, markers, meter and key, then the lead ("Lead Vocal": one voice,
  no overlapping notes, a lyric on every note), without controllers or program changes;
- lyrics as UTF-8 meta events (type 5); a type-0 ``.mid`` at the arrangement's resolution.

See docs/vocal-synth.md for the import steps.
"""

from __future__ import annotations

import io
from pathlib import Path

import mido

from chromatic.errors import ProduceError
from chromatic.fileio import write_bytes_atomic
from chromatic.music.daw import part_roles
from chromatic.music.midi import MELISMA

VOCAL_FILE = "lead_vocal.mid"
NEXT_SYLLABLE = "+"
_KEEP_META = ("set_tempo", "time_signature", "key_signature", "marker")


def _absolute(track) -> list[tuple[int, mido.Message]]:
    t, out = 0, []
    for msg in track:
        t += msg.time
        out.append((t, msg))
    return out


def synth_lyrics(texts: list[str]) -> list[str]:
    """SMF syllables ("re-", "mem-", "bers", "-") as a vocal synth's words ("remembers", "+",
    "+", "-"); see the module docstring."""
    out: list[str] = []
    word: list[int] = []  # indexes of the current word's syllables in out
    pieces: list[str] = []
    for text in texts:
        if text == MELISMA:
            out.append(MELISMA)
            continue
        piece = text[:-1] if text.endswith("-") else text
        word.append(len(out))
        pieces.append(piece)
        out.append(NEXT_SYLLABLE if len(word) > 1 else piece)
        if not text.endswith("-"):
            out[word[0]] = "".join(pieces)
            word, pieces = [], []
    if word:
        out[word[0]] = "".join(pieces)
    return out


def vocal_bytes(arrangement: Path) -> bytes:
    """The bytes of the lead-alone file for ``arrangement`` (arrangement.mid)."""
    data = Path(arrangement).read_bytes()
    mf = mido.MidiFile(file=io.BytesIO(data), charset="utf-8")
    roles = part_roles(data)
    lead = next((t for t in mf.tracks if roles.get(t.name) == "melody"), None)
    if lead is None:
        raise ProduceError("the arrangement has no lead (melody) track", path=arrangement)
    events = _absolute(lead)
    lyrics = [(t, m) for t, m in events if m.type == "lyrics"]
    if not lyrics:
        raise ProduceError(
            "the lead has no lyrics: nothing for a vocal synth to sing", path=arrangement
        )
    words = synth_lyrics([m.text for _, m in lyrics])
    keep: list[tuple[int, mido.Message]] = [
        (t, m) for t, m in _absolute(mf.tracks[0]) if m.type in _KEEP_META
    ]
    keep += [(t, m.copy(channel=0)) for t, m in events if m.type in ("note_on", "note_off")]
    keep += [
        (t, mido.MetaMessage("lyrics", text=w)) for (t, _), w in zip(lyrics, words, strict=True)
    ]
    # at one tick: meta first, then note-offs, then the lyric, then its note-on
    rank = {"note_off": 1, "lyrics": 2, "note_on": 3}
    keep.sort(key=lambda e: (e[0], rank.get(e[1].type, 0) if not _is_off(e[1]) else 1))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Lead Vocal")])
    now = 0
    for t, m in keep:
        track.append(m.copy(time=t - now))
        now = t
    track.append(mido.MetaMessage("end_of_track", time=0))
    out = mido.MidiFile(type=0, ticks_per_beat=mf.ticks_per_beat, charset="utf-8")
    out.tracks.append(track)
    buf = io.BytesIO()
    out.save(file=buf)
    return buf.getvalue()


def _is_off(m: mido.Message) -> bool:
    return m.type == "note_off" or (m.type == "note_on" and m.velocity == 0)


def write_vocal_midi(root: str | Path) -> Path:
    """Write ``lead_vocal.mid`` beside arrangement.mid in ``root``."""
    from chromatic.paths import within

    source = within(root, "arrangement.mid", what="arrangement to read")  # no link, checked now
    data = vocal_bytes(source)
    path = within(root, VOCAL_FILE, what="vocal MIDI to write")
    write_bytes_atomic(path, data)
    return path
