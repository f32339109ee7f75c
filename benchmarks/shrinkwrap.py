"""Throughput of ``chain shrinkwrap`` (threads per second) and time of ``chain feedback``.

Usage: .venv/bin/python benchmarks/shrinkwrap.py [CHAIN_DIR] [--repeat N]

CHAIN_DIR defaults to ../shared/real/chain_artifacts beside the repository. Shrinkwrap runs N
times, each into a fresh temporary folder (the median is reported), then once more into the last
folder (the idempotent no-op rerun). Feedback runs N times over the shrinkwrapped folder, each
into a fresh constraints file. Imports are paid before timing; the whole-process time of the CLI
(interpreter start and imports included) is measured once at the end.
For comparison: the original shrinkwrap took 5.5-6.8 s for 20 threads (0.3 s per thread),
93 % of it re-parsing the same YAML files.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CHAINS = REPO.parent / "shared" / "real" / "chain_artifacts"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chain_dir", nargs="?", type=Path, default=DEFAULT_CHAINS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.chain_dir.is_dir():
        print(f"chain folder not found: {args.chain_dir}", file=sys.stderr)
        return 1

    from chromatic.chain.constraints import write_feedback
    from chromatic.chain.shrinkwrap import shrinkwrap

    with tempfile.TemporaryDirectory(prefix="bench-shrinkwrap-") as tmp:
        root = Path(tmp)
        times, threads = [], 0
        for i in range(args.repeat):
            out = root / f"run{i}"
            t0 = time.perf_counter()
            result = shrinkwrap(args.chain_dir, out)
            times.append(time.perf_counter() - t0)
            threads = len(result.threads) - result.count("skipped")
        t0 = time.perf_counter()
        rerun = shrinkwrap(args.chain_dir, out)
        rerun_s = time.perf_counter() - t0
        assert rerun.count("unchanged") == threads and not rerun.index_changed, (
            "rerun was not a no-op"
        )

        fb_times = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            fb = write_feedback(out, root / f"nc{i}.yml", markdown=True)
            fb_times.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "chromatic",
                "chain",
                "shrinkwrap",
                str(args.chain_dir),
                "--out",
                str(root / "cli"),
                "-q",
            ],
            capture_output=True,
            text=True,
        )
        process_s = time.perf_counter() - t0

    median = statistics.median(times)
    d = fb.diversity
    print(f"chain dir: {args.chain_dir} ({threads} threads)")
    print(
        f"shrinkwrap: median {median:.3f} s over {args.repeat} fresh runs (min {min(times):.3f}, max {max(times):.3f}) "
        f"-> {threads / median:.0f} threads/s, {1000 * median / threads:.1f} ms per thread"
    )
    print(f"shrinkwrap rerun (no-op, byte comparison): {rerun_s:.3f} s")
    if proc.returncode == 0:
        print(
            f"shrinkwrap whole process (python -m chromatic, imports included): {process_s:.2f} s"
        )
    else:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"shrinkwrap whole process: not measured, the CLI failed: {last}")
    print(
        f"feedback: median {statistics.median(fb_times):.3f} s over {args.repeat} runs (first {fb_times[0]:.3f} s)"
    )
    print(
        f"feedback figures: keys {d.key_counts}, entropy {d.key_entropy_bits:.3f} bits, "
        f"BPM mean {d.bpm_mean:.3f} std {d.bpm_std:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
