"""The page's long steps through the API: regenerate a phase or one section with a new seed
(touched candidates kept, with their files), assemble and render with progress."""

from __future__ import annotations

import time

import pytest

from chromatic.produce.review import load_review
from tests.studio.conftest import post

SONG = "/api/songs/song"
WAIT_S = 300


def _finish(client, job: dict) -> dict:
    assert "id" in job, job
    deadline = time.monotonic() + WAIT_S
    while True:
        view = client.get(f"/api/jobs/{job['id']}").json()
        if view["state"] != "running":
            return view
        assert 0.0 <= view["progress"] < 1.0
        assert time.monotonic() < deadline, view
        time.sleep(0.1)


def _files(library, review) -> dict[str, bytes]:
    base = library / "song" / "bass"
    return {c.id: (base / c.midi_file).read_bytes() for c in review.candidates}


def _touch(client) -> None:
    """Approve one verse bass line and put notes on one chorus candidate, from the page."""
    v = client.get(f"{SONG}/phases/bass").json()["version"]
    body = {"id": "bass_verse_02", "status": "approved", "version": v}
    v = post(client, f"{SONG}/phases/bass/decide", body).json()["version"]
    body = {"id": "bass_chorus_03", "notes": "nice fill", "version": v}
    assert post(client, f"{SONG}/phases/bass/decide", body).status_code == 200


def test_regenerating_one_section_replaces_only_its_untouched_candidates(client, library):
    path = library / "song" / "bass" / "review.yml"
    _touch(client)
    before = load_review(path).model
    old_files = _files(library, before)
    r = post(client, f"{SONG}/phases/bass/regenerate", {"seed": 12345, "section": "verse"})
    view = _finish(client, r.json())
    assert view["state"] == "done", view
    assert view["result"]["seed"] == 12345
    after = load_review(path).model
    new_files = _files(library, after)
    by_section = {}
    for c in after.candidates:
        by_section.setdefault(c.details["section"], []).append(c)
    verse = {c.id: c for c in by_section["verse"]}
    assert verse["bass_verse_02"].status == "approved"
    assert new_files["bass_verse_02"] == old_files["bass_verse_02"]
    untouched = [cid for cid in verse if cid != "bass_verse_02"]
    assert any(new_files[cid] != old_files.get(cid) for cid in untouched)
    for c in before.candidates:  # every other section exactly as it was, hold lifted
        if c.details["section"] != "verse":
            now = next(x for x in after.candidates if x.id == c.id)
            assert (now.status, now.notes) == (c.status, c.notes)
            assert new_files[c.id] == old_files[c.id]
    assert "held by chromatic studio" not in path.read_text()
    chorus = next(c for c in after.candidates if c.id == "bass_chorus_03")
    assert chorus.notes == "nice fill"


def test_regenerating_the_phase_keeps_touched_candidates(client, library):
    path = library / "song" / "bass" / "review.yml"
    _touch(client)
    old = _files(library, load_review(path).model)
    view = _finish(client, post(client, f"{SONG}/phases/bass/regenerate", {"seed": 99}).json())
    assert view["state"] == "done", view
    after = {c.id: c for c in load_review(path).model.candidates}
    assert after["bass_verse_02"].status == "approved"
    assert after["bass_chorus_03"].notes == "nice fill"
    new = _files(library, load_review(path).model)
    assert new["bass_verse_02"] == old["bass_verse_02"]
    assert sum(new[c] != old.get(c) for c in new) > 0


def test_bad_regenerate_requests_are_refused(client):
    r = post(client, f"{SONG}/phases/bass/regenerate", {"seed": -1})
    assert r.status_code == 400 and r.json()["field"] == "seed"
    r = post(client, f"{SONG}/phases/chords/regenerate", {"section": "verse"})
    view = _finish(client, r.json())
    assert view["state"] == "failed" and "no sections" in view["error"]


def test_assemble_without_a_plan_fails_as_a_job_with_its_reason(client):
    view = _finish(client, post(client, f"{SONG}/assemble", {}).json())
    assert view["state"] == "failed" and "no production plan" in view["error"]


@pytest.mark.slow
def test_assemble_and_render_reports_progress_and_serves_the_song(client, library):
    from chromatic.music.render import renderer_unavailable
    from chromatic.produce.arrange.plan import write_plan

    if renderer_unavailable():
        pytest.skip(renderer_unavailable())
    write_plan(library / "song")
    plan = client.get(SONG).json()["plan"]  # a short song, edited on the page: two sections
    keep = [{"index": i, "repeat": int(i < 2)} for i in range(len(plan["sections"]))]
    assert (
        post(client, f"{SONG}/plan", {"version": plan["version"], "sections": keep}).status_code
        == 200
    )
    job = post(client, f"{SONG}/assemble", {}).json()
    assert job["steps"] == ["assemble arrangement.mid", "render the audio preview"]
    again = post(client, f"{SONG}/assemble", {})
    assert again.status_code == 400 and "another job" in again.json()["error"]
    view = _finish(client, job)
    assert view["state"] == "done" and view["progress"] == 1.0, view
    assert (library / "song" / "arrangement.wav").is_file()
    song = client.get(SONG).json()
    assert song["arrangement"] == {"midi": True, "audio": "arrangement.wav"}
    audio = client.get(f"{SONG}/arrangement/audio")
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    roll = client.get(f"{SONG}/arrangement/roll").json()
    planned = [s["name"] for s in song["plan"]["sections"] if s["repeat"]]
    assert [m["text"] for m in roll["markers"]][: len(planned)] == planned
    assert abs(roll["seconds"] - song["plan"]["length"]["seconds"]) < 5
