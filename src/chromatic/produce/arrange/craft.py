"""Craft: the assembled parts put where a producer would put them, before the performance pass.

Assembly lays the approved loops end to end; this pass, a pure function of those notes (same
notes, same result), fixes what a producer hears at once:

- **development** (drums): a section's last bar plays a fill where it is the bar before it
  again, and no drum bar repeats identically more than ``MAX_RUN`` times in a row: the
  ``MAX_RUN``-th bar of a longer run gets a fill (``RUN_FILLS``, the phrase's end); a section
  planned with no variation (``variation: null``: the loops as approved) is left as it is;
- **modulations prepared**: where the plan moves to another key (``transpose``), the chords
  and bass of the half bar before it play the new key's dominant triad (a direct modulation
  prepared by the dominant, as a band would play it);
- **registers** (``music.ranges``): the lead moves by whole octaves (the tune kept) to where
  a singer (when it is sung) and its instrument sit best; a note of an instrumental lead still
  outside the instrument's playable range folds by an octave (a sung line never does: where
  its instrument cannot play it whole, the preview sings it with GM Synth Voice, ``VOICE``,
  whose range holds a singer's); every other pitched part folds into its instrument's range
  (and a chord note resolving a rub stays inside it);
- **one lead voice**: an octave doubling (a lifted chorus) leaves the lead for its own track
  (phase ``double``), and the lead is one line: one note per onset (the highest), each note
  ending where the next begins;
- **the lead on top**: chord, pad and backing-vocal notes sounding with the lead go down by
  octaves until they sit ``GAP`` semitones under its lowest note there (not under the part's
  floor); backing vocals stay under the lead unless ``descant`` (a style's
  ``variation.descant``: folk, classical), where they go up by octaves to ``GAP`` above its
  highest note there (not over their instrument's highest note), each phrase moved as one
  (no octave leap inside it; ``arrange.descant``): a descant over the tune;
- **no rubs**: where the lead starts a note on a strong beat (the bar's first beat or its middle,
  as ``measure.musicality`` counts), a sounding chord note a semitone from
  it (a minor ninth, a major seventh: an add9 under a sung minor third, a sus4 over a sung third)
  resolves onto the lead's pitch class (the colour gives way to the sung tone), or, where that
  would rub against the lead's next strong note, is left out; against the bass the lead note
  moves instead, to the nearest tone the chord holds (a bass root is not moved).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import pairwise

from chromatic.music.ranges import SUNG_LEAD, Register, lead_register, register
from chromatic.produce.arrange.descant import above, below
from chromatic.produce.arrange.variation import Hit, TrackKey, fill_bar

GAP = 3  # semitones between the lead's lowest sounding note and the accompaniment's top
FLOOR = 41  # F2: an accompanying chord note is not pushed under this (it would muddy the bass)
DOUBLE_VELOCITY = 0.7
DOUBLE_PHASE = "double"
UNDER_PHASES = ("chords", "harmony")  # parts kept under the lead (and any other pitched part)
RUB = (1, 11)  # pitch-class distances heard as a rub: minor second / ninth, major seventh
MAX_RUN = 8  # bars: the longest run of one identical drum bar left as it is
RUN_FILLS = ("toms", "build")  # what breaks a longer run, alternating
VOICE = 54  # GM Synth Voice: a sung lead's stand-in where the colour's instrument cannot play it


def shape(
    tracks: dict[TrackKey, list[Hit]],
    bar: int,
    *,
    sung: bool,
    descant: bool = False,
    meter=None,
    section_ends: tuple[int, ...] = (),
    kept: frozenset[int] | set[int] = frozenset(),
    modulations: tuple[tuple[int, int], ...] = (),
    backing_low: int | None = None,
):
    """Shape ``tracks`` in place (see the module docstring); returns notes for the summary.
    ``modulations``: (tick, new tonic pitch class) where the key changes; ``backing_low``: the
    backing singer's lowest note (the harmony phase's singer), the floor its phrases keep."""
    notes: list[str] = []
    for at, tonic in modulations:
        if prepare_modulation(tracks, at, bar, tonic):
            notes.append(f"modulation at tick {at} prepared by its dominant")
    if meter is not None:
        for key in [k for k in tracks if k[2]]:
            tracks[key], filled = develop_drums(tracks[key], bar, meter, section_ends, kept)
            if filled:
                notes.append(f"{filled} drum bars varied (section ends, runs over {MAX_RUN})")
    for key in [k for k in tracks if not k[2] and k[0] not in ("melody", DOUBLE_PHASE)]:
        reg = register(key[1])
        tracks[key] = sorted((t, d, reg.fold(p), v) for t, d, p, v in tracks[key])
    doubling: dict[TrackKey, set[int]] = {}
    parts = {
        k: split_doubling(tracks.pop(k))
        for k in [k for k in tracks if k[0] == "melody" and not k[2] and tracks[k]]
    }
    # one singer sings every sung section: one shift for the whole line (each instrumental
    # lead track is its own performer and moves on its own)
    joint = sung and sung_octave([(p[0], lead_register(k[1], sung)) for k, p in parts.items()])
    for key, (lead, found) in parts.items():
        reg = lead_register(key[1], sung)
        shift = joint if sung else lead_octave(lead, reg)
        if sung and any(not reg.playable(p + shift) for _, _, p, _ in lead):
            notes.append(
                f"the sung lead previewed by GM Synth Voice (program {key[1]} cannot play it)"
            )
            key, reg = (key[0], VOICE, key[2]), lead_register(VOICE, sung)
        doubling[key] = doubling.get(key, set()) | found
        if shift:
            notes.append(f"lead moved {shift:+d} semitones into {reg.idiom_low}-{reg.idiom_high}")
        # a sung line moves as one (a note folded apart would be an octave leap to sing)
        moved = [(t, d, p + shift if sung else reg.fold(p + shift), v) for t, d, p, v in lead]
        tracks[key] = monophonic(tracks.get(key, []) + moved)  # two sections' stand-in: one
    leads = list(doubling)
    line = sorted((t, t + d, p) for k in leads for t, d, p, _ in tracks[k])
    if line:
        chords = sorted(
            (t, t + d, p)
            for k in tracks
            if k[0] == "chords" and not k[2]
            for t, d, p, _ in tracks[k]
        )
        for key in [k for k in tracks if not k[2] and k[0] not in ("melody", "bass", DOUBLE_PHASE)]:
            floor = max(FLOOR, register(key[1]).low)
            if key[0] == "harmony":  # a sung line: placed phrase by phrase (``arrange.descant``)
                if descant:
                    tracks[key] = above(tracks[key], line, register(key[1]).high, chords, GAP)
                else:  # where no chord tone fits under the tune over the floor, it rests
                    low = max(floor, backing_low or 0)  # the singer sings what goes down
                    tracks[key] = below(tracks[key], line, low, chords, GAP)
                continue
            tracks[key] = under(tracks[key], line, floor)  # a chord keeps its note in range
    for key in leads:
        fixed = resolve_rubs(tracks, key, bar)
        if fixed:
            notes.append(f"{fixed} rubs against the lead resolved")
    for key in leads:  # the doubling, played from the finished lead, on its own track
        double = double_track(tracks[key], doubling[key], register(key[1]))
        if double:
            tracks.setdefault((DOUBLE_PHASE, key[1], False), []).extend(double)
            notes.append(f"the lead's octave doubling ({len(double)} notes) on its own track")
    return notes


def span_facts(spans, bar: int, tonic: int) -> dict:
    """What ``shape`` needs from the laid-out sections (``assemble.SectionSpan``): the bars
    planned with no variation (kept as approved), the last bar of every other section, and
    each key change (tick, new tonic) where the plan's ``transpose`` changes."""
    kept = {
        b
        for s in spans
        if s.planned.variation is None
        for b in range(s.start_bar, s.start_bar + s.total_bars)
    }
    ends = tuple(s.start_bar + s.total_bars - 1 for s in spans if s.planned.variation is not None)
    moves = tuple(
        (b.start_bar * bar, (tonic + b.planned.transpose) % 12)
        for a, b in pairwise(spans)
        if a.planned.transpose != b.planned.transpose
    )
    return {"kept": kept, "section_ends": ends, "modulations": moves}


def split_doubling(hits: list[Hit]) -> tuple[list[Hit], set[int]]:
    """(the line, the onsets it was doubled at): a note struck with one an octave below it is
    that note's doubling."""
    struck = {(t, p) for t, _, p, _ in hits}
    line = [h for h in hits if (h[0], h[2] - 12) not in struck]
    doubled = {h[0] for h in hits if (h[0], h[2] - 12) in struck}
    return line, doubled


def lead_octave(lead: list[Hit], reg: Register, voice: Register | None = None) -> int:
    """The octave shift (semitones) that leaves the fewest lead notes outside the ``voice``
    that sings it (a sung lead: the singer comes first, the preview's instrument stands in),
    then outside the instrument,
    then outside the register's idiomatic range, then the smallest move (a lead already where
    it sits well stays), then its middle nearest the range's middle (ties: the higher)."""
    return sung_octave([(lead, reg)], voice)


def sung_octave(parts: list[tuple[list[Hit], Register]], voice: Register | None = SUNG_LEAD):
    """``lead_octave`` for a line played by several instruments (the lead's sections, each
    with its preview's register): one shift for all, the counts summed over the parts, so a
    sung verse and chorus keep the octave between them that the tune was written with (a verse
    lifted alone would sit an octave over its chorus: a range no singer's tune has)."""
    parts = [(sorted(p for _, _, p, _ in lead), reg) for lead, reg in parts if lead]
    if not parts:
        return 0

    def cost(shift: int) -> tuple[int, int, int, int, float, int]:
        unsung = out = unidiomatic = 0
        off = 0.0
        for pitches, reg in parts:
            unsung += sum(not voice.playable(p + shift) for p in pitches) if voice else 0
            out += sum(not reg.playable(p + shift) for p in pitches)
            unidiomatic += sum(not reg.idiom_low <= p + shift <= reg.idiom_high for p in pitches)
            centre = (reg.idiom_low + reg.idiom_high) / 2
            off += abs(pitches[len(pitches) // 2] + shift - centre)
        return unsung, out, unidiomatic, abs(shift), off, -shift

    return min((-24, -12, 0, 12, 24), key=cost)


def monophonic(hits: list[Hit]) -> list[Hit]:
    """One note per onset (the highest), each cut where the next begins."""
    best: dict[int, Hit] = {}
    for h in hits:
        if h[0] not in best or h[2] > best[h[0]][2]:
            best[h[0]] = h
    line = [best[t] for t in sorted(best)]
    out = []
    for i, (t, d, p, v) in enumerate(line):
        if i + 1 < len(line):
            d = min(d, line[i + 1][0] - t)
        out.append((t, max(1, d), p, v))
    return out


def under(hits: list[Hit], line: list[tuple[int, int, int]], floor: int) -> list[Hit]:
    """Notes sounding with the lead moved down by octaves to ``GAP`` under its lowest note
    there (not under ``floor``); one landing on a note already struck at its onset is dropped
    (the chords and pads; the backing vocals are placed by phrase: ``descant.below``)."""
    starts = [s for s, _, _ in line]
    longest = max(e - s for s, e, _ in line)
    out, seen = [], set()
    for t, d, p, v in hits:
        lo, hi = bisect_left(starts, t - longest), bisect_left(starts, t + d)
        over = [q for s, e, q in line[lo:hi] if e > t and s < t + d]
        if over:
            top = min(over) - GAP
            while p > top and p - 12 >= floor:
                p -= 12
        if (t, p) not in seen:
            seen.add((t, p))
            out.append((t, d, p, v))
    return sorted(out)


def _strong(t: int, bar: int) -> bool:
    """The bar's first beat or its middle (``measure.musicality.chord_tone_share``'s strong beats)."""
    pos = t % bar
    return pos in (0, bar // 2) if bar % 2 == 0 else pos == 0


def resolve_rubs(tracks: dict[TrackKey, list[Hit]], lead_key: TrackKey, bar: int) -> int:
    """Resolve rubs against the lead's strong or long notes (see the module docstring);
    returns how many were resolved."""
    lead = tracks[lead_key]
    accomp = [k for k in tracks if not k[2] and k[0] not in ("melody", DOUBLE_PHASE)]
    strong = [(t, t + d, p) for t, d, p, _ in lead if _strong(t, bar)]
    strong_starts = [s for s, _, _ in strong]
    fixed = 0
    for key in accomp:
        reg = register(key[1])
        hits = list(tracks[key])
        starts = [h[0] for h in hits]
        longest = max((h[1] for h in hits), default=0)
        drop: set[int] = set()
        for s, _, lp in strong:
            lo, hi = bisect_left(starts, s - longest), bisect_right(starts, s)
            for i in range(lo, hi):
                t, d, p, v = hits[i]
                if i in drop or not t <= s < t + d or (p - lp) % 12 not in RUB:
                    continue
                if key[0] == "bass":
                    continue  # the lead note moves instead (below)
                new = reg.fold(p + 1 if (lp - p) % 12 == 1 else p - 1)  # kept playable
                a, b = bisect_left(strong_starts, t), bisect_left(strong_starts, t + d)
                rubs = any((new - q) % 12 in RUB for _, _, q in strong[a:b])
                taken = any(h[0] == t and h[2] == new for h in hits)
                if rubs or taken:
                    drop.add(i)
                else:
                    hits[i] = (t, d, new, v)
                fixed += 1
        tracks[key] = sorted(h for i, h in enumerate(hits) if i not in drop)
    fixed += _lead_off_bass(tracks, lead_key, bar)
    return fixed


def _lead_off_bass(tracks: dict[TrackKey, list[Hit]], lead_key: TrackKey, bar: int) -> int:
    """Strong lead notes a semitone from the sounding bass move to the nearest pitch (within a
    tone) that rubs with nothing sounding and that the chord holds, else to any that rubs with
    nothing."""
    bass = sorted(h for k, hs in tracks.items() if k[0] == "bass" and not k[2] for h in hs)
    if not bass:
        return 0
    others = sorted(
        h
        for k, hs in tracks.items()
        if not k[2] and k[0] not in ("melody", "bass", DOUBLE_PHASE)
        for h in hs
    )
    moved, out = 0, []
    for t, d, p, v in tracks[lead_key]:
        if _strong(t, bar):
            low = [q for _, _, q, _ in _sounding(bass, t)]
            if any((p - q) % 12 in RUB for q in low):
                chord = low + [q for _, _, q, _ in _sounding(others, t)]
                ok = [c for c in (p - 1, p + 1, p - 2, p + 2) if _clean(c, chord)]
                held = [c for c in ok if c % 12 in {q % 12 for q in chord}]
                if held or ok:
                    p = (held or ok)[0]
                    moved += 1
        out.append((t, d, p, v))
    tracks[lead_key] = out
    return moved


def _sounding(hits: list[Hit], t: int) -> list[Hit]:
    return [h for h in hits if h[0] <= t < h[0] + h[1]]


def _clean(p: int, chord: list[int]) -> bool:
    return all((p - q) % 12 not in RUB for q in chord)


def double_track(lead: list[Hit], onsets: set[int], reg: Register) -> list[Hit]:
    """The lead an octave up at ``onsets``, softer, where the doubling's instrument plays it."""
    return [
        (t, d, p + 12, max(1, round(v * DOUBLE_VELOCITY)))
        for t, d, p, v in lead
        if t in onsets and reg.playable(p + 12)
    ]


def _bar_signatures(hits: list[Hit], bar: int) -> dict[int, frozenset]:
    out: dict[int, set] = {}
    for t, _, p, _ in hits:
        out.setdefault(t // bar, set()).add((t % bar, p))
    return {b: frozenset(x) for b, x in out.items()}


def develop_drums(
    hits: list[Hit], bar: int, meter, section_ends: tuple[int, ...], kept=frozenset()
) -> tuple[list[Hit], int]:
    """Fills at section ends that have none, and no identical run over ``MAX_RUN`` bars (see
    the module docstring); the bars in ``kept`` (sections planned with no variation: the loops
    as approved) are left alone. Returns the new hits and how many bars were varied."""
    varied = 0
    sig = _bar_signatures(hits, bar)
    last_bar = max(sig, default=0)
    for b in section_ends:
        if 0 < b < last_bar and b in sig and sig.get(b) == sig.get(b - 1):
            hits = fill_bar(hits, b * bar, bar, meter, "toms")
            varied += 1
    sig = _bar_signatures(hits, bar)
    run, k = 0, 0
    for b in range(last_bar + 1):
        same = b in sig and sig.get(b) == sig.get(b - 1)
        run = run + 1 if same else (1 if b in sig else 0)
        if run >= MAX_RUN and sig.get(b + 1) == sig.get(b) and b + 1 < last_bar and b not in kept:
            hits = fill_bar(hits, b * bar, bar, meter, RUN_FILLS[k % len(RUN_FILLS)])
            sig[b] = _bar_signatures([h for h in hits if b * bar <= h[0] < (b + 1) * bar], bar).get(
                b, frozenset()
            )
            k += 1
            varied += 1
            run = 0
    return hits, varied


def prepare_modulation(tracks: dict[TrackKey, list[Hit]], at: int, bar: int, tonic: int) -> bool:
    """The chords and bass of the half bar before ``at`` replaced by the dominant triad of
    ``tonic`` (voiced around what they played there); False where nothing played."""
    start = at - bar // 2
    if start < 0:
        return False
    root = (tonic + 7) % 12
    done = False
    for key in [k for k in tracks if not k[2] and k[0] in ("chords", "bass")]:
        kept, removed = [], []
        for t, d, p, v in tracks[key]:
            if t + d <= start or t >= at:
                kept.append((t, d, p, v))
                continue
            removed.append((t, d, p, v))
            if t < start:
                kept.append((t, start - t, p, v))
        if not removed:
            continue
        centre = sorted(p for _, _, p, _ in removed)[len(removed) // 2]
        vel = round(sum(v for *_, v in removed) / len(removed))
        pcs = (root,) if key[0] == "bass" else (root, (root + 4) % 12, (root + 7) % 12)
        for pc in pcs:
            pitch = centre - 6 + (pc - (centre - 6)) % 12
            kept.append((start, at - start, pitch, vel))
        tracks[key] = sorted(kept)
        done = True
    return done
