"""The proposal shapes the music (issue #14): the seed is mixed with the proposal's content, the
chord phase follows the style table (family progressions, rates, modal colour, whole phrases,
programs), the other phases take its feel, and ``chromatic style`` explains the choice."""

from __future__ import annotations

from chromatic.cli import main
from chromatic.produce.chords.colour import extend
from chromatic.produce.chords.progression import Colour, transition_model
from chromatic.produce.chords.vocab import VOCAB
from chromatic.produce.chords.voicing import voice_progression
from chromatic.produce.phases.chords import candidate_details, generate, phrase_bars
from chromatic.produce.phases.drums import style_groove
from chromatic.produce.rhythm.humanize import humanize
from chromatic.produce.style import content_seed, style_for
from chromatic.proposals.reader import proposal_from_mapping

BASE = {"title": "A", "key": "C major", "bpm": 100, "rainbow_color": "R"}


def _proposal(**kw):
    return proposal_from_mapping({**BASE, **kw})


def test_two_proposals_never_share_a_seed_and_one_always_gives_the_same():
    a, b = _proposal(title="One"), _proposal(title="Two")
    assert content_seed(1, a) != content_seed(1, b)
    assert content_seed(1, a) == content_seed(1, _proposal(title="One"))
    pa = [c.path for c in generate(a, 30, content_seed(1, a))]
    pb = [c.path for c in generate(b, 30, content_seed(1, b))]
    assert pa != pb
    assert pa == [c.path for c in generate(a, 30, content_seed(1, a))]


def test_rock_candidates_follow_the_style_table():
    p = _proposal(genres=["rock"])
    style = style_for(p)
    assert style.family == "rock" and style.harmony.mode == "mixolydian"
    cands = generate(p, 120, 3, style)
    details = [candidate_details(c, p, style.program("chords"), style) for c in cands]
    family = [d for d in details if d["style"]["source"] == "family"]
    share = len(family) / len(details)
    assert 0.4 < share < 0.8  # progression_rate 0.6 (duplicates dropped)
    written = {tuple(x) for x in style.harmony.progressions["major"]}
    assert all(tuple(d["style"]["progression"]) in written for d in family)
    # mixolydian colour: the minor v joins the table; extensions on a share of chords
    assert any("v" in d["progression"] for d in details)
    assert any(d["style"]["extensions"] for d in details)
    assert {q for d in details for q in d["qualities"]} & {"sus2", "sus4", "add9", "maj7"}
    # every loop is a whole number of the style's phrases
    for c in cands:
        assert c.rhythm.total_bars % phrase_bars(style) == 0
        assert sum(c.rhythm.bars) == c.rhythm.total_bars


def test_rates_scale_the_colour_chords():
    none = transition_model("major", Colour(borrowed=0.0, secondary=0.0))
    many = transition_model("major", Colour(borrowed=0.4, secondary=0.2))
    colour = [i for i, c in enumerate(none.chords) if c.kind in ("borrowed", "secondary")]
    assert none.matrix[:, colour].sum() == 0
    assert many.matrix[:, colour].sum() > transition_model("major").matrix[:, colour].sum()
    phrygian = transition_model("minor", Colour(mode="phrygian"))
    assert "bII" in phrygian.numerals and "bII" not in transition_model("minor").numerals
    # a mode that needs the other third is not applied
    assert "bII" not in transition_model("major", Colour(mode="phrygian")).numerals


def test_extensions_are_voiced_with_four_note_qualities():
    from chromatic.music.key import Key

    key = Key("C", "major")
    v = {c.numeral: c for c in VOCAB["major"]}
    chords = [
        extend(v["I"], 0.0, 1, 0, 0),
        extend(v["V"], 0.0, 1, 0, 0),
        extend(v["ii"], 0.5, 0, 1, 0),
    ]
    assert [c.quality for c in chords] == ["maj7", "dom7", "sus2"]
    assert [c.symbol(key) for c in chords] == ["Cmaj7", "G7", "Dsus2"]
    rows = voice_progression([c.pcs(key) for c in chords])
    for c, row in zip(chords, rows.tolist(), strict=True):
        assert {p % 12 for p in row} <= set(c.pcs(key)) and row[0] % 12 == c.pcs(key)[0]


def test_jazz_swings_its_drums():
    style = style_for(_proposal(genres=["jazz"]))
    g = style_groove(style)
    assert g is not None and g.swing > 0
    assert style_groove(style_for(_proposal(genres=["rock"]))) is None
    from chromatic.music.notes import Note

    off = Note(240, 60, 42, 80)  # the "and" of beat one
    assert humanize([off], g, 1920)[0].start > 240


def test_style_command_prints_the_family_and_its_reasons(tmp_path, capsys):
    path = tmp_path / "p.yml"
    path.write_text(
        "title: T\nbpm: 120\nkey: C Chromatic Complete\nrainbow_color: R\n"
        "genres: [dark techno]\nmood: [ominous]\n"
    )
    assert main(["style", str(path)]) == 0
    out = capsys.readouterr().out
    assert "family: electronic" in out and "-> family electronic" in out
    assert "mood dark, ominous -> dark" in out
    assert "'Chromatic Complete' names no mode; assuming C major" in out
