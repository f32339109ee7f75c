"""The studio's "breed from these" (``studio.breed``, ``static/breed.js``): through the API and in
a real headless Chromium (skipped without chromium, chromedriver or selenium). The picks get
``star: true`` in review.yml, the phase runs with ``--breed`` and the children appear beside
them with their lineage.

``CHROMATIC_BREED_SCREENSHOT=DIR`` keeps the before/after screenshots there."""

from __future__ import annotations

import os
import time

from chromatic.produce.review import load_review
from tests.studio.conftest import post
from tests.studio.test_browser import (  # noqa: F401  (fixtures)
    CHROMIUM,
    DRIVER,
    _open_phase,
    _wait,
    browser,
    server,
)

BASE = "/api/songs/fresh/phases/chords"


def _job(client, view: dict) -> dict:
    for _ in range(600):
        j = client.get(f"/api/jobs/{view['id']}").json()
        if j["state"] != "running":
            return j
        time.sleep(0.1)
    raise AssertionError("the breed job did not finish")


def test_breed_api_stars_the_picks_and_adds_their_children(client, library):
    path = library / "fresh" / "chords" / "review.yml"
    before = load_review(path).model.candidates
    picks = [before[0].id, before[2].id]
    for bad, field in (({"ids": []}, "ids"), ({"ids": picks, "generations": 0}, "generations")):
        r = post(client, f"{BASE}/breed", bad)
        assert r.status_code == 400 and field in r.json()["error"]
    r = post(client, f"{BASE}/breed", {"ids": ["chord_999"]})
    j = _job(client, r.json())
    assert j["state"] == "failed" and "chord_999" in j["error"]
    assert path.read_text().count("star: true") == 0
    r = post(client, f"{BASE}/breed", {"ids": picks, "generations": 2, "population": 6})
    j = _job(client, r.json())
    assert j["state"] == "done", j
    review = load_review(path).model
    starred = {c.id for c in review.candidates if (c.model_extra or {}).get("star")}
    assert starred == set(picks)
    kids = [c for c in review.candidates if c.id in j["result"]["added"]]
    assert kids and all(set(k.details["lineage"]["roots"]) <= set(picks) for k in kids)
    view = client.get(BASE).json()
    assert {c["id"] for c in view["candidates"] if c["star"]} == set(picks)


def test_breed_from_these_in_the_browser(server, browser, library, tmp_path):  # noqa: F811
    import pytest

    if not (CHROMIUM and DRIVER):
        pytest.skip("needs chromium and chromedriver")
    from selenium.webdriver.common.by import By

    shots = os.environ.get("CHROMATIC_BREED_SCREENSHOT") or str(tmp_path)
    _open_phase(browser, server)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.cand")
    ids = [rows[i].get_attribute("data-id") for i in (0, 1)]
    for i in (0, 1):
        rows[i].find_element(By.CSS_SELECTOR, "input.breed-pick").click()
    browser.find_element("id", "breed-gens").send_keys("2")
    assert browser.save_screenshot(os.path.join(shots, "breed-before.png"))
    browser.find_element("id", "breed").click()
    _wait(browser, lambda d: "Breed chords" in d.find_element("id", "banner").text, "breed")
    message = browser.find_element("id", "banner").text
    assert "new candidate" in message and "failed" not in message, message
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.cand.selected"), "rows")
    review = load_review(library / "fresh" / "chords" / "review.yml").model
    starred = {c.id for c in review.candidates if (c.model_extra or {}).get("star")}
    assert starred == set(ids)
    kids = [c for c in review.candidates if c.details.get("lineage") and c.id not in ids]
    assert kids and all(set(k.details["lineage"]["roots"]) <= set(ids) for k in kids)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.cand")
    assert len(rows) == len(review.candidates)
    checked = {
        r.get_attribute("data-id")
        for r in rows
        if r.find_element(By.CSS_SELECTOR, "input.breed-pick").is_selected()
    }
    assert checked == set(ids)
    bred = [r for r in rows if r.get_attribute("title").startswith("bred:")]
    assert len(bred) >= len(kids)
    assert browser.save_screenshot(os.path.join(shots, "breed-after.png"))
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
