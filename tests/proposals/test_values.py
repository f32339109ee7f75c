"""The one value policy (chromatic.proposals.values) and how the strict reader applies it."""

from __future__ import annotations

import pytest

from chromatic.errors import ProposalError
from chromatic.proposals.reader import proposal_from_mapping
from chromatic.proposals.values import (
    MAX_BPM,
    MIN_BPM,
    ValueProblem,
    parse_bpm,
    parse_key,
    parse_meter,
    parse_words,
)

BASE = {"title": "A Song", "bpm": 90, "key": "A minor", "tempo": "4/4", "rainbow_color": "R"}


@pytest.mark.parametrize(
    ("raw", "bpm", "guessed"),
    [
        (72, 72.0, False),
        (72.5, 72.5, False),
        ("72", 72.0, False),
        ("72 BPM", 72.0, False),
        ("about 90", 90.0, True),
        ("~90", 90.0, True),
        ("circa 90 bpm", 90.0, True),
        ("90-100", 95.0, True),
        ("90 to 100 BPM", 95.0, True),
    ],
)
def test_bpm_understood_or_guessed_with_a_note(raw, bpm, guessed):
    value, notes = parse_bpm(raw)
    assert value == bpm and bool(notes) == guessed


@pytest.mark.parametrize(
    "raw",
    [
        "1e3",
        "fast",
        True,
        False,
        "true",
        [90],
        {"bpm": 90},
        None,
        "nan",
        float("nan"),
        float("inf"),
        0.001,
        0,
        -90,
        1000,
        "100-90",
        "9" * 50,
    ],
)
def test_bpm_that_no_person_would_accept_is_refused(raw):
    with pytest.raises(ValueProblem, match=r"beats per minute|range"):
        parse_bpm(raw)


def test_bpm_range_is_documented_bounds():
    assert parse_bpm(MIN_BPM)[0] == MIN_BPM and parse_bpm(MAX_BPM)[0] == MAX_BPM
    with pytest.raises(ValueProblem):
        parse_bpm(MIN_BPM - 1)
    with pytest.raises(ValueProblem):
        parse_bpm(MAX_BPM + 1)


def test_bpm_1e3_is_an_error_naming_file_and_field():
    with pytest.raises(ProposalError, match=r"x\.yml: bpm: expected a tempo in beats per minute"):
        proposal_from_mapping({**BASE, "bpm": "1e3"}, source="x.yml")
    with pytest.raises(ProposalError, match=r"iterations\[2\]\.bpm"):
        proposal_from_mapping({**BASE, "bpm": True}, source="x.yml", where="iterations[2]")


def test_tempo_list_is_an_error_not_one_half():
    with pytest.raises(ValueProblem):
        parse_meter([1, 2])
    with pytest.raises(ProposalError, match=r"tempo"):
        proposal_from_mapping({**BASE, "tempo": [1, 2]}, source="x.yml")


def test_tempo_word_is_four_four_with_a_warning():
    ts, notes = parse_meter("Andante")
    assert str(ts) == "4/4" and "tempo marking" in notes[0]
    p = proposal_from_mapping({**BASE, "tempo": "Andante"}, source="x.yml")
    assert str(p.time_signature) == "4/4" and any("Andante" in w for w in p.warnings)


def test_bpm_range_guess_is_a_warning_on_the_proposal():
    p = proposal_from_mapping({**BASE, "bpm": "90-100"}, source="x.yml")
    assert p.bpm == 95.0 and any("midpoint 95" in w for w in p.warnings)


def test_key_parenthetical_is_a_warning_and_no_key_is_an_error():
    key, notes = parse_key("C major (resolving through complete chromatic cycle)")
    assert str(key) == "C major" and "resolving" in notes[0]
    with pytest.raises(ValueProblem):
        parse_key("somewhere between keys")
    with pytest.raises(ValueProblem):
        parse_key(None)


def test_genres_and_mood_are_bounded():
    assert parse_words(["a", " b  c ", None, 7]) == ("a", "b c", "7")
    assert parse_words("rock, folk") == ("rock", "folk")
    with pytest.raises(ValueProblem, match="at most 50 genres"):
        parse_words(["x"] * 51, "genres")
    with pytest.raises(ValueProblem, match="characters"):
        parse_words(["x" * 500])
    with pytest.raises(ValueProblem):
        parse_words([{"nested": 1}])
    with pytest.raises(ProposalError, match=r"x\.yml: mood"):
        proposal_from_mapping({**BASE, "mood": ["m"] * 1000}, source="x.yml")


def test_overlong_title_and_concept_are_errors():
    with pytest.raises(ProposalError, match="title"):
        proposal_from_mapping({**BASE, "title": "t" * 1000}, source="x.yml")
    with pytest.raises(ProposalError, match="concept"):
        proposal_from_mapping({**BASE, "concept": "c" * 60_000}, source="x.yml")


def test_alias_bomb_in_genres_is_refused(tmp_path):
    from chromatic.proposals.reader import load_proposal

    lines = [
        "title: Bomb",
        "bpm: 90",
        "key: A minor",
        "tempo: 4/4",
        "rainbow_color: R",
        'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]',
    ]
    for i in range(1, 7):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append("genres: *a6")
    path = tmp_path / "song_proposal_R_bomb_v1.yml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ProposalError, match=r"song_proposal_R_bomb_v1\.yml"):
        load_proposal(path)


def test_init_refuses_alias_bomb_and_writes_nothing(tmp_path):
    from chromatic.produce.folder import init_production

    lines = [
        "title: Bomb",
        "bpm: 90",
        "key: A minor",
        "tempo: 4/4",
        "rainbow_color: R",
        'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]',
    ]
    for i in range(1, 7):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append("genres: *a6")
    src = tmp_path / "song_proposal_R_bomb_v1.yml"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(ProposalError):
        init_production(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_long_title_gives_a_usable_folder_name(tmp_path):
    from chromatic.paths import slugify
    from chromatic.produce.folder import init_production
    from chromatic.yamlio import dump_yaml

    title = " ".join(["Word"] * 60)  # 300 characters
    src = tmp_path / "p.yml"
    src.write_text(dump_yaml({**BASE, "title": title}))
    folder, _ = init_production(src, tmp_path / "out")
    assert folder.root.is_dir() and len(folder.root.name) <= 80
    assert folder.root.name == slugify(title)
    assert len(slugify("x" * 300)) == 80 and slugify("???") == "untitled"


def test_one_slugify_for_produce_and_chain():
    from chromatic.chain import shrinkwrap
    from chromatic.paths import slugify
    from chromatic.produce import folder

    assert folder.slugify is slugify and shrinkwrap.slugify is slugify
    assert slugify("Déjà Vu: Part II") == "deja-vu-part-ii"


def test_score_proposal_with_bpm_1e3_is_one_line_naming_file_and_field(tmp_path, capsys):
    from chromatic.cli import main
    from chromatic.yamlio import dump_yaml

    src = tmp_path / "song_proposal_R_x_v1.yml"
    src.write_text(dump_yaml({**BASE, "bpm": "1e3"}))
    mid = tmp_path / "x.mid"
    mid.write_bytes(b"")
    assert main(["score", str(tmp_path / "model.onnx"), str(mid), "--proposal", str(src)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "song_proposal_R_x_v1.yml" in err and "bpm" in err


def test_score_proposal_accepts_a_thread_folder(real_chains):
    from chromatic.proposals.threads import final_proposal_of_thread, read_any_proposal

    thread = sorted(p for p in real_chains.iterdir() if p.is_dir())[0]
    assert read_any_proposal(thread) == final_proposal_of_thread(thread)
