"""Whole-part moves: the operators that carry a part across its niche grid on purpose, the
variations a producer tries first when five takes sound like one ("hats in double time",
"the bass an octave up", "pump eighths", "sing it higher", "the harmony under the tune").
The other operators edit one bar or one note, so children stay near their parents on the
two descriptors; these move one descriptor far in one step, and the phase's composite
judges the result like any child (``docs/evolve.md``, "Reaching other niches").

- drums: ``double_voice`` / ``thin_voice`` (the busiest cymbal or hat voice plays twice as
  often / every other hit: density) and ``offbeat_voice`` (its on-beat hits move half a beat
  later inside their beat group: syncopation);
- bass: ``line_octave`` (the whole line an octave up or down inside 28-60: register),
  ``fold_octave`` (the same where each note fits, the others staying: register),
  ``pump`` (every note a quarter or longer re-struck in eighths) and ``hold`` (one held note
  per chord, its first: density);
- melody: ``register`` (the whole tune one to three scale steps up or down, only where it stays
  inside the singer's range: register; pitches only, so prosody holds);
- harmony: ``side`` (every note takes the third or sixth on one side of the lead: the share
  above the lead goes to 0 or 1) and ``open`` (a tenth: the distance from the lead goes up to
  an octave and more; ``evolve.backing``).
"""

from __future__ import annotations

from chromatic.music.gm import CRASH, KICKS, SNARE
from chromatic.music.meter import TPQ, fine_step, ticks
from chromatic.music.notes import Note
from chromatic.produce.evolve.ops import group_bounds

EIGHTH = TPQ // 2


def _busiest(pattern) -> int | None:
    """The pitch with most hits in a bar's pattern, kick and snare aside (the time keeper)."""
    counts: dict[int, int] = {}
    for n in pattern:
        if n.pitch not in KICKS and n.pitch not in (SNARE, CRASH):
            counts[n.pitch] = counts.get(n.pitch, 0) + 1
    return max(sorted(counts), key=counts.__getitem__) if counts else None


def drum_ops(apply, pattern):
    """The drum moves; ``apply`` and ``pattern`` are ``evolve.drums``' (an edit of one bar's
    hits applied to every bar but the last; bar one's hits)."""

    def voice_edit(notes, section, edit):
        voice = _busiest(pattern(notes, section))
        if voice is None:
            return None
        out = apply(notes, section, lambda rel: edit(rel, voice))
        return out if out != tuple(notes) else None

    def double(notes, section, rng):
        return voice_edit(notes, section, _double(section))

    def thin(notes, section, rng):
        return voice_edit(notes, section, _thin)

    def offbeat(notes, section, rng):
        return voice_edit(notes, section, _offbeat(section))

    return (("double_voice", double), ("thin_voice", thin), ("offbeat_voice", offbeat))


def _double(section):
    step = ticks(fine_step(section.meter))

    def edit(rel, voice):
        hits = sorted(n.start for n in rel if n.pitch == voice)
        if not hits:
            return rel
        ends = [*hits[1:], section.bar_ticks]
        vel = sorted(n.velocity for n in rel if n.pitch == voice)[len(hits) // 2]
        new = [
            Note(a + (b - a) // 2 // step * step, step, voice, vel)
            for a, b in zip(hits, ends, strict=True)
            if b - a >= 2 * step
        ]
        return sorted(set(rel) | set(new))

    return edit


def _thin(rel, voice):
    hits = sorted((n for n in rel if n.pitch == voice), key=lambda n: n.start)
    gone = set(hits[1::2])
    return [n for n in rel if n not in gone] if len(hits) >= 2 else rel


def _offbeat(section):
    unit = ticks(section.meter.unit)
    half = max(ticks(fine_step(section.meter)), unit // 2)
    groups = group_bounds(section.meter)

    def edit(rel, voice):
        taken = {n.start for n in rel if n.pitch == voice}
        out = []
        for n in rel:
            to = n.start + half
            inside = any(a <= n.start < b and to < b for a, b in groups)
            if n.pitch == voice and n.start % unit == 0 and inside and to not in taken:
                out.append(n._replace(start=to))
            else:
                out.append(n)
        return sorted(set(out))

    return edit


def bass_ops(low: int, high: int):
    """The bass moves, inside the bass register ``low``-``high``."""

    def line_octave(notes, section, rng):
        shifts = [s for s in (-12, 12) if all(low <= n.pitch + s <= high for n in notes)]
        if not notes or not shifts:
            return None
        s = shifts[int(rng.integers(len(shifts)))]
        return tuple(n._replace(pitch=n.pitch + s) for n in notes)

    def fold_octave(notes, section, rng):
        """The line an octave up or down where each note fits the register; the notes that
        would leave it stay (a register move a whole-line shift cannot make when the line
        spans more than the register leaves room for). At least half the notes move."""
        s = int(rng.choice([-12, 12]))
        out = tuple(
            n._replace(pitch=n.pitch + s) if low <= n.pitch + s <= high else n for n in notes
        )
        moved = sum(a.pitch != b.pitch for a, b in zip(notes, out, strict=True))
        return out if notes and 2 * moved >= len(notes) else None

    return (
        ("line_octave", line_octave),
        ("fold_octave", fold_octave),
        ("pump", pump),
        ("hold", hold),
    )


def pump(notes, section, rng):
    out = []
    for n in notes:
        if n.duration >= 2 * EIGHTH:
            out += [
                Note(t, min(EIGHTH, n.end - t), n.pitch, n.velocity)
                for t in range(n.start, n.end, EIGHTH)
            ]
        else:
            out.append(n)
    out = tuple(sorted(out))
    return out if out != tuple(notes) else None


def hold(notes, section, rng):
    out = []
    for c in section.chords:
        inside = [n for n in notes if c.start <= n.start < c.end]
        if inside:
            out.append(inside[0]._replace(duration=c.end - inside[0].start))
    out = tuple(sorted(out))
    return out if out and out != tuple(notes) else None


def melody_ops(scale, singer, scale_step):
    """The melody's move; ``scale_step(pitch, steps, scale)`` is ``evolve.melody``'s."""

    def register(notes, section, rng):
        if not notes:
            return None
        steps = (-3, -2, -1, 1, 2, 3)
        pitches = [n[2] for n in notes]
        low, high = min(pitches), max(pitches)  # a scale step keeps the order of pitches
        fits = [
            s
            for s in steps
            if singer.low <= scale_step(low, s, scale) and scale_step(high, s, scale) <= singer.high
        ]
        if not fits:
            return None
        s = fits[int(rng.integers(len(fits)))]
        return tuple(n._replace(pitch=scale_step(n.pitch, s, scale)) for n in notes)

    return (("register", register),)
