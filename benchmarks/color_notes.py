"""Does the color shape the NOTES? (mood8, issue #31 item 5)

    CHROMATIC_SRC=/path/to/src .venv/bin/python benchmarks/color_notes.py --out DIR --json J
    .venv/bin/python benchmarks/color_notes.py --compare BEFORE.json AFTER.json

Composes two proposals (the example proposal and the first real thread's final) in each of the
8 album colors, changing only the color (``compose --auto``, each of ``--seeds``, no model, no audio),
with the composer under ``CHROMATIC_SRC`` (default this checkout's src: run once with main's src
for the before figures). Per song, from ``arrangement.mid`` (parts by their ``part:`` label):

- notes per bar of melody, chords, bass, harmony and drums (note-ons over the song's bars);
- median MIDI pitch of the melody and of the chords;
- chord colour: the share of chord onsets with 4 or more pitch classes (sevenths, add9, sus
  stacks), and the share of chord notes outside the proposal key's scale (borrowed, modal);
- melody syncopation: the share of melody onsets off the quarter-note beat.

And **separability**: the same figures over every 8-bar window; a logistic regression trained
on one proposal's 8 colors predicts the color of the other's windows (both ways, mean): how
far a color's notes are its own across proposals (chance 12.5 %).
``--compare`` prints per color (mean over proposals and seeds) before -> after for the\nfigures that moved, the spread of those means over the colors, and both accuracies.\n``--weight W`` sets the feel's ``COLOR_WEIGHT`` (produce/style/feel.py) for a what-if.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED") or REPO.parent / "shared")
sys.path.insert(0, os.environ.get("CHROMATIC_SRC") or str(REPO / "src"))

PARTS = ("melody", "chords", "bass", "harmony", "drums")
FIGURES = (*(f"{p}_per_bar" for p in PARTS), "melody_pitch", "chords_pitch", "chord_4pc")
FIGURES += ("chord_out_of_key", "melody_offbeat")
EXAMPLE = REPO / "examples/proposals/song_proposal_green_cooling_tower_choir_v1.yml"


def proposals() -> list:
    from chromatic.produce.folder import read_any_proposal
    from chromatic.proposals.threads import iterations_of, proposal_from_mapping
    from chromatic.yamlio import load_plain

    out = [read_any_proposal(EXAMPLE)]
    threads = SHARED / "real/chain_artifacts"
    t = sorted(p for p in threads.iterdir() if p.is_dir())[0]
    path = next((t / "yml").glob("all_song_proposals_*.yml"))
    its = iterations_of(load_plain(path), path)
    for i in range(len(its) - 1, -1, -1):
        with contextlib.suppress(Exception):
            out.append(proposal_from_mapping(its[i], source=path, where=f"iterations[{i}]"))
            break
    return out


def figures(notes: dict[str, list], bars: float, scale: set[int]) -> dict[str, float]:
    """The figures of one stretch: ``notes`` per part as (onset_beats, pitch) pairs."""
    f = {f"{p}_per_bar": len(notes.get(p, [])) / max(bars, 1e-9) for p in PARTS}
    for p in ("melody", "chords"):
        f[f"{p}_pitch"] = statistics.median(n[1] for n in notes[p]) if notes.get(p) else 0.0
    onsets: dict[float, set[int]] = {}
    for t, pitch in notes.get("chords", []):
        onsets.setdefault(round(t, 2), set()).add(pitch % 12)
    f["chord_4pc"] = sum(len(v) >= 4 for v in onsets.values()) / max(1, len(onsets))
    ch = notes.get("chords", [])
    f["chord_out_of_key"] = sum(p % 12 not in scale for _, p in ch) / max(1, len(ch))
    mel = notes.get("melody", [])
    f["melody_offbeat"] = sum(abs(t - round(t)) > 0.05 for t, _ in mel) / max(1, len(mel))
    return f


def song(folder: Path, proposal) -> dict:
    import mido

    from chromatic.music import daw

    mid = mido.MidiFile(str(folder / "arrangement.mid"))
    roles = daw.part_roles(folder / "arrangement.mid")
    tpq = mid.ticks_per_beat
    ts = proposal.time_signature
    beats_per_bar = 4 * ts.numerator / ts.denominator
    notes: dict[str, list] = {p: [] for p in PARTS}
    end = 0.0
    for tr in mid.tracks:
        role = roles.get(tr.name, "")
        t = 0
        for msg in tr:
            t += msg.time
            if msg.type == "note_on" and msg.velocity:
                part = "drums" if msg.channel == 9 else role
                if part in notes:
                    notes[part].append((t / tpq, msg.note))
                end = max(end, t / tpq)
    scale = set(proposal.key.scale_pcs())
    bars = end / beats_per_bar
    whole = figures(notes, bars, scale)
    windows = []
    span = 8 * beats_per_bar
    for w in range(int(end // span)):
        lo, hi = w * span, (w + 1) * span
        part = {p: [n for n in v if lo <= n[0] < hi] for p, v in notes.items()}
        if part["melody"] or part["chords"]:
            windows.append([figures(part, 8, scale)[k] for k in FIGURES])
    return {"color": proposal.color.name, "figures": whole, "windows": windows}


def compose_all(out: Path, seeds: list[int], n: int) -> dict:
    from chromatic.produce.compose.run import ComposeOptions, compose_auto
    from chromatic.taxonomy import ALBUM_COLORS
    from chromatic.yamlio import dump_yaml

    result = {}
    for i, base in enumerate(proposals()):
        rows = []
        for seed, c in ((seed, c) for seed in seeds for c in ALBUM_COLORS):
            p = replace(base, color=c)
            folder = out / f"p{i}_s{seed}_{c.name}"
            folder.mkdir(parents=True, exist_ok=True)
            src = folder.with_suffix(".proposal.yml")
            src.write_text(dump_yaml({"schema_version": 1, **p.to_dict()}))
            with contextlib.redirect_stdout(io.StringIO()):
                compose_auto(src, folder, ComposeOptions(n=n, beam=1, seed=seed, render=False))
            rows.append({**song(folder, p), "seed": seed})
            print(f"  {base.title[:30]:30} {c.name:7} seed {seed} composed", flush=True)
        result[base.title] = rows
    return result


def separability(result: dict) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    sets = list(result.values())
    if len(sets) < 2:
        return float("nan")
    accs = []
    for a, b in ((sets[0], sets[1]), (sets[1], sets[0])):
        xa = [w for r in a for w in r["windows"]]
        ya = [r["color"] for r in a for _ in r["windows"]]
        xb = [w for r in b for w in r["windows"]]
        yb = [r["color"] for r in b for _ in r["windows"]]
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        clf.fit(xa, ya)
        accs.append(sum(p == y for p, y in zip(clf.predict(xb), yb, strict=True)) / len(yb))
    return sum(accs) / len(accs)


def _means(result: dict) -> dict[str, dict[str, float]]:
    """Per color: each figure's mean over the proposals and seeds."""
    rows = [r for rs in result.values() for r in rs]
    colors = list(dict.fromkeys(r["color"] for r in rows))
    return {
        c: {k: statistics.mean(r["figures"][k] for r in rows if r["color"] == c) for k in FIGURES}
        for c in colors
    }


def compare(before: dict, after: dict) -> None:
    mb, ma = _means(before), _means(after)
    print("per color, mean over the proposals and seeds (before -> after, figures that moved):")
    for c in ma:
        moved = [
            f"{k} {mb[c][k]:.2f}->{ma[c][k]:.2f}"
            for k in FIGURES
            if abs(mb[c][k] - ma[c][k]) > 0.005 * max(1.0, abs(mb[c][k]))
        ]
        print(f"  {c:7} " + ("; ".join(moved) or "no figure moved"))
    print("spread of the color means (sd over the 8 colors), before -> after:")
    for k in FIGURES:
        sb = statistics.pstdev(v[k] for v in mb.values())
        sa = statistics.pstdev(v[k] for v in ma.values())
        print(f"  {k:17} {sb:.3f} -> {sa:.3f}")
    print(
        f"separability (LR on 8-bar windows, trained on one proposal's colors, tested on the "
        f"other's; chance 12.5%): {separability(before):.1%} -> {separability(after):.1%}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--weight", type=float, default=None, help="the feel's COLOR_WEIGHT (after)")
    ap.add_argument("-n", type=int, default=8)
    ap.add_argument("--compare", type=Path, nargs=2)
    a = ap.parse_args()
    if a.compare:
        before, after = (json.loads(p.read_text()) for p in a.compare)
        compare(before, after)
        return
    if a.out is None or a.json is None:
        ap.error("--out and --json (or --compare BEFORE AFTER)")
    if a.weight is not None:
        from chromatic.produce.style import feel

        feel.COLOR_WEIGHT = a.weight
    result = compose_all(a.out, a.seeds, a.n)
    a.json.write_text(json.dumps(result))
    print(f"separability: {separability(result):.1%}")


if __name__ == "__main__":
    main()
