"""Musicality benchmark: composes real and example proposals and measures the songs beside real
music measured in the same run (definitions: ``chromatic.measure.musicality``, docs/MUSICALITY.md).

    .venv/bin/python benchmarks/musicality.py [--threads DIR] [--proposal FILE ...] [--seed 1]
        [--model MODEL] [-n 50] [--beam 3] [--render] [--evolve] [--bach 120] [--essen 80] [--jobs 2]
        [--out DIR] [--json FILE]

Songs: the final proposal of every thread folder under ``--threads`` (default: the artist's
real threads, ``../shared/real/chain_artifacts``) and each ``--proposal`` (default: the two
``examples/proposals``), composed with ``compose --auto`` at one seed. References: Bach chorales
(soprano = melody, the four parts for harmony) and Essen folk songs from music21's corpus, and
the running times of the artist's real catalog (``TRT`` of ``../shared/real/catalog``).

Printed: one row per song, each figure marked ``*`` where it falls outside the reference
5th-95th percentile (length: the catalog's 10th-90th), the reference ranges, the pairwise
melody 4-gram and chord 4-gram overlap between songs, the sung-words table of issue #15 (lyric
events on sung notes, notes per syllable, melisma share, stressed syllables of multi-syllable
words on strong beats by the CMU dictionary, wrap-around sung notes and lines sung once per
planned pass against the plan's ``sung:`` text, the melody at or above the chord part beside
Bach's soprano, octave leaps into a section's first bar: ``chromatic.measure.melody``),
and the goals of issues #14 and #15 as pass/fail counts. Bar rhythms are compared on the
sixteenth / eighth-triplet grid a humanized onset is snapped back to (``measures.on_grid``). With ``--render`` the previews are rendered and their loudness (BS.1770 integrated,
pyloudnorm when installed), true peak (4x oversampled) and channel count are reported.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED") or REPO.parent / "shared")
sys.path.insert(0, str(REPO / "src"))

from chromatic.measure.development import (  # noqa: E402
    half_figures,
    pass_figures,
    plan_passes,
    tune_halves,
)
from chromatic.measure.musicality import (  # noqa: E402
    Piece,
    PNote,
    chord_sequence,
    measure,
    melody_line,
    melody_ngrams,
    overlap,
    percentile,
)
from chromatic.measure.standard_metrics import standard_metrics  # noqa: E402

METRICS = (
    ("pc_entropy", "pc-ent", "{:.2f}"),
    ("in_key", "in-key", "{:.2f}"),
    ("range", "range", "{:.0f}"),
    ("largest_leap", "leap", "{:.0f}"),
    ("repeated", "repeat", "{:.2f}"),
    ("distinct_bars", "d-bars", "{:.2f}"),
    ("distinct_rhythms", "d-rhy", "{:.2f}"),
    ("chord_tones", "ct-str", "{:.2f}"),
)
ESSEN = ("essenFolksong/ballad10", "essenFolksong/altdeu10", "essenFolksong/han1")


# --- references ---------------------------------------------------------------------------------


def _m21_notes(part) -> list[PNote]:
    out = []
    for n in part.flatten().notes:
        pitches = [p.midi for p in n.pitches]
        for p in pitches:
            out.append(PNote(float(n.offset), float(n.quarterLength), int(p)))
    return out


def _m21_piece(score, name: str, melody_part: int = 0) -> Piece | None:
    with contextlib.suppress(Exception):
        score = score.expandRepeats()
    parts = list(score.parts) or [score]
    key = score.analyze("key")
    ts = score.recurse().getElementsByClass("TimeSignature").first()
    bar_q = float(ts.barDuration.quarterLength) if ts else 4.0
    pickup = 0.0
    first = parts[melody_part].getElementsByClass("Measure").first()
    if first is not None and first.duration.quarterLength < bar_q - 1e-6:
        pickup = bar_q - float(first.duration.quarterLength)  # anacrusis: shift onto the bar grid
    shift = lambda ns: [PNote(n.onset + pickup, n.duration, n.pitch) for n in ns]  # noqa: E731
    melody = melody_line(shift(_m21_notes(parts[melody_part])))
    if len(melody) < 8:
        return None
    bass = shift(_m21_notes(parts[-1])) if len(parts) > 1 else []
    inner = [n for p in parts[1:-1] for n in shift(_m21_notes(p))]
    return Piece(
        name=name,
        tonic=key.tonic.pitchClass,
        minor=key.mode == "minor",
        bar_quarters=bar_q,
        melody=melody,
        bass=bass,
        chords=inner,
    )


def bach_piece(path: str) -> dict | None:
    from music21 import corpus

    s = corpus.parse(path)
    if len(s.parts) != 4:
        return None
    p = _m21_piece(s, Path(path).stem)
    return measure(p) | standard_metrics(p) if p else None


def essen_piece(text: str) -> dict | None:
    from music21 import converter

    try:
        s = converter.parse(text, format="abc")
    except Exception:
        return None
    p = _m21_piece(s, "essen")
    if p is None:
        return None
    p.bass = []
    return measure(p) | standard_metrics(p)


def references(
    n_bach: int, n_essen: int, jobs: int, cache: str | None = None
) -> dict[str, list[dict]]:
    """Bach and Essen figures; with ``cache`` read from that JSON file when it was written
    for the same counts, else measured and written there."""
    key = {"bach": n_bach, "essen": n_essen, "version": 3}  # 3: sus chords
    if cache and Path(cache).is_file():
        doc = json.loads(Path(cache).read_text())
        if doc.get("key") == key:
            return doc["refs"]
    refs = _measure_references(n_bach, n_essen, jobs)
    if cache:
        Path(cache).write_text(json.dumps({"key": key, "refs": refs}))
    return refs


def _measure_references(n_bach: int, n_essen: int, jobs: int) -> dict[str, list[dict]]:
    from music21 import corpus

    paths = sorted(
        str(x)
        for x in corpus.getComposer("bach")
        if "bwv" in Path(str(x)).name.lower() and str(x).endswith(".mxl")
    )
    tunes: list[str] = []
    for work in ESSEN:
        text = Path(corpus.getWork(work)).read_text(encoding="latin-1")
        chunks = re.split(r"(?m)^(?=X:)", text)[1:]
        tunes.extend(chunks[:n_essen])
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        bach = [r for r in pool.map(bach_piece, paths[: n_bach + n_bach // 4]) if r][:n_bach]
        essen = [r for r in pool.map(essen_piece, tunes, chunksize=8) if r]
    return {"bach": bach, "essen": essen}


def bach_halves(path: str) -> dict | None:
    from music21 import corpus

    s = corpus.parse(path)
    p = _m21_piece(s, Path(path).stem) if len(s.parts) == 4 else None
    return tune_halves(p) if p else None


def essen_halves(text: str) -> dict | None:
    from music21 import converter

    try:
        p = _m21_piece(converter.parse(text, format="abc"), "essen")
    except Exception:
        return None
    return tune_halves(p) if p else None


def dev_references(n_bach: int, n_essen: int, jobs: int, cache: str | None) -> dict:
    """The halves' figures of the Bach soprano lines and the Essen tunes (each tune one
    period); kept under ``development`` in the refs cache."""
    key = {"bach": n_bach, "essen": n_essen, "version": 1}
    path = Path(cache) if cache else None
    doc = json.loads(path.read_text()) if path and path.is_file() else {}
    if doc.get("development", {}).get("key") == key:
        return doc["development"]["refs"]
    from music21 import corpus

    paths = sorted(
        str(x)
        for x in corpus.getComposer("bach")
        if "bwv" in Path(str(x)).name.lower() and str(x).endswith(".mxl")
    )[: n_bach + n_bach // 4]
    tunes: list[str] = []
    for work in ESSEN:
        text = Path(corpus.getWork(work)).read_text(encoding="latin-1")
        tunes.extend(re.split(r"(?m)^(?=X:)", text)[1:][:n_essen])
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        bach = [r for r in pool.map(bach_halves, paths) if r and r["periods"]][:n_bach]
        essen = [r for r in pool.map(essen_halves, tunes, chunksize=8) if r and r["periods"]]
    refs = {"bach": bach, "essen": essen}
    if path:
        doc["development"] = {"key": key, "refs": refs}
        path.write_text(json.dumps(doc))
    return refs


DEVELOPMENT = (
    ("acc_differ", "acc-dif", "{:.2f}"),
    ("mel_differ", "mel-dif", "{:.2f}"),
    ("acc_grow", "grow", "{:.2f}"),
    ("half_rhythm", "h-rhy", "{:.2f}"),
    ("half_same", "h-same", "{:.2f}"),
    ("half_sim", "h-sim", "{:.2f}"),
    ("answer", "answer", "{:.2f}"),
)


def print_development(ok: list[dict], dev_refs: dict) -> None:
    """Issue #33 item 5 (``measure.development``): passes that differ, and halves that answer."""
    print(
        "\ndevelopment (issue #33): acc-dif/mel-dif = share of a section's repeated passes whose"
        " accompaniment/lead differs from its first pass; grow = median notes of pass 2 / pass 1"
        " (accompaniment); h-rhy = onset overlap of a period's two halves; h-same = second-half"
        " notes repeating the first half's pitch in place; h-sim = interval-sequence similarity;"
        " answer = share of periods whose second half ends on a more stable degree"
    )
    print(f"  {'metric':<14}{'Bach 5-95 [50]':>22}{'Essen 5-95 [50]':>22}{'songs 5-95 [50]':>22}")
    for key, _, fmt in DEVELOPMENT[3:]:
        cells = []
        for rows in (dev_refs["bach"], dev_refs["essen"], ok):
            lo, med, hi = ranges(rows, key)
            cells.append(
                "–" if lo != lo else f"{fmt.format(lo)}-{fmt.format(hi)} [{fmt.format(med)}]"
            )
        print(f"  {key:<14}" + "".join(f"{c:>22}" for c in cells))
    print("  " + f"{'song':<5}" + "".join(f"{lab:>8}" for _, lab, _ in DEVELOPMENT))
    for r in ok:
        print(
            "  " + f"{r['song']:<5}" + "".join(f"{_fmt(r.get(k), f):>8}" for k, _, f in DEVELOPMENT)
        )
    essen = sum(x["answer"] for x in dev_refs["essen"]) / max(len(dev_refs["essen"]), 1)
    bach = sum(x["answer"] for x in dev_refs["bach"]) / max(len(dev_refs["bach"]), 1)

    def count(key, pred) -> str:
        vals = [r[key] for r in ok if r.get(key) is not None]
        return f"{sum(bool(pred(v)) for v in vals)}/{len(vals)}"

    print("  goals of issue #33 (development):")
    print(f"    every repeated pass differs (acc):  {count('acc_differ', lambda v: v >= 0.999)}")
    print(f"    the band fills on pass 2 (grow>1):  {count('acc_grow', lambda v: v > 1.0)}")
    print(
        f"    answer >= Essen's mean ({essen:.2f}; Bach {bach:.2f}): "
        f"{count('answer', lambda v: v >= essen)}"
    )


def catalog_lengths() -> list[float]:
    from chromatic.catalog.manifest import find_manifests, load_manifest

    root = SHARED / "real" / "catalog"
    out = []
    for path in find_manifests(root) if root.is_dir() else []:
        loaded = load_manifest(path)
        if loaded.manifest is not None:
            out.append(loaded.manifest.trt_seconds)
    return out


# --- composing -----------------------------------------------------------------------------------


def sources(args) -> list[Path]:
    out = []
    if args.threads and Path(args.threads).is_dir():
        out.extend(sorted(p for p in Path(args.threads).iterdir() if p.is_dir()))
    out.extend(
        Path(p) for p in (args.proposal or sorted((REPO / "examples/proposals").glob("*.yml")))
    )
    return out


def compose(src: Path, out: Path, args) -> tuple[int, float, str]:
    import contextlib
    import io

    from chromatic.cli import main

    argv = ["compose", str(src), "--out", str(out), "--seed", str(args.seed), "--auto"]
    argv += ["-n", str(args.n), "--beam", str(args.beam)]
    argv += ["--render"] if args.render else ["--no-render"]
    if args.model:
        argv += ["--model", str(args.model)]
    if getattr(args, "evolve", False):
        argv += ["--evolve"]  # breeding (produce.evolve) on the part phases
    buf = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            rc = main(argv)
        except SystemExit as e:  # typer may exit
            rc = int(e.code or 0)
    return rc, time.perf_counter() - t, buf.getvalue()


def loudness(folder: Path) -> dict | None:
    import numpy as np
    import soundfile as sf

    files = sorted(folder.glob("arrangement.wav")) + sorted(folder.glob("arrangement.flac"))
    if not files:
        return None
    data, rate = sf.read(files[0], always_2d=True)
    try:
        import pyloudnorm

        lufs = float(pyloudnorm.Meter(rate).integrated_loudness(data))
    except ImportError:
        lufs = float("nan")
    import soxr

    up = soxr.resample(data, rate, rate * 4)
    peak = float(20 * np.log10(max(np.abs(up).max(), 1e-9)))
    return {"lufs": lufs, "true_peak": peak, "channels": int(data.shape[1])}


def sung_row(folder: Path, piece: Piece) -> dict:
    """The sung-words figures (``measure.melody``)."""
    from chromatic.measure.melody import pass_bars, section_start_leaps, sung_figures
    from chromatic.yamlio import read_yaml

    f = sung_figures(folder)
    plan = read_yaml(folder / "production_plan.yml", ValueError)
    return {
        "start_octaves": section_start_leaps(piece.melody, pass_bars(plan), piece.bar_quarters),
        "sung_notes": f.sung_notes,
        "lyric_share": f.lyric_share,
        "notes_per_syllable": f.notes_per_syllable,
        "melisma_share": f.melisma_share,
        "stressed_on_strong": f.stressed_on_strong,
        "words_measured": f.words_measured,
        "wrapped": f.wrapped,
        "lines_once": f.lines_once,
        "passes": f.passes,
    }


def _fmt(v, spec: str) -> str:
    return "–" if v is None else spec.format(v)


def print_sung(ok: list[dict], refs: dict[str, list[dict]]) -> None:
    """The issue #15 table: lyric events, notes per syllable, melismas, stress on strong beats,
    wrap-around sung notes, lines sung once, and the melody's register above the chords (beside
    Bach's soprano over the inner voices)."""
    lo, med, hi = ranges(refs["bach"], "melody_above")
    print(
        "\nsung words (issue #15): lyric = share of sung notes with a lyric event; n/syl = notes per"
        " syllable; melis = melisma share; str-on = stressed syllables of multi-syllable words on"
        " strong beats (words measured); wrap = wrap-around sung notes; once = passes singing"
        f" their lines once, in order; above = melody at or above the chords (Bach {lo:.2f}-{hi:.2f}"
        f" [{med:.2f}]); oct = leaps of an octave or more into a section pass's first bar"
    )
    print(
        f"  {'song':<5}{'lyric':>7}{'n/syl':>7}{'melis':>7}{'str-on':>12}{'wrap':>6}{'once':>7}{'above':>7}"
    )
    for r in ok:
        words = f"{_fmt(r.get('stressed_on_strong'), '{:.2f}')} ({r.get('words_measured', 0)})"
        print(
            f"  {r['song']:<5}{_fmt(r.get('lyric_share'), '{:.2f}'):>7}"
            f"{_fmt(r.get('notes_per_syllable'), '{:.2f}'):>7}{_fmt(r.get('melisma_share'), '{:.2f}'):>7}"
            f"{words:>12}{_fmt(r.get('wrapped'), '{}'):>6}{_fmt(r.get('lines_once'), '{:.2f}'):>7}"
            f"{_fmt(r.get('melody_above'), '{:.2f}'):>7}{r.get('start_octaves', 0):>5}"
        )


CRAFT = (
    ("clash_rate", "clash", "{:.3f}"),
    ("clash_long", "c>=1q", "{:.0f}"),
    ("sounding_chord_tones", "ct-snd", "{:.2f}"),
    ("lead_above", "above", "{:.2f}"),
    ("lead_median", "l-med", "{:.0f}"),
    ("out_of_range", "out", "{:.0f}"),
    ("key_agree", "key", "{:.0f}"),
    ("key_agree_kk", "keyKK", "{:.0f}"),
    ("modulations", "mod", "{:.0f}"),
    ("drum_run", "drum", "{:.0f}"),
    ("lead_mono", "mono", "{:.2f}"),
    ("lyric_coverage", "lyric", "{:.2f}"),
    ("backing_above", "b-abv", "{:.2f}"),
    ("backing_leaps", "b-oct", "{:.0f}"),
    ("step_max_rise", "rise", "{:.1f}"),
    ("stereo_corr", "corr", "{:.2f}"),
    ("centroid_hz", "cent", "{:.0f}"),
    ("band_2_6k_db", "2-6k", "{:.1f}"),
    ("band_6k_db", ">6k", "{:.1f}"),
)
STANDARD = (
    ("std_pitch_range", "p-range", "{:.0f}"),
    ("std_pcs_used", "pcs", "{:.0f}"),
    ("std_polyphony", "poly", "{:.2f}"),
    ("std_empty_beats", "empty", "{:.2f}"),
    ("std_scale", "scale", "{:.2f}"),
    ("std_groove", "groove", "{:.2f}"),
)


def print_craft(ok: list[dict], refs: dict[str, list[dict]]) -> None:
    """The craft figures (``measure.craft``), their goals, and the standard symbolic metrics
    (``measure.standard_metrics``) beside Bach's and Essen's."""
    print(
        "\ncraft (issue #33): clash = strong-beat lead notes a semitone (m2/m9/M7) from a sounding"
        " chord/bass pitch (c>=1q: lasting a quarter or more); ct-snd = chord tones counting only"
        " sounding chord/bass pitches; above = lead at/above the chords and backing; l-med = lead"
        " median pitch; out = notes outside their GM instrument; key = music21 names the planned"
        " tonic; mod = key changes; drum = longest run of one identical drum bar; mono = lead"
        " notes overlapping none; lyric = lead notes with a lyric; b-abv = backing-vocal notes over"
        " the lead (a descant); b-oct = octave leaps inside a backing phrase; rise = largest loudness rise"
        " (LU) at a section start; corr = preview L/R correlation; cent = spectral centroid (Hz);"
        " 2-6k, >6k = band energy (dB of total)"
    )
    print("  " + f"{'song':<5}" + "".join(f"{lab:>7}" for _, lab, _ in CRAFT) + "  music21 key")
    for r in ok:
        print(
            "  "
            + f"{r['song']:<5}"
            + "".join(f"{_fmt(r.get(k), f):>7}" for k, _, f in CRAFT)
            + f"  {r.get('m21_key') or '–'}"
        )
    n = len(ok)
    if n:

        def count(key, pred) -> str:
            vals = [r[key] for r in ok if r.get(key) is not None]
            return f"{sum(bool(pred(v)) for v in vals)}/{len(vals)}"

        print("  goals of issue #33:")
        print(f"    clash rate <= 1 %:            {count('clash_rate', lambda v: v <= 0.01)}")
        print(f"    lead above >= 95 %:           {count('lead_above', lambda v: v >= 0.95)}")
        print(f"    no note out of range:         {count('out_of_range', lambda v: v == 0)}")
        print(f"    music21 key agrees (>= 90 %): {count('key_agree', lambda v: v >= 1)}")
        print(f"      with Krumhansl-Kessler:     {count('key_agree_kk', lambda v: v >= 1)}")
        print(f"    identical drum run <= 8 bars: {count('drum_run', lambda v: v <= 8)}")
        print(f"    lead one voice (100 %):       {count('lead_mono', lambda v: v >= 0.999)}")
        print(f"    lyric on every lead note:     {count('lyric_coverage', lambda v: v >= 0.999)}")
        print(f"    no backing octave leap:       {count('backing_leaps', lambda v: v == 0)}")
        print(f"    stereo correlation <= 0.8:    {count('stereo_corr', lambda v: v <= 0.8)}")
        print(f"    section-start rise <= 6 LU:   {count('step_max_rise', lambda v: v <= 6)}")
    print("\nstandard symbolic metrics (MusPy's definitions; all pitched notes) beside Bach/Essen")
    print(f"  {'metric':<18}{'Bach 5-95 [50]':>22}{'Essen 5-95 [50]':>22}{'songs 5-95 [50]':>22}")
    for key, _, fmt in STANDARD:
        cells = []
        for rows in (refs["bach"], refs["essen"], ok):
            lo, med, hi = ranges(rows, key)
            cells.append(
                "–" if lo != lo else f"{fmt.format(lo)}-{fmt.format(hi)} [{fmt.format(med)}]"
            )
        print(f"  {key:<18}" + "".join(f"{c:>22}" for c in cells))
    print("  " + f"{'song':<5}" + "".join(f"{lab:>9}" for _, lab, _ in STANDARD))
    for r in ok:
        print("  " + f"{r['song']:<5}" + "".join(f"{_fmt(r.get(k), f):>9}" for k, _, f in STANDARD))


# --- report --------------------------------------------------------------------------------------


def ranges(rows: list[dict], key: str, lo: float = 5, hi: float = 95) -> tuple[float, float, float]:
    vals = [r[key] for r in rows if r.get(key) is not None]
    return percentile(vals, lo), percentile(vals, 50), percentile(vals, hi)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", default=str(SHARED / "real" / "chain_artifacts"))
    ap.add_argument("--proposal", action="append")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--model")
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--beam", type=int, default=3)
    ap.add_argument("--render", action="store_true")
    ap.add_argument("--evolve", action="store_true", help="compose --auto --evolve")
    ap.add_argument("--bach", type=int, default=120)
    ap.add_argument("--essen", type=int, default=80, help="tunes per Essen collection (3 of them)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", help="keep the compositions here (default: a temp folder)")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument(
        "--reuse", action="store_true", help="with --out: measure the songs already composed there"
    )
    ap.add_argument("--refs-cache", help="keep the reference figures in this JSON file")
    args = ap.parse_args()

    from chromatic.measure.arrangement import piece_from_production
    from chromatic.measure.craft import audio as craft_audio
    from chromatic.measure.craft import symbolic as craft_symbolic
    from chromatic.yamlio import read_yaml

    work = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="musicality-"))
    songs: list[dict] = []
    pieces: dict[str, Piece] = {}
    for i, src in enumerate(sources(args)):
        name = f"{i + 1:02d}"
        done = work / name / "arrangement.mid"
        if args.reuse and done.is_file():  # measure songs composed by an earlier run
            summary = json.loads((work / name / "compose_summary.json").read_text())
            rc, secs, log = 0, float(summary.get("timings", {}).get("total", 0.0)), ""
        else:
            rc, secs, log = compose(src, work / name, args)
        row: dict = {"song": name, "source": src.name[:40], "compose_s": secs, "rc": rc}
        if rc != 0:
            row["error"] = log.strip().splitlines()[-1] if log.strip() else f"exit {rc}"
            songs.append(row)
            print(f"  {name} {src.name[:40]}: FAILED ({row['error'][:120]})", flush=True)
            continue
        piece = piece_from_production(work / name, name)
        pieces[name] = piece
        genres = read_yaml(work / name / "proposal.yml", ValueError).get("genres") or [""]
        row |= measure(piece) | {"genre": str(genres[0])[:18]} | sung_row(work / name, piece)
        row |= craft_symbolic(work / name, piece) | standard_metrics(piece)
        passes = plan_passes(read_yaml(work / name / "production_plan.yml", ValueError))
        row |= pass_figures(piece, passes) | half_figures(piece, passes)
        if args.render:
            row |= loudness(work / name) or {}
            row |= craft_audio(work / name)
        songs.append(row)
        print(f"  composed {name} {src.name[:40]} in {secs:.1f} s", flush=True)

    t = time.perf_counter()
    refs = references(args.bach, args.essen, args.jobs, args.refs_cache)
    lengths = catalog_lengths()
    print(
        f"\nreferences measured in {time.perf_counter() - t:.0f} s: {len(refs['bach'])} Bach "
        f"chorales, {len(refs['essen'])} Essen tunes, {len(lengths)} catalog song lengths"
    )

    # reference 5-95 % ranges: the union of Bach and Essen where a figure has both
    bounds: dict[str, tuple[float, float]] = {}
    print("\nreference ranges (5th-95th percentile [median])")
    print(f"  {'metric':<18}{'Bach':>22}{'Essen':>22}")
    for key, _label, fmt in METRICS:
        cells = []
        los, his = [], []
        for src in ("bach", "essen"):
            lo, med, hi = ranges(refs[src], key)
            if lo != lo:  # nan: no figure
                cells.append("–")
                continue
            los.append(lo)
            his.append(hi)
            cells.append(f"{fmt.format(lo)}-{fmt.format(hi)} [{fmt.format(med)}]")
        bounds[key] = (min(los), max(his))
        print(f"  {key:<18}{cells[0]:>22}{cells[1]:>22}")
    if lengths:
        lo, med, hi = percentile(lengths, 10), percentile(lengths, 50), percentile(lengths, 90)
        bounds["seconds"] = (lo, hi)
        print(
            f"  {'length (s)':<18}{'catalog 10th-90th':>22}{f'{lo:.0f}-{hi:.0f} [{med:.1f}]':>22}"
        )

    ok = [r for r in songs if r.get("rc") == 0]
    print(f"\nsongs ({len(ok)} of {len(songs)} composed; * = outside the reference range)")
    head = f"  {'song':<5}{'genre':<19}" + "".join(f"{lab:>8}" for _, lab, _ in METRICS)
    print(head + f"{'tonic':>7}{'drums':>7}{'phr':>6}{'len s':>7}{'comp s':>7}")
    inside_counts = []
    for r in ok:
        cells, inside = [], 0
        for key, _, fmt in METRICS:
            v = r.get(key)
            if v is None:
                cells.append(f"{'–':>8}")
                continue
            lo, hi = bounds[key]
            out = not lo - 1e-9 <= v <= hi + 1e-9
            inside += not out
            cells.append(f"{fmt.format(v) + ('*' if out else ''):>8}")
        total = sum(r.get(k) is not None for k, _, _ in METRICS)
        inside_counts.append((inside, total))
        sec = r.get("seconds") or 0
        slo, shi = bounds.get("seconds", (0, 1e9))
        mark = "*" if not slo <= sec <= shi else ""
        drums = r.get("drums_end")
        print(
            f"  {r['song']:<5}{r.get('genre', ''):<19}"
            + "".join(cells)
            + f"{'yes' if r['tonic_end'] else 'no':>7}"
            + f"{'–' if drums is None else ('yes' if drums else 'no'):>7}"
            + f"{(r.get('whole_phrases') or 0):>6.2f}{f'{sec:.0f}{mark}':>7}{r['compose_s']:>7.1f}"
        )
        if args.render and "lufs" in r:
            print(
                f"        preview {r['lufs']:.1f} LUFS, true peak {r['true_peak']:.1f} dBTP, {r['channels']} ch"
            )

    print_sung(ok, refs)
    print_craft(ok, refs)
    print_development(ok, dev_references(args.bach, args.essen, args.jobs, args.refs_cache))

    # cross-song overlap
    names = sorted(pieces)
    mel = {n: melody_ngrams(pieces[n].melody) for n in names}
    prog = {}
    for n in names:
        seq = chord_sequence(pieces[n])
        prog[n] = {tuple(seq[i : i + 4]) for i in range(len(seq) - 3)}
    pairs = list(combinations(names, 2))
    mo = [(overlap(mel[a], mel[b]) + overlap(mel[b], mel[a])) / 2 for a, b in pairs]
    po = [(overlap(prog[a], prog[b]) + overlap(prog[b], prog[a])) / 2 for a, b in pairs]
    same_mel = sum(
        pieces[a].melody
        and [(n.pitch, n.duration) for n in pieces[a].melody]
        == [(n.pitch, n.duration) for n in pieces[b].melody]
        for a, b in pairs
    )
    same_prog = sum(chord_sequence(pieces[a]) == chord_sequence(pieces[b]) for a, b in pairs)
    if pairs:
        print(
            f"\npairwise overlap over {len(pairs)} song pairs: melody 4-grams mean {sum(mo) / len(mo):.1%} "
            f"(max {max(mo):.1%}), chord 4-grams mean {sum(po) / len(po):.1%} (max {max(po):.1%}); "
            f"identical melodies {same_mel}, identical chord sequences {same_prog}"
        )

    # goals of issue #14
    n = len(ok)
    if n:

        def share(pred) -> str:
            k = sum(bool(pred(r)) for r in ok)
            return f"{k}/{n} ({k / n:.0%})"

        slo, shi = bounds.get("seconds", (0, 1e9))
        print("\ngoals")
        print(f"  composed:                       {len(ok)}/{len(songs)}")
        print(f"  tonic endings:                  {share(lambda r: r['tonic_end'])}")
        print(f"  melody ends on the tonic:       {share(lambda r: r['melody_tonic_end'])}")
        print(
            f"  drums end with the music:       {share(lambda r: r.get('drums_end') in (1.0, None))}"
        )
        print(
            f"  length in catalog 10-90 %:      {share(lambda r: slo <= (r.get('seconds') or 0) <= shi)}"
        )
        sec_total = sum(len(p.sections_bars) for p in pieces.values())
        sec_whole = sum(b % p.phrase_bars == 0 for p in pieces.values() for b in p.sections_bars)
        print(
            f"  sections in whole phrases:      {sec_whole}/{sec_total} ({sec_whole / max(sec_total, 1):.0%})"
        )
        k = sum(i >= 0.999 * t for i, t in inside_counts)
        print(f"  every metric inside reference:  {k}/{n} ({k / n:.0%})")
        for key, _, _ in METRICS:
            lo, hi = bounds[key]
            vals = [r[key] for r in ok if r.get(key) is not None]
            inside = sum(lo - 1e-9 <= v <= hi + 1e-9 for v in vals)
            print(f"    {key + ' inside reference:':<32}{inside}/{len(vals)}")
        med_len = percentile([r["seconds"] for r in ok], 50)
        print(
            f"  median length:                  {med_len:.0f} s; median compose time {percentile([r['compose_s'] for r in ok], 50):.1f} s"
        )
    if n:
        with_words = [r for r in ok if r.get("words_measured")]
        print("  issue #15:")
        print(
            f"    lyric events on every sung note: {sum((r.get('lyric_share') or 0) >= 0.999 for r in ok)}/{n}"
        )
        print(
            "    stressed on strong >= 80 %:     "
            f"{sum((r.get('stressed_on_strong') or 0) >= 0.8 for r in with_words)}/{len(with_words)} songs with words"
        )
        print(
            "    no octave leap at a section start: "
            f"{sum(r.get('start_octaves', 0) == 0 for r in ok)}/{n}"
        )
        sung = [r for r in ok if r.get("wrapped") is not None]
        print(
            f"    no wrap-around sung notes:       {sum(r['wrapped'] == 0 for r in sung)}/{len(sung)} songs with lines"
            f"; lines once in order: {sum((r.get('lines_once') or 0) >= 0.999 for r in sung)}/{len(sung)}"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"songs": songs, "bounds": bounds}, indent=1, default=str)
        )
    if not args.out:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
