from __future__ import annotations

import re
import shutil

import mido
import pytest

from chromatic.cli import main
from chromatic.errors import ProduceError, ReviewError
from chromatic.music import daw
from chromatic.music.gm import GM_DRUM_KEYS, NOTATION_KEYS, VOICES
from chromatic.music.meter import meter_of
from chromatic.music.midi import load_score
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases.drums import run_drums
from chromatic.produce.review import load_review
from chromatic.produce.rhythm.fills import fill_options
from chromatic.produce.rhythm.humanize import GROOVES
from chromatic.produce.rhythm.templates import HANDWRITTEN, templates_for
from chromatic.produce.sections import ENERGIES, load_song, section_energy, song_order
from chromatic.produce.style.genres import FAMILIES, family_fit, genre_families
from tests.produce.conftest import MINOR_7_8, PART_N, PART_TOP, SECTIONS, approve, make_folder

METERS = ["4/4", "3/4", "6/8", "7/8", "5/4", "5/8", "12/8", "9/8", "2/4", "18/32"]


@pytest.fixture(scope="module")
def drums_78(song_78, tmp_path_factory):
    """The 7/8 song with drums generated (theory only)."""
    dst = tmp_path_factory.mktemp("drums78") / song_78.root.name
    shutil.copytree(song_78.root, dst)
    folder = ProductionFolder(dst)
    run = run_drums(folder, n=PART_N, top=PART_TOP, seed=5)
    return folder, run


@pytest.mark.parametrize(
    ("genre", "families"),
    [
        ("americana", ["folk"]),
        ("palimpsest americana", ["folk"]),
        ("dark ambient", ["ambient"]),
        ("folk rock", ["folk", "rock"]),
        ("post-punk", ["rock"]),
        ("post-rock", ["rock"]),
        ("neo-classical", ["classical"]),
        ("kosmische", ["krautrock"]),
        ("Motorik", ["krautrock"]),
        ("musique concrète", ["experimental"]),
        ("new age", ["ambient"]),
        ("field recording", ["experimental"]),
        ("electro-pop", ["pop"]),
        ("bebop", ["jazz"]),
        ("gonzo journalism", []),
        ("rockabilly-adjacent", []),  # whole words only: no "rock" inside "rockabilly"
    ],
)
def test_genre_words_map_to_families_by_whole_words(genre, families):
    assert genre_families(genre) == families


def test_family_fit_weights_the_main_genre():
    fit = family_fit(["dark ambient", "neo-classical", "experimental"])
    assert (
        fit.main == "ambient"
        and fit.fits["ambient"] == 1.0
        and set(fit.fits) == {"ambient", "classical", "experimental"}
    )
    assert family_fit(["americana"]).main == "folk"
    none = family_fit(["gonzo journalism"])
    assert not none.matched and set(none.fits) == set(FAMILIES)


def test_family_fit_covers_every_real_proposal(real_chains):
    from chromatic.proposals.threads import load_all

    proposals = [r.proposal for r in load_all(real_chains).results if r.proposal]
    assert len(proposals) == 265 and all(family_fit(p.genres).matched for p in proposals)


@pytest.mark.parametrize("ts", METERS)
def test_every_family_and_energy_has_templates_in_every_meter(ts):
    meter = meter_of(ts)
    temps = templates_for(meter)
    for family in FAMILIES:
        for energy in ENERGIES:
            assert any(t.family == family and t.energy == energy for t in temps), (family, energy)
    bar = int(meter.bar * 480)
    for t in temps:
        assert t.fits(meter)
        for onset, voice, vel in t.hits(meter):
            assert 0 <= onset * 480 < bar and (onset * 480).denominator == 1
            assert voice in VOICES and vel in (120, 90, 45)


def test_a_7_8_template_has_seven_eighth_note_beats():
    meter = meter_of("7/8")
    assert meter.bar * 2 == 7  # seven eighths
    hand = {t.name: t for t in HANDWRITTEN["7/8"]}
    seven = hand["ambient_seven"]
    assert all(len(p) == 7 for _, p in seven.voices)
    assert {o * 2 for o, _, _ in seven.hits(meter)} == set(
        range(7)
    )  # one shaker hit on each eighth
    for t in templates_for(meter):
        for _, pattern in t.voices:
            assert len(pattern) % 7 == 0  # whole cells per eighth
        if t.family != "experimental":  # (its Euclidean rhythms may fall between the eighths)
            kicks = [o for o, v, vel in t.hits(meter) if v in ("kick", "kick2") and vel >= 90]
            assert all((o * 2).denominator == 1 for o in kicks), t.name  # on the eighth grid


def test_section_energy_and_order_by_whole_words():
    assert [
        section_energy(x)
        for x in ("intro", "verse", "chorus_2", "bridge", "outro", "pre_chorus", "interlude", "xyz")
    ] == ["low", "medium", "high", "low", "medium", "medium", "low", "medium"]
    assert section_energy("choruses") == "medium"  # not a whole word
    assert song_order(["outro", "bridge", "chorus_2", "verse_2", "chorus", "verse", "intro"]) == [
        "intro",
        "verse",
        "chorus",
        "verse_2",
        "chorus_2",
        "bridge",
        "outro",
    ]


def test_every_section_gets_candidates_on_channel_10(drums_78):
    import pretty_midi

    folder, run = drums_78
    song = load_song(folder, "test")
    labels = [s.label for s in song.sections]
    assert labels == ["intro", "verse", "chorus", "verse_2", "bridge", "outro"] and len(
        labels
    ) == len(SECTIONS)
    review = load_review(folder.review_path("drums"))
    for s in song.sections:
        cands = [c for c in review.model.candidates if c.details["section"] == s.label]
        assert len(cands) == PART_TOP, s.label  # late sections too (the old phase starved them)
        assert sorted(c.rank for c in cands) == list(range(1, PART_TOP + 1))
        for c in cands:
            assert re.fullmatch(rf"drum_{s.label}_\d\d", c.id)
            d = c.details
            assert (d["next_section"], d["energy"], d["next_energy"]) == (
                s.next,
                s.energy,
                s.next_energy,
            )
            assert d["fill"] in fill_options(s.energy, s.next_energy)
            path = folder.phase_dir("drums") / c.midi_file
            mid = mido.MidiFile(str(path))
            ons = [m for tr in mid.tracks for m in tr if m.type == "note_on" and m.velocity > 0]
            assert ons and all(m.channel == 9 and m.note in NOTATION_KEYS for m in ons)
            score = load_score(path)
            ts = score.time_signatures[0]
            assert (ts.numerator, ts.denominator) == (7, 8)
            assert score.end() <= s.bars * 1680
            pm = pretty_midi.PrettyMIDI(str(path))
            assert pm.instruments[0].is_drum and pm.instruments[0].name == "Drums"
    chorus = min(
        (c for c in review.model.candidates if c.details["section"] == "chorus"),
        key=lambda c: c.rank,
    )
    bridge = min(
        (c for c in review.model.candidates if c.details["section"] == "bridge"),
        key=lambda c: c.rank,
    )
    assert chorus.details["loop_energy"] > bridge.details["loop_energy"]  # high vs low energy
    assert review.model.scoring.weights == {"theory": 1.0, "chromatic": 0.0}
    assert any("no model given" in w for w in run.warnings)


def test_drum_files_load_in_music21(drums_78):
    import music21

    folder, _ = drums_78
    files = sorted((folder.phase_dir("drums") / "candidates").glob("*.mid"))
    assert files
    for path in files[:4]:
        parsed = music21.converter.parse(str(path))
        # music21 reads the hits (it merges hits inside its own quantum, so fewer) in 7/8
        got = sum(len(n.notes) if n.isChord else 1 for n in parsed.flatten().notes)
        assert 0 < got <= sum(len(t.notes) for t in load_score(path).tracks), path.name
        sigs = {ts.ratioString for ts in parsed.flatten().getElementsByClass("TimeSignature")}
        assert sigs == {"7/8"}, (path.name, sigs)


def test_humanize_is_a_deterministic_groove(song_78, tmp_path):
    from chromatic.produce.phases.drums import DrumOption, drum_notes
    from chromatic.produce.rhythm.humanize import groove

    section = load_song(song_78, "test").section("verse")
    template = next(t for t in templates_for(section.meter) if t.name == "rock_seven")
    opt = DrumOption(template, "toms", crash=True)
    plain = drum_notes(section, opt)
    swung = drum_notes(section, opt, groove("laid_back"))
    assert swung == drum_notes(section, opt, groove("laid_back"))  # no random jitter
    timing = GROOVES["laid_back"].timing
    pairs = list(
        zip(
            sorted(plain, key=lambda n: (n[2], n[0])),
            sorted(swung, key=lambda n: (n[2], n[0])),
            strict=True,
        )
    )
    for a, b in pairs:
        voice = next(v for v, k in VOICES.items() if k == a[2])
        assert b[0] - a[0] == timing.get(voice, 0) and b[2] == a[2] and 1 <= b[3] <= 127
    assert any(b[3] < a[3] for a, b in pairs if a[2] == VOICES["hat"])  # hats softer

    dst = tmp_path / "a"
    shutil.copytree(song_78.root, dst)
    folder = ProductionFolder(dst)
    first = run_drums(folder, n=3, top=1, seed=1, humanize_with="swing")
    files = {
        cid: (folder.phase_dir("drums") / "candidates" / f"{cid}.mid").read_bytes()
        for cid in first.merge.added
    }
    shutil.rmtree(folder.phase_dir("drums"))
    again = run_drums(folder, n=3, top=1, seed=1, humanize_with="swing")
    assert {
        cid: (folder.phase_dir("drums") / "candidates" / f"{cid}.mid").read_bytes()
        for cid in again.merge.added
    } == files
    review = load_review(folder.review_path("drums"))
    assert review.doc["groove"] == "swing" and all(
        c.details["groove"] == "swing" for c in review.model.candidates
    )
    with pytest.raises(ProduceError, match="unknown groove"):
        run_drums(folder, n=2, top=1, humanize_with="drunk")


def test_same_seed_gives_identical_drums(song_78, tmp_path):
    def snapshot(seed, name):
        dst = tmp_path / name
        shutil.copytree(song_78.root, dst)
        folder = ProductionFolder(dst)
        run_drums(folder, n=4, top=2, seed=seed)
        root = folder.phase_dir("drums")
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    a, b, c = snapshot(9, "a"), snapshot(9, "b"), snapshot(10, "c")
    assert a == b and "review.yml" in a and len(a) == 2 * len(SECTIONS) + 1
    assert a != c


def test_drums_refuse_without_approved_chords(tmp_path, capsys):
    folder = make_folder(MINOR_7_8, tmp_path)  # chords generated, none approved
    with pytest.raises(ProduceError) as e:
        run_drums(folder)
    msg = str(e.value)
    assert "no approved chords" in msg and f"chromatic produce chords {folder.root}" in msg
    assert f"chromatic promote {folder.root} chords" in msg and "review.yml" in msg
    assert main(["produce", "drums", str(folder.root)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "chromatic produce chords" in err[-1]


def test_promote_names_drums_after_their_section(drums_78, tmp_path):
    src, _ = drums_78
    folder = ProductionFolder(tmp_path / src.root.name)
    shutil.copytree(src.root, folder.root)
    result = approve(folder, "drums", skip=("bridge",))
    assert sorted(p.label for p in result.promoted) == sorted(
        s for s in ("intro", "verse", "chorus", "verse_2", "outro")
    )
    assert {p.stem for p in folder.approved_dir("drums").iterdir()} == {
        "intro",
        "verse",
        "chorus",
        "verse_2",
        "outro",
    }
    verse = folder.approved_dir("drums") / "verse.mid"  # the file names the section
    assert load_score(verse).tracks[0].name == "Drums"  # the track its instrument
    assert daw.part_roles(verse) == {"Drums": "drums"}
    # a second approved candidate of one section: the same label, so nothing is written
    from chromatic.produce.promote import promote
    from chromatic.yamlio import round_trip as _yaml

    before = {p.name: p.read_bytes() for p in folder.approved_dir("drums").iterdir()}
    y = _yaml()
    doc = y.load(folder.review_path("drums").read_text())
    verse = [c for c in doc["candidates"] if c["details"]["section"] == "verse"]
    verse[1]["status"] = "approved"
    with open(folder.review_path("drums"), "w") as f:
        y.dump(doc, f)
    with pytest.raises(ReviewError, match="share the label 'verse'"):
        promote(folder.root, "drums")
    assert {p.name: p.read_bytes() for p in folder.approved_dir("drums").iterdir()} == before


def test_every_template_and_fill_plays_keys_notation_maps():
    """MuseScore's MIDI import maps only part of the GM kit: every key a template or a fill
    writes is in both the GM map and MuseScore's default drumset (clap, shaker and triangle
    are played by the electric snare, the closed hat and the ride bell)."""
    from chromatic.produce.phases.drums import bar_hits
    from chromatic.produce.rhythm.fills import FILLS

    keys = set()
    for sig in METERS:
        meter = meter_of(sig)
        for template in templates_for(meter):
            for fill in FILLS:
                keys |= {k for _, k, _ in bar_hits(template, meter, fill)}
    assert keys and keys <= NOTATION_KEYS and keys <= set(GM_DRUM_KEYS)
    assert {VOICES["snare2"], VOICES["hat"]} <= keys  # the substitutes are played
    assert not keys & {VOICES["clap"], VOICES["shaker"], VOICES["triangle"]}


def test_a_loop_is_made_once_per_content_the_chords_aside(song_78, monkeypatch):
    """Beam branches differ in their chords, which drums do not read: the same option of the
    same section is made once, and each candidate still gets its own details."""
    import dataclasses

    from chromatic.produce.phases import drums

    section = load_song(song_78, "test").section("verse")
    fit = family_fit(("rock",))
    opt = drums.drum_options(section, fit)[0]
    made: list[int] = []
    real = drums.drum_notes
    monkeypatch.setattr(drums, "drum_notes", lambda *a: made.append(1) or real(*a))
    monkeypatch.setattr(drums, "_LOOPS", {})
    first = drums.drum_candidate(section, 0, opt, fit, None)
    other_chords = dataclasses.replace(section, chords=section.chords[::-1])
    again = drums.drum_candidate(other_chords, 4, opt, fit, None)
    assert made == [1] and again.index == 4
    assert (again.notes, again.theory, again.details) == (first.notes, first.theory, first.details)
    assert again.details["voices"] is not first.details["voices"]
    longer = dataclasses.replace(section, bars=section.bars + 1)
    assert drums.drum_candidate(longer, 0, opt, fit, None).notes != first.notes
    assert made == [1, 1]
