"""manifest_bootstrap.yml: the song's catalog manifest, as far as the plan already knows it.

Once a song is recorded it joins the catalog as ``AA_TT/AA_TT.yml`` (FORMATS.md §2). Everything
the plan knows is filled in now, so that step only adds what rendering and release decide. The
file passes ``chromatic catalog validate`` once copied to ``<catalog>/<manifest_id>/``.

Fields and the values chosen where the plan cannot know them:

- ``manifest_id`` '<color prefix>_<track>' (track 99 by default: the example catalog uses 90-91,
  the real albums stay below 20, so 99 collides with neither); ``album_sequence`` = the track.
- ``structure``: one entry per planned section (repeats included in its length), with
  cumulative ``[MM:SS.mmm]`` times from bars x bar seconds; the same name twice is numbered
  ("Verse 1", "Verse 2") as the catalog does. ``TRT`` is the end of the last section.
- ``vocals``: any section with vocals; ``lyrics``: vocals and the proposal carries lyric text.
- Render-time fields stay empty: ``main_audio_file`` '' (the validator requires a string; an
  empty one reads as "not rendered yet" and media checks report it as not staged),
  ``audio_tracks`` [], ``lrc_file`` null, ``sounds_like`` [].
- ``release_date`` '' (required by the schema, unknown before release).

The document is built through the catalog's ``Manifest`` model (constructed, validated, dumped),
so the two cannot drift: a field the model gains or a value it refuses fails here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from chromatic.catalog.manifest import Manifest, validation_messages
from chromatic.catalog.timecode import format_timestamp
from chromatic.errors import ProduceError
from chromatic.fileio import write_text_atomic
from chromatic.music.key import TimeSignature
from chromatic.paths import within
from chromatic.produce.arrange.plan import Plan
from chromatic.proposals.reader import Proposal
from chromatic.yamlio import dump_yaml

BOOTSTRAP_FILE = "manifest_bootstrap.yml"
DEFAULT_TRACK = 99
#: The order of the user's manifests (the model lists ``genres`` before ``sounds_like``).
FIELD_ORDER: tuple[str, ...] = (
    "bpm",
    "manifest_id",
    "tempo",
    "key",
    "rainbow_color",
    "title",
    "release_date",
    "album_sequence",
    "main_audio_file",
    "TRT",
    "vocals",
    "lyrics",
    "structure",
    "mood",
    "sounds_like",
    "genres",
    "lrc_file",
    "concept",
    "audio_tracks",
)
HEADER = (
    "Catalog manifest bootstrapped by 'chromatic plan --bootstrap-manifest' from production_plan.yml.\n"
    "Fill main_audio_file, audio_tracks, release_date (and lrc_file) after rendering, then copy it to\n"
    "<catalog>/{id}/{id}.yml and run: chromatic catalog validate <catalog>"
)


def display_name(label: str) -> str:
    """'pre_chorus' -> 'Pre Chorus' (catalog manifests use spoken section names)."""
    return " ".join(w.capitalize() for w in label.replace("-", "_").split("_") if w) or label


def bootstrap_model(plan: Plan, proposal: Proposal, *, track: int = DEFAULT_TRACK) -> Manifest:
    """The song's catalog ``Manifest``, built and validated by the catalog's own model: a plan
    the catalog would refuse fails here, naming the field, not later in ``catalog validate``."""
    if not 1 <= track <= 99:
        raise ProduceError(f"expected a track number 1-99, got {track}", field="track")
    bar_s = TimeSignature.parse(plan.model.song.time_signature).bar_seconds(plan.model.song.bpm)
    playing = [s for s in plan.sections if s.approved and s.repeat > 0]
    structure, end = _structure(playing, bar_s)
    vocals = any(s.vocals for s in playing)
    data = {
        "bpm": plan.model.song.bpm,
        "manifest_id": f"{proposal.color.prefix}_{track:02d}",
        "tempo": str(proposal.time_signature),
        "key": str(proposal.key),
        "rainbow_color": proposal.color.mnemonic,
        "title": proposal.title,
        "release_date": "",
        "album_sequence": track,
        "main_audio_file": "",
        "TRT": format_timestamp(end),
        "vocals": vocals,
        "lyrics": bool(vocals and getattr(proposal, "lyrics", None)),
        "structure": structure,
        "mood": list(proposal.mood),
        "sounds_like": [],
        "genres": list(proposal.genres),
        "lrc_file": None,
        "concept": proposal.concept,
        "audio_tracks": [],
    }
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        field, msg = validation_messages(e)[0]
        raise ProduceError(
            f"the bootstrap manifest would not validate: {msg}", field=field
        ) from None


def _structure(playing: list, bar_s: float) -> tuple[list[dict], float]:
    """One entry per playing section with cumulative times, and where the last one ends."""
    names = [display_name(s.name) for s in playing]
    counts, seen = Counter(names), Counter()
    structure, t = [], 0.0
    for s, name in zip(playing, names, strict=True):
        seen[name] += 1
        end = t + s.bars * s.repeat * bar_s
        structure.append(
            {
                "section_name": f"{name} {seen[name]}" if counts[name] > 1 else name,
                "start_time": format_timestamp(t),
                "end_time": format_timestamp(end),
                "description": s.notes
                or f"{s.bars} bars x {s.repeat}, intensity {s.intensity:g}"
                + ("" if s.vocals else ", instrumental"),
            }
        )
        t = end
    return structure, t


def manifest_document(manifest: Manifest) -> dict:
    """The manifest as its file holds it: the model's own dump, keys in ``FIELD_ORDER``, a
    whole bpm written as an integer (the model stores every bpm as a float)."""
    dumped = manifest.model_dump(mode="json")
    if set(dumped) != set(FIELD_ORDER):  # a field added to the model needs a place here
        raise ProduceError(
            f"bootstrap FIELD_ORDER {sorted(FIELD_ORDER)} does not match the catalog Manifest "
            f"fields {sorted(dumped)}"
        )
    doc = {k: dumped[k] for k in FIELD_ORDER}
    bpm = manifest.bpm
    doc["bpm"] = int(bpm) if float(bpm).is_integer() else bpm
    return doc


def bootstrap_manifest(plan: Plan, proposal: Proposal, *, track: int = DEFAULT_TRACK) -> dict:
    """The manifest mapping (field order as in the user's manifests)."""
    return manifest_document(bootstrap_model(plan, proposal, track=track))


def write_bootstrap(
    folder_root: Path, plan: Plan, proposal: Proposal, *, track: int = DEFAULT_TRACK
) -> Path:
    from ruamel.yaml.comments import CommentedMap

    data = bootstrap_manifest(plan, proposal, track=track)
    doc = CommentedMap(data)
    doc.yaml_set_start_comment(HEADER.format(id=data["manifest_id"]))
    path = within(folder_root, BOOTSTRAP_FILE)
    write_text_atomic(path, dump_yaml(doc))
    return path
