"""End to end in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven
by selenium): the studio served by uvicorn on a free port, a phase page opened from the URL the
command prints, a candidate played (the audio element gets a non-silent WAV), two candidates
labelled and approved from the keyboard, promoted, and review.yml and ``approved/`` checked on
disk. Skips when chromium, chromedriver or selenium is absent.

``CHROMATIC_STUDIO_SCREENSHOT=path.png`` also keeps the phase page's screenshot (the README's).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

from chromatic.produce.review import load_review
from tests.studio.conftest import TOKEN

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="needs chromium and chromedriver (apt-get install chromium chromium-driver)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--autoplay-policy=no-user-gesture-required",
    "--window-size=1400,900",
)
WAIT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(library):
    """uvicorn serving the studio on 127.0.0.1 in a thread; yields the base URL."""
    import uvicorn

    from chromatic.studio.app import Studio, create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(Studio(library, token=TOKEN)), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_script_timeout(WAIT_S)
    yield driver
    driver.quit()


def _wait(driver, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S, poll_frequency=0.1).until(condition, message=what)


def _keys(driver, text: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(text).perform()


def _row(driver, i: int):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'tr.cand[data-i="{i}"]')


def _cell(driver, i: int, cls: str) -> str:
    from selenium.webdriver.common.by import By

    return _row(driver, i).find_element(By.CSS_SELECTOR, f"td.{cls}").text


def _open_phase(driver, server: str, where: str = "fresh/chords") -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{server}/?token={TOKEN}#/s/{where}")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.cand.selected"), "candidate rows")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#legend span"), "piano roll")


# Pixels of the first track's colour (#3b6fe0 at 90 % over white) on a roll's canvas.
NOTE_PIXELS = """
const c = document.querySelector(arguments[0]);
const x = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
for (let i = 0; i < x.length; i += 4) if (x[i] < 110 && x[i + 1] < 150 && x[i + 2] > 200) n++;
return n;
"""

DECODE = """
const done = arguments[arguments.length - 1];
fetch(document.querySelector('#player').currentSrc).then(r => r.arrayBuffer())
  .then(b => new OfflineAudioContext(2, 22050, 22050).decodeAudioData(b))
  .then(buf => { const x = buf.getChannelData(0); let s = 0;
                 for (let i = 0; i < x.length; i++) s += x[i] * x[i];
                 done({seconds: buf.duration, rms: Math.sqrt(s / x.length)}); })
  .catch(e => done({error: String(e)}));
"""


def test_play_approve_two_and_promote_from_the_keyboard(server, browser, library):
    _open_phase(browser, server)
    _keys(browser, " ")
    _wait(
        browser,
        lambda d: d.execute_script("return document.querySelector('#player').readyState") >= 2,
        "the preview to load",
    )
    sound = browser.execute_async_script(DECODE)
    assert "error" not in sound, sound
    assert sound["seconds"] > 1.0 and sound["rms"] > 0.01
    for i, label in ((0, "verse"), (1, "chorus")):
        if i:
            _keys(browser, "j")
            _wait(browser, lambda d, i=i: "selected" in _row(d, i).get_attribute("class"), "j")
        _keys(browser, "l")
        _keys(browser, label + "\n")
        _wait(browser, lambda d, i=i, lab=label: _cell(d, i, "label") == lab, "label")
        _keys(browser, "a")
        _wait(browser, lambda d, i=i: _cell(d, i, "status") == "approved", "approve")
    browser.find_element("id", "promote").click()
    _wait(browser, lambda d: "Promoted" in d.find_element("id", "banner").text, "promote")
    review = load_review(library / "fresh" / "chords" / "review.yml").model
    approved = {c.label: c.id for c in review.candidates if c.status == "approved"}
    first, second = (c.id for c in sorted(review.candidates, key=lambda c: c.rank)[:2])
    assert approved == {"verse": first, "chorus": second}
    names = sorted(p.name for p in (library / "fresh" / "chords" / "approved").iterdir())
    assert names == ["chorus.mid", "verse.mid"]


def test_phase_page_renders_without_console_errors(server, browser, library, tmp_path):
    _open_phase(browser, server)
    shot = os.environ.get("CHROMATIC_STUDIO_SCREENSHOT") or str(tmp_path / "phase.png")
    assert browser.save_screenshot(shot)
    assert os.path.getsize(shot) > 10_000
    drawn = browser.execute_script(NOTE_PIXELS, "#roll canvas.roll-base")
    assert drawn > 500  # the piano roll has the candidate's notes on it (its first colour)
    browser.get(f"{server}/?token={TOKEN}#/s/song")
    _wait(browser, lambda d: d.find_elements("id", "plan") or "No plan" in d.page_source, "song")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def _drag_url(driver, selector: str) -> str:
    """The DownloadURL item a dragstart on ``selector`` puts on the drag (what Chromium hands
    the desktop or a DAW when a link is dragged out of the window)."""
    return driver.execute_script(
        "const a = document.querySelector(arguments[0]); const dt = new DataTransfer();"
        "a.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));"
        "return dt.getData('DownloadURL');",
        selector,
    )


def test_download_and_drag_out_a_candidate_and_the_arrangement_midi(
    server, browser, library, tmp_path
):
    import mido

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    _open_phase(browser, server)
    review = load_review(library / "fresh" / "chords" / "review.yml").model
    first = sorted(review.candidates, key=lambda c: c.rank)[0]
    _keys(browser, "d")  # the selected (first) candidate's MIDI
    name = f"fresh-chords-{first.id}.mid"
    _wait(browser, lambda d: (downloads / name).is_file(), "the download")
    on_disk = library / "fresh" / "chords" / first.midi_file
    assert (downloads / name).read_bytes() == on_disk.read_bytes()
    assert mido.MidiFile(downloads / name).length > 1.0
    kind, saved_as, url = _drag_url(browser, "#detail a.midi").split(":", 2)
    assert (kind, saved_as) == ("audio/midi", name)
    got = browser.execute_async_script(
        "fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => arguments[1]("
        "String.fromCharCode(...new Uint8Array(b).slice(0, 4))))",
        url,
    )
    assert got == "MThd"
    # an approved loop from the song page, as a DAW would get it by dragging
    browser.get(f"{server}/?token={TOKEN}#/s/song")
    _wait(browser, lambda d: d.find_elements("css selector", "#phases a.midi"), "loops")
    kind, saved_as, url = _drag_url(browser, "#phases a.midi").split(":", 2)
    assert kind == "audio/midi" and saved_as.startswith("song-chords-")
    assert "/phases/chords/approved/" in url


def test_play_moves_the_playhead_with_the_audio(server, browser):
    _open_phase(browser, server)
    _keys(browser, " ")
    _wait(
        browser,
        lambda d: d.execute_script("return document.querySelector('#player').currentTime") > 0.6,
        "the preview to play",
    )
    first = float(browser.find_element("id", "roll").get_attribute("data-playhead"))
    audio_t = browser.execute_script("return document.querySelector('#player').currentTime")
    assert 0.2 < first <= audio_t + 0.05
    _wait(
        browser,
        lambda d: float(d.find_element("id", "roll").get_attribute("data-playhead")) > first + 0.3,
        "the playhead to move on",
    )
    _keys(browser, " ")  # pause: the playhead stops where the audio stopped
    _wait(
        browser,
        lambda d: d.execute_script("return document.querySelector('#player').paused"),
        "pause",
    )
    stopped = browser.execute_script("return document.querySelector('#player').currentTime")
    _wait(
        browser,
        lambda d: (
            abs(float(d.find_element("id", "roll").get_attribute("data-playhead")) - stopped) < 0.05
        ),
        "the playhead at the pause",
    )


def test_generate_a_phase_never_generated_from_its_page(server, browser, library):
    from selenium.webdriver.common.by import By

    assert not (library / "song" / "melody" / "review.yml").exists()
    browser.get(f"{server}/?token={TOKEN}#/s/song/melody")
    _wait(browser, lambda d: "No candidates yet" in d.find_element("id", "main").text, "page")
    assert "approved chords" in browser.find_element("id", "main").text
    browser.find_element("id", "n").send_keys("4")
    browser.find_element("id", "seed").send_keys("1")
    browser.execute_script("document.activeElement.blur()")
    _keys(browser, "g")
    _wait(browser, lambda d: "new candidate" in d.find_element("id", "banner").text, "generate")
    message = browser.find_element("id", "banner").text
    assert message.startswith("Generate melody: ") and "(seed 1," in message
    assert "{" not in message  # a sentence, not the job's JSON
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.cand.selected"), "candidates")
    review = load_review(library / "song" / "melody" / "review.yml").model
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.cand")) == len(review.candidates) > 0
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#legend span"), "piano roll")
    # a phase whose inputs are missing says what to do, in words
    browser.get(f"{server}/?token={TOKEN}#/s/fresh/drums")
    _wait(browser, lambda d: "drums" in d.find_element("id", "crumbs").text, "drums page")
    _wait(browser, lambda d: "No candidates yet" in d.find_element("id", "main").text, "drums")
    assert browser.find_element("id", "status").text == ""  # nothing carried over
    browser.find_element("id", "regen").click()
    _wait(browser, lambda d: "failed" in d.find_element("id", "banner").text, "refusal")
    assert "needs approved chords" in browser.find_element("id", "banner").text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_the_candidate_view_shows_the_relative_match_beside_the_raw_one(
    server, browser, library, exported
):
    """Chords scored by a real model that carries its held-out baseline: the selected
    candidate's line reads the raw match, the relative match (sd above the color's held-out
    mean), the pool-relative term and the weight, as review.yml has them."""
    from chromatic.produce.folder import open_folder
    from chromatic.produce.phases.chords import run_chords
    from chromatic.produce.phases.composite import load_scorer

    _, model, _ = exported
    folder = open_folder(library / "fresh")
    run_chords(folder, n=12, top=4, seed=5, scorer=load_scorer(model), model=str(model))
    review = load_review(library / "fresh" / "chords" / "review.yml").model
    first = sorted(review.candidates, key=lambda c: c.rank)[0]
    ch = first.scores.chromatic.model_dump()
    z = ch["match_relative"]
    assert z is not None
    _open_phase(browser, server)
    want = (
        f"chromatic: match {ch['match']:.3f}, relative {'+' if z >= 0 else ''}{z:.2f} sd,"
        f" term {ch['term']:.2f}, weight {ch['weight']:.2f}"
    )
    _wait(browser, lambda d: want in d.find_element("id", "detail").text, want)
    shot = os.environ.get("CHROMATIC_STUDIO_SCREENSHOT_RELATIVE")
    if shot:
        assert browser.save_screenshot(shot)
