"""The artist's own material in the studio: a MIDI file dropped onto a section, and bars
selected on the piano roll regenerated.

``POST /api/songs/{song}/phases/{phase}/import?section=S[&track=T][&transpose=K]`` takes the
dropped file's bytes as the body (``Content-Type: audio/midi``; its name in ``X-Filename``, for
messages only: it never becomes a path) and imports it through ``produce.imported.import_part``,
the code path of ``chromatic produce import``: the same checks, the same one-line errors (no
notes, the wrong meter, not a MIDI file), nothing written when one fails. The body is refused
past ``MAX_MIDI`` bytes before it is read (the declared length, then the bytes as they arrive),
as every studio write is.

``POST /api/songs/{song}/phases/{phase}/region`` with ``{"section", "bars": "5-8", "seed",
"n", "top"}`` starts a job running ``produce.region.regenerate_region`` (chords:
``region_chords.regenerate_chords_region``), the code path of ``chromatic produce <phase>
FOLDER --section S --bars 5-8``: candidates that keep the section's approved loop outside the
bars, merged into the phase's review.yml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chromatic.studio import jobs, songs
from chromatic.studio.errors import StudioError, TooLarge

MAX_MIDI = 1 << 20  # a played part is a few kB; a whole song's MIDI rarely 200 kB
MIDI_TYPES = ("audio/midi", "audio/mid", "audio/x-midi", "application/octet-stream")
REGION_PHASES = ("chords", "drums", "bass", "melody", "harmony")
DEFAULT_N = {"chords": 200}


def upload_name(raw: str) -> str:
    """The dropped file's name as messages say it: its last component, printable, short."""
    name = unquote(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.() -]+", "_", name).strip(" .")[:100]
    return name or "dropped.mid"


async def read_midi_body(request: Request) -> bytes:
    """The body of an upload: a MIDI type, at most ``MAX_MIDI`` bytes (refused before it is
    read past that), not empty."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in MIDI_TYPES:
        raise StudioError(
            f"expected a MIDI file (Content-Type audio/midi), got {kind or 'none'}", field="body"
        )
    too_big = f"expected a MIDI file of at most {MAX_MIDI} bytes"
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and (len(declared) > 18 or int(declared) > MAX_MIDI):
        raise TooLarge(too_big, field="body")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_MIDI:
            raise TooLarge(too_big, field="body")
        chunks.append(chunk)
    if not size:
        raise StudioError("expected a MIDI file, got an empty body", field="body")
    return b"".join(chunks)


def _query_int(request: Request, key: str, low: int, high: int) -> int:
    v = request.query_params.get(key, "").strip()
    if not v:
        return 0
    if not re.fullmatch(r"[+-]?\d{1,3}", v) or not low <= int(v) <= high:
        raise StudioError(f"expected {key} to be an integer {low} to {high}, got {v!r}", field=key)
    return int(v)


def import_dropped(folder, phase: str, request: Request, data: bytes) -> dict:
    """Import the dropped bytes as ``phase``'s approved loop of the query's section."""
    from chromatic.produce.imported import import_part

    songs.check_phase_name(phase)
    q = request.query_params
    section = q.get("section", "").strip()
    if not section:
        raise StudioError("expected the section to import into (?section=verse)", field="section")
    track = q.get("track", "").strip()[:100] or None
    transpose = _query_int(request, "transpose", -48, 48)
    name = upload_name(request.headers.get("x-filename", ""))
    result = import_part(
        folder.root, phase, section, data, track=track, transpose=transpose, name=name
    )
    return {
        "phase": result.phase,
        "section": result.section,
        "candidate": result.candidate,
        "approved": f"{phase}/approved/{result.approved.name}",
        "notes": result.notes,
        "bars": result.bars,
        "file": name,
        "warnings": list(result.warnings),
    }


def parse_region(phase: str, body: dict) -> dict:
    """section, bars ("5-8"; checked against the section by the region's own check), seed, n
    and top of a region request."""
    if phase not in REGION_PHASES:
        raise StudioError(
            f"a region is regenerated in {', '.join(REGION_PHASES)}, not {phase}", field="phase"
        )
    section, bars = body.get("section"), body.get("bars")
    if not (isinstance(section, str) and section.strip()):
        raise StudioError("expected section to be a section name", field="section")
    if not (isinstance(bars, str) and re.fullmatch(r"\s*\d{1,4}\s*(-\s*\d{1,4}\s*)?", bars)):
        raise StudioError(f"expected bars like 5-8 or 5, got {bars!r}", field="bars")
    args = jobs.parse_regenerate({k: body.get(k) for k in ("seed", "n", "top")})
    return {
        "section": section.strip(),
        "bars": bars.strip().replace(" ", ""),
        "seed": args["seed"],
        "n": args["n"] or DEFAULT_N.get(phase, 50),
        "top": args["top"] or 5,
    }


def region_work(folder, phase: str, args: dict) -> Callable[[jobs.Job], dict]:
    """The region's candidates, as ``produce <phase> --section S --bars A-B`` makes them."""

    def work(job: jobs.Job) -> dict:
        from chromatic.produce.phases import PhaseOptions
        from chromatic.produce.region import regenerate_region
        from chromatic.produce.region_chords import regenerate_chords_region

        options = PhaseOptions(n=args["n"], top=args["top"], seed=args["seed"])
        if phase == "chords":
            run = regenerate_chords_region(folder.root, args["section"], args["bars"], options)
        else:
            run = regenerate_region(folder.root, phase, args["section"], args["bars"], options)
        return {
            "seed": args["seed"],
            "section": args["section"],
            "bars": args["bars"],
            "summary": run.merge.summary(),
            "generated": run.generated,
            "kept": run.by_section.get(args["section"], 0),
            "warnings": list(run.warnings),
        }

    return work


def routes(studio, route: Callable, error: Callable[[Exception], Response]) -> list[Route]:
    """The two routes; ``route`` is the app's JSON endpoint wrapper (guards, body, thread)
    and ``error`` its error response."""

    async def import_endpoint(request: Request) -> Response:
        try:
            studio.check_host(request)
            studio.check_write(request)
            data = await read_midi_body(request)
            folder = studio.folder(request)
            phase = request.path_params["phase"]
            out = await run_in_threadpool(import_dropped, folder, phase, request, data)
        except Exception as e:
            return error(e)
        return JSONResponse(out)

    def region(r, body):
        folder = studio.folder(r)
        phase = songs.check_phase_name(r.path_params["phase"])
        args = parse_region(phase, body)
        from chromatic.produce.region import check_region

        check_region(folder.root, phase, args["section"], args["bars"])  # a 400, before the job
        what = f"regenerate {phase} {args['section']} bars {args['bars']}"
        job = studio.jobs.start(
            "regenerate", folder.root.name, [what], region_work(folder, phase, args)
        )
        return job.view()

    ph = "/api/songs/{song}/phases/{phase}"
    return [
        Route(ph + "/import", import_endpoint, methods=["POST"]),
        Route(ph + "/region", route(studio, region, write=True), methods=["POST"]),
    ]
