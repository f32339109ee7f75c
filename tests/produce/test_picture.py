"""The arrangement's picture, drawn without matplotlib: a cell's shade follows its density,
columns are as wide as their bars, and the compose process never imports matplotlib for it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from PIL import Image
from symusic import Score

from chromatic.produce.arrange.arrangement import Arrangement, Instrument, SectionSpan
from chromatic.produce.arrange.picture import VIRIDIS, plot_arrangement, tick_step, viridis
from chromatic.produce.planfile import PlanSection


def _arr() -> Arrangement:
    sections = (
        SectionSpan(PlanSection(name="intro", bars=4), 0, 0.0, 8.0, {"drums": 40, "bass": 4}),
        SectionSpan(PlanSection(name="verse", bars=8, repeat=2), 4, 8.0, 40.0, {"bass": 32}),
    )
    instruments = (Instrument("drums", "drums", 0, True), Instrument("bass 33", "bass", 33, False))
    return Arrangement(Score(480), sections, instruments, 2.0, ())


def _cell(img: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    return img.getpixel((round(x * img.width), round(y * img.height)))[:3]


def test_the_picture_shades_cells_by_density_and_sizes_columns_by_bars(tmp_path):
    path = tmp_path / "a.png"
    plot_arrangement(_arr(), path, title="two sections")
    img = Image.open(path)
    assert img.format == "PNG" and img.size == (600, 240)  # 6 x 2.4 inches at 100 dpi
    px = np.asarray(img.convert("RGB")).astype(int)
    # the drums' intro (10 notes a bar, the densest) is viridis' top; the drums play no verse
    colours = {tuple(c) for c in px.reshape(-1, 3)}
    assert VIRIDIS[-1] in colours and (238, 238, 238) in colours
    assert viridis(0.1) in colours  # bass in the intro: 1 note a bar of 10
    # bass: 1 note a bar in the intro (4 bars), 2 in the verse (8 bars x 2): columns as wide
    # as their bars, the verse 4 times the intro (the bass row's cells: y 50-122 of 240)
    row = px[60]
    intro = np.all(row == viridis(0.1), axis=1).sum()
    verse = np.all(row == viridis(0.2), axis=1).sum()
    assert intro > 50 and 3.6 < verse / intro < 4.4
    # the drums' row: the intro shaded, the verse empty
    assert tuple(px[130, -30]) == (238, 238, 238) and tuple(px[130, 140]) != (238, 238, 238)


def test_viridis_and_the_ticks():
    assert viridis(0.0) == VIRIDIS[0] and viridis(1.0) == VIRIDIS[-1] and viridis(7) == VIRIDIS[-1]
    assert viridis(0.5) == VIRIDIS[8]
    assert [tick_step(t) for t in (5, 12, 30, 100, 240)] == [1, 2, 5, 20, 50]


def test_drawing_the_picture_does_not_import_matplotlib(tmp_path):
    code = (
        "import sys\n"
        "sys.path.insert(0, '.')\n"
        "from tests.produce.test_picture import _arr\n"
        "from chromatic.produce.arrange.preview import plot_arrangement\n"
        f"plot_arrangement(_arr(), {str(tmp_path / 'p.png')!r})\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
