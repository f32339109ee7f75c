"""The studio's "why this score" picture: the occlusion PNG of a candidate, with a model."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.studio.conftest import TOKEN


def test_explain_picture_with_a_model_and_a_clear_error_without(library, exported, client):
    _, model, _ = exported
    from chromatic.studio.app import Studio, create_app

    with_model = TestClient(
        create_app(Studio(library, token=TOKEN, model=model)), base_url="http://127.0.0.1:8765"
    )
    assert with_model.get("/api/songs").json()["explain"] is True
    url = "/api/songs/fresh/phases/chords/candidates/chord_001/explain.png"
    r = with_model.get(url)
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert any((library / "fresh" / ".studio" / "explain").glob("*.png"))  # cached
    assert with_model.get(url).content == r.content

    assert client.get("/api/songs").json()["explain"] is False
    r = client.get(url)
    assert r.status_code == 404 and "--model" in r.json()["error"]
    r = with_model.get("/api/songs/fresh/phases/chords/candidates/..%2f..%2fx/explain.png")
    assert r.status_code in (400, 404)
