"""The arrangement's picture: sections (columns as wide as their bars) by instruments (rows,
the first at the bottom), each cell shaded by note density (notes per bar, viridis) and
labelled with it; the sections' names above, the title and the length around.

Drawn with Pillow (matplotlib's own image library, a core dependency): importing matplotlib's
pyplot cost about 0.5 CPU s of every rendered compose, more than drawing the picture.
"""

from __future__ import annotations

import os

import numpy as np

#: viridis at 0, 1/16, ..., 1 (matplotlib's colormap, sampled), interpolated between.
VIRIDIS = (
    (68, 1, 84), (72, 24, 106), (71, 45, 123), (66, 64, 134), (59, 82, 139), (51, 99, 141),
    (44, 114, 142), (38, 130, 142), (33, 145, 140), (31, 160, 136), (40, 174, 128),
    (63, 188, 115), (94, 201, 98), (132, 212, 75), (173, 220, 48), (216, 226, 25),
    (253, 231, 37),
)  # fmt: skip
EMPTY = (238, 238, 238)
DPI = 100


def viridis(x: float) -> tuple[int, int, int]:
    """The colour of ``x`` in [0, 1] (clipped)."""
    pos = min(max(float(x), 0.0), 1.0) * (len(VIRIDIS) - 1)
    i = min(int(pos), len(VIRIDIS) - 2)
    t = pos - i
    a, b = VIRIDIS[i], VIRIDIS[i + 1]
    return tuple(round(a[k] + (b[k] - a[k]) * t) for k in range(3))


def tick_step(total: int) -> int:
    """Bars between the axis's ticks: 1, 2 or 5 times a power of ten, at most 6 ticks."""
    step = 1
    while total / step > 6:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


def densities(arr) -> tuple[list[str], np.ndarray]:
    """Row names and notes per bar, rows x sections (a phase's notes shared among its rows)."""
    rows = [i.name for i in arr.instruments] or ["(empty)"]
    phases = [i.phase for i in arr.instruments]
    density = np.zeros((len(rows), len(arr.sections)))
    for j, s in enumerate(arr.sections):
        for i, ph in enumerate(phases):
            share = sum(1 for p in phases if p == ph)
            density[i, j] = s.notes.get(ph, 0) / share / max(s.total_bars, 1)
    return rows, density


def plot_arrangement(arr, path: str | os.PathLike, *, title: str = "") -> None:
    """Sections (x, width = bars) by instruments (y), shaded and labelled by notes per bar."""
    from PIL import Image, ImageDraw, ImageFont

    rows, density = densities(arr)
    total = max(arr.total_bars, 1)
    top = max(float(density.max()), 1e-9) if density.size else 1e-9
    width = round(max(6.0, min(16.0, total / 4)) * DPI)
    height = round((1.2 + 0.6 * len(rows)) * DPI)
    small, label, big = (ImageFont.load_default(size=s) for s in (10, 13, 14))
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    left = 12 + max(draw.textlength(r, font=label) for r in rows)
    x0, x1, y0, y1 = left, width - 16, 50, height - 46  # the grid's box
    bar = (x1 - x0) / total
    row_h = (y1 - y0) / len(rows)

    def row_top(i: int) -> float:  # row 0 at the bottom
        return y1 - (i + 1) * row_h

    for j, s in enumerate(arr.sections):
        a, b = x0 + s.start_bar * bar, x0 + (s.start_bar + s.total_bars) * bar
        for i in range(len(rows)):
            d = density[i, j] if arr.instruments else 0.0
            fill = viridis(d / top) if d else EMPTY
            draw.rectangle(
                (a, row_top(i), b, row_top(i) + row_h), fill=fill, outline="white", width=2
            )
            if d:
                colour = "white" if d / top < 0.6 else "black"
                centre = ((a + b) / 2, row_top(i) + row_h / 2)
                draw.text(centre, f"{d:.1f}", fill=colour, font=small, anchor="mm")
        name = s.name if s.repeat == 1 else f"{s.name} x{s.repeat}"
        draw.text(((a + b) / 2, y0 - 4), name, fill="black", font=label, anchor="md")
    for i, r in enumerate(rows):
        draw.text((left - 6, row_top(i) + row_h / 2), r, fill="black", font=label, anchor="rm")
    draw.line((x0, y1, x1, y1), fill="black")
    draw.line((x0, y0 - 18, x0, y1), fill="black")
    for tick in range(0, total + 1, tick_step(total)):
        x = x0 + tick * bar
        draw.line((x, y1, x, y1 + 4), fill="black")
        draw.text((x, y1 + 6), str(tick), fill="black", font=label, anchor="ma")
    draw.text((x0, 6), title or "arrangement", fill="black", font=big, anchor="la")
    caption = f"bars ({total} bars, {arr.seconds:.1f} s); cells: notes per bar"
    draw.text(((x0 + x1) / 2, height - 6), caption, fill="black", font=label, anchor="md")
    img.save(path, format="PNG")
