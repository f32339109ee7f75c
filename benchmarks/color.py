"""Color benchmark (issue #30): does the color shape the music?

    .venv/bin/python benchmarks/color.py [--threads DIR] [--catalog DIR] [--seed 1] [-n 8]
        [--per-thread 0] [--out DIR] [--json FILE]

Composes every colored iteration of the real threads (``--per-thread K``: K iterations per
thread, evenly spaced, 0 = all) with ``compose --auto`` at one seed without audio, plus two
controls built on the first thread's final proposal: only the color changed (the 8 album
colors), and only the concept changed (4 concepts). Printed:

- **color judge**: a logistic regression trained only on the catalog's manifests, on features
  the composer decides (instrument families heard, sung or not, sections per song, intro /
  outro / chorus, shares of verse, chorus, bridge, movement and interlude-like sections, length;
  never key, bpm, genre, mood or concept). Its leave-one-song-out accuracy on the catalog beside
  the majority class, then its top-1 accuracy on the composed songs of the 8 album colors, the
  same with each composed song judged by a judge that never saw the catalog songs its style
  drew from (``chromatic style``'s form and palette sources), and the confusion per color.
- **distinctness** over all composed songs: distinct instrument sets, distinct section
  sequences, the most common pitched program's share, and the drum-bar pattern overlap between
  songs of different colors (the share of one song's bars whose exact drum pattern the other
  has, mean over pairs).
- **per color**, composed beside catalog: length, sections per song (10th-90th percentile of the
  catalog color, * = composed mean outside), sung share, minor share, intro and outro shares.
- **controls**: instrument sets and forms over the 8 colors; density, mode and programs over
  the concepts (from ``produce.style`` when it reports them) and drum notes per bar.

Feature definitions: a track's family is its GM program's range (0-15 keys, 16-23 organ, 24-31
guitar, 32-39 bass, 40-51 and 55 strings, 52-54 and 85 voice, 56-63 brass, 64-79 winds, 80-87
and 90 synth, 88-103 except 90 texture, 104-111 plucked, drum channel drums); catalog tracks get
their program from ``produce/style/instruments.yml``. A song is sung when a voice plays its
melody (composed) or its manifest says ``vocals: true`` (catalog).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED") or REPO.parent / "shared")
# CHROMATIC_SRC: the composer to measure (a checkout of main's src for the BEFORE figures); the
# catalog side (profile.py's instrument table and section kinds) is always this checkout's.
sys.path.insert(0, os.environ.get("CHROMATIC_SRC") or str(REPO / "src"))

from chromatic.catalog.manifest import find_manifests, load_manifest  # noqa: E402
from chromatic.taxonomy import ALBUM_COLORS, parse_color  # noqa: E402

FAMILIES = ("drums", "bass", "guitar", "keys", "organ", "synth", "texture", "strings", "winds")
FAMILIES += ("brass", "plucked")
VOICE = {52, 53, 54, 85}
INTERLUDE_LIKE = {"interlude", "breakdown", "drone", "jam", "solo"}
CONCEPTS = {
    "machine": "A machine wakes inside the data network: circuits, signals and code processing "
    "information until the digital system hums like a computer dreaming of itself.",
    "nature": "Monarch butterflies follow the migration over forest and meadow, a garden in "
    "bloom, birds and insects in the wild earth of a slow season.",
    "conflict": "War and fire: the riot burns the city, rage and violence in every battle, "
    "the revolt ends in destruction and collapse.",
}


def _profile_module():
    import importlib.util

    path = REPO / "src/chromatic/produce/style/profile.py"
    spec = importlib.util.spec_from_file_location("color_bench_profile", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


PROFILE = _profile_module()


def family(program: int, drum: bool = False) -> str | None:
    if drum:
        return "drums"
    if program in VOICE:
        return None
    for hi, name in ((15, "keys"), (23, "organ"), (31, "guitar"), (39, "bass"), (51, "strings")):
        if program <= hi:
            return name
    if program <= 55:
        return "strings"
    for hi, name in ((63, "brass"), (79, "winds")):
        if program <= hi:
            return name
    if program <= 103:
        return "synth" if program <= 87 or program == 90 else "texture"
    return "plucked" if program <= 111 else "texture"


def features(fams: set[str], sung: bool, kinds: list[str], seconds: float) -> list[float]:
    MOVEMENT = PROFILE.MOVEMENT
    n = max(len(kinds), 1)
    return [
        *(1.0 if f in fams else 0.0 for f in FAMILIES),
        1.0 if sung else 0.0,
        len(kinds) / 12,
        1.0 if kinds and kinds[0] == "intro" else 0.0,
        1.0 if kinds and kinds[-1] == "outro" else 0.0,
        1.0 if "chorus" in kinds else 0.0,
        kinds.count("verse") / n,
        kinds.count("chorus") / n,
        kinds.count("bridge") / n,
        kinds.count(MOVEMENT) / n,
        sum(k in INTERLUDE_LIKE for k in kinds) / n,
        seconds / 300,
    ]


def catalog_rows(catalog: Path) -> list[dict]:
    classify, section_kind = PROFILE.classify, PROFILE.section_kind
    rows = []
    for p in find_manifests(catalog):
        m = load_manifest(p).manifest
        fams = set()
        for t in m.audio_tracks:
            if t.group == "drums" or t.midi_group_file:
                fams.add("drums")
                continue
            r = classify(t.description)
            if r and r.family == "drums":
                fams.add("drums")
            elif r and r.program is not None and (f := family(r.program)):
                fams.add(f)
        kinds = [section_kind(s.section_name) for s in m.structure]
        rows.append(
            {
                "id": m.manifest_id,
                "color": m.color.name,
                "sung": bool(m.vocals),
                "minor": m.key_obj.is_minor,
                "kinds": kinds,
                "seconds": m.trt_seconds,
                "x": features(fams, bool(m.vocals), kinds, m.trt_seconds),
            }
        )
    return rows


def composed_row(folder: Path, proposal) -> dict:
    import mido

    from chromatic.yamlio import load_plain

    section_kind = PROFILE.section_kind

    summary = json.loads((folder / "compose_summary.json").read_text())
    plan = load_plain(folder / "production_plan.yml")
    sections = [s for s in plan["sections"] if s.get("repeat", 1) > 0]
    mid = mido.MidiFile(str(folder / "arrangement.mid"))
    from chromatic.music import daw

    roles = daw.part_roles(folder / "arrangement.mid")  # track name -> phase
    programs, melody, drum_bars, drum_notes = set(), None, [], 0
    tpq = mid.ticks_per_beat
    bar = tpq * 4 * proposal.time_signature.numerator / proposal.time_signature.denominator
    for tr in mid.tracks:
        t, bars = 0, {}
        is_melody = roles.get(tr.name, tr.name) == "melody"
        for msg in tr:
            t += msg.time
            if msg.type == "program_change" and msg.channel != 9:
                programs.add(msg.program)
                if is_melody:
                    melody = msg.program
            if msg.type == "note_on" and msg.velocity and msg.channel == 9:
                drum_notes += 1
                b = int(t // bar)
                bars.setdefault(b, set()).add((msg.note, round((t % bar) / (tpq / 4))))
        drum_bars += [frozenset(v) for v in bars.values()]
    fams = {f for p in programs if (f := family(p))} | ({"drums"} if drum_bars else set())
    sung = melody in VOICE
    kinds = [section_kind(s["name"]) for s in sections]
    seconds = summary["length"]["seconds"]
    return {
        "title": proposal.title,
        "color": proposal.color.name,
        "sung": sung,
        "sung_sections": sum(bool(s.get("vocals")) and sung for s in sections) / len(sections),
        "minor": proposal.key.is_minor,
        "kinds": kinds,
        "names": tuple(s["name"] for s in sections),
        "programs": tuple(sorted(programs)),
        "seconds": seconds,
        "drum_bars": drum_bars,
        "drums_per_bar": drum_notes / max(1, summary["length"]["bars"]),
        "x": features(fams, sung, kinds, seconds),
        "template": template_of(proposal),
    }


def compose(proposal, out: Path, seed: int, n: int):
    from chromatic.produce.compose.run import ComposeOptions, compose_auto
    from chromatic.yamlio import dump_yaml

    out.mkdir(parents=True, exist_ok=True)
    src = out.with_suffix(".proposal.yml")
    src.write_text(dump_yaml({"schema_version": 1, **proposal.to_dict()}))
    with contextlib.redirect_stdout(io.StringIO()):
        compose_auto(src, out, ComposeOptions(n=n, beam=1, seed=seed, render=False))
    return composed_row(out, proposal)


def thread_proposals(threads: Path, per_thread: int) -> list:
    from chromatic.proposals.threads import iterations_of, proposal_from_mapping
    from chromatic.yamlio import load_plain

    out = []
    for t in sorted(p for p in threads.iterdir() if p.is_dir()):
        path = next((t / "yml").glob("all_song_proposals_*.yml"))
        its = iterations_of(load_plain(path), path)
        ps = []
        for i, it in enumerate(its):
            with contextlib.suppress(Exception):
                ps.append(proposal_from_mapping(it, source=path, where=f"iterations[{i}]"))
        if per_thread and len(ps) > per_thread:
            step = (len(ps) - 1) / max(1, per_thread - 1)
            ps = [ps[len(ps) - 1 - round(i * step)] for i in range(per_thread)][::-1]
        out += ps
    return out


def _model():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=4000))


def judge(rows: list[dict]):
    x = [r["x"] for r in rows]
    y = [r["color"] for r in rows]
    CATALOG[:] = rows
    hits = 0
    for i in range(len(rows)):
        m = _model().fit(x[:i] + x[i + 1 :], y[:i] + y[i + 1 :])
        hits += m.predict([x[i]])[0] == y[i]
        HELD_OUT[frozenset([rows[i]["id"]])] = m  # the judge that never saw this song
    majority = Counter(y).most_common(1)[0][1] / len(y)
    return hits / len(rows), majority, _model().fit(x, y)


HELD_OUT: dict = {}  # set of catalog song ids -> the judge trained without them
CATALOG: list = []  # the judge's catalog rows (judge())


def judge_without(ids: tuple[str, ...]):
    """The judge trained on the catalog without these songs (a composed song's sources)."""
    key = frozenset(ids)
    if key not in HELD_OUT:
        rows = [r for r in CATALOG if r["id"] not in key]
        HELD_OUT[key] = _model().fit([r["x"] for r in rows], [r["color"] for r in rows])
    return HELD_OUT[key]


def template_of(proposal) -> tuple[str, ...]:
    """The catalog songs whose form and palette style resolution drew (empty: none, White)."""
    import re

    from chromatic.produce.style import style_for

    pat = r"\w+ profile: the (?:form|palette) of (\S+)"
    srcs = getattr(style_for(proposal), "sources", ())
    return tuple(
        m.group(1) for c, _, s in srcs if c in ("form", "palette") and (m := re.match(pat, s))
    )


def pct(v: list[float], q: float) -> float:
    v = sorted(v)
    pos = (len(v) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def drum_overlap(songs: list[dict]) -> float:
    vals = []
    for i, a in enumerate(songs):
        for b in songs[i + 1 :]:
            if a["color"] == b["color"] or not a["drum_bars"] or not b["drum_bars"]:
                continue
            sa, sb = set(b["drum_bars"]), set(a["drum_bars"])
            x = sum(p in sa for p in a["drum_bars"]) / len(a["drum_bars"])
            y = sum(p in sb for p in b["drum_bars"]) / len(b["drum_bars"])
            vals.append((x + y) / 2)
    return statistics.mean(vals) if vals else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=Path, default=SHARED / "real/chain_artifacts")
    ap.add_argument("--catalog", type=Path, default=SHARED / "real/catalog")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=8)
    ap.add_argument("--per-thread", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkdtemp(prefix="color_bench_"))
    cat = catalog_rows(a.catalog)
    loo, majority, clf = judge(cat)
    print(
        f"catalog: {len(cat)} songs; judge leave-one-song-out {loo:.1%} (majority {majority:.1%})"
    )
    songs = []
    for i, p in enumerate(thread_proposals(a.threads, a.per_thread)):
        try:
            songs.append(compose(p, out / f"s{i:03d}", a.seed, a.n))
        except Exception as e:  # a failed song is reported, the run goes on
            print(f"  failed {p.title!r} ({p.color.name}): {e}")
    report(cat, songs, clf)
    controls = control_runs(a.threads, out, a.seed, a.n)
    if a.json:
        a.json.write_text(json.dumps({"loo": loo, "majority": majority, **controls}, indent=1))


def report(cat, songs, clf) -> None:
    album = [s for s in songs if s["color"] != "White"]
    if album:
        pred = clf.predict([s["x"] for s in album])
        top1 = sum(p == s["color"] for p, s in zip(pred, album, strict=True)) / len(album)
        print(
            f"composed: {len(songs)} songs ({len(album)} of album colors); judge top-1 {top1:.1%}"
        )
        # a song drawn on a catalog template is judged again by the judge that never saw it
        held = [s for s in album if s.get("template")]
        if held:
            ok = sum(judge_without(s["template"]).predict([s["x"]])[0] == s["color"] for s in held)
            print(
                "  judge top-1 with each song's catalog sources (form and palette songs) left "
                f"out of training: "
                f"{ok / len(held):.1%} ({len(held)} songs)"
            )
        confusion: dict[str, Counter] = {}
        for p, s in zip(pred, album, strict=True):
            confusion.setdefault(s["color"], Counter())[str(p)] += 1
        for c, row in confusion.items():
            print(
                f"  {c:7} {row[c]}/{sum(row.values())} right; judged "
                + ", ".join(f"{k} {v}" for k, v in row.most_common() if k != c)
                or "-"
            )
    progs = Counter(p for s in songs for p in set(s["programs"]))
    top_prog, top_n = progs.most_common(1)[0] if progs else (None, 0)
    print(
        f"distinct instrument sets {len({s['programs'] for s in songs})}/{len(songs)}, "
        f"distinct section sequences {len({s['names'] for s in songs})}/{len(songs)}, "
        f"most common program {top_prog} on {top_n}/{len(songs)}, "
        f"drum-bar overlap across colors {drum_overlap(songs):.1%}"
    )
    print(
        "color   | n  | length s (catalog p10-p90)  | sections (p10-p90) | sung   | minor  | intro  | outro"
    )
    for c in (*ALBUM_COLORS, parse_color("White")):
        mine = [s for s in songs if s["color"] == c.name]
        ref = [r for r in cat if r["color"] == c.name] or cat
        if not mine:
            continue
        ln = statistics.mean(s["seconds"] for s in mine)
        sc = statistics.mean(len(s["kinds"]) for s in mine)
        rl = [r["seconds"] for r in ref]
        rs = [len(r["kinds"]) for r in ref]

        def mark(v, vals):
            return "*" if not pct(vals, 10) <= v <= pct(vals, 90) else " "

        def share(key, rows):
            return statistics.mean(float(bool(r[key])) for r in rows)

        def first(kind, rows, pos):
            return statistics.mean(
                float(bool(r["kinds"]) and r["kinds"][pos] == kind) for r in rows
            )

        print(
            f"{c.name:7} | {len(mine):2} | {ln:5.0f}{mark(ln, rl)} ({pct(rl, 10):3.0f}-{pct(rl, 90):3.0f})"
            f"          | {sc:4.1f}{mark(sc, rs)} ({pct(rs, 10):.0f}-{pct(rs, 90):.0f})"
            f"       | {share('sung', mine):.2f}/{share('sung', ref):.2f}"
            f" | {share('minor', mine):.2f}/{share('minor', ref):.2f}"
            f" | {first('intro', mine, 0):.2f}/{first('intro', ref, 0):.2f}"
            f" | {first('outro', mine, -1):.2f}/{first('outro', ref, -1):.2f}"
        )
    print("(shares: composed/catalog; * = composed mean outside the catalog color's 10th-90th)")


def control_runs(threads: Path, out: Path, seed: int, n: int) -> dict:
    from chromatic.produce.style import style_for

    base = thread_proposals(threads, 0)
    base = base[len(base) - 1] if base else None
    if base is None:
        return {}
    rows = []
    for c in ALBUM_COLORS:
        rows.append(compose(replace(base, color=c), out / f"color_{c.name}", seed, n))
    sets = {r["programs"] for r in rows}
    forms = {r["names"] for r in rows}
    print(
        f"control color-only ({base.title!r}): {len(sets)} instrument sets, {len(forms)} forms over 8 colors"
    )
    for r in rows:
        print(f"  {r['color']:7} programs {list(r['programs'])} form {' '.join(r['names'])}")
    concept_rows = []
    for name, text in {"original": base.concept, **CONCEPTS}.items():
        p = replace(base, concept=text)
        r = compose(p, out / f"concept_{name}", seed, n)
        st = style_for(p)
        said = [f"{w}={v}" for w, v, src in getattr(st, "sources", ()) if src.startswith("concept")]
        concept_rows.append((name, r, st))
        print(
            f"  concept {name:8} density {st.density:.2f} mode {st.harmony.mode} "
            f"drums/bar {r['drums_per_bar']:.1f} programs {list(r['programs'])} {said}"
        )
    return {
        "color_sets": len(sets),
        "color_forms": len(forms),
        "concept": {k: [s.density, s.harmony.mode, r["programs"]] for k, r, s in concept_rows},
    }


if __name__ == "__main__":
    main()
