"""What a part plays under: the key a section's chords are heard in, and each chord's scale.

A bassist reads the chords, not the key signature. Two rules follow (the bass takes both,
``bass.line`` and ``bass.centre``; the tune keeps the proposal's key: the heard key measured
for it moved no judge figure, docs/targeting.md):

- ``heard_key``: the key the section's approved chords establish, of three: the proposal's
  key, its relative (A minor: C major) and its parallel (A minor: A major). The chords'
  profile (every chord tone by the chord's length, the chord's bass note once more, as the
  chord phase's listener counts the bass twice) is correlated with each by both key listeners
  (Krumhansl-Kessler and Aarden-Essen, ``chords.theory.PROFILES``); a rival replaces the
  proposal's key only when *both* listeners prefer it (on a tie the proposal's key stays;
  of two rivals, the one whose smaller lead is larger).
  Chords that stay in the key (nearly every loop the chord phase approves without a model)
  leave the bass exactly as before; a loop that dwells on the relative major's I-IV-V is heard
  in that major, and the bass's pedal, anchor and centre then follow it instead of pulling the
  song back to the proposal's tonic.
- ``chord_scale``: the scale a passing or approach note comes from under one chord: the heard
  key's scale with each chord tone it lacks put in place of its neighbour (E major in A minor:
  G# for G, the harmonic minor; D major in A minor: F# for F, the dorian sixth). The lower
  neighbour gives way (a raised degree) unless it is the key's tonic or fifth or a chord tone,
  then the upper (a lowered degree: Bb in A minor takes B's place); a passing note never
  clashes a semitone against the chord it passes under.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from chromatic.music.key import MODE_STEPS, Key
from chromatic.produce.chords.theory import PROFILES, key_correlations
from chromatic.produce.sections import ChordSpan, Section

MAJOR = frozenset(MODE_STEPS["major"])


def chord_profile(chords: tuple[ChordSpan, ...]) -> np.ndarray:
    """[12]: each chord tone by its chord's length, the chord's bass note once more."""
    profile = np.zeros(12)
    for c in chords:
        length = c.end - c.start
        for pc in set(c.tones):
            profile[pc % 12] += length
        profile[c.bass % 12] += length
    return profile


def _relative(key: Key) -> Key:
    """The major key with the same notes (a minor-family mode) or the minor (a major-family)."""
    scale = {p % 12 for p in key.scale_pcs()}
    major = next(t for t in range(12) if {(t + s) % 12 for s in MAJOR} == scale)
    if key.is_minor:
        return Key(key.pitch_name(major), "major")
    return Key(key.pitch_name(major + 9), "minor")


def candidates(key: Key) -> tuple[Key, Key, Key]:
    """The proposal's key, its relative and its parallel (major <-> minor on the same tonic)."""
    return key, _relative(key), Key(key.tonic, "major" if key.is_minor else "minor")


def heard_key(section: Section, key: Key) -> Key:
    """The key ``section``'s chords are heard in (see the module docstring)."""
    return _heard(section.chords, key)


@lru_cache(maxsize=512)
def _heard(chords: tuple[ChordSpan, ...], key: Key) -> Key:
    profile = chord_profile(chords)
    if profile.std() == 0:
        return key
    r = [key_correlations(profile, refs) for refs in PROFILES]
    own = [x[int(key.is_minor), key.pc] for x in r]
    best, lead = key, 0.0
    for rival in candidates(key)[1:]:
        gain = min(x[int(rival.is_minor), rival.pc] - o for x, o in zip(r, own, strict=True))
        if gain > lead:
            best, lead = rival, gain
    return best


@lru_cache(maxsize=512)
def chord_scale(chord: ChordSpan, key: Key) -> frozenset[int]:
    """The scale under ``chord`` in ``key`` (see the module docstring)."""
    scale = {p % 12 for p in key.scale_pcs()}
    tones = {t % 12 for t in chord.tones}
    fixed = {key.pc % 12, (key.pc + 7) % 12} | tones
    for t in sorted(tones - scale):
        for neighbour in ((t - 1) % 12, (t + 1) % 12):
            if neighbour in scale and neighbour not in fixed:
                scale.discard(neighbour)
                break
        scale.add(t)
    return frozenset(scale)
