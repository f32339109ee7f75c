"""The section vocabulary (music.form): the table is consistent, and labels as people write them
parse to the roles, instances and song order the phases expect."""

from __future__ import annotations

import re

import pytest

from chromatic.music import form


def test_table_is_consistent():
    names = [r.name for r in form.ROLES]
    assert len(set(names)) == len(names) and form.OTHER.name not in names
    words = [w for r in form.ROLES for w in r.all_words]
    assert len(set(words)) == len(words), "a label word names one role"
    for r in form.ROLES:
        assert r.words[0] == r.name and r.energy in form.ENERGIES and r.display
        assert r.frames_song == (r.name in ("intro", "outro"))
    assert set(form.ENERGY_VALUE) == set(form.ENERGIES)
    assert all(name in form.BY_NAME for name in form.DEFAULT_FORM)
    assert all(name in form.BY_NAME for name, _ in form.LOOSE_RULES)
    ranks = [r.chord_rank for r in form.ROLES if r.chord_rank is not None]
    assert sorted(ranks) == list(range(len(ranks)))
    assert set(form.DEFAULT_FORM) <= set(form.CHORD_PRIORITY)


def test_table_keeps_the_rules_the_layers_had():
    """What plan.py, search.py and lyrics.py each held before the table (behaviour unchanged)."""
    instrumental = {
        "intro",
        "opening",
        "outro",
        "coda",
        "ending",
        "interlude",
        "breakdown",
        "solo",
        "instrumental",
        "drop",
        "jam",
        "drone",
    }  # fmt: skip  (jam and drone: the catalog's own section words, issue #30)
    assert instrumental == form.INSTRUMENTAL_WORDS
    assert form.CHORD_PRIORITY == ("chorus", "verse", "bridge", "intro", "outro")
    assert {r.name for r in form.ROLES if r.repeat == 2} == {"verse", "chorus"}
    assert {r.name for r in form.ROLES if r.late} == {"bridge", "solo"}
    assert form.DEFAULT_FORM == ("intro", "verse", "chorus", "bridge", "outro")


@pytest.mark.parametrize(
    ("label", "words", "role", "energy", "instance"),
    [
        ("Verse 2", ["verse", "2"], "verse", "medium", 2),
        ("verse_b", ["verse", "b"], "verse", "medium", 2),
        ("pre-chorus", ["prechorus"], "prechorus", "medium", 0),
        ("Pre Chorus 1", ["prechorus", "1"], "prechorus", "medium", 1),
        ("Chorus (final)", ["chorus", "final"], "chorus", "high", 0),
        ("Outro/Coda", ["outro", "coda"], "outro", "medium", 0),
        ("Middle 8", ["middle", "8"], "bridge", "low", 8),
        ("choruses", ["choruses"], "other", "medium", 0),
        ("Theme A", ["theme", "a"], "other", "medium", 1),
        ("", [], "other", "medium", 0),
    ],
)
def test_label_parsing(label, words, role, energy, instance):
    assert form.label_words(label) == words
    assert form.section_role(label)[:2] == (role, energy) == (form.role_of(label).name, energy)
    assert form.section_energy(label) == energy
    assert form.instance(label) == instance


def test_instrumental_by_any_word():
    assert form.is_instrumental("Outro/Coda") and form.is_instrumental("chorus_drop")
    assert form.is_instrumental("verse (instrumental)") and form.is_instrumental("Solo 2")
    assert not form.is_instrumental("Chorus (final)") and not form.is_instrumental("Middle 8")


def test_song_order():
    labels = ["outro", "chorus_2", "bridge", "Verse 2", "intro", "pre-chorus", "chorus", "verse"]
    assert form.song_order(labels) == [
        "intro", "verse", "pre-chorus", "chorus", "Verse 2", "chorus_2", "bridge", "outro",
    ]  # fmt: skip
    # an unnumbered bridge or solo follows the second chorus; a numbered one keeps its number
    assert form.song_order(["bridge_1", "verse_2", "verse_1"]) == ["verse_1", "bridge_1", "verse_2"]
    assert form.song_order(["solo", "chorus_2", "chorus_3"]) == ["chorus_2", "solo", "chorus_3"]


#: The example catalog synthesizer's rules before the table held them (synth/parts.py).
_LEGACY_LOOSE = (
    (re.compile(r"intro", re.I), 0),
    (re.compile(r"bridge|interlude|break", re.I), 0),
    (re.compile(r"chorus|refrain|climax|peak", re.I), 2),
    (re.compile(r"outro|coda|ending", re.I), 1),
    (re.compile(r"verse", re.I), 1),
)


@pytest.mark.parametrize(
    "name",
    ["Intro", "Verse 1", "Pre-Chorus", "Chorus 2", "Breakdown", "Break", "Climax", "Peak",
     "Outro", "Coda", "Ending", "Theme B", "Bridge", "Interlude", "Hook", "Drop", "Solo",
     "Middle 8", "verse chorus", "chorus breakdown", "INTRO/VERSE", "Refrain (final)", ""],
)  # fmt: skip
def test_loose_match_keeps_the_synthesizer_energies(name):
    legacy = next((e for rx, e in _LEGACY_LOOSE if rx.search(name)), 1)
    assert form.energy_level(form.loose_role(name).energy) == legacy


def test_loose_and_whole_word_differ_on_purpose():
    assert form.loose_role("Breakdown").name == form.role_of("Breakdown").name == "bridge"
    assert form.loose_role("Pre-Chorus").name == "chorus" != form.role_of("Pre-Chorus").name
    assert form.loose_role("Climax").name == "chorus" and form.role_of("Climax") is form.OTHER
    assert form.loose_role("Drop") is form.OTHER and form.role_of("Drop").name == "chorus"
