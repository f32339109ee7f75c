"""The studio's ASGI app (Starlette): JSON API, the page, and its guards.

Guards, on every request: the ``Host`` header must name the studio's own host (a page on
another site cannot reach it through DNS rebinding); every write (POST) must carry the per-run
token (``X-Studio-Token``) that the printed URL holds, and a JSON body. Every error, a route
that does not exist included, is JSON ``{"error": ..., "path", "field"}`` with a 4xx status; an
unexpected one is a 500 for that request only, so one bad file never takes the server down.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from chromatic.errors import ChromaticError, describe_os_error
from chromatic.studio import audio, decisions, downloads, jobs, own, songs
from chromatic.studio.audio import warm_renderer
from chromatic.studio.cache import DEFAULT_MAX_MB
from chromatic.studio.errors import Conflict, Forbidden, NotFound, StudioError, TooLarge
from chromatic.studio.files import serve_path
from chromatic.studio.why import Explainer

TOKEN_HEADER = "x-studio-token"
MAX_BODY = 1 << 20  # refused before it is read past this (Content-Length, then bytes counted)
MAX_JSON_DEPTH = 32
STATIC = {
    "studio.js": "application/javascript",
    "roll.js": "application/javascript",
    "phase.js": "application/javascript",
    "own.js": "application/javascript",
    "breed.js": "application/javascript",
    "studio.css": "text/css",
}
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def _error(e: Exception) -> JSONResponse:
    if isinstance(e, Conflict):
        body = {"error": e.detail, "conflict": True, "changes": e.changes, "version": e.version}
        return JSONResponse(body, status_code=409)
    if isinstance(e, ChromaticError):
        status = e.status if isinstance(e, StudioError) else 400
        return JSONResponse(
            {"error": " ".join(e.detail.split()), "path": e.path, "field": e.field},
            status_code=status,
        )
    if isinstance(e, OSError):
        return JSONResponse({"error": " ".join(describe_os_error(e).split())}, 400)
    if isinstance(e, UnicodeError):
        return JSONResponse({"error": " ".join(str(e).split()) or type(e).__name__}, 400)
    return JSONResponse({"error": f"internal error: {type(e).__name__}: {e}"}, status_code=500)


class Studio:
    """The state one run serves: the folder(s), the token, the allowed hosts, the jobs."""

    def __init__(
        self,
        root: str | Path,
        token: str | None = None,
        hosts: tuple[str, ...] = (),
        model: str | Path | None = None,
        preview_cache_mb: float = DEFAULT_MAX_MB,
    ):
        self.library = songs.Library.open(root)
        self.preview_cache_mb = float(preview_cache_mb)
        warm_renderer()  # loaded once, before the first request (never raced by 8 previews)
        self.explainer = Explainer(model)
        self.token = token or secrets.token_urlsafe(24)
        self.hosts = {h.lower() for h in (*LOOPBACK, *hosts)}
        self.jobs = jobs.Jobs()

    def folder(self, request: Request):
        return self.library.folder(request.path_params["song"])

    def check_host(self, request: Request) -> None:
        host = request.headers.get("host", "").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in self.hosts:
            raise Forbidden(f"expected a request to the studio's own host, got Host {host!r}")

    def check_write(self, request: Request) -> None:
        given = request.headers.get(TOKEN_HEADER, "")
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            raise Forbidden("expected the studio's token (open the URL the command printed)")


async def _body(request: Request) -> dict:
    """The JSON object of a write: its size refused before it is read (the declared length,
    then the bytes as they arrive, so a lying or absent Content-Length cannot make the server
    hold more than ``MAX_BODY``) and its nesting bounded (``MAX_JSON_DEPTH``)."""
    if "application/json" not in request.headers.get("content-type", ""):
        raise StudioError("expected a JSON body (Content-Type: application/json)")
    too_big = f"expected a body of at most {MAX_BODY} bytes"
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and (len(declared) > 18 or int(declared) > MAX_BODY):
        raise TooLarge(too_big, field="body")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge(too_big, field="body")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if _depth(raw) > MAX_JSON_DEPTH:
        raise StudioError(f"expected JSON nested at most {MAX_JSON_DEPTH} deep", field="body")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError) as e:
        raise StudioError(f"expected JSON: {e}") from None
    if not isinstance(data, dict):
        raise StudioError("expected a JSON object")
    return data


def _depth(raw: bytes) -> int:
    """The deepest nesting of ``[``/``{`` in a JSON text, strings skipped (checked before the
    parse: the parser's own recursion limit would be a 500)."""
    depth = deepest = 0
    in_string = escaped = False
    for b in raw:
        if in_string:
            if escaped:
                escaped = False
            elif b == 0x5C:
                escaped = True
            elif b == 0x22:
                in_string = False
        elif b == 0x22:
            in_string = True
        elif b in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif b in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _route(studio: Studio, fn: Callable, *, write: bool = False) -> Callable:
    """An endpoint: guards, body, the work in a thread, the result as JSON (or a Response)."""

    async def endpoint(request: Request) -> Response:
        try:
            studio.check_host(request)
            body = None
            if write:
                studio.check_write(request)
                body = await _body(request)
            out = await run_in_threadpool(fn, request, body)
        except Exception as e:
            return _error(e)
        return out if isinstance(out, Response) else JSONResponse(out)

    return endpoint


def _static(name: str) -> Response:
    text = files("chromatic.studio").joinpath("static", name).read_text(encoding="utf-8")
    return Response(text, media_type=STATIC.get(name, "text/html"))


def _wav(path: Path) -> Response:
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "no-cache"})


def _download(d: downloads.Download) -> Response:
    """A MIDI file saved under its name (attachment), never cached: a regenerated candidate
    or a re-assembled song is fetched anew."""
    headers = {
        "Content-Disposition": f'attachment; filename="{d.filename}"',
        "Cache-Control": "no-cache",
    }
    if d.path is not None:
        return FileResponse(d.path, media_type=downloads.MIDI_TYPE, headers=headers)
    return Response(d.data, media_type=downloads.MIDI_TYPE, headers=headers)


def routes(s: Studio) -> list[Route]:
    def song(r, _):
        return songs.song_view(s.folder(r))

    def phase(r, _):
        return songs.phase_view(s.folder(r), r.path_params["phase"])

    def roll(r, _):
        return audio.candidate_roll(s.folder(r), r.path_params["phase"], r.path_params["cid"])

    def preview(r, _):
        path, cached = audio.candidate_preview(
            s.folder(r), r.path_params["phase"], r.path_params["cid"], s.preview_cache_mb
        )
        resp = _wav(path)
        resp.headers["X-Studio-Cache"] = "hit" if cached else "miss"
        return resp

    def explain(r, _):
        path = s.explainer.picture(s.folder(r), r.path_params["phase"], r.path_params["cid"])
        return FileResponse(path, media_type="image/png")

    def arrangement_roll(r, _):
        return audio.arrangement_roll(s.folder(r))

    def arrangement_file(r, _):
        folder = s.folder(r)
        kind = r.path_params["kind"]
        name = songs.arrangement_view(folder)["audio"] if kind == "audio" else None
        name = name if kind == "audio" else {"image": "arrangement.png"}.get(kind)
        if not name:
            raise NotFound(f"no arrangement {kind} yet (assemble and render first)")
        path = serve_path(folder, name)
        if not path.is_file():
            raise NotFound(f"no arrangement {kind} yet (assemble and render first)")
        media = {"png": "image/png", "wav": "audio/wav", "flac": "audio/flac"}
        return FileResponse(path, media_type=media[name.rsplit(".", 1)[1]])

    def candidate_midi(r, _):
        p = r.path_params
        return _download(downloads.candidate_midi(s.folder(r), p["phase"], p["cid"]))

    def approved_midi(r, _):
        p = r.path_params
        return _download(downloads.approved_midi(s.folder(r), p["phase"], p["name"]))

    def arrangement_midi(r, _):
        return _download(downloads.arrangement_midi(s.folder(r)))

    def track_midi(r, _):
        return _download(downloads.track_midi(s.folder(r), r.path_params["track"]))

    def gm(r, _):
        from chromatic.studio.roll import gm_table

        return gm_table()

    def decide(r, body):
        return decisions.decide(s.folder(r), r.path_params["phase"], body)

    def promote(r, body):
        from chromatic.produce.promote import promote as run

        folder = s.folder(r)
        ph = songs.check_phase_name(r.path_params["phase"])
        result = run(folder.root, ph, clean=bool(body.get("clean")))
        return {
            "promoted": [
                {"id": p.id, "label": p.label, "file": p.path.name} for p in result.promoted
            ],
            "removed": list(result.removed),
        }

    def plan(r, body):
        return decisions.edit_plan(s.folder(r), body)

    def assemble(r, _):
        folder = s.folder(r)
        job = s.jobs.start(
            "assemble", folder.root.name, jobs.ASSEMBLE_STEPS, jobs.assemble_work(folder)
        )
        return job.view()

    def regenerate(r, body):
        folder = s.folder(r)
        ph = songs.check_phase_name(r.path_params["phase"])
        args = jobs.parse_regenerate(body)
        work = jobs.regenerate_work(folder, ph, args)
        what = f"regenerate {ph}" + (f" ({args['section']})" if args["section"] else "")
        return s.jobs.start("regenerate", folder.root.name, [what], work).view()

    def breed(r, body):
        from chromatic.studio import breed as breeding

        folder = s.folder(r)
        ph = songs.check_phase_name(r.path_params["phase"])
        work = breeding.breed_work(folder, ph, breeding.parse_breed(body))
        return s.jobs.start("breed", folder.root.name, [f"breed {ph}"], work).view()

    def job(r, _):
        return s.jobs.get(r.path_params["job"]).view()

    def index(r, _):
        return _static("index.html")

    def static(r, _):
        name = r.path_params["name"]
        if name not in STATIC:
            raise NotFound(f"no static file {name!r}")
        return _static(name)

    def song_list(r, _):
        return {
            "songs": s.library.names(),
            "single": s.library.single,
            "explain": s.explainer.available,
        }

    ph = "/api/songs/{song}/phases/{phase}"
    table = [
        ("/", index, False),
        ("/static/{name}", static, False),
        ("/api/songs", song_list, False),
        ("/api/songs/{song}", song, False),
        ("/api/songs/{song}/arrangement/roll", arrangement_roll, False),
        ("/api/songs/{song}/arrangement/{kind}", arrangement_file, False),
        (ph, phase, False),
        (ph + "/candidates/{cid}/roll", roll, False),
        (ph + "/candidates/{cid}/preview.wav", preview, False),
        (ph + "/candidates/{cid}/explain.png", explain, False),
        (ph + "/candidates/{cid}/midi", candidate_midi, False),
        (ph + "/approved/{name}", approved_midi, False),
        ("/api/songs/{song}/download/arrangement.mid", arrangement_midi, False),
        ("/api/songs/{song}/download/track/{track}", track_midi, False),
        ("/api/gm", gm, False),
        ("/api/jobs/{job}", job, False),
        (ph + "/decide", decide, True),
        (ph + "/promote", promote, True),
        (ph + "/regenerate", regenerate, True),
        (ph + "/breed", breed, True),
        ("/api/songs/{song}/plan", plan, True),
        ("/api/songs/{song}/assemble", assemble, True),
    ]
    return [
        Route(path, _route(s, fn, write=w), methods=["POST"] if w else ["GET", "HEAD"])
        for path, fn, w in table
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", None) or "error"
    what = {404: "no such route", 405: "method not allowed"}.get(status, str(detail))
    return JSONResponse(
        {"error": f"{what}: {request.method} {request.url.path}"}, status_code=status
    )


def create_app(studio: Studio) -> Starlette:
    return Starlette(
        routes=routes(studio) + own.routes(studio, _route, _error),
        exception_handlers={HTTPException: _http_error},
    )
