"""The studio's guards: the token on writes, its own Host only, no path outside the folder
(``..``, absolute paths, symlinks, encoded separators), JSON errors, and a bad file that fails
its own request and nothing else."""

from __future__ import annotations

import os

import pytest

from chromatic.produce.review import load_review
from chromatic.yamlio import dump_yaml
from tests.studio.conftest import post

DECIDE = "/api/songs/fresh/phases/chords/decide"


def _version(client) -> str:
    return client.get("/api/songs/fresh/phases/chords").json()["version"]


@pytest.mark.parametrize("token", [None, "", "wrong", "test-token "])
def test_a_write_without_the_token_is_refused_and_writes_nothing(client, library, token):
    path = library / "fresh" / "chords" / "review.yml"
    before = path.read_bytes()
    body = {"id": "chord_001", "status": "approved", "version": _version(client)}
    r = post(client, DECIDE, body, token=token)
    assert r.status_code == 403 and "token" in r.json()["error"]
    assert path.read_bytes() == before


def test_writes_need_a_json_object(client):
    h = {"X-Studio-Token": "test-token"}
    r = client.post(DECIDE, content=b"id=chord_001", headers=h)
    assert r.status_code == 400 and "JSON" in r.json()["error"]
    r = client.post(DECIDE, content=b"[1]", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and "object" in r.json()["error"]
    r = client.post(DECIDE, content=b"{nope", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400


def test_another_host_is_refused(client):
    r = client.get("/api/songs", headers={"Host": "attacker.example:8765"})
    assert r.status_code == 403 and "Host" in r.json()["error"]
    assert client.get("/api/songs", headers={"Host": "localhost:8765"}).status_code == 200


HOSTILE = [
    "/api/songs/%2e%2e/phases/chords",
    "/api/songs/..%2f..%2fetc/phases/chords",
    "/api/songs/%2fetc%2fpasswd",
    "/api/songs/..%5c..%5cfresh/phases/chords",
    "/api/songs/fresh/phases/%2e%2e",
    "/api/songs/fresh/phases/..%2fproposal.yml",
    "/api/songs/fresh/phases/chords/candidates/..%2f..%2fproposal/roll",
    "/api/songs/fresh/phases/chords/candidates/%2fetc%2fpasswd/preview.wav",
    "/api/songs/fresh/arrangement/..%2fproposal.yml",
    "/api/songs/fresh/arrangement/%2e%2e",
    "/static/..%2fapp.py",
    "/static/%2e%2e",
    "/api/jobs/..%2f..",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_paths_get_a_json_error_and_nothing_outside(client, url):
    r = client.get(url)
    assert r.status_code in (400, 403, 404), r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"]
    assert "root:" not in r.text and "import" not in r.text


def test_an_absolute_song_path_is_refused(client, library):
    r = client.get(f"/api/songs/{os.fspath(library / 'fresh')}")
    assert r.status_code == 404


def test_a_symlinked_song_pointing_outside_is_not_served(client, library, tmp_path):
    outside = tmp_path / "outside"
    (library / "fresh").rename(outside)
    (library / "fresh").symlink_to(outside, target_is_directory=True)
    r = client.get("/api/songs/fresh")
    assert r.status_code == 404 and "inside" in r.json()["error"]
    assert "fresh" not in client.get("/api/songs").json()["songs"]


def test_a_candidate_file_symlinked_outside_is_refused(client, library, tmp_path):
    secret = tmp_path / "secret.mid"
    secret.write_bytes((library / "fresh" / "chords" / "candidates" / "chord_001.mid").read_bytes())
    target = library / "fresh" / "chords" / "candidates" / "chord_001.mid"
    target.unlink()
    target.symlink_to(secret)
    for what in ("roll", "preview.wav"):
        r = client.get(f"/api/songs/fresh/phases/chords/candidates/chord_001/{what}")
        assert r.status_code == 400 and "inside" in r.json()["error"], r.text


def test_a_hand_edited_midi_file_leading_out_is_an_error_for_that_phase(client, library):
    path = library / "fresh" / "chords" / "review.yml"
    review = load_review(path)
    review.doc["candidates"][0]["midi_file"] = "../../../../etc/passwd"
    path.write_text(dump_yaml(review.doc))
    r = client.get("/api/songs/fresh/phases/chords")
    assert r.status_code == 400 and r.json()["field"] == "candidates[0].midi_file"
    r = client.get("/api/songs/fresh/phases/chords/candidates/chord_001/preview.wav")
    assert r.status_code == 400
    assert client.get("/api/songs/fresh").status_code == 200


def test_a_corrupt_midi_fails_its_own_preview_only(client, library):
    (library / "fresh" / "chords" / "candidates" / "chord_002.mid").write_bytes(b"MThd garbage")
    r = client.get("/api/songs/fresh/phases/chords/candidates/chord_002/roll")
    assert r.status_code == 400 and "chord_002.mid" in r.json()["path"]
    assert client.get("/api/songs/fresh/phases/chords/candidates/chord_003/roll").status_code == 200


def test_unknown_routes_and_methods_are_json(client):
    r = client.get("/nope")
    assert r.status_code == 404 and r.json()["error"].startswith("no such route")
    r = client.get(DECIDE)
    assert r.status_code == 405 and r.json()["error"].startswith("method not allowed")


def test_a_wrong_typed_or_oversized_field_never_reaches_the_file(client, library):
    """A label that is not text, or notes of 5000 characters: refused before the file is read,
    naming the field; the file keeps its bytes."""
    path = library / "fresh" / "chords" / "review.yml"
    before = path.read_bytes()
    body = {"id": "chord_001", "label": 7, "version": _version(client)}
    r = post(client, DECIDE, body)
    assert r.status_code == 400 and r.json()["field"] == "label"
    body = {"id": "chord_001", "notes": "x" * 5000, "version": _version(client)}
    assert post(client, DECIDE, body).status_code == 400
    assert path.read_bytes() == before
