"""The example catalog with its parts written by the composer (``scripts/demo_catalog.py``).

An option, not ``make demo``'s catalog: measured (docs/targeting.md), the model trained
on it fails its gates (MIDI-only AUC 0.48 [0.43, 0.54]): the composer's color is in its
instruments, not in its notes, so nothing in the notes separates its colors.

The demo model learns MIDI -> color from the example catalog and is then asked which color a
*composed* song has. A catalog whose parts come from ``synth/palette.py`` (a held tonic under
block chords, one rhythm a color) teaches the model a part style the composer never writes, so
it hears every composed song as hedged. So each example song is composed by ``compose --auto``
(theory only, no model) from its own manifest read as a proposal (title, key, bpm, meter,
genres, mood, concept, color; a song without vocals is instrumental), and the color's style
(``produce/style``: instruments, form, length, density, drums) and the genre family's feel
make it what the composer makes of that color. An excerpt of the manifest's running time,
from a quarter into the song (past the intro), becomes the song's MIDI: one file a composed
part (melody, chords, bass, harmony, drums), named in the rewritten ``audio_tracks``.
``catalog synth`` plays those files (``synth/catalog.py``: a track whose MIDI the source
folder holds is rendered from it), so the audio, segments and training rows are the
composer's notes.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from pathlib import Path

from symusic import Score

from chromatic.catalog.manifest import find_manifests, load_manifest
from chromatic.music.gm import instrument_name
from chromatic.segments.slicing import slice_midi
from chromatic.taxonomy import parse_color
from chromatic.yamlio import dump_plain, dump_yaml, read_yaml

#: The composed parts an example song keeps, in this order, with a description that
#: ``synth.parts.track_role`` reads as the same role.
PARTS = ("melody", "chords", "bass", "harmony", "drums")
START_SHARE = 0.25  # the excerpt starts a quarter into the composed song (past the intro)
#: Major or minor for each color's three songs (90, 91, 92), as the artist's catalog mixes
#: them within a color (/work/shared/real manifests, share of minor songs: Black 0.80, Red
#: 0.92, Orange 0.60, Yellow 0.60, Green 0.75, Blue 0.55, Indigo 0.55, Violet 0.42, rounded
#: to three songs).
MODES = {
    "01": ("minor", "minor", "major"),
    "02": ("minor", "minor", "minor"),
    "03": ("minor", "major", "minor"),
    "04": ("major", "minor", "minor"),
    "05": ("minor", "major", "minor"),
    "06": ("minor", "major", "minor"),
    "07": ("minor", "minor", "major"),
    "08": ("major", "minor", "major"),
}


def proposal_of(manifest_path: Path) -> dict:
    """A manifest's facts as a song proposal (an instrumental song says so in its genres)."""
    m = load_manifest(manifest_path).manifest
    data = read_yaml(manifest_path, ValueError)
    num, den = str(data["tempo"]).split("/")
    genres = list(data.get("genres") or [])
    if not m.vocals:
        genres.append("instrumental")
    return {
        "title": m.title,
        "iteration_id": f"demo_{manifest_path.parent.name}",
        "key": data["key"],
        "bpm": data["bpm"],
        "tempo": {"numerator": int(num), "denominator": int(den)},
        "rainbow_color": parse_color(str(data["rainbow_color"])).name,
        "concept": data.get("concept") or m.title,
        "genres": genres,
        "mood": list(data.get("mood") or []),
    }


def compose_song(proposal: dict, work: Path, seed: int, n: int = 12) -> tuple[Score, dict]:
    """``compose --auto`` of ``proposal`` (no model, beam 1): the arrangement and each note
    track's phase (the assembled arrangement's instruments)."""
    from chromatic.produce.arrange.assemble import assemble
    from chromatic.produce.compose.options import ComposeOptions
    from chromatic.produce.compose.run import compose_auto

    work.mkdir(parents=True, exist_ok=True)
    path = work / "proposal.yml"
    path.write_text(dump_yaml(proposal))
    out = work / "song"
    opts = ComposeOptions(n=n, beam=1, seed=seed, model=None, render=False, force=True)
    compose_auto(path, out, opts)
    arr = assemble(out).arrangement  # the same notes as arrangement.mid, tracks named by phase
    return arr.score, {i.name: i.phase for i in arr.instruments}


def part_scores(score: Score, phases: dict, seconds: float) -> dict[str, Score]:
    """Each composed part's tracks (a part may change instrument by section) in an excerpt of
    ``seconds`` from ``START_SHARE`` into the song; parts silent there are left out."""
    total = float(score.to("second").end())
    start = max(0.0, min(total * START_SHARE, total - seconds))
    cut = slice_midi(score, start, start + seconds)
    out = {}
    for part in PARTS:
        keep = [
            t
            for t in cut.tracks
            if len(t.notes)
            and phases.get(t.name) in ((part, "double") if part == "melody" else (part,))
        ]
        if not keep:
            continue
        s = cut.copy()
        s.tracks = [t.copy() for t in keep]
        out[part] = s
    return out


def describe(part: str, program: int, sung: bool) -> str:
    """A track description ``track_role`` reads as the part's role."""
    if part == "drums":
        return "drum kit, the composer's pattern"
    if part == "melody":
        return "lead vocal" if sung else f"lead melody: {instrument_name(program, False)}"
    name = instrument_name(program, False)
    if part == "bass":
        return f"bass line on {name}"
    return f"{name} ({'chords' if part == 'chords' else 'backing'})"


def rewrite_song(manifest_path: Path, seed: int, n: int = 12) -> list[str]:
    """Compose one example song and write its parts' MIDI beside its manifest, whose
    ``audio_tracks`` become those parts. Returns the parts written."""
    song = manifest_path.parent
    sid = song.name
    data = read_yaml(manifest_path, ValueError)
    seconds = float(load_manifest(manifest_path).manifest.trt_seconds)
    with tempfile.TemporaryDirectory(prefix="demo-catalog-") as tmp:
        score, phases = compose_song(proposal_of(manifest_path), Path(tmp), seed, n)
    parts = part_scores(score, phases, seconds)
    for old in song.glob("*.mid"):
        old.unlink()
    tracks = []
    for k, (part, s) in enumerate(parts.items(), start=1):
        midi = f"{sid}_{part}.mid"
        s.dump_midi(str(song / midi))
        program = 0 if part == "drums" else int(s.tracks[0].program)
        tracks.append(
            {
                "id": k,
                "description": describe(part, program, bool(data.get("vocals"))),
                "audio_file": f"{sid}_{k:02d}_{part}.wav",
                "midi_file": midi,
            }
        )
    data["audio_tracks"] = tracks
    manifest_path.write_text(dump_plain(data))
    return list(parts)


def composed_catalog(
    source: Path, out: Path, *, seed: int = 0, n: int = 12, songs: list[str] | None = None
) -> dict[str, list[str]]:
    """A copy of the example catalog ``source`` (manifests and lyrics) in ``out`` whose songs
    the composer wrote: each color's songs take the genres and moods of its song 90 (one
    genre family's feel a color) and the key mode of ``MODES`` (tonic kept); then each song is
    composed and its parts written (``rewrite_song``). Returns each song's parts."""
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; expected a new folder")
    manifests = [m for m in find_manifests(source) if songs is None or m.parent.name in songs]
    firsts = {
        m.parent.name[:2]: read_yaml(m, ValueError)
        for m in find_manifests(source)
        if m.parent.name.endswith("_90")
    }
    written = {}
    for m in manifests:
        song = m.parent.name
        prefix, track = song.split("_")
        (out / song).mkdir(parents=True)
        for lrc in m.parent.glob("*.lrc"):
            shutil.copyfile(lrc, out / song / lrc.name)
        data = read_yaml(m, ValueError)
        data["key"] = f"{str(data['key']).split()[0]} {MODES[prefix][int(track) - 90]}"
        data["genres"] = list(firsts[prefix]["genres"])
        data["mood"] = list(firsts[prefix]["mood"])
        (out / song / m.name).write_text(dump_plain(data))
        written[song] = rewrite_song(
            out / song / m.name, seed + zlib.crc32(song.encode()) % 10_000, n
        )
    return written
