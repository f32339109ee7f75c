"""Both cores for breeding (``produce.evolve.pipeline``): one section's batch is scored on a
worker thread while the next section breeds, in a fixed order, so the outcome is the serial
loop's, byte for byte; progress still comes out in the song's order."""

from __future__ import annotations

import shutil
import threading

from chromatic.produce.evolve import Evolve
from chromatic.produce.evolve.pipeline import InOrder, interleave
from chromatic.produce.folder import ProductionFolder
from chromatic.produce.phases.drums import run_drums
from chromatic.produce.phases.melody import run_melody


def _copy(folder, tmp_path, name: str) -> ProductionFolder:
    dst = tmp_path / name
    shutil.copytree(folder.root, dst)
    return ProductionFolder(dst)


def _steps(name: str, log: list, batches: int):
    """A section that yields ``batches`` batches and logs when it breeds each."""
    got = []
    for b in range(batches):
        log.append(("bred", name, b))
        got.append((yield [f"{name}{b}"]))
    return got


def test_the_next_section_breeds_while_one_is_scored():
    """Section b's first batch is bred while section a's is still at the worker: the evaluate
    below waits for that, so a serial loop would time out (and fail) here."""
    log: list = []
    b_bred = threading.Event()
    threads = set()

    def evaluate(batch):
        threads.add(threading.current_thread().name)
        if batch == ["a1"]:  # a's second batch is scored only once b has bred again
            assert b_bred.wait(10), "section b did not breed while section a was scored"
        return [len(log)]

    def gen_b():
        got = []
        for k in range(3):
            log.append(("bred", "b", k))
            if k == 1:
                b_bred.set()
            got.append((yield [f"b{k}"]))
        return got

    out = interleave([_steps("a", log, 3), gen_b()], evaluate, workers=1)
    assert [len(o) for o in out] == [3, 3]
    assert all(t.startswith("chromatic-breed") for t in threads)
    assert log.index(("bred", "b", 1)) < log.index(("bred", "a", 2))


def test_interleaved_breeding_writes_the_serial_runs_bytes(song_44, tmp_path):
    """Drums and melody of every section, bred with the pipeline and without: the same
    review.yml and the same MIDI files, byte for byte."""
    got = {}
    for workers in (0, 1):
        folder = _copy(song_44, tmp_path, f"w{workers}")
        ev = Evolve(generations=2, population=6, workers=workers)
        run_drums(folder, n=6, top=3, seed=5, evolve=ev)
        run_melody(folder, n=6, top=3, seed=5, evolve=ev)
        got[workers] = {
            p.relative_to(folder.root): p.read_bytes()
            for phase in ("drums", "melody")
            for p in sorted(folder.phase_dir(phase).rglob("*"))
            if p.is_file()
        }
    assert len(got[1]) > 6
    assert got[0] == got[1]


def test_progress_comes_out_in_the_songs_order():
    said = []
    order = InOrder(["verse", "chorus"], lambda *a: said.append(a))
    order("chorus", 1, 2, 0.5)  # held: the verse has not finished
    order("verse", 1, 2, 0.4)
    assert said == [("verse", 1, 2, 0.4)]
    order("chorus", 2, 2, 0.6)
    order("verse", 2, 2, 0.7)
    assert said == [
        ("verse", 1, 2, 0.4),
        ("verse", 2, 2, 0.7),
        ("chorus", 1, 2, 0.5),
        ("chorus", 2, 2, 0.6),
    ]


def test_a_scoring_error_stops_every_section_and_reaches_the_caller():
    import pytest

    from chromatic.errors import ProduceError

    log: list = []

    def evaluate(batch):
        if batch == ["b1"]:
            raise ProduceError("scorer returned no score for 1 candidate(s), e.g. b1")
        return [0.0]

    with pytest.raises(ProduceError, match=r"e\.g\. b1"):
        interleave([_steps("a", log, 5), _steps("b", log, 5)], evaluate, workers=1)
    assert ("bred", "a", 4) not in log  # nothing is bred after the error is seen


def test_two_processes_breed_the_same_bytes(song_44, tmp_path):
    """``produce drums --evolve`` in two processes with different string hashing: every file
    the phase writes is the same (the pipeline's schedule is fixed, not timed)."""
    import os
    import subprocess
    import sys

    got = []
    for h in ("1", "2"):
        folder = _copy(song_44, tmp_path, f"p{h}")
        args = [sys.executable, "-m", "chromatic", "produce", "drums", str(folder.root)]
        args += ["-n", "6", "--top", "3", "--seed", "4", "--evolve", "--generations", "2"]
        args += ["--population", "6"]
        env = {**os.environ, "PYTHONHASHSEED": h}
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        phase = folder.phase_dir("drums")
        got.append({p.relative_to(phase): p.read_bytes() for p in phase.rglob("*") if p.is_file()})
    assert len(got[0]) > 3 and got[0] == got[1]
