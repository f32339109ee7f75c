"""What the proposal's color and concept make of its style: the color profile rule.

The proposal's explicit facts always win (key, bpm, meter and genre words are read elsewhere;
lyrics or an "instrumental" genre decide whether the song is sung). The color's profile
(``profile.py``, the shipped real catalog's by default) chooses the rest, from a stream seeded
by the proposal's title, color, key, tempo, meter, genres and mood (never the concept, so a
concept change shows only its own documented effect):

- **sung or instrumental**: lyrics -> sung; an instrumental proposal -> instrumental; else sung
  when at least half of the color's songs have vocals.
- **instrumentation**: each played part (melody, bass, chords, harmony: the backing part) draws one GM program from
  the color's four most common programs for that part, weighted by the share of the color's
  songs that have it times its lift (that share over the whole catalog's: what is typical of
  this color) (``instruments.yml`` maps the catalog's track descriptions); a sung melody
  draws from the voices, an instrumental one from the instruments; no program twice.
- **form**: one of the color's songs is drawn as the template; its section kinds (consecutive
  repeats merged) become the form: intro, verse, chorus, bridge, interlude, breakdown, jam,
  drone, solo, outro and named movements (``movement_1`` ...; a movement longer than a
  minute becomes passages of about a minute, at most 3); a reprise plays the chorus (or
  the first verse) again; the last chorus is the lifted final one. At most ``MAX_ITEMS`` items
  and ``MAX_LABELS`` distinct sections (longer templates are thinned evenly).
  When the lyrics name sections (``[verse]``, ``[chorus]``, ``[bridge]``), only templates that
  have them are drawn (the whole catalog's when no song of the color has them): lyrics win.
- **length**: the template song's length, inside the color's 10th-90th percentile.
- **density**: the genre family's, times ``0.4 + 0.6 x`` the color's share of songs with drums;
  **drums** play with that share as probability (Green: 1 song in 8 has drums).

White is the synthesis (``_white``): 3 or 4 album colors are drawn; each lends its signature
section (the kind its songs use most above the catalog's average, one section role per color)
and that section's palette; the song opens with an intro when the draw says so, and the
closing section gathers the spectrum: each part takes its program from a different borrowed
color. Two White proposals differ in their draw, so they never share one template.

The concept (``concept.yml``): see ``concept_effects``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from chromatic.errors import ProduceError
from chromatic.music.form import role_of
from chromatic.produce.style.palette import (
    PLAYED,
    color_programs,
    extras,
    palette_song,
    song_palette,
)
from chromatic.produce.style.profile import REAL_PROFILE, load_profile
from chromatic.yamlio import read_yaml

CONCEPT = Path(__file__).with_name("concept.yml")
MAX_ITEMS, MAX_LABELS = 13, 5  # 5 labels: as many sections as compose wrote before
LABELS = {"reprise": None, "movement": "movement"}  # the other kinds are their own label
FRAME = ("intro", "outro")
ITEM_BARS = 8  # a form item plays at least about 8 bars: the form has at most length / 8 bars
MOVEMENT_SECONDS = 60.0  # a long named movement is heard as passages of about a minute
SUNG_ROLES = frozenset({"verse", "chorus", "bridge", "prechorus"})


@dataclass(frozen=True)
class ColorChoice:
    color: str
    sung: bool
    programs: dict[str, int]
    section_programs: dict[str, dict[str, int]]
    form: tuple[str, ...]
    seconds: float
    density_scale: float
    drums: bool = True
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # (choice, value, source)


def _rng(proposal) -> random.Random:
    facts = [proposal.title, proposal.color.name, str(proposal.key), proposal.bpm]
    facts += [str(proposal.time_signature), list(proposal.genres), list(proposal.mood)]
    digest = hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _kinds(template: list, merge: bool = True) -> list[str]:
    """A template's kinds (consecutive repeats merged when ``merge``); a movement longer than
    ``MOVEMENT_SECONDS`` is heard as passages of about that length (at most 3)."""
    kinds: list[str] = []
    for kind, secs in template:
        if kind == "movement":
            kinds += [kind] * max(1, min(3, round(secs / MOVEMENT_SECONDS)))
        elif not merge or not kinds or kinds[-1] != kind:
            kinds.append(kind)
    return kinds


def _thin(items: list[str], n: int) -> list[str]:
    if len(items) <= n:
        return items
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


def _merged(kinds: list[str]) -> list[str]:
    return [k for i, k in enumerate(kinds) if i == 0 or k != kinds[i - 1] or k == "movement"]


def form_of(kinds: list[str], cap: int = MAX_ITEMS) -> tuple[str, ...]:
    """Section labels for a kind sequence (see the module docstring): at most ``cap`` items
    (consecutive repeats merged first, then thinned evenly)."""
    cap = max(2, min(cap, MAX_ITEMS))
    if len(kinds) > cap:
        kinds = _thin(_merged(kinds), cap)
    items: list[str] = []
    movements = 0
    for k in kinds:
        if k == "reprise":
            k = "chorus" if "chorus" in kinds else "verse"
        if k == "movement":
            movements += 1
            label = f"movement_{(movements - 1) % 4 + 1}"
        else:
            label = k
        items.append(label)
    distinct = list(dict.fromkeys(items))
    if len(distinct) > MAX_LABELS:  # the rarest middle labels play a kept one of their role
        keep = set(sorted(distinct, key=lambda x: (x not in FRAME, -items.count(x)))[:MAX_LABELS])
        by_role = {role_of(k).name: k for k in sorted(keep, key=items.count)}
        items = [i if i in keep else by_role.get(role_of(i).name, "") for i in items]
        items = [i for i in items if i]  # the template's section count stays (a repeat plays
        if len(items) > cap:  # its section again), merged only past the cap
            items = _merged(items)
    if "chorus" in items:
        last = len(items) - 1 - items[::-1].index("chorus")
        items[last] = "chorus!"
    return tuple(items)


def lyric_roles(lyrics: str | None) -> set[str]:
    """The sung roles a proposal's lyrics name by ``[header]`` lines (verse, chorus, bridge)."""
    heads = re.findall(r"^\s*\[([^\]]+)\]\s*$", lyrics or "", re.MULTILINE)
    return {role_of(h).name for h in heads} & SUNG_ROLES


def _fits(template: list, needed: set[str]) -> bool:
    return needed <= {role_of(i.rstrip("!")).name for i in form_of(_kinds(template))}


def _template(
    rng, prof: dict, name: str, sources: list, profile: dict, needed: set[str], bar_s: float
) -> tuple[tuple[str, ...], float, str, dict, str]:
    pool = {k: (v, prof, name) for k, v in prof["form"]["templates"].items() if _fits(v, needed)}
    if not pool:  # the lyrics name sections no song of this color has: the whole catalog's
        pool = {
            k: (v, p, c)
            for c, p in profile["colors"].items()
            for k, v in p["form"]["templates"].items()
            if _fits(v, needed)
        }
        sources.append(
            ("form", "", f"proposal: its lyrics name {sorted(needed)}, which no {name} song has")
        )
    if not pool:
        pool = {k: (v, prof, name) for k, v in prof["form"]["templates"].items()}
    pick = rng.choice(sorted(pool))
    template, prof, name = pool[pick]
    length = prof["length_seconds"]
    raw = sum(s for _, s in template)
    seconds = min(max(raw, length["p10"]), length["p90"]) if raw > 0 else length["median"]
    form = form_of(_kinds(template, merge=False), int(seconds / (ITEM_BARS * bar_s)))
    title = prof["songs"].get(pick, "")
    sources.append(("form", " ".join(form), f"{name} profile: the form of {pick} {title!r}"))
    sources.append(
        (
            "seconds",
            f"{seconds:.0f}",
            f"{name} profile: {pick} lasts {raw:.0f} s, inside the color's 10th-90th "
            f"percentile {length['p10']:.0f}-{length['p90']:.0f} s",
        )
    )
    return form, seconds, pick, prof, name


_NO_VOICE = {"instrumental", "instrumentals", "wordless", "none", "no vocals", "no singer"}


def is_instrumental_proposal(proposal) -> bool:
    """A proposal that says it is instrumental: a genre or mood "instrumental"/"wordless", or a
    singer written as "none"/"instrumental". A proposal that simply names no singer (most of the
    concept agent's do) is still a song: the melody phase gives it a voice."""
    words = {str(w).strip().lower() for w in (*proposal.genres, *proposal.mood)}
    tokens = {t for w in words for t in w.replace("-", " ").split()}
    singer = str(proposal.singer or "").strip().lower()
    return bool(words & _NO_VOICE or "instrumental" in tokens or singer in _NO_VOICE)


def _sung(proposal, prof: dict | None, name: str, sources: list) -> bool:
    if getattr(proposal, "lyrics", None):
        sources.append(("sung", "true", "proposal: it has lyrics"))
        return True
    if is_instrumental_proposal(proposal):
        sources.append(("sung", "false", "proposal: it says it is instrumental"))
        return False
    share = prof["vocals"]["share"] if prof else 0.75
    sung = share >= 0.5
    sources.append(
        ("sung", str(sung).lower(), f"{name} profile: {share:.0%} of its songs have vocals")
    )
    return sung


def color_choice(proposal, profile_path: Path = REAL_PROFILE) -> ColorChoice | None:
    """The color's choices for one proposal; None when the profile has no such color."""
    profile = load_profile(profile_path)
    name = proposal.color.name
    if name == "White":
        return _white(proposal, profile, profile_path)
    prof = profile["colors"].get(name)
    if prof is None:
        return None
    rng = _rng(proposal)
    sources: list[tuple[str, str, str]] = []
    sung = _sung(proposal, prof, name, sources)
    needed = lyric_roles(getattr(proposal, "lyrics", None))
    bar_s = proposal.time_signature.bar_seconds(proposal.bpm)
    form, seconds, song, owner, who = _template(rng, prof, name, sources, profile, needed, bar_s)
    mate = palette_song(rng, owner, song, sung, who, sources, profile_path)
    programs, extra = song_palette(rng, owner, mate, sung, who, sources, profile_path)
    section_programs = extras(form, extra, sung, who, sources)
    drums = prof["drums"]["share"]
    sources.append(
        ("density", f"x{0.4 + 0.6 * drums:.2f}", f"{name} profile: {drums:.0%} of songs have drums")
    )
    kit = rng.random() < drums
    sources.append(("drums", str(kit).lower(), f"{name} profile: drawn with its drum share"))
    scale = 0.4 + 0.6 * drums
    return ColorChoice(name, sung, programs, section_programs, form, seconds, scale, kit, sources)


@cache
def _signatures(path: Path) -> dict[str, list[str]]:
    """Per color, its section kinds by how much more its songs use them than the catalog."""
    colors = load_profile(path)["colors"]
    total = sum(len(p["songs"]) for p in colors.values())
    everywhere: dict[str, int] = {}
    for p in colors.values():
        for k, v in p["form"]["kinds"].items():
            everywhere[k] = everywhere.get(k, 0) + v["songs"]
    out = {}
    for c, p in colors.items():
        n = len(p["songs"])
        lift = {
            k: v["songs"] / n - everywhere[k] / total
            for k, v in p["form"]["kinds"].items()
            if k not in (*FRAME, "reprise")
        }
        out[c] = sorted(lift, key=lambda k: -lift[k])
    return out


def _white(proposal, profile: dict, path: Path) -> ColorChoice:
    rng = _rng(proposal)
    colors = profile["colors"]
    sources: list[tuple[str, str, str]] = []
    picked = rng.sample(sorted(colors), rng.choice((3, 4)))
    sources.append(("borrowed", ", ".join(picked), "White synthesis: colors drawn from all 8"))
    sigs = _signatures(path)
    items: list[str] = []
    section_programs: dict[str, dict[str, int]] = {}
    palettes = []
    intro_share = sum(p["form"]["opens_with_intro"]["share"] for p in colors.values()) / 8
    if rng.random() < intro_share:
        items.append("intro")
    share = sum(colors[c]["vocals"]["share"] for c in picked) / len(picked)
    sung = _sung(proposal, {"vocals": {"share": share}}, "White (the borrowed colors)", sources)
    for c in picked:
        prof = colors[c]
        kind = next(
            (k for k in sigs.get(c, []) if role_of(k).name not in section_programs), "verse"
        )
        label = "movement_1" if kind == "movement" else kind
        role = role_of(label).name
        pal = color_programs(rng, prof, sung, c, sources, path)
        palettes.append(pal)
        section_programs[role] = pal
        items.append(label)
        sources.append((f"section {label}", c, f"White synthesis: {c}'s signature section"))
    gathered = {p: palettes[i % len(palettes)].get(p) for i, p in enumerate(PLAYED)}
    gathered = {p: v for p, v in gathered.items() if v is not None}
    section_programs["outro"] = gathered
    items.append("outro")
    sources.append(
        ("section outro", "gathered", "White synthesis: each part from a different borrowed color")
    )
    form = form_of(items)
    seconds = sum(colors[c]["length_seconds"]["median"] for c in picked) / len(picked)
    drums = sum(colors[c]["drums"]["share"] for c in picked) / len(picked)
    sources.append(("seconds", f"{seconds:.0f}", "White synthesis: mean of the borrowed medians"))
    kit = rng.random() < drums
    sources.append(("drums", str(kit).lower(), "White synthesis: the borrowed drum shares"))
    scale = 0.4 + 0.6 * drums
    return ColorChoice(
        "White", sung, palettes[0], section_programs, form, seconds, scale, kit, sources
    )


# --- the concept ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConceptEffect:
    rule: str
    words: tuple[str, ...]
    density: float
    mode: str | None
    accent: dict[str, int]


@cache
def concept_rules(path: Path = CONCEPT) -> dict:
    from chromatic.produce.style.profile import _program

    data = read_yaml(path, ProduceError)
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        raise ProduceError("expected a mapping of rules", path=path, field="rules")
    out = {}
    for name, r in rules.items():
        accent = {p: _program(v, path, f"rules.{name}.accent.{p}") for p, v in r["accent"].items()}
        out[name] = (frozenset(r["words"]), float(r["density"]), r.get("mode"), accent)
    return out


def accent_roles(form: tuple[str, ...]) -> list[str]:
    """The section roles a concept's instrument accent plays in: the form's contrasting
    sections (bridge-role: bridge, interlude, breakdown, drone; solo-role: jam, solo), else its
    last section before the outro; the color's palette keeps the rest."""
    found = {role_of(i.rstrip("!")).name for i in form}
    contrast = [r for r in ("bridge", "solo") if r in found]
    if contrast:
        return contrast
    body = [role_of(i.rstrip("!")).name for i in form if role_of(i.rstrip("!")).name != "outro"]
    return body[-1:] or ["verse"]


def accent_part(form: tuple[str, ...], part: str) -> str:
    """The part a concept accent plays: its own, except in a form whose body is one role (all
    named movements): there the accent is the backing (harmony) part, so the color's chords,
    melody and bass stay the template's."""
    body = {role_of(i.rstrip("!")).name for i in form} - set(FRAME)
    return "harmony" if len(body) == 1 else part


def concept_effects(concept: str, path: Path = CONCEPT) -> list[ConceptEffect]:
    """The concept rules that fire (see concept.yml's header)."""
    words = re.findall(r"[a-z]+", concept.lower())
    hits = []
    for name, (vocab, density, mode, accent) in concept_rules(path).items():
        found = [w for w in words if w in vocab or (w.endswith("s") and w[:-1] in vocab)]
        if found:
            hits.append((len(found), name, tuple(dict.fromkeys(found)), density, mode, accent))
    hits.sort(key=lambda h: -h[0])  # stable: ties keep the table's order
    fired = hits[:1] + [h for h in hits[1:2] if h[0] >= 2]
    return [ConceptEffect(n, w, d, m, a) for _, n, w, d, m, a in fired]
