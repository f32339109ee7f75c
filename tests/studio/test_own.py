"""The artist's own material through the studio's HTTP API (issue #35): a MIDI file dropped
onto a section is imported exactly as ``produce import`` imports it, with the same one-line
errors and nothing written on a bad file; bars selected on the roll are regenerated as
``produce <phase> --section S --bars A-B`` regenerates them. Real MIDI from music21's corpus."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest

from chromatic.cli import main
from chromatic.music.midi import load_score
from chromatic.produce.review import read_review
from tests.produce.conftest import halewyn_midi
from tests.studio.conftest import TOKEN, post

IMPORT = "/api/songs/song/phases/{phase}/import"


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".studio" not in p.parts and p.name != ".lock"
    }


@pytest.fixture(scope="module")
def folk_3_4(tmp_path_factory) -> Path:
    """Halewyn (Essen, altdeu10): a 3/4 tune, as the studio song is in 3/4."""
    return halewyn_midi(tmp_path_factory.mktemp("essen"))


@pytest.fixture(scope="module")
def chorale(tmp_path_factory) -> Path:
    """Bach's BWV 66.6, in 4/4: the wrong meter for the 3/4 song."""
    from music21 import corpus

    path = tmp_path_factory.mktemp("bach") / "bwv66.6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(path))
    return path


def _upload(client, phase: str, data: bytes, query: str, *, name="part.mid", token=TOKEN, **kw):
    headers = {"Content-Type": "audio/midi", "X-Filename": name}
    if token:
        headers["X-Studio-Token"] = token
    headers.update(kw.pop("headers", {}))
    return client.post(IMPORT.format(phase=phase) + query, content=data, headers=headers)


def test_a_dropped_file_is_imported_as_produce_import_imports_it(
    client, library, folk_3_4, tmp_path
):
    twin = tmp_path / "twin"
    shutil.copytree(library / "song", twin)
    r = _upload(client, "bass", folk_3_4.read_bytes(), "?section=verse", name="halewyn.mid")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (
        body["candidate"] == "bass_verse_import" and body["approved"] == "bass/approved/verse.mid"
    )
    assert body["file"] == "halewyn.mid" and body["notes"] > 0  # the CLI twin checks every note
    cli = ["produce", "import", str(twin), "bass", "--section", "verse", "--midi", str(folk_3_4)]
    assert main(cli) == 0
    got = (library / "song" / "bass" / "approved" / "verse.mid").read_bytes()
    assert got == (twin / "bass" / "approved" / "verse.mid").read_bytes()
    (entry,) = [
        c
        for c in read_review(library / "song" / "bass" / "review.yml").candidates
        if c.status == "approved" and c.label == "verse"
    ]
    assert entry.details["imported"]["file"] == "halewyn.mid"
    src = load_score(folk_3_4)
    played = sorted(int(n.pitch) for t in src.tracks for n in t.notes)
    kept = sorted(int(n.pitch) for t in load_score(got).tracks for n in t.notes)
    assert set(kept) <= set(played)  # every note as played (looped or trimmed to the bars)


def test_transpose_and_track_are_taken_from_the_query(client, library, folk_3_4):
    r = _upload(client, "melody", folk_3_4.read_bytes(), "?section=chorus&track=1&transpose=-12")
    assert r.status_code == 200, r.text
    loop = load_score(library / "song" / "melody" / "approved" / "chorus.mid")
    src = load_score(folk_3_4)
    first_src = min((n.time, n.pitch) for t in src.tracks for n in t.notes)[1]
    first = min((n.time, n.pitch) for t in loop.tracks for n in t.notes)[1]
    assert first == first_src - 12


@pytest.mark.parametrize(
    ("what", "query", "status", "expected"),
    [
        (
            "chorale",
            "?section=verse",
            400,
            "meter: track 1 'Soprano' is in 4/4; section 'verse' is in 3/4",
        ),
        ("garbage", "?section=verse", 400, "Standard MIDI File"),
        ("empty", "?section=verse", 400, "holds no notes"),
        ("folk", "?section=nowhere", 400, "no approved chord section 'nowhere'"),
        ("folk", "?section=../../etc", 400, "expected a section label"),
        ("folk", "", 400, "expected the section"),
        ("folk", "?section=verse&transpose=400", 400, "expected transpose to be an integer"),
        ("folk", "?section=verse&track=9", 400, "no track 9"),
    ],
)
def test_bad_files_are_one_line_and_write_nothing(
    client, library, folk_3_4, chorale, tmp_path, what, query, status, expected
):
    import mido

    empty = tmp_path / "empty.mid"
    mf = mido.MidiFile()
    mf.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="nothing")]))
    mf.save(empty)
    data = {
        "chorale": chorale.read_bytes(),
        "garbage": b"this is not a MIDI file",
        "empty": empty.read_bytes(),
        "folk": folk_3_4.read_bytes(),
    }[what]
    before = _tree(library / "song")
    r = _upload(client, "bass", data, query, name=f"{what}.mid")
    assert r.status_code == status, r.text
    body = r.json()
    text = ": ".join(str(body[k]) for k in ("path", "field", "error") if body.get(k))
    assert expected in text and "\n" not in text, text
    if what in ("chorale", "garbage", "empty"):
        assert body["path"] == f"{what}.mid"  # the dropped file, named as the artist named it
    assert _tree(library / "song") == before


def test_uploads_are_capped_typed_guarded_and_never_a_path(client, library, folk_3_4):
    from chromatic.studio.own import MAX_MIDI

    before = _tree(library / "song")
    big = _upload(client, "bass", b"MThd" + b"\0" * MAX_MIDI, "?section=verse")
    assert big.status_code == 413 and "at most" in big.json()["error"]
    typed = _upload(
        client, "bass", folk_3_4.read_bytes(), "?section=verse",
        headers={"Content-Type": "text/plain"},
    )  # fmt: skip
    assert typed.status_code == 400 and "audio/midi" in typed.json()["error"]
    assert (
        _upload(client, "bass", folk_3_4.read_bytes(), "?section=verse", token=None).status_code
        == 403
    )
    assert _upload(client, "nophase", folk_3_4.read_bytes(), "?section=verse").status_code == 404
    assert _tree(library / "song") == before
    r = _upload(client, "bass", folk_3_4.read_bytes(), "?section=verse", name="../../../x/evil.mid")
    assert r.status_code == 200 and r.json()["file"] == "evil.mid"
    assert not (library.parent / "x").exists()
    assert sorted(p.name for p in (library / "song" / "bass" / "candidates").glob("*import*")) == [
        "bass_verse_import.mid"
    ]


def _wait_job(client, job_id: str) -> dict:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["state"] != "running":
            return j
        time.sleep(0.2)
    pytest.fail("job did not finish")


def _notes(path: Path) -> list[tuple[int, int, int, int]]:
    s = load_score(path)
    scale = 480 / s.tpq
    return sorted(
        (round(n.time * scale), round(n.duration * scale), int(n.pitch), int(n.velocity))
        for t in s.tracks
        for n in t.notes
    )


def test_selected_bars_are_regenerated_as_produce_bars_regenerates_them(client, library, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(library / "song", twin)
    review = library / "song" / "drums" / "review.yml"
    others = {
        (c.id, c.midi_file, c.status)
        for c in read_review(review).candidates
        if c.details.get("section") != "verse"
    }
    body = {"section": "verse", "bars": "2-3", "seed": 5, "n": 8, "top": 3}
    r = post(client, "/api/songs/song/phases/drums/region", body)
    assert r.status_code == 200, r.text
    j = _wait_job(client, r.json()["id"])
    assert j["state"] == "done", j
    assert j["result"]["bars"] == "2-3" and j["result"]["kept"] >= 1
    base = _notes(library / "song" / "drums" / "approved" / "verse.mid")
    bar = 3 * 480
    after = read_review(review).candidates
    assert {
        (c.id, c.midi_file, c.status) for c in after if c.details.get("section") != "verse"
    } == others  # every other section's candidates kept as they were
    region = [c for c in after if c.details.get("region")]
    assert region and all(c.details["region"]["bars"] == "2-3" for c in region)
    for c in region:
        notes = _notes(review.parent / c.midi_file)
        assert [n for n in notes if not bar <= n[0] < 3 * bar] == [
            n for n in base if not bar <= n[0] < 3 * bar
        ]  # every note outside the bars is the approved one
        assert [n for n in notes if bar <= n[0] < 3 * bar] != [
            n for n in base if bar <= n[0] < 3 * bar
        ]
    cli = ["produce", "drums", str(twin), "--section", "verse", "--bars", "2-3"]
    assert main([*cli, "--seed", "5", "-n", "8", "--top", "3"]) == 0
    twin_region = [
        c for c in read_review(twin / "drums" / "review.yml").candidates if c.details.get("region")
    ]
    files = lambda root, cs: sorted((root / "drums" / c.midi_file).read_bytes() for c in cs)  # noqa: E731
    assert files(library / "song", region) == files(twin, twin_region)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"section": "verse", "bars": "9-12"}, "bars 9-12 are outside section 'verse'"),
        ({"section": "verse", "bars": "two"}, "expected bars like 5-8"),
        ({"section": "nowhere", "bars": "1"}, "no approved chord section 'nowhere'"),
        ({"section": "verse"}, "expected bars like 5-8"),
    ],
)
def test_a_bad_region_is_refused_before_any_job(client, library, body, expected):
    before = _tree(library / "song")
    r = post(client, "/api/songs/song/phases/drums/region", body)
    assert r.status_code == 400 and expected in r.json()["error"], r.text
    assert _tree(library / "song") == before


def test_a_region_needs_an_approved_loop(client, library):
    r = post(client, "/api/songs/song/phases/bass/region", {"section": "verse", "bars": "1"})
    assert r.status_code == 400 and "no approved bass for 'verse'" in r.json()["error"]
