"""Both cores for breeding: while one section's batch is scored on a worker thread (onnxruntime
releases the GIL while it runs), the next section breeds its own batch on this one.

Sections breed apart (each its own generator, ``engine.evolve_steps``, its own seeded rng), so
interleaving them changes nothing they compute. The schedule is fixed, not timed: sections take
turns in the song's order, and one worker scores the batches in the order they were handed to
it, so every batch is scored in the same order, with the same memo of earlier rows, in every run
(same seed, same bytes). Progress lines come out in the song's order, as a serial run prints
them: a section's lines wait until the sections before it have finished.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor


def interleave(steps: Sequence, evaluate: Callable[[list], list[float]], workers: int = 1) -> list:
    """The outcome (``StopIteration.value``) of each generator of ``steps``, each batch it
    yields scored by ``evaluate``: round robin, one batch of every section at the worker while
    the next is bred. ``workers=0`` scores each batch here as it comes (no thread: the serial
    loop). ``evaluate`` runs on one thread at a time, in one fixed order either way."""
    results: list = [None] * len(steps)
    if workers <= 0:
        for i, gen in enumerate(steps):
            results[i] = run_steps(gen, evaluate)
        return results
    with ThreadPoolExecutor(1, thread_name_prefix="chromatic-breed") as pool:
        pending: dict[int, object] = {}
        try:
            for i, gen in enumerate(steps):  # every section's first batch, in order
                batch = _first(gen, i, results)
                if batch is not None:
                    pending[i] = pool.submit(evaluate, batch)
            while pending:
                for i in sorted(pending):  # round robin, in the song's order
                    scores = pending.pop(i).result()  # type: ignore[attr-defined]
                    try:
                        batch = steps[i].send(scores)
                    except StopIteration as done:
                        results[i] = done.value
                        continue
                    pending[i] = pool.submit(evaluate, batch)
        finally:
            for f in pending.values():
                f.cancel()  # type: ignore[attr-defined]
    return results


def _first(gen, i: int, results: list):
    try:
        return next(gen)
    except StopIteration as done:
        results[i] = done.value
        return None


def run_steps(gen, evaluate):
    """One generator's outcome, each batch it yields scored here as it comes."""
    try:
        batch = next(gen)
        while True:
            batch = gen.send(evaluate(batch))
    except StopIteration as done:
        return done.value


class InOrder:
    """Progress reports of interleaved sections, passed on in the sections' order: the first
    unfinished section's as they come, a later one's held until every section before it has
    reported its last generation."""

    def __init__(self, labels: Sequence[str], report: Callable[[str, int, int, float], None]):
        self.labels, self.report = list(labels), report
        self.held: dict[str, list[tuple[int, int, float]]] = {k: [] for k in self.labels}
        self.front = 0

    def __call__(self, label: str, gen: int, total: int, best: float) -> None:
        self.held[label].append((gen, total, best))
        while self.front < len(self.labels):
            head = self.labels[self.front]
            for g, n, b in self.held[head]:
                self.report(head, g, n, b)
            done = bool(self.held[head]) and self.held[head][-1][0] == self.held[head][-1][1]
            self.held[head] = []
            if not done:
                break
            self.front += 1
