"""The studio's API through the ASGI test client, on real production folders: what the pages
read, decisions written through review.yml's own writer and read back, the no-lost-update
refusal, promotion with the CLI's rules, plan edits, previews."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest

from chromatic.produce.review import load_review
from tests.studio.conftest import post

SONG = "/api/songs/song"
FRESH = "/api/songs/fresh"


def test_song_page_shows_proposal_phases_and_counts(client, library):
    d = client.get(SONG).json()
    assert d["proposal"]["title"].startswith("The Last Migration")
    assert d["proposal"]["time_signature"] == "3/4"
    assert d["proposal"]["color"]["hex"].startswith("#")
    by = {p["phase"]: p for p in d["phases"]}
    assert by["chords"]["approved"] == 6 and len(by["chords"]["promoted"]) == 6
    assert by["bass"]["candidates"] == 18 and by["bass"]["approved"] == 0
    assert by["melody"]["review"] is False
    assert client.get("/api/songs").json()["songs"] == ["fresh", "song"]


def test_phase_page_lists_candidates_in_rank_order_with_scores(client, library):
    d = client.get(f"{SONG}/phases/bass").json()
    path = library / "song" / "bass" / "review.yml"
    assert d["version"] == hashlib.sha256(path.read_bytes()).hexdigest()
    sections = [c["section"] for c in d["candidates"]]
    first = sections[0]
    ranks = [c["rank"] for c in d["candidates"] if c["section"] == first]
    assert ranks == sorted(ranks) == [1, 2, 3]
    c = d["candidates"][0]
    assert {"composite", "theory", "chromatic"} <= set(c["scores"])
    assert "root_adherence" in c["scores"]["theory"] and c["details"]["template"]


def _decide(client, phase, cid, version, **change):
    body = {"id": cid, "version": version, **change}
    return post(client, f"{FRESH}/phases/{phase}/decide", body)


def test_decision_is_written_through_the_review_writer_keeping_comments(client, library):
    path = library / "fresh" / "chords" / "review.yml"
    text = path.read_text()
    path.write_text(text.replace("  - id: chord_002\n", "  - id: chord_002 # keep me\n", 1))
    d = client.get(f"{FRESH}/phases/chords").json()
    order = [c.id for c in load_review(path).model.candidates]
    r = _decide(client, "chords", "chord_002", d["version"], status="approved", label="Verse A")
    assert r.status_code == 200, r.text
    review = load_review(path)
    c = next(c for c in review.model.candidates if c.id == "chord_002")
    assert (c.status, c.label) == ("approved", "Verse A")
    assert [c.id for c in review.model.candidates] == order
    assert "# keep me" in path.read_text()
    assert r.json()["version"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_changed_file_refuses_the_write_and_says_what_changed(client, library):
    from chromatic.yamlio import dump_yaml

    path = library / "fresh" / "chords" / "review.yml"
    d = client.get(f"{FRESH}/phases/chords").json()
    seen = {c["id"]: {"status": c["status"], "label": c["label"]} for c in d["candidates"]}
    review = load_review(path)  # an editor saves the file meanwhile
    review.doc["candidates"][0]["status"] = "rejected"
    path.write_text(dump_yaml(review.doc))
    before = path.read_bytes()
    r = _decide(client, "chords", "chord_003", d["version"], status="approved", seen=seen)
    assert r.status_code == 409
    body = r.json()
    assert body["conflict"] is True and body["version"] != d["version"]
    assert {"id": "chord_001", "field": "status", "page": "pending", "disk": "rejected"} in body[
        "changes"
    ]
    assert path.read_bytes() == before


def test_twenty_decisions_with_an_editor_in_between_lose_nothing(client, library):
    """Each click first meets the editor's save (refused, nothing lost), then is applied again
    over the new version, as the page's "apply again" button does."""
    path = library / "fresh" / "chords" / "review.yml"
    ids = [c.id for c in load_review(path).model.candidates]
    wanted: dict[str, str] = {}
    for k in range(20):
        cid = ids[k % len(ids)]
        version = client.get(f"{FRESH}/phases/chords").json()["version"]
        text = path.read_text()  # the editor appends a comment and saves
        path.write_text(text + f"# editor comment {k}\n")
        status = "approved" if k % 2 else "rejected"
        assert _decide(client, "chords", cid, version, status=status).status_code == 409
        version = client.get(f"{FRESH}/phases/chords").json()["version"]
        r = _decide(client, "chords", cid, version, status=status, label=f"take {k}")
        assert r.status_code == 200, r.text
        wanted[cid] = status
    final = {c.id: c.status for c in load_review(path).model.candidates}
    assert all(final[cid] == s for cid, s in wanted.items())
    text = path.read_text()
    assert all(f"# editor comment {k}" in text for k in range(20))


def test_bad_decisions_are_json_errors_naming_the_field(client, library):
    path = library / "fresh" / "chords" / "review.yml"
    before = path.read_bytes()
    v = client.get(f"{FRESH}/phases/chords").json()["version"]
    r = _decide(client, "chords", "chord_001", v, status="maybe")
    assert r.status_code == 400 and r.json()["field"] == "status"
    r = _decide(client, "chords", "chord_999", v, status="approved")
    assert r.status_code == 404 and "chord_999" in r.json()["error"]
    r = post(client, f"{FRESH}/phases/chords/decide", {"id": "chord_001", "status": "approved"})
    assert r.status_code == 400 and r.json()["field"] == "version"
    assert path.read_bytes() == before


def test_promote_follows_the_cli_rules(client, library):
    root = library / "fresh"
    v = client.get(f"{FRESH}/phases/chords").json()["version"]
    v = _decide(client, "chords", "chord_001", v, status="approved", label="verse").json()[
        "version"
    ]
    v = _decide(client, "chords", "chord_002", v, status="approved", label="Verse").json()[
        "version"
    ]
    before = root.joinpath("chords", "review.yml").read_bytes()
    r = post(client, f"{FRESH}/phases/chords/promote", {})
    assert r.status_code == 400 and "share the label" in r.json()["error"]
    assert list((root / "chords" / "approved").iterdir()) == []
    assert root.joinpath("chords", "review.yml").read_bytes() == before
    _decide(client, "chords", "chord_002", v, label="chorus")
    r = post(client, f"{FRESH}/phases/chords/promote", {})
    assert r.status_code == 200, r.text
    assert sorted(p["file"] for p in r.json()["promoted"]) == ["chorus.mid", "verse.mid"]
    assert sorted(p.name for p in (root / "chords" / "approved").iterdir()) == [
        "chorus.mid",
        "verse.mid",
    ]


def _renderer_or_skip():
    from chromatic.music.render import renderer_unavailable

    why = renderer_unavailable()
    if why:
        pytest.skip(why)


def test_preview_plays_the_candidate_over_its_approved_context(client, library):
    import soundfile as sf

    _renderer_or_skip()
    roll = client.get(f"{SONG}/phases/bass/candidates/bass_verse_01/roll").json()
    assert roll["context"] == ["chords (approved verse)", "drums (approved verse)"]
    assert [t["candidate"] for t in roll["tracks"]][:2] == [True, False]
    r = client.get(f"{SONG}/phases/bass/candidates/bass_verse_01/preview.wav")
    assert r.status_code == 200 and r.headers["x-studio-cache"] == "miss"
    audio, rate = sf.read(io.BytesIO(r.content))
    assert rate == 22050 and audio.shape[1] == 2
    assert float(np.sqrt(np.mean(audio**2))) > 0.01
    assert abs(len(audio) / rate - roll["seconds"]) < 1.0
    again = client.get(f"{SONG}/phases/bass/candidates/bass_verse_01/preview.wav")
    assert again.headers["x-studio-cache"] == "hit" and again.content == r.content
    other = f"{SONG}/phases/bass/candidates/bass_verse_02/preview.wav"
    ahead = client.head(other)  # the page's prefetch: renders, sends no body
    assert ahead.status_code == 200 and ahead.headers["x-studio-cache"] == "miss"
    assert ahead.content == b""
    bass_alone = client.get(other)
    assert bass_alone.headers["x-studio-cache"] == "hit" and bass_alone.content != r.content


def test_one_broken_review_is_that_phases_error_only(client, library):
    (library / "song" / "drums" / "review.yml").write_text("schema_version: 1\ncandidates: [\n")
    r = client.get(f"{SONG}/phases/drums")
    assert r.status_code == 400 and "review.yml" in r.json()["path"]
    song = client.get(SONG)
    assert song.status_code == 200
    by = {p["phase"]: p for p in song.json()["phases"]}
    assert "error" in by["drums"] and "error" not in by["bass"]
    assert client.get(f"{SONG}/phases/bass").status_code == 200


def test_plan_edits_are_validated_and_version_checked(client, library):
    from chromatic.produce.arrange.plan import write_plan
    from chromatic.produce.planfile import load_plan

    result = write_plan(library / "song")
    plan = client.get(SONG).json()["plan"]
    assert plan["length"]["seconds"] == pytest.approx(
        result.plan.doc["length"]["seconds"], abs=0.01
    )
    names = [s["name"] for s in plan["sections"]]
    edit = [{"index": i, "repeat": 1, "vocals": False, "notes": None} for i in range(len(names))]
    edit.reverse()
    edit[0].update(repeat=2, notes="quieter")
    bad = [dict(e) for e in edit]
    bad[0]["intensity"] = 1.5  # the plan's bound is 1.0
    before = result.path.read_bytes()
    r = post(client, f"{SONG}/plan", {"version": plan["version"], "sections": bad})
    assert r.status_code == 400 and r.json()["field"] == "sections[0].intensity"
    assert result.path.read_bytes() == before
    r = post(client, f"{SONG}/plan", {"version": plan["version"], "sections": edit})
    assert r.status_code == 200, r.text
    m = load_plan(result.path).model
    assert [s.name for s in m.sections] == list(reversed(names))
    assert (m.sections[0].repeat, m.sections[0].notes) == (2, "quieter")
    r = post(client, f"{SONG}/plan", {"version": plan["version"], "sections": edit})
    assert r.status_code == 409


def test_concurrent_writers_on_one_version_one_wins_the_rest_are_refused(client, library):
    from concurrent.futures import ThreadPoolExecutor

    path = library / "fresh" / "chords" / "review.yml"
    ids = [c.id for c in load_review(path).model.candidates]
    v = client.get(f"{FRESH}/phases/chords").json()["version"]
    with ThreadPoolExecutor(len(ids)) as pool:
        codes = list(
            pool.map(lambda cid: _decide(client, "chords", cid, v, status="rejected"), ids)
        )
    assert sorted(r.status_code for r in codes) == [200] + [409] * (len(ids) - 1)
    winner = ids[[r.status_code for r in codes].index(200)]
    final = {c.id: c.status for c in load_review(path).model.candidates}
    assert final == {cid: "rejected" if cid == winner else "pending" for cid in ids}


def test_concurrent_writers_that_retry_on_refusal_all_land(client, library):
    from concurrent.futures import ThreadPoolExecutor

    path = library / "fresh" / "chords" / "review.yml"
    ids = [c.id for c in load_review(path).model.candidates]

    def writer(cid: str) -> int:
        for attempt in range(50):
            v = client.get(f"{FRESH}/phases/chords").json()["version"]
            r = _decide(client, "chords", cid, v, status="approved", label=cid)
            if r.status_code == 200:
                return attempt
            assert r.status_code == 409, r.text
        raise AssertionError(f"{cid} never landed")

    with ThreadPoolExecutor(len(ids)) as pool:
        list(pool.map(writer, ids))
    final = load_review(path).model.candidates
    assert all(c.status == "approved" and c.label == c.id for c in final)
