"""``chromatic style PROPOSAL``: the style a proposal resolves to, and why."""

from __future__ import annotations

from pathlib import Path

import typer


def style(
    proposal: Path = typer.Argument(
        ...,
        help="A song proposal, an all_song_proposals_*.yml (last iteration), a thread folder "
        "or a production folder (its proposal.yml and style.yml).",
    ),
    reference: Path | None = typer.Option(
        None,
        "--reference",
        help="A reference MIDI file: show its figures and what it changes (a production "
        "folder's reference.yml is shown without it).",
    ),
) -> None:
    """Print the resolved style (family, form, programs, harmony, feel, mix, ending) and the
    reasons for each choice, so a musician can check why a proposal got its family."""
    from chromatic.music.gm import PROGRAMS
    from chromatic.produce.folder import read_any_proposal
    from chromatic.produce.style import style_for
    from chromatic.yamlio import dump_yaml, flow

    folder = proposal if (proposal / "proposal.yml").is_file() else None
    source = folder / "proposal.yml" if folder else proposal.resolve()
    p = read_any_proposal(source)
    st = style_for(p, folder)
    data = st.to_dict()
    reasons = data.pop("reasons")
    names = {v: k for k, v in sorted(PROGRAMS.items(), reverse=True)}

    def named(programs: dict[str, int]) -> dict[str, str]:
        return {r: f"{n} {names.get(n, '')}".strip() for r, n in programs.items()}

    data["programs"] = named(st.programs)
    data["section_programs"] = {k: named(v) for k, v in st.section_programs.items()}
    data["phrase_bars"] = st.phrase_bars
    data["mix"] = {k: {"volume": c.volume, "pan": c.pan} for k, c in st.mix.items()}
    data["progressions"] = {m: [flow(x) for x in v] for m, v in st.harmony.progressions.items()}
    typer.echo(f"# {p.title} ({p.key}, {p.bpm:g} bpm, genres {list(p.genres)})")
    for w in p.warnings:
        typer.echo(f"# warning: {w}")
    typer.echo(dump_yaml(data).rstrip())
    typer.echo("reasons:")
    for r in reasons:
        typer.echo(f"  - {r}")
    _reference(st, folder, reference)


def _reference(st, folder: Path | None, midi: Path | None) -> None:
    """The reference's figures per role and what they change (``produce.reference``)."""
    from chromatic.produce.reference.bias import WEIGHT, changes, load_reference
    from chromatic.produce.reference.figures import figures_of
    from chromatic.yamlio import dump_yaml

    if midi is not None:
        ref = {"source": midi.name, "weight": WEIGHT, "figures": figures_of(midi)}
    else:
        ref = load_reference(folder) if folder else None
    if not ref:
        return
    typer.echo(f"reference: {ref['source']} (weight {ref['weight']:g})")
    typer.echo("  " + dump_yaml({"figures": ref["figures"]}).rstrip().replace("\n", "\n  "))
    typer.echo("  changes:")
    for line in changes(st, ref):
        typer.echo(f"    - {line}")
