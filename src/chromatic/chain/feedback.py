"""Diversity feedback: how alike the shrinkwrapped threads are, as figures and as rules.

Read from the ``manifest.yml`` of every thread folder in a shrinkwrapped folder (each parsed
once). Figures: key counts and Shannon entropy in bits over normalised keys (enharmonic
spellings of one key counted together), BPM distribution, mean and *population* standard
deviation (the threads are the whole population, not a sample of one), BPM clusters, overused
phrases and title words. Rules: a key in >= 30 % of the threads -> avoid, >= 50 % -> exclude; a
BPM window of +-5 holding >= 30 % -> avoid; phrases and title words in >= 30 % -> avoid; every
prior title -> exclude. Shares count only threads that have the value (a thread whose key could
not be parsed does not dilute the key shares; it is counted as unparsed). Warnings when the key
entropy is under 2.0 bits or the BPM std under 10, the two signs that a chain has collapsed onto
one key and one tempo (C major around 90 BPM, say).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chromatic.chain.phrases import PhraseCount, overused_phrases, overused_words, phrase_frequency
from chromatic.errors import ChainError, MusicError
from chromatic.music.key import Key


@dataclass(frozen=True)
class Thresholds:
    """Every limit of the feedback in one place (defaults from the original system)."""

    avoid_share: float = 0.30
    exclude_share: float = 0.50
    bpm_window: float = 5.0
    min_entropy_bits: float = 2.0
    min_bpm_std: float = 10.0
    min_count: int = 2  # a phrase met in one thread only is no pattern, whatever its share


@dataclass(frozen=True)
class ThreadSummary:
    """The fields of a thread manifest the feedback needs."""

    dir_name: str
    title: str
    key: str | None
    bpm: float | None
    concept: str


@dataclass(frozen=True)
class BpmCluster:
    low: float
    high: float
    count: int
    share: float


@dataclass
class Diversity:
    thread_count: int
    key_counts: dict[str, int]
    keys_unparsed: int
    key_entropy_bits: float
    bpm_counts: dict[float, int]
    bpm_mean: float | None
    bpm_std: float | None
    bpm_clusters: list[BpmCluster]
    phrases: list[PhraseCount]
    watched_phrases: list[PhraseCount]
    title_words: list[PhraseCount]
    title_openings: list[PhraseCount]
    titles: list[str]
    thresholds: Thresholds = field(default_factory=Thresholds)
    warnings: list[str] = field(default_factory=list)


def load_summaries(folder: str | Path) -> list[ThreadSummary]:
    """One summary per ``<thread>/manifest.yml``; a malformed manifest is an error naming it."""
    from chromatic.chain.proposals import load_yaml
    from chromatic.proposals.values import ValueProblem, parse_bpm

    folder = Path(folder)
    if not folder.is_dir():
        raise ChainError("shrinkwrapped folder not found", path=folder)
    paths = sorted(p for p in folder.glob("*/manifest.yml") if not p.parent.name.startswith("."))
    if not paths:
        raise ChainError(
            "no thread manifests (*/manifest.yml); run 'chromatic chain shrinkwrap' first",
            path=folder,
        )
    out = []
    for path in paths:
        data = load_yaml(path)
        if not isinstance(data, dict):
            raise ChainError("expected a thread manifest mapping", path=path)
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ChainError(f"expected a non-empty title, got {title!r}", path=path, field="title")
        key = data.get("key")
        if key is not None and not isinstance(key, str):
            raise ChainError(
                f"expected a key like 'F# minor' or null, got {key!r}", path=path, field="key"
            )
        bpm = data.get("bpm")
        if bpm is not None:
            try:
                bpm, _ = parse_bpm(bpm)
            except ValueProblem as e:
                raise ChainError(f"{e}, or null", path=path, field="bpm") from None
        concept = data.get("concept")
        out.append(
            ThreadSummary(
                path.parent.name,
                " ".join(title.split()),
                key,
                bpm,
                concept if isinstance(concept, str) else "",
            )
        )
    return out


def key_counts(keys: Sequence[str | None]) -> tuple[dict[str, int], int]:
    """Counts per key, enharmonic spellings together under their most used spelling; and the
    number of keys that do not parse (left out of the counts)."""
    groups: dict[tuple[int, str], Counter[str]] = {}
    unparsed = 0
    for text in keys:
        try:
            key = Key.parse(text) if text else None
        except MusicError:
            key = None
        if key is None:
            unparsed += 1
            continue
        groups.setdefault((key.pc, key.mode), Counter())[str(key)] += 1
    counts = {min(c, key=lambda s: (-c[s], s)): sum(c.values()) for c in groups.values()}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))), unparsed


def entropy_bits(counts: Sequence[int]) -> float:
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c) if total else 0.0


def bpm_clusters(values: Sequence[float], *, window: float, min_share: float) -> list[BpmCluster]:
    """Greedy windows of +-``window`` around an observed BPM: take the window holding the most
    threads (on ties the one best centred on its members, then the lower), report it if it
    holds ``min_share``, remove its threads, repeat. A thread belongs to one cluster at most."""
    left = sorted(values)
    total = len(values)
    found = []

    def rank(c: float) -> tuple[int, float, float]:
        members = [v for v in left if abs(v - c) <= window]
        return len(members), -sum(abs(v - c) for v in members), -c

    while left:
        best = max(set(left), key=rank)
        members = [v for v in left if abs(v - best) <= window]
        if not total or len(members) / total < min_share:
            break
        found.append(BpmCluster(best - window, best + window, len(members), len(members) / total))
        left = [v for v in left if abs(v - best) > window]
    return found


def analyze(
    summaries: Sequence[ThreadSummary],
    *,
    watch_phrases: Sequence[str] = (),
    thresholds: Thresholds | None = None,
) -> Diversity:
    t = thresholds or Thresholds()
    keys, unparsed = key_counts([s.key for s in summaries])
    bpms = [s.bpm for s in summaries if s.bpm is not None]
    concepts = [s.concept for s in summaries]
    titles = [s.title for s in summaries]
    share = {"min_share": t.avoid_share, "min_count": t.min_count}
    d = Diversity(
        thread_count=len(summaries),
        key_counts=keys,
        keys_unparsed=unparsed,
        key_entropy_bits=entropy_bits(list(keys.values())),
        bpm_counts=dict(sorted(Counter(bpms).items())),
        bpm_mean=statistics.fmean(bpms) if bpms else None,
        bpm_std=statistics.pstdev(bpms) if bpms else None,
        bpm_clusters=bpm_clusters(bpms, window=t.bpm_window, min_share=t.avoid_share),
        phrases=overused_phrases(concepts, **share),
        watched_phrases=phrase_frequency(concepts, watch_phrases),
        title_words=overused_words(titles, **share),
        title_openings=overused_words(titles, first_only=True, **share),
        titles=sorted(set(titles), key=str.casefold),
        thresholds=t,
    )
    if keys and d.key_entropy_bits < t.min_entropy_bits:
        top = next(iter(keys))
        d.warnings.append(
            f"key entropy {d.key_entropy_bits:.2f} bits < {t.min_entropy_bits:.1f}: keys lack variety "
            f"({top} in {keys[top]} of {sum(keys.values())} threads)"
        )
    if d.bpm_std is not None and len(bpms) > 1 and d.bpm_std < t.min_bpm_std:
        d.warnings.append(
            f"BPM std {d.bpm_std:.2f} < {t.min_bpm_std:g}: tempos cluster around {d.bpm_mean:.1f} BPM"
        )
    if unparsed:
        d.warnings.append(
            f"{unparsed} thread(s) with no parseable key, left out of the key figures"
        )
    return d


@dataclass
class Rules:
    """What the concept agent is told: computed rules with the manual overrides applied."""

    exclude_keys: list[str] = field(default_factory=list)
    avoid_keys: list[str] = field(default_factory=list)
    avoid_bpm: list[str] = field(default_factory=list)
    avoid_phrases: list[str] = field(default_factory=list)
    avoid_title_words: list[str] = field(default_factory=list)
    avoid_title_openings: list[str] = field(default_factory=list)
    exclude_titles: list[str] = field(default_factory=list)


def computed_rules(d: Diversity) -> Rules:
    t = d.thresholds
    total = sum(d.key_counts.values())
    rules = Rules()
    for key, count in d.key_counts.items():
        if total and count / total >= t.exclude_share:
            rules.exclude_keys.append(key)
        elif total and count / total >= t.avoid_share:
            rules.avoid_keys.append(key)
    rules.avoid_bpm = [f"{_num(c.low)}-{_num(c.high)}" for c in d.bpm_clusters]
    watched = [p for p in d.watched_phrases if p.count >= t.min_count and p.share >= t.avoid_share]
    rules.avoid_phrases = _unique([p.text for p in d.phrases] + [p.text for p in watched])
    rules.avoid_title_words = [p.text for p in d.title_words]
    rules.avoid_title_openings = [p.text for p in d.title_openings]
    rules.exclude_titles = list(d.titles)
    return rules


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 2)
