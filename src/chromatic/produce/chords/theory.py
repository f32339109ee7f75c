"""Theory scores of a voiced progression, each part in [0, 1], all computed on the loop
(the last chord leads back to the first, as the delivered loop does).

- melody: the top voice is what a listener follows. Steps (1-2 semitones) score best, a held
  note or a third a little less, leaps over a fifth not at all; a range of 3-12 semitones is
  ideal (a static line is dull, one over an octave is hard to hear as a line).
- voice_leading: small total movement of the upper voices between chords, and no parallel
  fifths or octaves between the outer voices (bass and top).
- variety: enough distinct chords for the length, and no transition repeated within the loop
  (an 8-chord loop that is a 4-chord loop played twice is not variety).
- transition: how likely the table finds the path, as exp of the mean log ratio of each step's
  probability to the most likely step from the same chord (1 = always the likeliest step).
- style: how idiomatic the loop is for the proposal's style, the share of its chord-to-chord
  moves (the loop's way back included) that the style's own progressions make (0.5 when the
  style has none for the key). The style's progressions may hold a chord or use a colour
  chord the table finds unlikely; this part is what lets them rank beside the likeliest walks.
  Extensions (7, sus, add9) change the voicing, so melody and voice leading judge them.

- centre: the loop keeps the planned tonal centre. The loop's pitch-class profile
  (every voiced note, the bass twice) is correlated with the key profiles of every key, by two
  listeners: Krumhansl-Kessler (music21's ``analyze('krumhansl')``) and Aarden-Essen (its
  default ``analyze('key')``, a profile of folk melodies whose heaviest degree is the fifth,
  so a loop rocking I-IV with no dominant, or a minor loop dwelling on iv and VI, reads as the
  key of IV: the tonic heard as IV's fifth). Each gives 1 when the planned key correlates
  best of all keys on another tonic, falling to 0 as a rival tonic leads by 0.25; the part is
  the lower of the two. Borrowed and modal chords still come at the style's rates; a loop that
  reads as IV or as another key to either listener ranks low.

``theory`` is the mean of the parts.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from chromatic.produce.chords.progression import TransitionModel

PARTS = ("melody", "voice_leading", "variety", "transition", "style", "centre")
#: Krumhansl-Kessler key profiles (probe-tone ratings in a tonal context), tonic first.
KK_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KK_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)
#: Aarden-Essen key profiles (music21's default key analysis), tonic first.
AE_MAJOR = (17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587)
AE_MAJOR += (0.291248, 22.062, 0.145624, 8.15494, 0.232998, 4.95122)
AE_MINOR = (18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362)
AE_MINOR += (0.702494, 18.6161, 4.56621, 1.93186, 7.37619, 1.75623)
PROFILES = ((KK_MAJOR, KK_MINOR), (AE_MAJOR, AE_MINOR))
RIVAL_LEAD = 0.25  # a rival tonic's correlation lead at which the centre part reaches 0
MOVE_SCALE = 18.0  # total upper-voice semitones at which the movement score reaches 0
_STEP_SCORE = {0: 0.6, 1: 1.0, 2: 1.0, 3: 0.7, 4: 0.7, 5: 0.4, 6: 0.4, 7: 0.4}


@dataclass(frozen=True)
class TheoryScores:
    melody: float
    voice_leading: float
    variety: float
    transition: float
    style: float = 0.5
    centre: float = 1.0

    @property
    def total(self) -> float:
        return sum(float(getattr(self, p)) for p in PARTS) / len(PARTS)

    def to_dict(self, digits: int = 4) -> dict[str, float]:
        d = {p: round(float(getattr(self, p)), digits) for p in PARTS}
        d["total"] = round(float(self.total), digits)
        return d


def melody_score(top: np.ndarray) -> float:
    loop = np.append(top, top[0])
    steps = np.abs(np.diff(loop)).tolist()
    step = sum(_STEP_SCORE.get(int(s), 0.0) for s in steps) / len(steps)
    r = int(top.max() - top.min())
    if r < 3:
        rng = 0.6 + 0.4 * r / 3
    elif r <= 12:
        rng = 1.0
    else:
        rng = max(0.0, 1.0 - (r - 12) / 12)
    return 0.7 * step + 0.3 * rng


def voice_leading_score(voicing: np.ndarray) -> float:
    loop = np.vstack([voicing, voicing[:1]])
    upper = loop[:, 1:]
    moves = np.abs(np.diff(upper, axis=0)).sum(axis=1)
    move = float(np.clip(1.0 - moves / MOVE_SCALE, 0.0, 1.0).mean())
    bass, top = loop[:, 0], loop[:, 3]
    interval = (top - bass) % 12
    db, dt = np.diff(bass), np.diff(top)
    parallel = (
        (interval[:-1] == interval[1:])
        & np.isin(interval[:-1], (0, 7))
        & (db != 0)
        & (np.sign(db) == np.sign(dt))
    )
    return move * (1.0 - 0.5 * float(parallel.mean()))


def variety_score(path: tuple[int, ...]) -> float:
    n = len(path)
    distinct = min(1.0, len(set(path)) / min(n, 5))
    pairs = list(zip(path, path[1:] + path[:1], strict=True))
    repeated = 1.0 - len(set(pairs)) / len(pairs)
    return 0.7 * distinct + 0.3 * (1.0 - repeated)


def transition_score(model: TransitionModel, path: tuple[int, ...]) -> float:
    return math.exp(model.log_ratio(path))


def loop_moves(path: tuple) -> list[tuple]:
    """The loop's moves (last -> first included), held chords left out."""
    return [(a, b) for a, b in zip(path, path[1:] + path[:1], strict=True) if a != b]


def style_score(path: tuple[int, ...], style_moves: frozenset | None) -> float:
    """Share of the loop's moves that the style's own progressions make (0.5: no style)."""
    if not style_moves:
        return 0.5
    moves = loop_moves(path)
    return sum(m in style_moves for m in moves) / len(moves) if moves else 0.0


@functools.cache
def _unit_keys(refs) -> np.ndarray:
    """[2, 12, 12]: the 24 keys of ``refs`` (major row 0, minor row 1; then the tonic), each
    profile centred and scaled to unit length, so a Pearson correlation is one dot product."""
    keys = np.array([[np.roll(np.asarray(r, np.float64), t) for t in range(12)] for r in refs])
    keys -= keys.mean(axis=2, keepdims=True)
    return keys / np.linalg.norm(keys, axis=2, keepdims=True)


def key_correlations(profile: np.ndarray, refs=PROFILES[0]) -> np.ndarray:
    """[2, 12]: the profile's Pearson correlation with each major (row 0) and minor (row 1)
    key of ``refs`` (a major and a minor profile); the profile must not be constant."""
    x = np.asarray(profile, np.float64)
    x = x - x.mean()
    return _unit_keys(refs) @ x / np.linalg.norm(x)


def centre_score(voicing: np.ndarray, tonic: int | None, minor: bool) -> float:
    """See the module docstring (1.0 when no key is given)."""
    if tonic is None:
        return 1.0
    profile = np.bincount(voicing.reshape(-1) % 12, minlength=12).astype(np.float64)
    profile += np.bincount(voicing[:, 0] % 12, minlength=12)
    return profile_centre(profile, tonic, minor)


def profile_centre(profile: np.ndarray, tonic: int, minor: bool, margin: float = 0.0) -> float:
    """The centre part of a pitch-class profile ([12] weights): 1 when the planned key
    correlates best of all keys on another tonic, by ``margin`` or more, under both listeners
    (Krumhansl-Kessler and Aarden-Essen), falling to 0 as a rival tonic leads by
    ``RIVAL_LEAD``; the lower of the two."""
    if profile.std() == 0:
        return 1.0
    lead = -1.0
    for refs in PROFILES:
        r = key_correlations(profile, refs)
        mine = r[int(minor), tonic % 12]
        lead = max(lead, float(np.delete(r, tonic % 12, axis=1).max() - mine))
    return float(np.clip(1.0 - (lead + margin) / (RIVAL_LEAD + margin), 0.0, 1.0))


def theory_scores(
    model: TransitionModel,
    path: tuple[int, ...],
    voicing: np.ndarray,
    style_moves: frozenset | None = None,
    key=None,
) -> TheoryScores:
    """The parts (see the module docstring); ``key`` (a ``music.key.Key``) for the centre."""
    return TheoryScores(
        melody=melody_score(voicing[:, 3]),
        voice_leading=voice_leading_score(voicing),
        variety=variety_score(path),
        transition=transition_score(model, path),
        style=style_score(path, style_moves),
        centre=centre_score(voicing, key.pc if key else None, bool(key and key.is_minor)),
    )
