"""MIDI files a DAW or notation program opens as the user expects (the last pass before disk).

symusic writes the notes; this pass, on mido's event lists, fixes what a DAW shows:

- **track names are instruments** ("Electric Bass (finger)", "Drums"), and the part a track
  plays (``chords``, ``bass``, ``melody``, ``drums``) is kept in a text event ``part: <role>``
  at its start, so code still finds parts by role (``part_roles``);
- **each pitched part on its own channel**, drums on channel 10 (``PHASE_CHANNELS``: the same
  channel for a phase in its loops and in the arrangement);
- **a conductor track holds song-wide events only**: a note-less track keeps tempo, meter, key,
  markers, text and its name, never a program change or controller;
- **lengths on bar lines**: every track ends (end-of-track) at the last bar line, a note
  running past it is cut there;
- **chord names** as text events at each chord change, in the first track.

``finish`` is idempotent: running it on its own output changes nothing.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mido

from chromatic.errors import MidiError
from chromatic.music.gm import instrument_name
from chromatic.music.midi import DRUM_CHANNEL

PART_PREFIX = "part: "
#: 0-based channels: chords 1, bass 2, melody 3 (1-based), drums 10, in loops and arrangement
PHASE_CHANNELS = {"chords": 0, "bass": 1, "melody": 2, "drums": DRUM_CHANNEL}
_CONDUCTOR_META = frozenset(
    {"set_tempo", "time_signature", "key_signature", "marker", "text", "track_name", "smpte_offset"}
)


@dataclass(frozen=True)
class Part:
    """What one note track is: its instrument name, its role in the song, its channel."""

    name: str
    role: str
    channel: int


def channels_for(roles: Sequence[tuple[str, bool]]) -> list[int]:
    """A channel per (role, is_drum) track: drums 10; each phase its own channel the first time
    it plays (``PHASE_CHANNELS``), a further pitched track the lowest channel no phase owns."""
    spare = [c for c in range(16) if c != DRUM_CHANNEL and c not in PHASE_CHANNELS.values()]
    used: set[int] = set()
    out = []
    for role, drum in roles:
        if drum:
            out.append(DRUM_CHANNEL)
            continue
        ch = PHASE_CHANNELS.get(role)
        if ch is None or ch in used:
            free = [c for c in spare if c not in used]
            ch = free[0] if free else spare[-1]  # past 12 extra parts, the last one is shared
        used.add(ch)
        out.append(ch)
    return out


def _absolute(track: mido.MidiTrack) -> list[tuple[int, mido.Message]]:
    t, out = 0, []
    for msg in track:
        t += msg.time
        out.append((t, msg))
    return out


def _set(msg, **values):
    """``msg`` with ``values`` set in place, without mido's per-attribute checks (the values
    come from a parsed file or from this module: valid by construction). ``copy`` re-checked
    every field of every message: 118,000 copies, a third of a compose's phase time."""
    vars(msg).update(values)
    return msg


def _track(events: list[tuple[int, mido.Message]], end: int) -> mido.MidiTrack:
    """The events (absolute ticks, each message owned by this pass) as a track of deltas."""
    out, now = mido.MidiTrack(), 0
    for t, msg in events:
        out.append(_set(msg, time=t - now))
        now = t
    out.append(mido.MetaMessage("end_of_track", time=max(0, end - now)))
    return out


def _has_notes(events: list[tuple[int, mido.Message]]) -> bool:
    return any(m.type == "note_on" for _, m in events)


def _named(events, name: str, role: str) -> list[tuple[int, mido.Message]]:
    """The track's name and part text first, replacing any earlier ones."""
    rest = [
        (t, m)
        for t, m in events
        if m.type != "track_name" and not (m.type == "text" and m.text.startswith(PART_PREFIX))
    ]
    head = [
        (0, mido.MetaMessage("track_name", name=name)),
        (0, mido.MetaMessage("text", text=f"{PART_PREFIX}{role}")),
    ]
    return head + rest


def _clip(events, end: int | None) -> list[tuple[int, mido.Message]]:
    """Notes starting at or after ``end`` dropped, note-offs past it moved onto it."""
    if end is None:
        return events
    out, dropped = [], set()
    for t, m in events:
        is_on = m.type == "note_on" and m.velocity > 0
        is_off = m.type == "note_off" or (m.type == "note_on" and m.velocity == 0)
        if is_on and t >= end:
            dropped.add((m.channel, m.note))
            continue
        if is_off and (m.channel, m.note) in dropped:
            dropped.discard((m.channel, m.note))
            continue
        if t > end and not m.is_meta:
            t = end
        out.append((t, m))
    return sorted(out, key=lambda e: e[0])


def finish(
    data: bytes | mido.MidiFile,
    parts: Sequence[Part],
    *,
    end_tick: int | None = None,
    chords: Sequence[tuple[int, str]] | None = None,
) -> bytes:
    """``data`` (a Standard MIDI File, or one parsed by ``read_midi``: its messages are reused,
    so it is consumed) with its note tracks named, labelled and channelled by
    ``parts`` (in file order), note-less tracks holding song-wide events only, chord names as
    text events in the first track (replacing earlier ones; None keeps them) and every track
    ending at ``end_tick`` (or its last event, if later)."""
    mf = data if isinstance(data, mido.MidiFile) else read_midi(data)
    tracks = [_absolute(t) for t in mf.tracks]
    note_tracks = [i for i, ev in enumerate(tracks) if _has_notes(ev)]
    if len(note_tracks) != len(parts):
        raise MidiError(f"expected {len(parts)} track(s) with notes, found {len(note_tracks)}")
    for i, part in zip(note_tracks, parts, strict=True):
        ev = _clip(tracks[i], end_tick)
        ev = [(t, _set(m, channel=part.channel) if hasattr(m, "channel") else m) for t, m in ev]
        tracks[i] = _named(ev, part.name, part.role)
    for i, ev in enumerate(tracks):
        if i not in note_tracks:  # a conductor: song-wide events only
            tracks[i] = [(t, m) for t, m in ev if m.is_meta and m.type in _CONDUCTOR_META]
    if tracks and chords is not None:
        first = [(t, m) for t, m in tracks[0] if not _is_chord_text(m)]
        texts = [(int(t), mido.MetaMessage("text", text=name)) for t, name in chords]
        tracks[0] = sorted(first + texts, key=lambda e: e[0])
    last = max((t for ev in tracks for t, m in ev if m.type != "end_of_track"), default=0)
    end = max(last, end_tick or 0)
    out = mido.MidiFile(type=mf.type, ticks_per_beat=mf.ticks_per_beat)
    for ev in tracks:
        out.tracks.append(_track([e for e in ev if e[1].type != "end_of_track"], end))
    return _saved(out)


def bar_ticks_of(mf: mido.MidiFile) -> int:
    """Ticks per bar of the file's first time signature (4/4 when it has none)."""
    ts = next(
        (m for t in mf.tracks for m in t if m.type == "time_signature"),
        None,
    )
    num, den = (ts.numerator, ts.denominator) if ts is not None else (4, 4)
    return round(mf.ticks_per_beat * 4 * num / den)


def loop_parts(mf: mido.MidiFile, role: str) -> list[Part]:
    """The parts of a loop file: each note track named after its GM program (its first program
    change), drums by channel 10, all playing ``role``."""
    found = []
    for track in mf.tracks:
        notes = [m for m in track if m.type == "note_on"]
        if not notes:
            continue
        drum = notes[0].channel == DRUM_CHANNEL
        program = next((m.program for m in track if m.type == "program_change"), 0)
        found.append((instrument_name(program, drum), drum))
    channels = channels_for([(role, drum) for _, drum in found])
    return [Part(name, role, ch) for (name, _), ch in zip(found, channels, strict=True)]


def finish_loop(
    data: bytes | mido.MidiFile,
    role: str,
    *,
    bars: float | None = None,
    chords: Sequence[tuple[int, str]] | None = None,
) -> bytes:
    """A loop (one phase's part of one section) made DAW-ready: ``bars`` long (default: the
    file's length rounded up to whole bars), tracks named by instrument on the phase's channel.
    ``data`` may be a file ``read_midi`` parsed (consumed: its messages are reused)."""
    mf = data if isinstance(data, mido.MidiFile) else read_midi(data)
    bar = bar_ticks_of(mf)
    if bars is None or bars <= 0:  # the file's own length (its end of track), in whole bars
        last = max((sum(m.time for m in tr) for tr in mf.tracks), default=0)
        bars = max(1, -(-last // bar))
    end = round(bars * bar)
    return finish(mf, loop_parts(mf, role), end_tick=end, chords=chords)


def _is_chord_text(m: mido.Message) -> bool:
    return m.type == "text" and not m.text.startswith(PART_PREFIX)


def read_midi(source: str | os.PathLike | bytes) -> mido.MidiFile:
    try:
        if isinstance(source, bytes | bytearray):
            return _read_plain(bytes(source)) or mido.MidiFile(file=io.BytesIO(bytes(source)))
        return mido.MidiFile(Path(source))
    except Exception as e:
        raise MidiError(
            f"cannot parse MIDI: {e}", path=None if isinstance(source, bytes) else source
        ) from None


def chord_texts(source: str | os.PathLike | bytes | mido.MidiFile) -> list[tuple[int, str]]:
    """The chord names of a file ``finish`` wrote: (tick, name) of each text event."""
    mf = source if isinstance(source, mido.MidiFile) else read_midi(source)
    out = []
    for track in mf.tracks:
        out += [(t, m.text) for t, m in _absolute(track) if _is_chord_text(m)]
    return sorted(out)


def part_roles(source: str | os.PathLike | bytes) -> dict[str, str]:
    """Track name -> role (``part: <role>``) of every labelled track."""
    mf = read_midi(source)
    out = {}
    for track in mf.tracks:
        role = next(
            (
                m.text[len(PART_PREFIX) :]
                for m in track
                if m.type == "text" and m.text.startswith(PART_PREFIX)
            ),
            None,
        )
        if role is not None:
            out[track.name] = role
    return out


# --- a faster reader of the plain files this project writes -----------------------------------


def _varlen(data: bytes, i: int) -> tuple[int, int]:
    value = 0
    for _ in range(4):
        b = data[i]
        i += 1
        value = (value << 7) | (b & 0x7F)
        if b < 0x80:
            return value, i
    raise ValueError("variable-length number over 4 bytes")


_VOICE: dict[int, tuple[str, tuple[str, ...]]] = {}


def _voice(status: int) -> tuple[str, tuple[str, ...]]:
    """mido's type and data-byte names of a channel voice status byte."""
    from mido.messages.specs import SPEC_BY_STATUS

    spec = SPEC_BY_STATUS[status]
    names = tuple(n for n in spec["value_names"] if n != "channel")
    _VOICE[status] = (spec["type"], names[: spec["length"] - 1])
    return _VOICE[status]


def _read_plain(data: bytes) -> mido.MidiFile | None:
    """What ``mido.MidiFile`` reads of ``data`` (the same messages, each built as mido's
    ``Message.from_bytes`` builds it, without its per-byte checks in Python), for a file made
    of channel voice messages and meta events only; None for anything else (a sysex, a system
    message, an odd header or chunk, a data byte over 127), which mido then reads itself. The
    DAW pass parses every loop this project writes: mido's reader was most of its time."""
    from mido.midifiles.meta import build_meta_message

    Message, new = mido.Message, object.__new__
    try:
        if data[:4] != b"MThd" or int.from_bytes(data[4:8], "big") != 6:
            return None
        kind, ntracks, tpb = (int.from_bytes(data[i : i + 2], "big") for i in (8, 10, 12))
        if tpb & 0x8000:  # SMPTE timing: mido's own reading
            return None
        out = mido.MidiFile(type=kind, ticks_per_beat=tpb)
        pos = 14
        for _ in range(ntracks):
            if data[pos : pos + 4] != b"MTrk":
                return None
            end = pos + 8 + int.from_bytes(data[pos + 4 : pos + 8], "big")
            pos += 8
            track, last = mido.MidiTrack(), None
            while pos < end:
                delta, pos = _varlen(data, pos)
                status = data[pos]
                if status < 0x80:  # running status
                    if last is None:
                        return None
                    status = last
                else:
                    pos += 1
                if status == 0xFF:
                    length, start = _varlen(data, pos + 1)
                    if start + length > end:
                        return None
                    meta = list(data[start : start + length])
                    track.append(build_meta_message(data[pos], meta, delta))
                    pos = start + length
                    continue
                if status >= 0xF0 or status & 0xF0 == 0xE0:  # sysex, system, pitch wheel
                    return None
                last = status
                kind_of, names = _VOICE.get(status) or _voice(status)
                size = len(names)
                values = data[pos : pos + size]
                if len(values) != size or any(v > 127 for v in values):
                    return None
                pos += size
                fields = {"type": kind_of, "time": delta}
                fields.update(zip(names, values, strict=True))
                fields["channel"] = status & 0x0F
                msg = new(Message)
                vars(msg).update(fields)
                track.append(msg)
            if pos != end:
                return None
            out.tracks.append(track)
        return out
    except (IndexError, ValueError, KeyError):
        return None


#: The status nibble of each channel voice message ``_saved`` writes itself (data bytes in
#: mido's order); any other message is encoded by mido.
_STATUS = {
    "note_off": (0x80, ("note", "velocity")),
    "note_on": (0x90, ("note", "velocity")),
    "polytouch": (0xA0, ("note", "value")),
    "control_change": (0xB0, ("control", "value")),
    "program_change": (0xC0, ("program",)),
    "aftertouch": (0xD0, ("value",)),
}


def _saved(mf: mido.MidiFile) -> bytes:
    """``mf.save``'s bytes for a file ``finish`` built (each track ends with its one end of
    track; times are non-negative ints): channel voice messages encoded here, with mido's
    running status, meta events by mido (``MetaMessage.bytes``). mido's writer re-checked
    and re-encoded every message of every loop the DAW pass finishes."""
    out = bytearray(b"MThd\x00\x00\x00\x06")
    out += struct.pack(">hhh", mf.type, len(mf.tracks), mf.ticks_per_beat)
    for track in mf.tracks:
        data, running = bytearray(), None
        for msg in track:
            data += _var(msg.time)
            if msg.is_meta:
                data += bytes(msg.bytes())
                running = None
                continue
            known = _STATUS.get(msg.type)
            if known is not None:
                fields = vars(msg)
                status = known[0] | fields["channel"]
                body = bytes(fields[name] for name in known[1])
            elif msg.type == "sysex":
                data += b"\xf0" + _var(len(msg.data) + 1) + bytes(msg.data) + b"\xf7"
                running = None
                continue
            else:  # pitch wheel, system common: mido's encoding, the same running status
                encoded = msg.bytes()
                status, body = encoded[0], bytes(encoded[1:])
            if status != running:
                data.append(status)
            data += body
            running = status if status < 0xF0 else None
        out += b"MTrk" + struct.pack(">I", len(data)) + data
    return bytes(out)


def _var(value: int) -> bytes:
    """A MIDI variable-length number (mido's ``encode_variable_int``)."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))
