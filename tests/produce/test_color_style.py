"""The color shapes the music (issue #30): the catalog's color profile, and the style a
proposal's color, lyrics, concept and folder resolve to."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from chromatic.cli import main
from chromatic.produce.arrange.form import plan_form
from chromatic.produce.folder import read_any_proposal
from chromatic.produce.style import style_for
from chromatic.produce.style.color import _kinds, accent_roles, concept_effects, form_of
from chromatic.produce.style.palette import accent_program, gm_family
from chromatic.produce.style.profile import (
    EXAMPLE_PROFILE,
    REAL_PROFILE,
    build_profile,
    classify,
    profile_text,
    section_kind,
)
from chromatic.taxonomy import ALBUM_COLORS, parse_color
from tests.produce.conftest import MINOR_7_8
from tests.produce.test_assemble import parts  # noqa: F401 (a fixture)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def base():
    return read_any_proposal(MINOR_7_8)


def test_the_shipped_real_profile_is_what_the_command_writes_from_the_real_catalog(real_catalog):
    assert REAL_PROFILE.read_text(encoding="utf-8") == profile_text(build_profile(real_catalog))


def test_the_shipped_example_profile_is_what_the_command_writes():
    built = build_profile(EXAMPLES / "catalog")
    assert EXAMPLE_PROFILE.read_text(encoding="utf-8") == profile_text(built)
    assert len(built["colors"]) == 8 and built["catalog_songs"] == 24


def test_the_real_profile_says_what_each_album_is(real_catalog):
    colors = build_profile(real_catalog)["colors"]
    assert colors["Green"]["vocals"]["share"] == 0 and colors["Yellow"]["vocals"]["share"] == 0
    assert colors["Blue"]["vocals"]["share"] == 1.0
    assert colors["Green"]["drums"]["share"] < 0.5 <= colors["Red"]["drums"]["share"]
    assert colors["Black"]["tempo_bpm"]["median"] == 138
    green = {p["program"] for p in colors["Green"]["parts"]["melody"]}
    assert 40 in green  # violin
    # every figure names its songs, and they are the color's own
    for c in colors.values():
        assert set(c["vocals"]["songs"]) <= set(c["songs"])
        assert all(set(p["from"]) <= set(c["songs"]) for ps in c["parts"].values() for p in ps)


@pytest.mark.parametrize(
    ("text", "family", "program"),
    [
        ("Morphagene", "texture", 95),
        ("DFAM", "drums", None),
        ("kick", "drums", None),
        ("Farfisa organ", "organ", 17),
        ("baritone vocal", "voice", 85),
        ("background vocals", "backing_voice", 53),
        ("heavily spring-reverb electric baritone guitar", "guitar", 26),
        ("Grandmother bass", "bass", 38),
        ("violin", "strings", 40),
    ],
)
def test_the_instrument_table_reads_the_artists_track_descriptions(text, family, program):
    rule = classify(text)
    assert rule is not None and (rule.family, rule.program) == (family, program)


def test_section_names_map_to_kinds():
    kinds = {n: section_kind(n) for n in ("Interlude 2", "The Forge", "Verse Intro", "Chorus")}
    assert kinds == {
        "Interlude 2": "interlude",
        "The Forge": "movement",
        "Verse Intro": "intro",
        "Chorus": "chorus",
    }
    assert section_kind("Chorus Reprise") == "reprise" and section_kind("bridge jamz") == "jam"
    assert form_of(["intro", "verse", "chorus", "interlude", "reprise", "outro"]) == (
        "intro",
        "verse",
        "chorus",
        "interlude",
        "chorus!",
        "outro",
    )


def test_only_the_color_changes_instruments_form_and_length(base):
    styles = {c.name: style_for(replace(base, color=c)) for c in ALBUM_COLORS}
    assert len({tuple(sorted(s.programs.items())) for s in styles.values()}) >= 6
    assert len({s.form for s in styles.values()}) >= 4
    assert not styles["Green"].sung and not styles["Yellow"].sung and styles["Blue"].sung
    assert styles["Green"].density < styles["Red"].density  # 1 Green song in 8 has drums
    assert all("chorus" not in s.form and "chorus!" not in s.form for s in [styles["Green"]])
    for s in styles.values():  # every choice says where it came from
        assert any(src.startswith(f"{s.color} profile") for _, _, src in s.sources)
    # the same proposal always resolves the same way
    assert style_for(replace(base, color=ALBUM_COLORS[0])) == styles[ALBUM_COLORS[0].name]


def test_drums_play_with_the_colors_drum_share(base):
    green = [style_for(replace(base, color=parse_color("Green"), title=f"g{i}")) for i in range(24)]
    red = [style_for(replace(base, color=parse_color("Red"), title=f"r{i}")) for i in range(8)]
    assert sum(s.drums for s in green) <= 8 and all(s.drums for s in red)  # 1/8 vs 12/12
    # a long named movement is heard as passages of about a minute
    assert _kinds([["movement", 172.0]]) == ["movement"] * 3
    assert _kinds([["verse", 20.0], ["verse", 20.0], ["chorus", 30.0]]) == ["verse", "chorus"]


def test_without_a_profile_the_genre_family_alone_decides(base):
    st = style_for(base, profile=None)
    assert st.color == "" and st.form_name == "build_drop" and st.sung is None


def test_lyrics_win_over_an_instrumental_color(base):
    lyrics = "[verse]\nmoss on the ladder\n\n[chorus]\nforty of us\n"
    st = style_for(replace(base, color=parse_color("Green"), lyrics=lyrics))
    assert st.sung and {"verse", "chorus!"} <= set(st.form)


def test_a_folder_style_yml_still_overrides(base, tmp_path):
    (tmp_path / "style.yml").write_text("form: aaba\nprograms: {chords: 19}\n", encoding="utf-8")
    st = style_for(replace(base, color=parse_color("Blue")), tmp_path)
    assert st.form_name == "aaba" and st.programs["chords"] == 19
    assert ("programs", "", "style.yml") in st.sources


def test_only_the_concept_changes_energy_mode_and_accents(base):
    war = "war and fire: the riot burns, rage and violence in battle"
    birds = "monarch butterflies follow the migration over forest and meadow"
    a = style_for(replace(base, concept=war))
    b = style_for(replace(base, concept=birds))
    assert [e.rule for e in concept_effects(war)] == ["conflict"]
    assert a.harmony.mode == "phrygian" and b.harmony.mode == "lydian"
    # the accent plays in the contrasting sections; the color's palette keeps the rest
    # war's distortion guitar, in the template song's own guitar (palette.accent_program)
    (guitar,) = {a.program("chords", r) for r in accent_roles(a.form)}
    assert gm_family(guitar) == "guitar" and guitar not in a.programs.values()
    # nature's flute, in the color's own wind when its songs have no flute (palette.accent_program)
    (wind,) = {b.program("harmony", r) for r in accent_roles(b.form)}
    assert wind == accent_program(73, b.color)[0] and gm_family(wind) == "winds"
    assert a.programs == b.programs
    assert a.density > b.density
    assert a.form == b.form  # the color's draw ignores the concept
    assert any(src.startswith("concept conflict") for _, _, src in a.sources)


def test_two_white_proposals_never_share_a_template(base):
    white = parse_color("White")
    styles = [style_for(replace(base, color=white, title=f"White {i}")) for i in range(6)]
    assert len({(s.form, tuple(sorted(s.section_programs))) for s in styles}) >= 5
    for s in styles:
        borrowed = next(v for w, v, _ in s.sources if w == "borrowed").split(", ")
        assert 3 <= len(borrowed) <= 4 and s.form[-1] == "outro"
        assert "outro" in s.section_programs  # the spectrum gathered at the end


def test_a_color_form_plays_its_own_labels_and_grows_to_its_length():
    secs = [SimpleNamespace(name=n, bars=4) for n in ("movement_1", "interlude", "movement_2")]
    var = SimpleNamespace(fills=True, dropout=True, lift=True, key_change=0.0)
    style = SimpleNamespace(phrase_bars=4, variation=var)
    items = ("movement_1", "interlude", "movement_2", "movement_1")
    plan = plan_form(secs, style, items, 2.0, (200.0, "style"), seed=1)
    assert [o.name for o in plan.occurrences] == list(items)
    total = sum(o.bars * o.repeat for o in plan.occurrences) * 2.0
    assert abs(total - 200) <= 8 * 2.0
    # one 1-bar movement for a long song: grows, but never past the plan's repeat bound
    one = plan_form(
        [SimpleNamespace(name="movement_1", bars=1)],
        style,
        ("movement_1",),
        2.0,
        (300.0, "style"),
        seed=1,
    )
    assert one.occurrences[0].repeat == 16


def test_style_profile_command_writes_the_profile_and_refuses_a_bad_catalog(tmp_path, capsys):
    out = tmp_path / "profile.yml"
    assert main(["style", "profile", str(EXAMPLES / "catalog"), "--out", str(out)]) in (0, None)
    assert out.read_text(encoding="utf-8") == EXAMPLE_PROFILE.read_text(encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad.yml"
    assert main(["style", "profile", str(empty), "--out", str(bad)]) == 1
    assert "found none" in capsys.readouterr().err and not bad.exists()


def test_style_command_prints_each_choice_and_its_source(capsys):
    main(["style", str(MINOR_7_8)])
    text = capsys.readouterr().out
    assert "choices (value <- source):" in text
    assert "Black profile: the form of" in text and "programs.melody:" in text


def test_a_sections_own_chords_program_is_heard(parts):  # noqa: F811
    """Style.section_programs (a White palette, a concept accent) reach the arrangement."""
    import pretty_midi

    from chromatic.music import daw
    from chromatic.produce.arrange.assemble import ARRANGEMENT_FILE, assemble

    def chords_programs() -> set[int]:
        assemble(parts.root)
        path = parts.root / ARRANGEMENT_FILE
        roles = daw.part_roles(path)
        return {
            int(i.program)
            for i in pretty_midi.PrettyMIDI(str(path)).instruments
            if roles.get(i.name) == "chords"
        }

    before = chords_programs()
    style = parts.root / "style.yml"
    style.write_text(
        style.read_text(encoding="utf-8") + "section_programs: {chorus: {chords: 30}}\n",
        encoding="utf-8",
    )
    after = chords_programs()
    assert 30 not in before and 30 in after  # the chorus on distortion guitar
    assert len(after) >= 2  # the other sections keep their own
