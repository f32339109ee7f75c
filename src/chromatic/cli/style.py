"""``chromatic style PROPOSAL``: the style a proposal resolves to, and why."""

from __future__ import annotations

from pathlib import Path

import typer


def style(
    proposal: Path = typer.Argument(
        ...,
        help="A song proposal, an all_song_proposals_*.yml (last iteration), a thread folder "
        "or a production folder (its proposal.yml and style.yml); or the word 'profile' "
        "followed by a catalog folder: `chromatic style profile CATALOG --out FILE`.",
    ),
    catalog: Path | None = typer.Argument(
        None, help="With 'profile': the catalog folder (AA_TT/AA_TT.yml manifests)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="With 'profile': the YAML file to write (else printed)."
    ),
    reference: Path | None = typer.Option(
        None,
        "--reference",
        help="A reference MIDI file: show its figures and what it changes (a production "
        "folder's reference.yml is shown without it).",
    ),
) -> None:
    """Print the resolved style (family, color profile, form, programs, harmony, feel, mix,
    ending) and the source of each choice (proposal, color profile with its songs, mood/concept,
    default); or, as `style profile CATALOG`, write the catalog's color profile."""
    if str(proposal) == "profile" and catalog is not None:
        _profile(catalog, out)
        return
    from chromatic.music.gm import instrument_name
    from chromatic.produce.folder import read_any_proposal
    from chromatic.produce.style import style_for
    from chromatic.yamlio import dump_yaml, flow

    folder = proposal if (proposal / "proposal.yml").is_file() else None
    source = folder / "proposal.yml" if folder else proposal.resolve()
    p = read_any_proposal(source)
    st = style_for(p, folder)
    data = st.to_dict()
    reasons = data.pop("reasons")

    def named(programs: dict[str, int]) -> dict[str, str]:
        return {r: f"{n} {instrument_name(n)}" for r, n in programs.items()}

    data["programs"] = named(st.programs)
    data["section_programs"] = {k: named(v) for k, v in st.section_programs.items()}
    data["form_items"] = " ".join(st.form)
    data["seconds"] = st.seconds
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
    typer.echo("choices (value <- source):")
    for what, value, where in st.sources:
        if "programs" in what and value.isdigit():
            value = f"{value} {instrument_name(int(value))}"
        typer.echo(f"  - {what}: {value} <- {where}")

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


def _profile(catalog: Path, out: Path | None) -> None:
    from chromatic.produce.style.profile import build_profile, profile_text, write_profile

    if out is None:
        typer.echo(profile_text(build_profile(catalog)).rstrip())
        return
    profile = write_profile(catalog, out)
    counts = ", ".join(f"{c} {len(d['songs'])}" for c, d in profile["colors"].items())
    typer.echo(f"wrote {out}: {profile['catalog_songs']} songs ({counts})")
