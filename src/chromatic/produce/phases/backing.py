"""The harmony phase: backing vocals for every section with an approved melody loop.

Depends on approved chords (the chord tones at every moment) and approved melody (the lead:
its notes and lyric events, read back from ``melody/approved/<label>.mid``). The second singer
is ``--singer`` (an error for an unknown name), else the registry singer other than the lead
whose range centre sits nearest the lead's sung notes (the melody phase's singer is read from
``melody/review.yml``); the whole line stays inside that singer's range.

Options, per section:

- a sung section (the lead carries words): a parallel line (``vocals.lines.ParallelOption``:
  third or sixth, above or below, diatonic or chordal) on the lead's rhythm, each note with the
  lead's own lyric event, so a vocal synth sings the same syllables;
- a wordless section (no lyric events, or only "oo" and continuations): a counter-melody
  (``CounterOption``: half-bar, bar or chord-change rhythm, low or high), sung on "oo".

Theory = mean of ``voice_leading`` (the line's own moves), ``parallels`` (1 - the share of
successive vertical pairs moving in parallel fifths or octaves with the lead), ``range`` (share
inside the second singer's range) and ``consonance`` (strong beats: consonant with the lead and
a chord tone); with a model, the composite adds chromatic match as every phase does.
"""

from __future__ import annotations

import zlib

from chromatic.errors import ProduceError
from chromatic.music.meter import strong_ticks
from chromatic.music.midi import MELISMA
from chromatic.music.notes import Note
from chromatic.music.song import Song as LoopSong
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.loops import read_loop
from chromatic.produce.melody.singers import Singer, choose_singer, registry
from chromatic.produce.phases import Candidates, PhaseOptions, PhaseResult
from chromatic.produce.phases.parts import (
    PartCandidate,
    TrackSpec,
    check_counts,
    draw_order,
    part_candidates,
    section_rng,
)
from chromatic.produce.sections import (
    Section,
    Song,
    approved_files,
    load_song,
    require_approved,
    section_role,
)
from chromatic.produce.sofar import SongSoFar
from chromatic.produce.style import style_for
from chromatic.produce.vocals import PROGRAM, theory
from chromatic.produce.vocals.lines import (
    COUNTER_OPTIONS,
    PARALLEL_OPTIONS,
    CounterOption,
    ParallelOption,
    counter_line,
    counter_onsets,
    parallel_line,
)
from chromatic.yamlio import flow

PHASE = "harmony"
# the phase's own options (``PhaseOptions.extra``)
OWN: tuple[str, ...] = ("singer", "singers_file")
ID_PREFIX = "harmony"
# the phase's random stream, by a fixed name: renaming a module must not change what a seed draws
STREAM = zlib.crc32(b"chromatic.produce.harmony")
THEORY_TEXT = "mean of voice_leading, parallels, range, consonance"
WORDLESS = {"oo", MELISMA, ""}
VOCALISE = "oo"


def read_lead(loop, path=None) -> tuple[tuple[Note, ...], dict[int, str]]:
    """The approved melody's notes (its first track with notes, by onset) and its lyric events
    by tick, from ``loop``: a ``music.song.Song`` as ``loops.read_loop`` reads ``path``, or
    the file itself (a path or bytes), read here."""
    if not isinstance(loop, LoopSong):
        path = loop if path is None else path
        loop = read_loop(loop, name=None if isinstance(loop, bytes) else str(loop))
    track = next((t for t in loop.tracks if t.notes), None)
    if track is None:
        raise ProduceError("the approved melody holds no notes", path=path)
    notes = tuple(sorted(n._replace(duration=max(1, n.duration)) for n in track.notes))
    events = {x.tick: x.text for tr in loop.tracks for x in tr.lyrics}
    return notes, events


def is_sung(events: dict[int, str]) -> bool:
    """A lead with words: some lyric event other than the vocalise and continuations."""
    return any(x.strip().lower() not in WORDLESS for x in events.values())


def lead_singer_name(folder: ProductionFolder) -> str | None:
    singer = folder.review_facts("melody").get("singer")
    return singer.get("name") if isinstance(singer, dict) else None


def second_singer(
    reg: dict[str, Singer], lead_name: str | None, requested: str | None, lead_mean: float
) -> Singer:
    """The requested singer, else the one other than the lead nearest the lead's register."""
    if requested:
        return choose_singer(reg, requested, None)[0]
    others = [s for s in reg.values() if s.name.lower() != (lead_name or "").lower()]
    return min(others or list(reg.values()), key=lambda s: (abs(s.center - lead_mean), s.name))


def score_line(
    section: Section, lead: tuple[Note, ...], line: tuple[Note, ...], singer: Singer
) -> dict[str, float]:
    vertical = theory.vertical_pairs(lead, line)  # once for both counts
    pairs = max(len(vertical) - 1, 0)  # theory.transitions
    parallels = theory.parallel_perfects(lead, line, vertical) if pairs else 0
    strong = strong_ticks(section.meter, section.bars)
    parts = {
        "voice_leading": theory.voice_leading(line),
        "parallels": 1.0 - parallels / pairs if pairs else 1.0,
        "range": theory.in_range(line, singer.low, singer.high),
        "consonance": theory.strong_consonance(
            lead, line, strong, lambda t: section.chord_at(t).tones
        ),
    }
    out = {k: round(float(v), 4) for k, v in parts.items()}
    out["total"] = round(float(sum(parts.values()) / len(parts)), 4)
    return out


def realize(
    song: Song, section: Section, lead: tuple[Note, ...], singer: Singer, opt
) -> tuple[Note, ...]:
    tones = lambda t: section.chord_at(t).tones  # noqa: E731
    strong = strong_ticks(section.meter, section.bars)
    if isinstance(opt, ParallelOption):
        scale = song.proposal.key.scale_pcs()
        return parallel_line(lead, opt, singer.low, singer.high, scale, tones, set(strong))
    starts = [c.start for c in section.chords]
    onsets = counter_onsets(opt.rhythm, section.total_ticks, section.bar_ticks, starts, strong)
    return counter_line(lead, opt, singer.low, singer.high, onsets, section.total_ticks, tones)


def lyric_events(
    line: tuple[Note, ...], events: dict[int, str], sung: bool
) -> tuple[tuple[int, str], ...]:
    """The lead's syllable at each backing note (the same onsets), or the vocalise."""
    if not sung:
        return tuple((n.start, VOCALISE) for n in line)
    return tuple((n.start, events.get(n.start, MELISMA)) for n in line)


def harmony_candidate(song, section, index, opt, lead, singer, sung) -> PartCandidate:
    line = realize(song, section, lead, singer, opt)
    pitches = [n.pitch for n in line]
    details = {
        "section": section.label,
        "energy": section.energy,
        "next_section": section.next,
        "kind": opt.kind,
        "texture": "parallel" if isinstance(opt, ParallelOption) else "counter",
        "singer": singer.name,
        "singer_range": flow([singer.low, singer.high]),
        "range": flow([min(pitches), max(pitches)]) if pitches else None,
        "notes": len(line),
        "lead_notes": len(lead),
        "parallel_fifths_octaves": theory.parallel_perfects(lead, line),
        "bars": section.bars,
    }
    if isinstance(opt, ParallelOption):
        details["policy"] = opt.policy
    else:
        details["register"] = opt.register
    return PartCandidate(
        section.label, index, score_line(section, lead, line, singer), details, line
    )


def run_harmony(folder: ProductionFolder, **keywords) -> PhaseResult:
    """``harmony_phase`` with its options as keywords (``PhaseOptions.of``: n 40, top 5), its
    candidates gated at ``folder`` (review.yml written), as a script or a test runs it."""
    return harmony_phase(folder, PhaseOptions.of(OWN, **keywords)).gate(folder)


def harmony_phase(song_so_far: SongSoFar, options: PhaseOptions) -> Candidates:
    """Backing-vocal candidates for every section with an approved melody; ``n`` generated and
    ``top`` kept per section."""
    n, seed = options.n, options.seed
    singer = options.extra.get("singer")
    singers_file = options.extra.get("singers_file")
    check_counts(n, options.top)
    song = load_song(song_so_far, PHASE)
    require_approved(song_so_far, "melody", PHASE)
    melodies = approved_files(song_so_far, "melody")
    leads = {
        s.label: read_lead(song_so_far.loop_song(melodies[s.label]), melodies[s.label])
        for s in song.sections
        if s.label in melodies
    }
    notes = []
    missing = [s.label for s in song.sections if s.label not in leads]
    if missing:
        notes.append(f"no approved melody for {', '.join(missing)}: no backing vocals there")
    reg = registry(
        song_so_far.singers_path if song_so_far.singers_path.is_file() else None, singers_file
    )
    sung_pitches = [n.pitch for lead, _ in leads.values() for n in lead]
    mean = sum(sung_pitches) / len(sung_pitches) if sung_pitches else 60.0
    lead_name = lead_singer_name(song_so_far)
    voice = second_singer(reg, lead_name, singer, mean)
    cands: dict[str, list[PartCandidate]] = {}
    events: dict[tuple[str, int], tuple[tuple[int, str], ...]] = {}
    for s in song.sections:
        if s.label not in leads:
            continue
        lead, words = leads[s.label]
        sung = is_sung(words)
        choices: tuple[ParallelOption | CounterOption, ...] = (
            PARALLEL_OPTIONS if sung else COUNTER_OPTIONS
        )
        rng = section_rng(seed, STREAM, s.label)
        cands[s.label] = []
        for i, j in enumerate(draw_order(len(choices), n, rng)):
            c = harmony_candidate(song, s, i, choices[j], lead, voice, sung)
            cands[s.label].append(c)
            events[(s.label, i)] = lyric_events(c.notes, words, sung)
    style = style_for(song.proposal, song_so_far.root)  # the color's backing part (produce.style)
    programs = {s.label: style.program("harmony", section_role(s.label)[0]) for s in song.sections}
    return part_candidates(
        song_so_far,
        song,
        phase=PHASE,
        prefix=ID_PREFIX,
        track=lambda c: TrackSpec(
            "harmony", programs.get(c.section, PROGRAM), lyrics=events[(c.section, c.index)]
        ),
        candidates=cands,
        variety="kind",
        **options.ranking(),
        theory_text=THEORY_TEXT,
        warnings=notes,
        context={"leads": {k: v[0] for k, v in leads.items()}, "singer": voice},
        extra={
            "singer": {
                "name": voice.name,
                "low": voice.low,
                "high": voice.high,
                "source": voice.source,
                "lead": lead_name,
            },
        },
    )
