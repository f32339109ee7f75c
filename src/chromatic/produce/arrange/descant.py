"""The backing vocals as a descant (a style's ``variation.descant``: folk, classical).

``arrange.craft.shape`` keeps backing vocals under the lead, except in a descant style, where
``above`` puts them over it. A backing line built under the tune cannot simply be moved note by
note (each note an octave up where the lead is high, not where it is low, is an octave leap
inside the phrase). So each backing phrase moves as one, by the fewest whole octaves that put
most of it over the lead, and a note still under is re-voiced onto the nearest chord tone over
the lead: the descant stays close over the tune instead of an octave above it to clear one high
note.
"""

from __future__ import annotations

from bisect import bisect_left

from chromatic.music.meter import TPQ

Hit = tuple[int, int, int, int]  # start, duration, pitch, velocity (ticks)
Span = tuple[int, int, int]  # start, end, pitch (ticks)
GAP = 3  # semitones the descant sits over the lead's highest sounding note, at least
PHRASE_REST = TPQ  # a quarter: a rest this long or longer ends a backing phrase
REVOICE = 0.25  # the share of a phrase's notes re-voiced rather than the phrase moved up


def above(
    hits: list[Hit], line: list[Span], ceiling: int, chords: list[Span] = (), gap: int = GAP
) -> list[Hit]:
    """The backing as a descant: each phrase (notes joined by rests shorter than
    ``PHRASE_REST``) moves up by the fewest whole octaves (none over ``ceiling``) that leave at
    most ``REVOICE`` of its notes sounding with the lead under ``gap`` over the lead's highest
    note there (else by the ones that leave the fewest), and a note still under is re-voiced
    onto the nearest tone of ``chords`` (or its own pitch class) ``gap`` or more over the lead
    there: a line that stays close over the tune and never leaps an octave inside a phrase."""
    out: list[Hit] = []
    for phrase in phrases(sorted(hits)):
        tops = [max(_over(line, t, d), default=None) for t, d, _, _ in phrase]
        pairs = [(p, q) for (_, _, p, _), q in zip(phrase, tops, strict=True) if q is not None]
        fits = [k for k in range(3) if max(p for _, _, p, _ in phrase) + 12 * k <= ceiling] or [0]
        under = [sum(p + 12 * k < q + gap for p, q in pairs) for k in fits]
        k = next((k for k, n in zip(fits, under, strict=True) if n <= len(pairs) * REVOICE), None)
        k = fits[under.index(min(under))] if k is None else k
        seen = set()
        for (t, d, p, v), top in zip(phrase, tops, strict=True):
            p += 12 * k
            if top is not None and p < top + gap:
                tones = {q % 12 for q in _over(chords, t, d)} | {p % 12}
                p = next((q for q in range(top + gap, ceiling + 1) if q % 12 in tones), p)
            if (t, p) not in seen:
                seen.add((t, p))
                out.append((t, d, p, v))
    return sorted(out)


def _over(spans: list[Span], t: int, d: int) -> list[int]:
    """Pitches of ``spans`` (sorted by start) sounding at some point of [t, t + d)."""
    return [q for s, e, q in spans[: bisect_left(spans, (t + d,))] if e > t and s < t + d]


def phrases(hits: list[Hit]) -> list[list[Hit]]:
    """``hits`` (sorted) cut where every note so far has stopped ``PHRASE_REST`` before the next."""
    out: list[list[Hit]] = []
    reach = None
    for h in hits:
        if reach is None or h[0] - reach >= PHRASE_REST:
            out.append([])
        out[-1].append(h)
        reach = max(reach or 0, h[0] + h[1])
    return out


def below(
    hits: list[Hit], line: list[Span], floor: int, chords: list[Span] = (), gap: int = GAP
) -> list[Hit]:
    """The backing under the lead, phrase by phrase (``above``'s mirror): each phrase moves
    down by the fewest whole octaves (none under ``floor``) that leave at most ``REVOICE`` of
    its notes sounding with the lead over ``gap`` under the lead's lowest note there (else by
    the ones that leave the fewest); a note still over takes the nearest tone of ``chords`` (or
    its own pitch class) ``gap`` or more under the lead, and rests where none fits over
    ``floor``. Moved note by note, a backing line leaps an octave wherever the tune dips."""
    out: list[Hit] = []
    for phrase in phrases(sorted(hits)):
        lows = [min(_over(line, t, d), default=None) for t, d, _, _ in phrase]
        pairs = [(p, q) for (_, _, p, _), q in zip(phrase, lows, strict=True) if q is not None]
        fits = [k for k in range(3) if min(p for _, _, p, _ in phrase) - 12 * k >= floor] or [0]
        over = [sum(p - 12 * k > q - gap for p, q in pairs) for k in fits]
        k = next((k for k, n in zip(fits, over, strict=True) if n <= len(pairs) * REVOICE), None)
        k = fits[over.index(min(over))] if k is None else k
        seen = set()
        for (t, d, p, v), low in zip(phrase, lows, strict=True):
            p -= 12 * k
            if low is not None and p > low - gap:
                tones = {q % 12 for q in _over(chords, t, d)} | {p % 12}
                p = next((q for q in range(low - gap, floor - 1, -1) if q % 12 in tones), None)
            if p is not None and (t, p) not in seen:
                seen.add((t, p))
                out.append((t, d, p, v))
    return sorted(out)
