"""``chromatic plan``, ``chromatic assemble`` and ``chromatic compose``."""

from __future__ import annotations

from pathlib import Path

import typer

from chromatic.cli.phase_options import (
    _EVOLVE,
    _GENERATIONS,
    _POPULATION,
    MAX_BEAM,
    MAX_N,
    _evolve,
)

FORMATS = (
    "wav",
    "flac",
)  # chromatic.produce.arrange.preview.FORMATS (not imported: --help stays light)


def _format(value: str) -> str:
    """The preview format, refused at the option (before a long compose) when unknown."""
    if value.lower() not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}, got {value!r}")
    return value.lower()


def plan(
    folder: Path = typer.Argument(
        ..., help="Production folder with approved chords (chords/approved/*.mid)."
    ),
    refresh: bool = typer.Option(
        False, "--refresh", help="Update an existing plan: recompute bars, keep every human edit."
    ),
    bootstrap_manifest: bool = typer.Option(
        False,
        "--bootstrap-manifest",
        help="Also write manifest_bootstrap.yml (catalog manifest format).",
    ),
    track: int = typer.Option(
        99,
        "--track",
        min=1,
        max=99,
        help="Track number of the bootstrapped manifest id (<color prefix>_<track>).",
    ),
) -> None:
    """Write production_plan.yml: the song's sections in order with bars, repeat, vocals, intensity."""
    from chromatic.produce.arrange.plan import write_plan

    result = write_plan(folder, refresh=refresh)
    for w in result.warnings:
        typer.secho(f"warning: {w}", err=True, fg="yellow")
    m = result.plan.model
    state = "created" if result.created else "refreshed"
    typer.echo(
        f"{state} {result.path}: {m.song.title!r}, {m.song.time_signature} at {m.song.bpm:g} bpm"
    )
    typer.echo("  section          bars  x  vocals  intensity")
    for s in m.sections:
        flag = "  (not approved: skipped)" if not s.approved else ""
        typer.echo(
            f"  {s.name:<16} {s.bars:>4}  {s.repeat:>2}  {'yes' if s.vocals else 'no':<6}  {s.intensity:>8.2f}{flag}"
        )
    length = result.plan.doc.get("length") or {}
    typer.echo(f"  {length.get('bars')} bars, {length.get('seconds')} s")
    if result.added and not result.created:
        typer.echo(f"added: {', '.join(result.added)}")
    if bootstrap_manifest:
        from chromatic.produce.arrange.bootstrap import write_bootstrap
        from chromatic.produce.folder import open_folder

        path = write_bootstrap(
            Path(folder), result.plan, open_folder(folder).proposal(), track=track
        )
        typer.echo(f"wrote {path}")


# Options assemble and compose share (one definition each).
FORMAT_OPTION = typer.Option(
    "wav", "--format", callback=_format, help="Preview format: wav or flac."
)
SAMPLE_RATE_OPTION = typer.Option(
    44100, "--sample-rate", min=8000, max=96000, help="Preview sample rate."
)
QUANTIZED_OPTION = typer.Option(
    False,
    "--quantized",
    help="Keep every note on the grid at its written velocity (no humanizing; for a DAW).",
)
STEMS_OPTION = typer.Option(
    False, "--stems", help="Also render one audio file per instrument (stems/<track>.wav)."
)


def assemble(
    folder: Path = typer.Argument(
        ..., help="Production folder with production_plan.yml and approved loops."
    ),
    render: bool = typer.Option(
        False, "--render", help="Also render an audio preview and arrangement.png."
    ),
    soundfont: Path | None = typer.Option(
        None, "--soundfont", help="General MIDI .sf2 (default: TimGM6mb from pretty_midi)."
    ),
    audio_format: str = FORMAT_OPTION,
    sample_rate: int = SAMPLE_RATE_OPTION,
    quantized: bool = QUANTIZED_OPTION,
    stems: bool = STEMS_OPTION,
    musicxml: bool = typer.Option(
        False,
        "--musicxml",
        help="Also write arrangement.musicxml: a score with chord symbols, rehearsal marks, lyrics.",
    ),
    allow_missing: bool = typer.Option(
        False,
        "--allow-missing",
        help="Assemble even when an approved loop's file is missing: a rest there, and a warning.",
    ),
    vocal_midi: bool = typer.Option(
        False,
        "--vocal-midi",
        help="Also write lead_vocal.mid: the sung lead alone with its lyrics, for a vocal synth.",
    ),
) -> None:
    """Lay the approved loops out along the plan into arrangement.mid (and a preview with --render)."""
    from contextlib import ExitStack

    from chromatic.cli.console import working
    from chromatic.produce.arrange.assemble import assemble as run

    steps = ExitStack()

    def progress(step: str, arr) -> None:  # warnings first, then each long step as it starts
        steps.close()
        if step == "midi":
            for w in arr.warnings:
                typer.secho(f"warning: {w}", err=True, fg="yellow")
            return
        what = {
            "musicxml": "writing the score (music21)",
            "render": f"rendering {arr.seconds:.0f} s of audio" + (" and stems" if stems else ""),
        }[step]
        steps.enter_context(working(what))

    with steps:
        result = run(
            folder,
            render=render or stems,
            soundfont=soundfont,
            audio_format=audio_format,
            sample_rate=sample_rate,
            quantized=quantized,
            stems=stems,
            musicxml=musicxml,
            allow_missing=allow_missing,
            progress=progress,
        )
    arr = result.arrangement
    tracks = ", ".join(i.name for i in arr.instruments)
    typer.echo(
        f"wrote {result.midi}: {len(arr.sections)} sections, {arr.total_bars} bars, {arr.seconds:.1f} s; tracks: {tracks}"
    )
    if result.audio is not None:
        loud = result.loudness
        typer.echo(
            f"wrote {result.audio}: {loud.level_db:.1f} LUFS integrated, true peak {loud.true_peak_db:.1f} dBTP"
        )
        typer.echo(f"wrote {result.image}")
        if stems:
            typer.echo(f"wrote stems in {Path(folder) / 'stems'}")
    if result.musicxml is not None:
        typer.echo(f"wrote {result.musicxml}")
    if vocal_midi:
        from chromatic.produce.arrange.vocal import write_vocal_midi

        typer.echo(f"wrote {write_vocal_midi(folder)}")
    typer.echo("performance: " + ("quantized (on the grid)" if quantized else "humanized"))


def compose(
    proposal: Path = typer.Argument(
        ...,
        help="A song proposal, an all_song_proposals_*.yml (last iteration) or a thread folder.",
    ),
    out: Path = typer.Option(
        ..., "--out", help="The production folder to write (created if needed)."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Exported fitness model; without it, theory scores only."
    ),
    n: int = typer.Option(
        50,
        "-n",
        "--n",
        min=1,
        max=MAX_N,
        help="Candidates generated per phase, per section and per kept parent.",
    ),
    beam: int = typer.Option(
        3, "--beam", min=1, max=MAX_BEAM, help="Partial songs kept after each phase."
    ),
    seed: int = typer.Option(
        0,
        "--seed",
        min=0,
        max=2**32 - 1,
        help="Seed: the same seed gives a byte-identical arrangement.",
    ),
    auto: bool = typer.Option(
        False, "--auto", help="Unattended: approve the best combination, plan, assemble and render."
    ),
    render: bool = typer.Option(
        True, "--render/--no-render", help="Render the audio preview at the end."
    ),
    soundfont: Path | None = typer.Option(
        None, "--soundfont", help="General MIDI .sf2 for the preview."
    ),
    audio_format: str = FORMAT_OPTION,
    sample_rate: int = SAMPLE_RATE_OPTION,
    theory_weight: float = typer.Option(
        0.3,
        "--theory-weight",
        min=0.0,
        help="Composite weight of each phase's theory score (with a model).",
    ),
    chromatic_weight: float = typer.Option(
        0.7,
        "--chromatic-weight",
        min=0.0,
        help="Composite weight of the chromatic match (with a model).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace a production folder not written by compose."
    ),
    quantized: bool = QUANTIZED_OPTION,
    stems: bool = STEMS_OPTION,
    key: str | None = typer.Option(
        None, "--key", help="Compose in this key instead of the proposal's ('D minor', 'F#m')."
    ),
    trust_model: bool = typer.Option(
        False, "--trust-model", help="Use the model even when it failed its sanity gates."
    ),
    taste: Path | None = typer.Option(
        None, "--taste", help="Taste model from 'chromatic taste train': adds a taste term."
    ),
    taste_weight: float = typer.Option(
        0.3, "--taste-weight", min=0.0, help="Composite weight of the taste (with --taste)."
    ),
    reference: Path | None = typer.Option(
        None, "--reference", help="A MIDI file whose measured style biases every phase."
    ),
    evolve: bool = _EVOLVE,
    generations: int = _GENERATIONS,
    population: int = _POPULATION,
) -> None:
    """Compose a song: each phase's candidates generated and scored, the best kept (beam search).

    Without --auto, runs the next phase that needs a human decision and prints what to do next."""
    from chromatic.produce.compose.run import ComposeOptions, compose_auto, compose_step
    from chromatic.produce.phases.composite import Weights

    opts = ComposeOptions(
        n=n,
        beam=beam,
        seed=seed,
        model=model,
        weights=Weights(theory_weight, chromatic_weight, taste_weight if taste else 0.0),
        render=render,
        soundfont=soundfont,
        audio_format=audio_format,
        sample_rate=sample_rate,
        force=force,
        quantized=quantized,
        stems=stems,
        key=key,
        trust_model=trust_model,
        taste=taste,
        evolve=_evolve(evolve, generations, population),
    )
    if reference is not None:  # FOLDER/reference.yml, read by every phase (reference.bias)
        _prepare_reference(proposal, out, reference, force=force, key=key)
    from chromatic.produce.phases.composite import NO_MODEL_WARNING

    if model is None:  # said before the minutes of work it concerns, not after them
        typer.secho(f"warning: {NO_MODEL_WARNING}", err=True, fg="yellow")
    said = {NO_MODEL_WARNING} if model is None else set()
    if not auto:
        step = compose_step(proposal, out, opts)
        for w in step.warnings:
            if w not in said:
                typer.secho(f"warning: {w}", err=True, fg="yellow")
        typer.echo(step.message)
        return
    result = compose_auto(proposal, out, opts, progress=lambda msg: typer.echo(msg, err=True))
    for w in result.warnings:
        if w not in said:
            typer.secho(f"warning: {w}", err=True, fg="yellow")
    typer.echo(result.report())


def _prepare_reference(source, root: Path, midi: Path, *, force: bool, key: str | None) -> None:
    """``compose --reference``: the reference measured (a bad file fails here, before anything
    is written), the folder made ready as compose makes it, then ``reference.yml`` written."""
    from chromatic.produce.compose.run import _clear_for_auto, init_at
    from chromatic.produce.reference.bias import set_reference
    from chromatic.produce.reference.figures import figures_of

    figures_of(midi)
    _clear_for_auto(Path(root), force)
    set_reference(init_at(source, Path(root), force=True, key=key), midi)
