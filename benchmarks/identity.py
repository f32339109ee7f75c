"""Identity benchmark: the SHA-256 of what ``compose --auto`` writes, to check that a refactor
keeps the bytes.

    .venv/bin/python benchmarks/identity.py [--out FILE] [--compare FILE] [--model MODEL]
        [--threads DIR] [--seed 1] [-n 50] [--beam 3] [--keep DIR]

Songs: the final proposal of every thread folder under ``--threads`` (default: the artist's
real threads, ``../shared/real/chain_artifacts``; compose finds a thread's final proposal) and
the two ``examples/proposals``, each composed with ``--seed 1 --no-render``, without a model and
with one (default: the demo model, ``demo/model`` beside this repository, or ``../main/demo/model``).
For every song it prints and saves (``--out``, JSON) the SHA-256 of ``arrangement.mid``, of
``production_plan.yml`` and of every ``review.yml``, plus every other file the folder holds
(the compose summaries and logs excepted: they carry timings). ``--compare FILE`` prints the
files whose bytes differ from an earlier run's and exits 1 when any of the key files differs.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHROMATIC_SHARED", REPO.parent / "shared"))
KEY_NAMES = ("arrangement.mid", "production_plan.yml", "review.yml")
SKIP_NAMES = ("compose_summary.json", "compose_summary.md")  # timings
SKIP_SUFFIXES = (".log", ".wav", ".flac", ".mp3", ".ogg")


def default_model() -> Path | None:
    for cand in (REPO / "demo" / "model", REPO.parent / "main" / "demo" / "model"):
        if cand.is_dir():
            return cand
    return None


def sources(threads: Path) -> list[Path]:
    out = sorted(p for p in threads.iterdir() if p.is_dir()) if threads.is_dir() else []
    return out + sorted((REPO / "examples" / "proposals").glob("*.yml"))


def compose(src: Path, out: Path, args, model: Path | None) -> tuple[int, str]:
    from chromatic.cli import main

    argv = ["compose", str(src), "--out", str(out), "--seed", str(args.seed), "--auto"]
    argv += ["-n", str(args.n), "--beam", str(args.beam), "--no-render"]
    if model is not None:
        argv += ["--model", str(model)]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            rc = main(argv)
        except SystemExit as e:  # typer may exit
            rc = int(e.code or 0)
    return int(rc or 0), buf.getvalue()


def digests(folder: Path) -> dict[str, str]:
    out = {}
    for f in sorted(folder.rglob("*")):
        if not f.is_file() or f.name in SKIP_NAMES or f.suffix in SKIP_SUFFIXES:
            continue
        out[f.relative_to(folder).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def is_key(rel: str) -> bool:
    return Path(rel).name in KEY_NAMES


def compare(now: dict, before: dict) -> int:
    bad = 0
    for song in sorted(now):
        a, b = now.get(song, {}), before.get(song, {})
        for rel in sorted(set(a) | set(b)):
            if a.get(rel) != b.get(rel):
                tag = "KEY" if is_key(rel) else "other"
                bad += is_key(rel)
                print(f"  differs [{tag}] {song}: {rel}")
    print(f"{bad} key file(s) differ" if bad else "same bytes: every key file identical")
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=Path, default=SHARED / "real" / "chain_artifacts")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--beam", type=int, default=3)
    ap.add_argument("--only", action="append", help="compose only songs whose name has this")
    ap.add_argument("--out", type=Path, help="write the digests here (JSON)")
    ap.add_argument("--compare", type=Path, help="an earlier --out to compare with")
    ap.add_argument(
        "--keep",
        type=Path,
        default=Path(tempfile.gettempdir()) / "chromatic-identity",
        help="compose here (emptied per song; a fixed path, since files may name their folder)",
    )
    args = ap.parse_args()
    model = args.model or default_model()
    if model is None:
        sys.exit("identity: no demo model found; pass --model")

    work = args.keep
    os.environ.setdefault("CHROMATIC_CACHE", str(work / "user-cache"))
    result: dict[str, dict[str, str]] = {}
    t0 = time.perf_counter()
    for i, src in enumerate(sources(args.threads)):
        for label, m in (("plain", None), ("model", model)):
            name = f"{i + 1:02d}-{src.stem[:24]}-{label}"
            if args.only and not any(o in name for o in args.only):
                continue
            out = work / name
            shutil.rmtree(out, ignore_errors=True)  # an existing folder would be resumed
            rc, log = compose(src, out, args, m)
            if rc != 0:
                tail = log.strip().splitlines()[-1] if log.strip() else f"exit {rc}"
                result[name] = {"error": tail}
                print(f"{name}: FAILED {tail}", flush=True)
                continue
            result[name] = digests(out)
            for rel, h in result[name].items():
                if is_key(rel):
                    print(f"{name}  {rel}  {h}", flush=True)
    print(f"{len(result)} songs in {time.perf_counter() - t0:.0f} s")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    if args.compare:
        sys.exit(compare(result, json.loads(args.compare.read_text())))


if __name__ == "__main__":
    main()
