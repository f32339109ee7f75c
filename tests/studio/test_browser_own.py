"""The artist's own material in a real headless Chromium (issue #35): a chorale in the wrong
meter dropped onto a section is refused in the page with produce import's one line, a 3/4 folk
tune chosen for the same section becomes its approved bass; bars dragged across on the drums'
roll are regenerated and every new candidate keeps the approved loop outside them. Skips
without chromium, chromedriver or selenium (as tests/studio/test_browser.py).

``CHROMATIC_OWN_SCREENSHOTS=DIR`` keeps the four screenshots (own-*.png) in DIR.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from pathlib import Path

from chromatic.music.midi import load_score
from chromatic.produce.review import load_review
from tests.studio.conftest import TOKEN
from tests.studio.test_browser import _row, _wait, browser, pytestmark, server  # noqa: F401
from tests.studio.test_own import chorale, folk_3_4  # noqa: F401

GUTTER = 104  # roll.js's pitch-axis gutter

DROP = """
const [selector, b64, name] = arguments;
const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const dt = new DataTransfer();
dt.items.add(new File([bytes], name, {type: "audio/midi"}));
const zone = document.querySelector(selector);
zone.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
zone.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
"""


def _shot(driver, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("CHROMATIC_OWN_SCREENSHOTS") or tmp_path)
    path = folder / f"own-{name}.png"
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000


def _notes(path: Path) -> list[tuple[int, int, int, int]]:
    s = load_score(path)
    scale = 480 / s.tpq
    return sorted(
        (round(n.time * scale), round(n.duration * scale), int(n.pitch), int(n.velocity))
        for t in s.tracks
        for n in t.notes
    )


def test_drop_a_file_onto_a_section(server, browser, library, chorale, folk_3_4, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/?token={TOKEN}#/s/song/bass")
    zone = '#own .drop[data-section="verse"]'
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, zone), "the verse's drop zone")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#legend span"), "piano roll")
    data = base64.b64encode(chorale.read_bytes()).decode()
    browser.execute_script(DROP, zone, data, "bwv66.6.mid")
    msg = f"{zone} .drop-msg"
    _wait(browser, lambda d: "4/4" in d.find_element(By.CSS_SELECTOR, msg).text, "refusal")
    expected = "bwv66.6.mid: meter: track 1 'Soprano' is in 4/4; section 'verse' is in 3/4"
    assert browser.find_element(By.CSS_SELECTOR, msg).text == expected
    assert browser.find_element(By.ID, "banner").text == f"Not imported: {expected}"
    assert not (library / "song" / "bass" / "approved" / "verse.mid").exists()
    browser.find_element(By.CSS_SELECTOR, zone).location_once_scrolled_into_view  # noqa: B018
    _shot(browser, tmp_path, "drop-refused")
    # the same zone's file picker, with a 3/4 tune
    browser.find_element(By.CSS_SELECTOR, f"{zone} input[type=file]").send_keys(str(folk_3_4))
    _wait(browser, lambda d: "Imported" in d.find_element(By.ID, "banner").text, "import")
    banner = browser.find_element(By.ID, "banner").text
    assert "of halewyn.mid as verse's bass: bass/approved/verse.mid" in banner
    review = load_review(library / "song" / "bass" / "review.yml").model
    (entry,) = [c for c in review.candidates if c.status == "approved"]
    assert entry.id == "bass_verse_import" and entry.label == "verse"
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.cand")
    assert any("bass_verse_import" in r.text and "approved" in r.text for r in rows)
    assert "imported" in browser.find_element(By.CSS_SELECTOR, msg).text
    browser.execute_script("window.scrollTo(0, 0)")
    _shot(browser, tmp_path, "drop-imported")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not [e for e in errors if "import" not in e["message"]]  # the refused POST's 400 only


def test_select_bars_on_the_roll_and_regenerate_them(server, browser, library, tmp_path):  # noqa: F811
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    with urllib.request.urlopen(f"{server}/api/songs/song/phases/drums") as r:
        page = json.load(r)
    i, cand = next(
        (i, c)
        for i, c in enumerate(page["candidates"])
        if c["status"] == "approved" and c["section"] == "verse"
    )
    browser.get(f"{server}/?token={TOKEN}#/s/song/drums")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.cand.selected"), "rows")
    _row(browser, i).click()
    _wait(browser, lambda d: "selected" in _row(d, i).get_attribute("class"), "the verse row")
    _wait(browser, lambda d: "Drag across bars" in d.find_element(By.ID, "region").text, "hint")
    url = f"{server}/api/songs/song/phases/drums/candidates/{cand['id']}/roll"
    with urllib.request.urlopen(url) as r:
        roll = json.load(r)
    head = browser.find_element(By.CSS_SELECTOR, "#roll canvas.roll-head")
    width = head.size["width"]

    def at(bar: int, share: float) -> int:  # x offset from the canvas centre, inside ``bar``
        t = roll["bars"][bar - 1] + share * (roll["bars"][bar] - roll["bars"][bar - 1])
        return round(GUTTER + t / roll["seconds"] * (width - GUTTER) - width / 2)

    before_play = browser.execute_script("return document.querySelector('#player').src")
    chain = ActionChains(browser).move_to_element_with_offset(head, at(2, 0.3), 0)
    chain.click_and_hold().move_by_offset(12, 0).move_to_element_with_offset(head, at(3, 0.6), 0)
    chain.release().perform()
    _wait(browser, lambda d: "bars 2–3" in d.find_element(By.ID, "region").text, "selection")
    sel = browser.find_element(By.CSS_SELECTOR, "#roll .roll-sel")
    assert sel.get_attribute("data-bars") == "2-3" and sel.is_displayed()
    assert browser.execute_script("return document.querySelector('#player').src") == before_play
    _shot(browser, tmp_path, "roll-selected")
    base = _notes(library / "song" / "drums" / "approved" / "verse.mid")
    browser.find_element(By.ID, "n").send_keys("8")
    browser.find_element(By.ID, "seed").send_keys("2")
    browser.find_element(By.ID, "region-go").click()
    _wait(
        browser,
        lambda d: "Regenerate bars 2–3 of verse" in d.find_element(By.ID, "banner").text,
        "job",
    )
    banner = browser.find_element(By.ID, "banner").text
    assert "failed" not in banner and "(seed 2," in banner, banner
    review = load_review(library / "song" / "drums" / "review.yml").model
    region = [c for c in review.candidates if c.details.get("region")]
    assert region, banner
    bar = 3 * 480  # the song is in 3/4
    outside = [n for n in base if not bar <= n[0] < 3 * bar]
    for c in region:
        notes = _notes(library / "song" / "drums" / c.midi_file)
        assert [n for n in notes if not bar <= n[0] < 3 * bar] == outside
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.cand.selected"), "rows again")
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.cand")) == len(review.candidates)
    _shot(browser, tmp_path, "region-done")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
