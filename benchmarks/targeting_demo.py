"""The 8 x 8 of ``targeting.py --demo`` read as steering: how far targeting each color moved the
song, against the same proposal composed for the same color without the model (the control).

The 8 x 8's own reading (is a song's match to its color its row's maximum?) mixes two things:
what the color's style makes of the proposal (instruments, form, density), and how the model
hears composed music at all (a model trained on other music hears every composed song as
closest to one or two colors: those columns win every row). The paired reading removes both:
each cell is the song's match to a color minus its control's (the same proposal, the same color
style, ``--chromatic-weight 0``), in the relative match's units (sd of the color's held-out
matches) when the model carries its baseline, else raw. The diagonal is then "how much more the
song targeting c sounds like c", and a row's maximum on the diagonal means targeting c moved the
song toward c more than toward any other color.
"""

from __future__ import annotations

import numpy as np


def match_table(scorer, colors: list[str], songs: dict[str, bytes]) -> dict[str, np.ndarray | None]:
    """Each song's raw and relative match to each color (rows: songs, columns: colors)."""
    out: dict[str, np.ndarray | None] = {
        "match": np.zeros((len(colors), len(colors))),
        "match_relative": None,
    }
    for j, c in enumerate(colors):
        by = {
            r["id"]: r
            for r in scorer.score_batch([{"id": s, "midi": songs[s]} for s in colors], color=c)
        }
        out["match"][:, j] = [by[s]["match"] for s in colors]
        if by[colors[0]].get("match_relative") is not None:
            if out["match_relative"] is None:
                out["match_relative"] = np.zeros((len(colors), len(colors)))
            out["match_relative"][:, j] = [by[s]["match_relative"] for s in colors]
    return out


def print_steering(colors: list[str], targeted: dict, control: dict) -> int:
    """The paired table (targeted minus control) and how often its diagonal is the row max."""
    name = "match_relative" if targeted["match_relative"] is not None else "match"
    delta = targeted[name] - control[name]
    unit = "relative match (sd)" if name == "match_relative" else "raw match"
    print(
        f"\nsteering: each song's {unit} minus its control's (the same proposal and color, weight 0)"
    )
    print("  " + " " * 8 + "".join(f"{c[:6]:>8}" for c in colors))
    wins = 0
    for i, r in enumerate(colors):
        best = int(np.argmax(delta[i]))
        wins += best == i
        print(f"  {r:8}" + "".join(f"{v:8.3f}" for v in delta[i]) + f"  row max: {colors[best]}")
    own = [1 + int((delta[i] > delta[i, i]).sum()) for i in range(len(colors))]
    print(
        f"  targeting c moved the song toward c more than toward any other color in {wins} of "
        f"{len(colors)} rows; own color's rank {own}; diagonal mean {np.mean(np.diag(delta)):+.3f}, "
        f"off-diagonal mean {delta[~np.eye(len(colors), dtype=bool)].mean():+.3f}"
    )
    return wins
