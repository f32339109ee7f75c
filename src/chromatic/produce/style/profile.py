"""A catalog's color profile: what each color's songs are made of, read from their manifests.

``build_profile(catalog)`` reads every manifest of a catalog (``catalog.manifest``) and returns,
per rainbow color, the figures a musician reads to answer "what does GREEN sound like": the
instrumentation (each audio track's free-text description mapped to a GM program, a family and
the parts it can play by ``instruments.yml``, first matching rule wins), the share of sung songs,
the drum share, the mode share, tempo and meter tendencies, the form (sections per song, the
section names mapped to kinds by ``SECTION_KINDS``, seconds per kind, intro/outro/chorus
shares, and every song's kind sequence as a template), song lengths, genres and moods. Every
figure names the songs it comes from (manifest ids), so a surprising value can be checked.

``chromatic style profile CATALOG --out FILE`` writes it as YAML; the package ships the real
catalog's (``profiles/real.yml``, what style resolution reads) and the example catalog's
(``profiles/example.yml``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chromatic.catalog.manifest import find_manifests, load_manifest
from chromatic.catalog.timecode import parse_timestamp
from chromatic.errors import ProduceError
from chromatic.music.gm import PROGRAMS
from chromatic.yamlio import read_yaml

INSTRUMENTS = Path(__file__).with_name("instruments.yml")
PROFILES = Path(__file__).with_name("profiles")
REAL_PROFILE = PROFILES / "real.yml"
EXAMPLE_PROFILE = PROFILES / "example.yml"
PARTS = ("chords", "bass", "melody", "harmony", "pad")
FAMILIES = (
    *("drums", "bass", "voice", "backing_voice", "guitar", "keys", "organ", "synth", "texture"),
    *("strings", "winds", "brass", "plucked"),
)
#: Section names to kinds: the first kind whose pattern occurs in the lower-cased name (whole
#: words) wins; a name matching none is a named movement ("The Forge", "Epoch").
SECTION_KINDS: tuple[tuple[str, str], ...] = (
    ("reprise", r"reprise"),
    ("jam", r"jams?|jamz|vamp|play"),
    ("intro", r"intro\w*|opening|overture|onset|kick start"),
    ("outro", r"outro|coda|ending|finale|ring out|last notes|denouement|fallout"),
    ("interlude", r"interlude|aside|transition|instrumental"),
    ("breakdown", r"break ?down|breaking down|break"),
    ("drone", r"drone|ambient|resonate|stretch|decohere"),
    ("prechorus", r"pre-?chorus|build|settling preverse"),
    ("chorus", r"chorus|refrain|hook"),
    ("bridge", r"bridge|bridging|middle"),
    ("verse", r"verse|alterverse"),
    ("solo", r"solo"),
)
MOVEMENT = "movement"
KINDS = (*(k for k, _ in SECTION_KINDS), MOVEMENT)


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    program: int | None
    family: str
    parts: tuple[str, ...]


def _program(value, path: Path, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 127:
        return value
    if isinstance(value, str) and value in PROGRAMS:
        return PROGRAMS[value]
    raise ProduceError(
        f"expected a GM program name or 0-127, got {value!r}", path=path, field=where
    )


@cache
def load_rules(path: Path = INSTRUMENTS) -> tuple[Rule, ...]:
    """The instrument table; a bad rule is one error naming the file and the field."""
    data = read_yaml(path, ProduceError)
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list) or not rules:
        raise ProduceError("expected a list of rules", path=path, field="rules")
    out = []
    for i, r in enumerate(rules):
        where = f"rules.{i}"
        if not isinstance(r, dict) or not isinstance(r.get("match"), str):
            raise ProduceError("expected a mapping with a 'match' pattern", path=path, field=where)
        family = r.get("family")
        if family not in FAMILIES:
            raise ProduceError(
                f"expected a family of {', '.join(FAMILIES)}, got {family!r}",
                path=path,
                field=f"{where}.family",
            )
        parts = r.get("parts", [])
        if not isinstance(parts, list) or any(p not in PARTS for p in parts):
            raise ProduceError(
                f"expected parts among {', '.join(PARTS)}, got {parts!r}",
                path=path,
                field=f"{where}.parts",
            )
        try:
            pattern = re.compile(rf"\b(?:{r['match']})\b", re.IGNORECASE)
        except re.error as e:
            raise ProduceError(f"not a regular expression: {e}", path=path, field=where) from None
        program = (
            None if family == "drums" else _program(r.get("program"), path, f"{where}.program")
        )
        out.append(Rule(pattern, program, family, tuple(parts)))
    return tuple(out)


@cache
def load_lead_voices(path: Path = INSTRUMENTS) -> tuple[tuple[re.Pattern | None, int, str], ...]:
    """The sung lead's timbre rules (``lead_voices``, then ``lead_voice_default`` with no
    pattern); a bad rule is one error naming the file and the field."""
    data = read_yaml(path, ProduceError)
    rules = data.get("lead_voices") if isinstance(data, dict) else None
    default = data.get("lead_voice_default") if isinstance(data, dict) else None
    if not isinstance(rules, list) or not isinstance(default, dict):
        raise ProduceError("expected a list of rules", path=path, field="lead_voices")
    out = []
    for i, r in enumerate([*rules, default]):
        where = f"lead_voices.{i}" if i < len(rules) else "lead_voice_default"
        if not isinstance(r, dict) or not isinstance(r.get("timbre"), str):
            raise ProduceError("expected a mapping with a 'timbre'", path=path, field=where)
        pattern = None
        if i < len(rules):
            try:
                pattern = re.compile(rf"\b(?:{r.get('match')})\b", re.IGNORECASE)
            except (re.error, TypeError) as e:
                raise ProduceError(f"regex: {e}", path=path, field=where) from None
        out.append((pattern, _program(r.get("program"), path, f"{where}.program"), r["timbre"]))
    return tuple(out)


def lead_timbre(texts: list[str]) -> tuple[int, str]:
    """The lead voice's (program, timbre): the first rule matching any text, else the default."""
    rules = load_lead_voices()
    return next((p, t) for r, p, t in rules if r is None or any(r.search(x) for x in texts))


def classify(description: str, rules: tuple[Rule, ...] | None = None) -> Rule | None:
    """The first rule naming a track description, or None."""
    return next((r for r in rules or load_rules() if r.pattern.search(description)), None)


def section_kind(name: str) -> str:
    """The kind of a section name ("Interlude 2" -> interlude, "The Forge" -> movement)."""
    text = re.sub(r"[_\s]+", " ", name.lower())
    return next((k for k, pat in SECTION_KINDS if re.search(rf"\b(?:{pat})\b", text)), MOVEMENT)


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between ranks; 0.0 for no values."""
    v = sorted(values)
    if not v:
        return 0.0
    pos = (len(v) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (pos - lo), 2)


def spread(values: list[float]) -> dict:
    return {"p10": pct(values, 10), "median": pct(values, 50), "p90": pct(values, 90)}


def _share(songs: list[str], n: int) -> dict:
    return {"share": round(len(songs) / n, 3) if n else 0.0, "songs": sorted(songs)}


def _song(loaded) -> dict:
    """One manifest's facts the profile counts."""
    m = loaded.manifest
    rules = load_rules()
    tracks = []
    for t in m.audio_tracks:
        if t.group == "drums" or t.midi_group_file:
            tracks.append(("drums", None, (), t.description))
            continue
        r = classify(t.description, rules)
        tracks.append(
            (r.family, r.program, r.parts, t.description) if r else (None, None, (), t.description)
        )
    sung_texts = [d for f, _, _, d in tracks if f in ("voice", "backing_voice")]
    sung_texts += [
        s.description or ""
        for s in m.structure
        if re.search(r"\b(vocals?|voices?|vox|sing\w*|sung|choir)\b", s.description or "", re.I)
    ]
    sections = []
    for s in m.structure:
        try:
            secs = max(0.0, parse_timestamp(s.end_time) - parse_timestamp(s.start_time))
        except Exception:
            secs = 0.0
        sections.append((s.section_name, section_kind(s.section_name), secs))
    return {
        "id": m.manifest_id,
        "title": m.title,
        "color": m.color.name,
        "vocals": bool(m.vocals),
        "lead": lead_timbre(sung_texts) if m.vocals else None,
        "minor": m.key_obj.is_minor,
        "bpm": float(m.bpm),
        "meter": str(m.time_signature),
        "seconds": round(m.trt_seconds, 1),
        "tracks": tracks,
        "sections": sections,
        "genres": [g.strip().lower() for g in m.genres],
        "moods": [w.strip().lower() for w in m.mood],
    }


def _top(counter: dict[str, list[str]], n: int) -> dict:
    ranked = sorted(counter.items(), key=lambda kv: (-len(set(kv[1])), kv[0]))[:n]
    return {k: {"songs": len(set(v)), "from": sorted(set(v))} for k, v in ranked}


def _color(songs: list[dict]) -> dict:
    n = len(songs)
    ids = [s["id"] for s in songs]
    fam: dict[str, list[str]] = defaultdict(list)
    parts: dict[str, dict[int, list[str]]] = {p: defaultdict(list) for p in PARTS}
    described: dict[int, set[str]] = defaultdict(set)
    unmapped: set[str] = set()
    for s in songs:
        for family, program, can, text in s["tracks"]:
            if family is None:
                unmapped.add(text.strip().lower()[:60])
                continue
            if s["id"] not in fam[family]:
                fam[family].append(s["id"])
            for p in can:
                if s["id"] not in parts[p][program]:
                    parts[p][program].append(s["id"])
            if program is not None:
                described[program].add(text.strip().lower()[:40])
    kinds: dict[str, list[str]] = defaultdict(list)
    kind_secs: dict[str, list[float]] = defaultdict(list)
    vocabulary: dict[str, str] = {}
    for s in songs:
        for name, kind, secs in s["sections"]:
            kinds[kind].append(s["id"])
            if secs > 0:
                kind_secs[kind].append(secs)
            vocabulary[re.sub(r"\s+", " ", name.strip().lower())] = kind

    def having(kind: str) -> list[str]:
        return [s["id"] for s in songs if any(k == kind for _, k, _ in s["sections"])]

    meters: dict[str, list[str]] = defaultdict(list)
    for s in songs:
        meters[s["meter"]].append(s["id"])
    genres: dict[str, list[str]] = defaultdict(list)
    moods: dict[str, list[str]] = defaultdict(list)
    for s in songs:
        for g in s["genres"]:
            genres[g].append(s["id"])
        for w in s["moods"]:
            moods[w].append(s["id"])
    return {
        "songs": {s["id"]: s["title"] for s in songs},
        "vocals": _share([s["id"] for s in songs if s["vocals"]], n),
        "drums": _share(fam.get("drums", []), n),
        "minor": _share([s["id"] for s in songs if s["minor"]], n),
        "tempo_bpm": {**spread([s["bpm"] for s in songs]), "from": ids},
        "meters": {k: sorted(v) for k, v in sorted(meters.items(), key=lambda kv: -len(kv[1]))},
        "length_seconds": {**spread([s["seconds"] for s in songs]), "from": ids},
        "lead_voices": _leads(songs),
        "families": {
            f: _share(v, n) for f, v in sorted(fam.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        },
        "parts": {
            p: [
                {
                    "program": prog,
                    "songs": len(v),
                    "from": sorted(v),
                    "described_as": sorted(described[prog])[:6],
                }
                for prog, v in sorted(parts[p].items(), key=lambda kv: (-len(kv[1]), kv[0]))
            ]
            for p in PARTS
        },
        "form": {
            "sections_per_song": spread([len(s["sections"]) for s in songs]),
            "opens_with_intro": _share(
                [s["id"] for s in songs if s["sections"] and s["sections"][0][1] == "intro"], n
            ),
            "ends_with_outro": _share(
                [s["id"] for s in songs if s["sections"] and s["sections"][-1][1] == "outro"], n
            ),
            "has_chorus": _share(having("chorus"), n),
            "kinds": {
                k: {
                    "sections": len(v),
                    "songs": len(set(v)),
                    "median_seconds": pct(kind_secs.get(k, []), 50),
                }
                for k, v in sorted(kinds.items(), key=lambda kv: -len(kv[1]))
            },
            "templates": {
                s["id"]: [[kind, round(secs, 1)] for _, kind, secs in s["sections"]] for s in songs
            },
            "vocabulary": dict(sorted(vocabulary.items())),
        },
        "genres": _top(genres, 8),
        "moods": _top(moods, 8),
        "unmapped_tracks": sorted(unmapped),
    }


def _leads(songs: list[dict]) -> list[dict]:
    """The sung songs' lead timbres (``lead_voices`` of instruments.yml), most songs first."""
    by: dict[tuple[int, str], list[str]] = defaultdict(list)
    for s in songs:
        if s["lead"]:
            by[s["lead"]].append(s["id"])
    ranked = sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [{"program": p, "timbre": t, "songs": len(v), "from": v} for (p, t), v in ranked]


def build_profile(catalog: str | Path) -> dict:
    """The profile of every color of a catalog (see the module docstring)."""
    root = Path(catalog)
    if not root.is_dir():
        raise ProduceError("expected a catalog folder of AA_TT/AA_TT.yml manifests", path=root)
    paths = find_manifests(root)
    if not paths:
        raise ProduceError("expected AA_TT/AA_TT.yml manifests, found none", path=root)
    by_color: dict[str, list[dict]] = defaultdict(list)
    for p in paths:
        song = _song(load_manifest(p))
        by_color[song["color"]].append(song)
    colors = Counter({c: len(v) for c, v in by_color.items()})
    from chromatic.taxonomy import COLORS

    order = [c.name for c in COLORS if c.name in colors]
    return {
        "schema_version": 1,
        "catalog_songs": sum(colors.values()),
        "instrument_table": INSTRUMENTS.name,
        "colors": {c: _color(sorted(by_color[c], key=lambda s: s["id"])) for c in order},
    }


@cache
def load_profile(path: Path = REAL_PROFILE) -> dict:
    """A profile written by ``chromatic style profile`` (the shipped real one by default)."""
    data = read_yaml(path, ProduceError)
    if not isinstance(data, dict) or not isinstance(data.get("colors"), dict):
        raise ProduceError("expected a color profile with 'colors:'", path=path, field="colors")
    return data


HEADER = (
    "# A catalog's color profile, written by `chromatic style profile CATALOG --out FILE`\n"
    "# (produce/style/profile.py). Per color: shares of songs (share, and the songs: manifest\n"
    "# ids), tempo/length spreads (10th percentile, median, 90th), the parts each GM program can\n"
    "# play (from instruments.yml) with the songs it appears on, and the form: section kinds,\n"
    "# every song's kind sequence with seconds (templates), and how each section name was read.\n"
)


def _plain(v: object) -> bool:
    return isinstance(v, str) and not re.search(r"[\[\]{}:,?#&*!|>'\"%@`]", v)


def profile_text(profile: dict) -> str:
    """The profile as YAML a musician reads: lists of plain values on one line."""
    from chromatic.yamlio import flow

    def fold(x):
        if isinstance(x, dict):
            return {k: fold(v) for k, v in x.items()}
        if isinstance(x, list):
            if all(isinstance(v, int | float) or _plain(v) for v in x):
                return flow(x)
            return [fold(v) for v in x]
        return x

    from chromatic.yamlio import dump_yaml

    return HEADER + dump_yaml(fold(profile))


def write_profile(catalog: str | Path, out: str | Path) -> dict:
    """Build a catalog's profile and write it atomically to ``out`` (nothing written on error)."""
    from chromatic.fileio import write_text_atomic

    profile = build_profile(catalog)
    write_text_atomic(Path(out), profile_text(profile))
    return profile
