"""Long steps the page starts and watches: assemble and render, regenerate a phase.

Each runs in one worker thread (one at a time per studio: the folder lock would serialize them
anyway) and reports its steps, so the page shows progress instead of a frozen button. A job's
failure is its one-line error, never the server's.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from chromatic.produce.folder import ProductionFolder
from chromatic.studio.errors import NotFound, StudioError

MAX_SEED = 2**32 - 1


@dataclass
class Job:
    id: str
    kind: str
    song: str
    steps: list[str]
    step: int = 0
    state: str = "running"  # running | done | failed
    error: str | None = None
    result: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def view(self) -> dict:
        end = self.finished or time.monotonic()
        return {
            "id": self.id,
            "kind": self.kind,
            "song": self.song,
            "state": self.state,
            "steps": self.steps,
            "step": self.step,
            "progress": 1.0 if self.state == "done" else self.step / max(len(self.steps), 1),
            "elapsed_s": round(end - self.started, 2),
            "error": self.error,
            "result": self.result,
        }


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._busy = threading.Lock()

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}", field="job")
        return job

    def start(self, kind: str, song: str, steps: list[str], work: Callable[[Job], dict]) -> Job:
        if not self._busy.acquire(blocking=False):
            raise StudioError("another job is running; wait for it to finish")
        job = Job(secrets.token_hex(8), kind, song, steps)
        with self._lock:
            self._jobs[job.id] = job

        def run() -> None:
            state, error, result = "failed", None, {}
            try:
                result = work(job) or {}
                state = "done"
            except Exception as e:  # the job fails, with its message; the server goes on
                error = " ".join(str(e).split()) or type(e).__name__
            finally:
                # free for the next job before the page can see this one end: a click on the
                # next action right after "done" is never refused as "another job is running"
                job.finished = time.monotonic()
                self._busy.release()
                job.result, job.error = result, error
                if state == "done":
                    job.step = len(job.steps)
                job.state = state

        threading.Thread(target=run, name=f"studio-{kind}", daemon=True).start()
        return job


def assemble_work(folder: ProductionFolder) -> Callable[[Job], dict]:
    """Assemble (arrangement.mid) then render the preview (audio, PNG): the project's
    ``assemble`` and ``render_preview``, one step each."""

    def work(job: Job) -> dict:
        from chromatic.produce.arrange.assemble import assemble
        from chromatic.produce.arrange.preview import render_preview

        result = assemble(folder.root)
        job.step = 1
        prev = render_preview(result.arrangement, folder.root, title=folder.proposal().title)
        return {
            "midi": result.midi.name,
            "audio": prev.audio.name,
            "image": prev.image.name,
            "seconds": round(prev.seconds, 2),
        }

    return work


ASSEMBLE_STEPS = ["assemble arrangement.mid", "render the audio preview"]


def parse_regenerate(body: dict) -> dict:
    """seed (a new random one when absent), n, top and section of a regenerate request."""

    def number(key: str, low: int, high: int) -> int | None:
        v = body.get(key)
        if v is None:
            return None
        if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
            raise StudioError(f"expected {key} to be an integer {low}-{high}, got {v!r}", field=key)
        return v

    seed = number("seed", 0, MAX_SEED)
    section = body.get("section")
    if section is not None and not (isinstance(section, str) and section.strip()):
        raise StudioError("expected section to be a section name", field="section")
    return {
        "seed": secrets.randbelow(MAX_SEED) if seed is None else seed,
        "n": number("n", 1, 500),
        "top": number("top", 1, 50),
        "section": section,
    }


def regenerate_work(folder: ProductionFolder, phase: str, args: dict) -> Callable[[Job], dict]:
    """The phase run again with a new seed (``studio.regen``): every touched candidate kept."""

    def work(job: Job) -> dict:
        from chromatic.studio.regen import regenerate

        return regenerate(folder, phase, **args)

    return work
