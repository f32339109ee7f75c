"""A simulated artist: the honest test of the taste model.

Real decisions are few and their rule is unknown, so the model is tested on an artist whose
rule we know and the model does not: songs are made with the project's own proposal reader and
chord phase (real candidates, real MIDI), the artist listens (``Rule`` reads the MIDI and the
candidate's details, as a musician hears the part), approves the ones it likes and rejects the
others in review.yml through the project's writer, and the model must then rank the
candidates of songs it never saw. A rule decided at random must leave it near chance.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chromatic.fileio import write_text_atomic
from chromatic.music.midi import load_score
from chromatic.produce.folder import ProductionFolder, init_production
from chromatic.produce.review import candidate_path, load_review, save_review

#: A rule: (MIDI bytes, candidate details) -> how much the artist likes it.
Rule = Callable[[bytes, dict], float]

_TONICS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_GENRES = (
    ("indie pop",),
    ("rock", "alternative"),
    ("electronic", "synth-pop"),
    ("krautrock", "electronic"),
    ("folk", "acoustic"),
    ("ambient",),
    ("jazz",),
    ("dream pop", "shoegaze"),
)
_METERS = ((4, 4), (4, 4), (3, 4), (6, 8))
_COLORS = ("Red", "Orange", "Yellow", "Green", "Blue", "Indigo", "Violet")


def low_and_borrowed(midi: bytes, details: dict) -> float:
    """The example artist: likes chord voicings that stay below middle C, and
    progressions with a borrowed chord."""
    score = load_score(midi)
    pitches = np.array([n.pitch for t in score.tracks if not t.is_drum for n in t.notes])
    low = float((pitches < 60).mean()) if len(pitches) else 0.0
    borrowed = any(k == "borrowed" for k in details.get("kinds", []))
    return low + (0.5 if borrowed else 0.0)


def proposal_text(i: int, rng: np.random.Generator) -> str:
    """A varied, valid song proposal (the concept agent's YAML shape)."""
    tonic = _TONICS[int(rng.integers(len(_TONICS)))]
    mode = "minor" if rng.random() < 0.5 else "major"
    num, den = _METERS[int(rng.integers(len(_METERS)))]
    genres = _GENRES[int(rng.integers(len(_GENRES)))]
    color = _COLORS[int(rng.integers(len(_COLORS)))]
    bpm = int(rng.integers(70, 150))
    genre_lines = "\n".join(f"- {g}" for g in genres)
    return (
        f"title: Simulated Song {i:03d}\nbpm: {bpm}\nkey: {tonic} {mode}\n"
        f"concept: A simulated song number {i} for the taste model's test, about a {color.lower()} light.\n"
        f"genres:\n{genre_lines}\nmood:\n- calm\nrainbow_color:\n  color_name: {color}\n"
        f"tempo:\n  numerator: {num}\n  denominator: {den}\nsinger: Gabriel\n"
    )


def make_songs(
    root: str | os.PathLike, n_songs: int, *, seed: int = 0, top: int = 10, n: int = 60
) -> list[ProductionFolder]:
    """``n_songs`` production folders under ``root``, each with a chords review of ``top``."""
    from chromatic.produce.phases.chords import run_chords

    root = Path(root)
    rng = np.random.default_rng(seed)
    proposals = root / "_proposals"
    proposals.mkdir(parents=True, exist_ok=True)
    folders = []
    for i in range(n_songs):
        path = proposals / f"song_{i:03d}.yml"
        write_text_atomic(path, proposal_text(i, rng))
        folder, _ = init_production(path, root)
        run_chords(folder, n=n, top=top, seed=seed + i)
        folders.append(folder)
    return folders


@dataclass
class Decided:
    approved: int
    rejected: int


def decide(
    review_path: str | os.PathLike, rule: Rule | None, count: int, rng: np.random.Generator
) -> Decided:
    """The artist decides on the first ``count`` candidates of one review: approves those its
    rule likes more than the median of what it heard, rejects the others (``rule`` None:
    a coin decides). Written back through the review's round trip, validated, atomically."""
    review = load_review(review_path, check_files=True)
    cands = review.doc["candidates"][:count]
    if rule is None:
        liked = rng.random(len(cands)) < 0.5
    else:
        values = np.array(
            [
                rule(
                    candidate_path(review.path, i, c["midi_file"]).read_bytes(),
                    dict(c.get("details") or {}),
                )
                for i, c in enumerate(cands)
            ]
        )
        liked = values > np.median(values)
        ties = values == np.median(values)
        liked[ties] = rng.random(int(ties.sum())) < 0.5
    for c, like in zip(cands, liked, strict=True):
        c["status"] = "approved" if like else "rejected"
        if like:
            c["label"] = f"take_{c['id']}"
    save_review(review)
    return Decided(int(liked.sum()), int((~liked).sum()))


def held_out_accuracy(
    folders: list[ProductionFolder],
    rule: Rule,
    score: Callable[[list[tuple[bytes, str]]], np.ndarray],
) -> float:
    """Pairwise accuracy of ``score`` against the rule over every pair of candidates with
    different liking, within each of ``folders`` (songs the model never saw)."""
    from chromatic.produce.review import read_review

    hits, total = 0.0, 0
    for folder in folders:
        path = folder.review_path("chords")
        review = read_review(path)
        items, truth = [], []
        for i, c in enumerate(review.candidates):
            data = candidate_path(path, i, c.midi_file).read_bytes()
            items.append((data, review.song.key))
            truth.append(rule(data, c.details))
        s, t = score(items), np.array(truth)
        for a in range(len(t)):
            for b in range(len(t)):
                if t[a] > t[b]:
                    hits += 1.0 if s[a] > s[b] else 0.5 if s[a] == s[b] else 0.0
                    total += 1
    return hits / total if total else float("nan")
