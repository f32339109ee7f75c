"""Breeding's faster forms give what their first written forms gave: the drum edit applied to
every bar (``drums._apply``), the drum niche, the melody's register move, a kept section's
chromatic term (``composite.anchor``) and the details copied for the shortlist
(``breeder.unshared``), on many drawn inputs each."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from chromatic.music.gm import CRASH
from chromatic.music.meter import ticks
from chromatic.music.notes import Note
from chromatic.produce.evolve.breeder import fresh, unshared
from chromatic.produce.evolve.drums import OPERATORS, _apply, descriptor
from chromatic.produce.evolve.melody import _scale_step
from chromatic.produce.evolve.reach import melody_ops
from chromatic.produce.phases.composite import MIN_SCALE, anchor, anchored_term
from chromatic.yamlio import flow


def _apply_first(notes, section, edit) -> tuple:
    """``drums._apply`` as first written."""
    bar = section.bar_ticks
    edited = max(1, section.bars - 1)
    crash = [n for n in notes if n.start == 0 and n.pitch == CRASH]
    out = [n for n in notes if n.start >= edited * bar]
    bars: list[list[Note]] = [[] for _ in range(edited)]
    for n in notes:
        b = n.start // bar
        if 0 <= b < edited:
            bars[b].append(n)
    done: dict[tuple, list] = {}
    for b, own in enumerate(bars):
        lo = b * bar
        rel = [(n.start - lo, n.duration, n.pitch, n.velocity) for n in own]
        back = dict(zip(rel, own, strict=True))
        key = tuple(r for r in rel if r not in crash)
        if key not in done:
            done[key] = edit([Note(*r) for r in key])
        for n in done[key]:
            kept = back.get(n)
            out.append(kept if kept is not None else Note(n.start + lo, *n[1:]))
    return tuple(sorted(set(out + crash)))


def _descriptor_first(section, notes):
    quarters = section.total_ticks / ticks(1)
    unit = ticks(section.meter.unit)
    hits = [n for n in notes if n.pitch != CRASH]
    density = min(1.0, len(hits) / quarters / 6.0)
    off = sum(n.start % unit != 0 for n in hits) / len(hits) if hits else 0.0
    return density, off


def _drum_parts(rng, section, count: int):
    """Loops whose bars repeat a groove (or vary it), a crash on bar one's downbeat (or on a
    later bar too), and hits at the section's very end."""
    for _ in range(count):
        groove = sorted(
            {
                (int(t) * 120, 120, int(p), int(v))
                for t, p, v in rng.integers((0, 35, 40), (16, 52, 120), (12, 3))
            }
        )
        notes = []
        for b in range(section.bars):
            lo = b * section.bar_ticks
            keep = groove if rng.random() < 0.7 else groove[: int(rng.integers(1, len(groove) + 1))]
            notes += [Note(lo + t, d, p, v) for t, d, p, v in keep]
        if rng.random() < 0.7:
            notes.append(Note(0, 120, CRASH, 100))
        if rng.random() < 0.3:
            notes.append(Note(section.bar_ticks, 120, CRASH, 100))
        yield tuple(sorted(set(notes)))


def test_drum_edits_and_niche_give_what_their_first_forms_gave(song_78, song_44):
    from chromatic.produce.sections import load_song

    for song, seed in ((song_78, 5), (song_44, 6)):
        for section in load_song(song, "drums").sections[:3]:
            _check_drums(section, seed)


def _check_drums(section, seed: int) -> None:
    rng = np.random.default_rng(seed)
    edits = (
        lambda rel: rel,
        lambda rel: [*rel, Note(240, 120, 42, 77)],
        lambda rel: [n for n in rel if n.pitch != 36],
        lambda rel: [n._replace(start=n.start + 120) if n.pitch == 38 else n for n in rel],
        lambda rel: [Note(0, 120, CRASH, 100), *rel],
    )
    import chromatic.produce.evolve.drums as drums

    checked = 0
    for part in _drum_parts(rng, section, 60):
        for edit in edits:
            assert _apply(part, section, edit) == _apply_first(part, section, edit)
            checked += 1
        assert descriptor(section, part) == _descriptor_first(section, part)
        for name, op in OPERATORS:  # every operator, the same draw through both forms
            seed = int(rng.integers(1 << 30))
            drums._apply = _apply_first
            try:
                first = op(part, section, np.random.default_rng(seed))
            finally:
                drums._apply = _apply
            assert op(part, section, np.random.default_rng(seed)) == first, name
    assert checked == 300


def test_the_register_move_draws_what_checking_every_note_drew():
    scale = (0, 2, 4, 5, 7, 9, 11)
    singer = SimpleNamespace(low=55, high=79)
    ((_, register),) = melody_ops(scale, singer, _scale_step)

    def first(notes, rng):
        steps = (-3, -2, -1, 1, 2, 3)
        fits = [
            s
            for s in steps
            if all(
                singer.low <= _scale_step.__wrapped__(n.pitch, s, scale) <= singer.high
                for n in notes
            )
        ]
        if not notes or not fits:
            return None
        s = fits[int(rng.integers(len(fits)))]
        return tuple(n._replace(pitch=_scale_step.__wrapped__(n.pitch, s, scale)) for n in notes)

    rng = np.random.default_rng(2)
    moved = 0
    for _ in range(300):
        pitches = rng.integers(50, 84, int(rng.integers(0, 12)))
        notes = tuple(Note(i * 240, 240, int(p), 90) for i, p in enumerate(pitches))
        seed = int(rng.integers(1 << 30))
        got = register(notes, None, np.random.default_rng(seed))
        assert got == first(notes, np.random.default_rng(seed))
        moved += got is not None
    assert 50 < moved < 300  # some tunes fit no move, most fit one


def test_a_kept_sections_term_is_the_term_computed_each_time():
    rng = np.random.default_rng(3)
    for size in (0, 1, 2, 7, 40):
        pool = list(rng.random(size))
        ref = list(rng.random(size) * 0.2 + 0.6)
        term = anchor(pool, ref)
        for v in [*rng.random(20), -5.0, 5.0, *(pool[:3])]:
            v = float(v)
            sd = np.asarray(pool).std() if pool else 0.0
            z = float(np.clip((v - np.mean(pool)) / sd, -3, 3)) if sd > 1e-12 else 0.0
            want = float(np.mean(ref) + max(float(np.std(ref)), MIN_SCALE) * z) if ref else v
            assert term(v) == anchored_term(v, pool, ref) == want
    flat = anchor([0.5] * 5, [0.7, 0.8, 0.9, 0.7, 0.8])
    assert flat(0.1) == flat(0.9) == float(np.mean([0.7, 0.8, 0.9, 0.7, 0.8]))


def _unshared_first(value, seen: set[int]):
    """``breeder.unshared`` as first written."""
    nested = (dict, list)
    if id(value) in seen:
        return _unshared_first(fresh(value), seen)
    seen.add(id(value))
    if isinstance(value, dict):
        items = {
            k: _unshared_first(v, seen) if isinstance(v, nested) else v for k, v in value.items()
        }
        return value if all(items[k] is v for k, v in value.items()) else items
    if isinstance(value, list):
        items = [_unshared_first(v, seen) if isinstance(v, nested) else v for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return flow(items) if hasattr(value, "fa") and value.fa.flow_style() else items
    return value


def _shape(value):
    """The value with each list's flow style and each object's first-seen position: two
    results are alike when equal in value, style and sharing."""
    ids: dict[int, int] = {}

    def walk(v):
        if isinstance(v, dict | list):
            tag = ids.setdefault(id(v), len(ids))
            style = hasattr(v, "fa") and v.fa.flow_style()
            items = (
                [(k, walk(x)) for k, x in v.items()]
                if isinstance(v, dict)
                else [walk(x) for x in v]
            )
            return (type(v).__name__, tag, style, items)
        return v

    return walk(value)


def test_the_shortlists_copies_share_and_copy_what_the_first_form_did():
    rng = np.random.default_rng(4)
    shared = [flow([1, 2]), {"a": [3, {"b": flow([4])}]}, [5, 6]]
    details = []
    for i in range(200):
        d = {"draw": i, "x": float(rng.random())}
        for k in range(int(rng.integers(0, 4))):
            d[f"s{k}"] = shared[int(rng.integers(len(shared)))]
        if rng.random() < 0.5:
            d["lineage"] = {"parents": flow([i - 1]), "roots": flow([0])}
        if details and rng.random() < 0.3:
            d["again"] = details[int(rng.integers(len(details)))]
        details.append(d)
    a_seen: set[int] = set()
    b_seen: set[int] = set()
    a = [_unshared_first(d, a_seen) for d in details]
    b = [unshared(d, b_seen) for d in details]
    assert _shape(a) == _shape(b)
    assert sum(x is not d for x, d in zip(b, details, strict=True)) > 20  # copies were made
