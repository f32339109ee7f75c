"""Overused phrases, found from the corpus itself with n-gram statistics.

No phrase list is built in: the concept agent's tics change from run to run ("consciousness
archaeology" one month, something else the next), so the phrases are mined from the concepts
being checked. A phrase is a run of 2-4 words inside one clause (punctuation ends a clause),
counted by document frequency (in how many concepts it occurs, not how often). Runs that begin
or end with a stop word ("of the", "the complete") are not phrases; a phrase with a stop word
inside ("architecture of awakening") is. Of a phrase and a longer one holding it with the same
document frequency only the longer is kept, so "chromatic" + "methodologies" does not repeat
what "seven chromatic methodologies" already says.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NGRAM_SIZES = (2, 3, 4)

STOP_WORDS = frozenset(
    {
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "every",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "least",
        "less",
        "like",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "neither",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "per",
        "rather",
        "same",
        "shall",
        "she",
        "should",
        "since",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "themselves",
        "ourselves",
    }
)

_CLAUSE_SPLIT = re.compile(r"[.,;:!?()\[\]{}\"“”«»…—–|→←↔]+|\s[-/]+\s|\n")
# "seven-spectrum", "blue's", "7/8" are single words
_WORD = re.compile(r"[a-z0-9]+(?:['’/-][a-z0-9]+)*")


@dataclass(frozen=True)
class PhraseCount:
    """A phrase (or word) and the number and share of documents it occurs in."""

    text: str
    count: int
    share: float


def clauses(text: str) -> list[list[str]]:
    """Lower-case word lists, one per clause."""
    out = []
    for part in _CLAUSE_SPLIT.split(text.lower().replace("’", "'")):
        words = _WORD.findall(part)
        if words:
            out.append(words)
    return out


def is_phrase(gram: Sequence[str]) -> bool:
    return (
        gram[0] not in STOP_WORDS
        and gram[-1] not in STOP_WORDS
        and not all(w in STOP_WORDS for w in gram)
    )


def doc_ngrams(text: str, sizes: Iterable[int] = NGRAM_SIZES) -> set[tuple[str, ...]]:
    """Every phrase-shaped n-gram of one document (a set: document frequency counts it once)."""
    grams: set[tuple[str, ...]] = set()
    for words in clauses(text):
        for n in sizes:
            for i in range(len(words) - n + 1):
                gram = tuple(words[i : i + n])
                if is_phrase(gram):
                    grams.add(gram)
    return grams


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def overused_phrases(
    texts: Sequence[str],
    *,
    min_share: float = 0.30,
    min_count: int = 2,
    sizes: Iterable[int] = NGRAM_SIZES,
) -> list[PhraseCount]:
    """Maximal phrases occurring in at least ``min_share`` of ``texts`` (and at least
    ``min_count`` of them), most frequent first, then longest, then alphabetical."""
    sizes = tuple(sizes)
    df: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        df.update(doc_ngrams(text, sizes))
    total = len(texts)
    frequent = {g: c for g, c in df.items() if c >= min_count and _share(c, total) >= min_share}
    subsumed: set[tuple[str, ...]] = set()
    for gram, count in frequent.items():
        for n in range(min(sizes), len(gram)):
            for i in range(len(gram) - n + 1):
                inner = gram[i : i + n]
                if frequent.get(inner) == count:
                    subsumed.add(inner)
    kept = [(g, c) for g, c in frequent.items() if g not in subsumed]
    kept.sort(key=lambda gc: (-gc[1], -len(gc[0]), gc[0]))
    return [PhraseCount(" ".join(g), c, _share(c, total)) for g, c in kept]


def phrase_frequency(texts: Sequence[str], phrases: Iterable[str]) -> list[PhraseCount]:
    """Document frequency of given phrases (the user's watch list), matched word for word within
    a clause, case-insensitively."""
    docs = [clauses(t) for t in texts]
    out = []
    for phrase in phrases:
        words = tuple(_WORD.findall(phrase.lower().replace("’", "'")))
        if not words:
            continue
        n = len(words)
        count = sum(
            any(tuple(c[i : i + n]) == words for c in doc for i in range(len(c) - n + 1))
            for doc in docs
        )
        out.append(PhraseCount(" ".join(words), count, _share(count, len(texts))))
    return out


def overused_words(
    texts: Sequence[str], *, min_share: float = 0.30, min_count: int = 2, first_only: bool = False
) -> list[PhraseCount]:
    """Content words (no stop words, at least 3 letters) by document frequency; with
    ``first_only``, each text's opening word, stop word or not ("The ..." titles)."""
    df: Counter[str] = Counter()
    for text in texts:
        words = [w for c in clauses(text) for w in c]
        if first_only:
            df.update(words[:1])
        else:
            df.update({w for w in words if w not in STOP_WORDS and len(w) >= 3})
    total = len(texts)
    found = [(w, c) for w, c in df.items() if c >= min_count and _share(c, total) >= min_share]
    found.sort(key=lambda wc: (-wc[1], wc[0]))
    return [PhraseCount(w, c, _share(c, total)) for w, c in found]
