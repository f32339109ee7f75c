from __future__ import annotations

import pytest

from chromatic.errors import MusicError
from chromatic.music.key import Key, TimeSignature


@pytest.mark.parametrize(
    "text, tonic, mode, pc, sharps",
    [
        ("A minor", "A", "minor", 9, 0),
        ("C Major", "C", "major", 0, 0),
        ("C major", "C", "major", 0, 0),
        ("F#m", "F#", "minor", 6, 3),
        ("Bb major", "Bb", "major", 10, -2),
        ("Bb minor", "Bb", "minor", 10, -5),
        ("E ♭ major", "Eb", "major", 3, -3),
        ("Gb major", "Gb", "major", 6, -6),
        ("F# major", "F#", "major", 6, 6),
        ("C# major", "C#", "major", 1, 7),
        ("Ab minor", "Ab", "minor", 8, -7),
        ("G# minor", "G#", "minor", 8, 5),
        ("Am", "A", "minor", 9, 0),
        ("d dorian", "D", "dorian", 2, 0),
    ],
)
def test_parse(text, tonic, mode, pc, sharps):
    k = Key.parse(text)
    assert (k.tonic, k.mode, k.pc, k.sharps) == (tonic, mode, pc, sharps)


def test_dict_forms_and_scale():
    assert Key.parse({"tonic": "E", "mode": "minor"}) == Key("E", "minor")
    assert Key.parse({"root": "Bb", "quality": "major"}) == Key("Bb", "major")
    assert Key.parse("A minor").scale_pcs() == (9, 11, 0, 2, 4, 5, 7)
    assert str(Key.parse("F#m")) == "F# minor"


def test_every_real_manifest_key_parses(real_catalog):
    import yaml

    for path in real_catalog.glob("*/*.yml"):
        Key.parse(yaml.safe_load(path.read_text())["key"])


@pytest.mark.parametrize(
    "bad",
    ["H minor", "All Keys (Chromatic Convergence)", "", "C major (resolving)", "C blues", 7, None],
)
def test_nonsense_is_rejected_clearly(bad):
    with pytest.raises(MusicError, match="expected"):
        Key.parse(bad, source="proposal.yml: key")


@pytest.mark.parametrize(
    "value, num, den, qpb",
    [
        ("4/4", 4, 4, 4),
        ("7/8", 7, 8, 3.5),
        ("18/32", 18, 32, 2.25),
        ({"numerator": 6, "denominator": 8}, 6, 8, 3),
        (" 3 / 4 ", 3, 4, 3),
        ((5, 4), 5, 4, 5),
    ],
)
def test_time_signature(value, num, den, qpb):
    ts = TimeSignature.parse(value)
    assert (ts.numerator, ts.denominator, float(ts.quarters_per_bar)) == (num, den, qpb)
    assert ts.bar_seconds(120) == pytest.approx(qpb * 0.5)


@pytest.mark.parametrize("bad", ["4/5", "four/four", "0/4", {"numerator": 4}, "4"])
def test_time_signature_rejects(bad):
    with pytest.raises(MusicError):
        TimeSignature.parse(bad)


def test_forgiving_parse_used_by_both_proposal_readers():
    from chromatic.music.key import parse_key_forgiving

    key, notes = parse_key_forgiving("C major (resolving through complete chromatic cycle)")
    assert (
        key == Key("C", "major")
        and "dropped '(resolving through complete chromatic cycle)'" in notes[0]
    )
    key, notes = parse_key_forgiving("Bb")
    assert key == Key("Bb", "major") and "names no mode" in notes[0]
    assert parse_key_forgiving("E ♭  major") == (Key("Eb", "major"), [])
    with pytest.raises(MusicError):
        parse_key_forgiving("H minor")


def test_the_artists_split_key_words_are_read_as_meant():
    """Issue #33: the concept agent writes "A ll Keys (...)" and "C hromatic Complete"; read
    as a tonic A (or C) they composed one key. They ask for every key, with a warning naming
    the reading; a real tonic followed by words keeps its tonic."""
    from chromatic.music.key import ALL_KEYS, key_modulation, parse_key_forgiving

    for text, joined in (
        ("A ll Keys (Chromatic Convergence)", "All Keys (Chromatic Convergence)"),
        ("C hromatic Complete", "Chromatic Complete"),
    ):
        assert key_modulation(text) == ALL_KEYS
        key, notes = parse_key_forgiving(text)
        assert key == Key("C", "major") and f"read as {joined!r}" in notes[-1]
    assert key_modulation("C Chromatic Complete") is None  # the tonic C is the artist's
    assert parse_key_forgiving("C Chromatic Complete")[0] == Key("C", "major")
    assert key_modulation("A m") is None and parse_key_forgiving("A m")[0] == Key("A", "minor")
    assert parse_key_forgiving("B b major") == (Key("Bb", "major"), [])
