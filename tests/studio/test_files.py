"""What the page hands a DAW and what its piano roll draws: MIDI downloads (a candidate, an
approved loop, the arrangement, one of its parts) with the names they are saved under, bad
names refused, and the roll's grid, chord symbols, drum lanes and instrument names."""

from __future__ import annotations

import io
import itertools

import mido

from chromatic.produce.review import load_review

SONG = "/api/songs/song"


def _saved_as(resp) -> str:
    disposition = resp.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    return disposition.split("filename=", 1)[1].strip('"')


def test_a_candidate_and_an_approved_loop_download_as_their_files(client, library):
    review = load_review(library / "song" / "bass" / "review.yml").model
    c = review.candidates[0]
    r = client.get(f"{SONG}/phases/bass/candidates/{c.id}/midi")
    assert r.status_code == 200 and r.headers["content-type"] == "audio/midi"
    assert _saved_as(r) == f"song-bass-{c.id}.mid"
    assert r.content == (library / "song" / "bass" / c.midi_file).read_bytes()
    loops = sorted(p.name for p in (library / "song" / "drums" / "approved").glob("*.mid"))
    assert loops
    r = client.get(f"{SONG}/phases/drums/approved/{loops[0]}")
    assert r.status_code == 200 and _saved_as(r) == f"song-drums-{loops[0]}"
    assert r.content == (library / "song" / "drums" / "approved" / loops[0]).read_bytes()


def test_bad_download_names_are_refused(client, library, tmp_path):
    secret = tmp_path / "secret.mid"
    secret.write_bytes(b"MThd top-secret-bytes")
    (library / "song" / "drums" / "approved" / "link.mid").symlink_to(secret)
    for name in ("link.mid", "..%2F..%2Ffresh%2Fproposal.yml", "review.yml", "nope.mid"):
        r = client.get(f"{SONG}/phases/drums/approved/{name}")
        assert r.status_code == 404, (name, r.text)
        assert b"top-secret-bytes" not in r.content
    assert client.get(f"{SONG}/phases/drums/candidates/nope/midi").status_code == 404
    r = client.get(f"{SONG}/download/arrangement.mid")
    assert r.status_code == 404 and "assemble first" in r.json()["error"]


def test_the_arrangement_and_each_part_download_as_midi(client, library):
    from chromatic.produce.arrange.assemble import assemble
    from chromatic.produce.arrange.plan import write_plan

    (library / "song" / "style.yml").write_text("drums: true\n")  # the color alone drops them
    write_plan(library / "song")
    assemble(library / "song")
    r = client.get(f"{SONG}/download/arrangement.mid")
    assert r.status_code == 200 and _saved_as(r) == "song-arrangement.mid"
    assert r.content == (library / "song" / "arrangement.mid").read_bytes()
    roll = client.get(f"{SONG}/arrangement/roll").json()
    drums = next(i for i, t in enumerate(roll["tracks"]) if t["drum"])
    r = client.get(f"{SONG}/download/track/{drums}")
    assert r.status_code == 200 and _saved_as(r) == "song-Drums.mid"
    part = mido.MidiFile(file=io.BytesIO(r.content))
    channels = {m.channel for t in part.tracks for m in t if m.type == "note_on"}
    assert channels == {9}  # the drums alone, on the GM drum channel
    notes = sum(1 for t in part.tracks for m in t if m.type == "note_on" and m.velocity)
    assert notes == len(roll["tracks"][drums]["notes"])
    assert abs(part.length - roll["tracks"][drums]["notes"][-1][0]) < 5  # the song's tempo map
    bad = client.get(f"{SONG}/download/track/{len(roll['tracks'])}")
    assert bad.status_code == 404 and bad.json()["field"] == "track"
    assert roll["chords"] and all(c["text"] for c in roll["chords"])  # the conductor's chords


def test_the_roll_has_a_bar_grid_chords_drum_lanes_and_instrument_names(client, library):
    review = load_review(library / "song" / "bass" / "review.yml").model
    c = next(c for c in review.candidates if c.details.get("section"))
    roll = client.get(f"{SONG}/phases/bass/candidates/{c.id}/roll").json()
    bass = roll["tracks"][0]
    assert bass["candidate"] and bass["instrument"] != "" and not bass["instrument"].isdigit()
    drums = next(t for t in roll["tracks"] if t["drum"])
    assert not drums["candidate"]
    assert set(drums["lanes"]) == {str(n[2]) for n in drums["notes"]}
    assert "Acoustic Snare" in drums["lanes"].values() or "Bass Drum 1" in drums["lanes"].values()
    bars = roll["bars"]  # 3/4 at the song's tempo: evenly spaced bars, two beats between
    assert len(bars) >= 2 and bars[0] == 0.0
    step = bars[1] - bars[0]
    assert all(abs((b - a) - step) < 1e-3 for a, b in itertools.pairwise(bars))
    assert len(roll["beats"]) == 2 * (len(bars) - 1)
    assert roll["seconds"] <= bars[-1] + 1e-3
    # the chords it is heard over, from the approved chord loop's text events, on bar lines
    assert roll["chords"] and roll["chords"][0]["time"] == 0.0
    assert all(any(abs(ch["time"] - b) < 1e-3 for b in bars) for ch in roll["chords"])


def test_the_gm_names_the_page_uses(client):
    gm = client.get("/api/gm").json()
    assert gm["programs"][0] == "Acoustic Grand Piano" and len(gm["programs"]) == 128
    assert gm["drums"]["38"] == "Acoustic Snare"
