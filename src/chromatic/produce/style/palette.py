"""What plays a color's song: a palette song's own instruments, the lead voice, the extras.

Another of the color's songs than the form's template (``palette_song``: drawn by how much its
instrument families say the color, ``typicality``) lends its instrumentation, so a composed
song carries the families that song has, together, as the artist combined them (a Blue song:
acoustic guitar, bass, piano, mandolin; an Orange one: guitar, Farfisa, a Morphagene texture,
synths), not an independent draw per part, and no composed song copies one catalog song's
form and palette together:

- **each played part** (bass, chords, harmony; the melody of an instrumental song) takes one
  of the palette song's own programs for that part (the profile's ``parts``, songs listed in
  ``from``), weighted like ``draw`` (what is typical of the color); a part the palette song
  has no program for draws from the whole color (``draw``); no program twice in a song.
  A palette song with no bass family (half of Green's songs) plays its bass line on the song's
  lowest-voiced other instrument (cello, a synth, an organ, a piano), never a bass guitar.
- **the sung lead** (``lead_voice``): the song's guide program follows what the palette
  song's manifest says of its singing (``lead_voices`` of ``instruments.yml``: a vocoder or
  the Infranym voice -> Synth Voice, a choir -> Choir Aahs, falsetto, female, doubled or
  layered leads -> Voice Oohs, else Lead 6 (voice)); the color's other sung songs when the
  palette song is instrumental. The vocal-synth hand-off (``lead_vocal.mid``) finds the lead by
  its part, whatever the program.
- **the extras**: the palette song's other instrument families (by GM range, ``gm_family``) are
  heard too, each in one section role of the form (``extras``): the chords of that role play
  it (or the backing, in a sung role, for an instrument that cannot play chords), so a song
  of five or six families sounds them in turn, the way the artist's organ enters in a chorus.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from chromatic.music.form import role_of
from chromatic.produce.style.profile import REAL_PROFILE, load_profile

VOICES = frozenset({52, 53, 54, 85})
BACKING = (52, 85, 54)  # a second voice for the backing when the lead took the song's own
TOP = 4
PLAYED = ("melody", "bass", "chords", "harmony")  # the parts a phase plays (no phase plays "pad")
#: The section roles an extra family is heard in, first free one first (the form's main role,
#: the one most of its items have, keeps the base palette).
#: Contrasting roles last: a concept's accent plays there (``color.accent_roles``).
EXTRA_ROLES = ("intro", "outro", "chorus", "prechorus", "other", "verse", "bridge", "solo")
#: The low voices that carry a bass line when the template song has no bass instrument.
LOW_VOICES = (42, 32, 43, 87, 38, 39, 19, 16, 17, 0, 1, 4, 95, 89, 92, 49, 48)


def gm_family(program: int) -> str | None:
    """A program's family by General MIDI range (voices: None), as ``benchmarks/color.py``
    hears an arrangement."""
    if program in VOICES:
        return None
    for hi, name in ((15, "keys"), (23, "organ"), (31, "guitar"), (39, "bass"), (55, "strings")):
        if program <= hi:
            return name
    for hi, name in ((63, "brass"), (79, "winds")):
        if program <= hi:
            return name
    if program <= 103:
        return "synth" if program <= 87 or program == 90 else "texture"
    return "plucked" if program <= 111 else "texture"


def _songs(ids: list[str], limit: int = 5) -> str:
    more = f" +{len(ids) - limit}" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


@cache
def catalog_shares(path: Path) -> dict[str, dict[int, float]]:
    """Per part, the share of the whole catalog's songs on which each program plays it."""
    colors = load_profile(path)["colors"]
    total = sum(len(p["songs"]) for p in colors.values())
    out: dict[str, dict[int, float]] = {}
    for p in colors.values():
        for part, cands in p["parts"].items():
            for c in cands:
                d = out.setdefault(part, {})
                d[c["program"]] = d.get(c["program"], 0.0) + c["songs"] / total
    return out


def draw(rng, cands: list[dict], used: set[int], n: int, lift: dict[int, float]) -> dict | None:
    """One program among the TOP most common, weighted by the color's share of songs with it
    times its lift (that share over the whole catalog's): what is typical of this color."""
    pool = [c for c in cands if c["program"] not in used][:TOP]
    if not pool:
        return None
    weights = [c["songs"] / n * (c["songs"] / n) / lift.get(c["program"], 1.0) for c in pool]
    return rng.choices(pool, weights=weights)[0]


def color_programs(rng, prof, sung, name, sources, path: Path = REAL_PROFILE) -> dict[str, int]:
    """One program per played part drawn from the whole color (White's palettes, fallbacks)."""
    out: dict[str, int] = {}
    shares = catalog_shares(path)
    used: set[int] = set()
    for part in PLAYED:
        cands = prof["parts"].get(part, [])
        if part == "melody":
            cands = [c for c in cands if (c["program"] in VOICES) == sung]
        pick = draw(rng, cands, used, len(prof["songs"]), shares.get(part, {}))
        if pick is None:
            continue
        out[part] = pick["program"]
        used.add(pick["program"])
        sources.append(
            (
                f"programs.{part}",
                str(pick["program"]),
                f"{name} profile: on {pick['songs']} songs ({_songs(pick['from'])}), "
                f"described as {', '.join(pick['described_as'][:3])}",
            )
        )
    return out


def lead_voice(rng, prof: dict, song: str, name: str, sources: list) -> int | None:
    """The sung lead's guide program: the palette song's, else drawn over the color's."""
    cands = prof.get("lead_voices") or []
    own = [c for c in cands if song in c["from"]]
    if own:
        pick, why = own[0], f"{name} profile: {song} {prof['songs'].get(song, '')!r}"
    elif cands:
        pick = rng.choices(cands, weights=[c["songs"] for c in cands])[0]
        why = f"{name} profile: drawn over its sung songs ({_songs(pick['from'])})"
    else:
        return None
    sources.append(("programs.melody", str(pick["program"]), f"{why}: {pick['timbre']} lead"))
    return int(pick["program"])


def _own(prof: dict, part: str, song: str, used: set[int]) -> list[dict]:
    return [
        c
        for c in prof["parts"].get(part, [])
        if song in c["from"] and c["program"] not in used and c["program"] is not None
    ]


def song_palette(
    rng, prof: dict, song: str, sung: bool, name: str, sources: list, path: Path = REAL_PROFILE
) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The parts' programs from the template song (see the module docstring), and the song's
    other programs whose family no part plays yet: ``(part that can play it, program)``."""
    shares = catalog_shares(path)
    n = len(prof["songs"])
    title = prof["songs"].get(song, "")
    out: dict[str, int] = {}
    used: set[int] = set()
    if sung and (v := lead_voice(rng, prof, song, name, sources)) is not None:
        out["melody"] = v
        used.add(v)
    has_bass = song in prof.get("families", {}).get("bass", {}).get("songs", [])
    backing = prof.get("families", {}).get("backing_voice", {}).get("songs", [])
    for part in PLAYED:
        if part in out:
            continue
        cands = _own(prof, part, song, used)
        if part == "melody":
            cands = [c for c in cands if (c["program"] in VOICES) == sung]
        if part == "bass":  # a bass instrument when the song has one
            cands = [c for c in cands if gm_family(c["program"]) == "bass"] or cands
        if part == "bass" and not has_bass:
            low = {c["program"] for p in prof["parts"].values() for c in p if song in c["from"]}
            prog = next((p for p in LOW_VOICES if p in low and p not in used), None)
            if prog is not None:
                out[part] = prog
                used.add(prog)
                sources.append(
                    (
                        f"programs.{part}",
                        str(prog),
                        f"{name} profile: {song} {title!r} has no "
                        "bass instrument; its lowest other voice plays the bass line",
                    )
                )
                continue
        if part == "harmony" and sung and not cands and song in backing:
            cands = [
                {"program": v, "songs": 1, "described_as": ["a second voice"]}
                for v in BACKING
                if v not in used
            ]
        if not cands and part != "bass":  # the template's other instruments, unheard first
            heard = {gm_family(p) for p in out.values()}
            cands = sorted(
                (
                    c
                    for p in ("chords", "pad", "melody", "harmony")
                    for c in _own(prof, p, song, used)
                    if c["program"] not in VOICES
                ),
                key=lambda c: gm_family(c["program"]) in heard,
            )[:1]
        pick = draw(rng, cands, used, n, shares.get(part, {}))
        where = f"{name} profile: {song} {title!r}"
        if pick is None:
            pool = prof["parts"].get(part, [])
            if part == "melody":
                pool = [c for c in pool if (c["program"] in VOICES) == sung]
            pick = draw(rng, pool, used, n, shares.get(part, {}))
            where = f"{name} profile: the color's songs ({song} has none for {part})"
        if pick is None:
            continue
        out[part] = pick["program"]
        used.add(pick["program"])
        described = ", ".join(pick["described_as"][:3])
        sources.append((f"programs.{part}", str(pick["program"]), f"{where}, as {described}"))
    heard = {gm_family(p) for p in out.values()}
    extra: list[tuple[str, int]] = []
    for part in ("chords", "pad", "harmony", "melody", "bass"):
        for c in _own(prof, part, song, used):
            fam = gm_family(c["program"])
            if fam is None or fam in heard:
                continue
            heard.add(fam)
            used.add(c["program"])
            extra.append(("chords" if part in ("chords", "pad") else part, c["program"]))
    return out, extra


def main_role(roles: list[str]) -> str | None:
    """The role most of the form's items have; a tie goes to the verse, then the chorus, then
    the role the form reaches first (the same answer in every process: no set order)."""
    return max(
        dict.fromkeys(roles),
        key=lambda r: (roles.count(r), r == "verse", r == "chorus"),
        default=None,
    )


def extras(
    form: tuple[str, ...], extra: list[tuple[str, int]], sung: bool, name: str, sources: list
) -> dict[str, dict[str, int]]:
    """Each extra program in one section role of the form (see the module docstring)."""
    roles = [role_of(i.rstrip("!")).name for i in form]
    main = main_role(roles)
    free = [r for r in EXTRA_ROLES if r in roles and r != main]
    out: dict[str, dict[str, int]] = {}
    for part, prog in extra:
        if part == "melody" and sung:
            part = "harmony"
        if part == "bass":
            part = "chords"
        voiced = [r for r in free if not (sung and part == "harmony") or role_of(r).sung]
        if not voiced:
            part, voiced = "chords", free
        if not voiced:
            break
        role = voiced[0]
        free.remove(role)
        out.setdefault(role, {})[part] = prog
        sources.append(
            (
                f"section_programs.{role}.{part}",
                str(prog),
                f"{name} profile: the palette song's {gm_family(prog)}, heard in the {role}",
            )
        )
    return out


def accent_program(
    prog: int, color: str, song: str = "", heard=(), path: Path = REAL_PROFILE
) -> tuple[int, str]:
    """A concept accent (``concept.yml``) in the color's own timbre, among the programs of the
    accent's GM family: the template ``song``'s own one that the song does not play yet (a
    machine concept's saw synth becomes that song's Grandmother or Prophet), else the listed
    program when the color's songs play it, else the color's own one; among several, the one
    nearest the listed program (GM orders a family by character: clean, overdriven, distortion
    guitar), so the accent keeps its sense. The listed program when the color has none of its
    family (White, Blue's synths) or it is a voice. Returns ``(program, why)``, ``why`` empty
    when unchanged."""
    fam = gm_family(prog)
    prof = load_profile(path)["colors"].get(color) if color else None
    if prof is None or fam is None:
        return prog, ""
    seen: dict[int, tuple[bool, int]] = {}
    for cands in prof["parts"].values():
        for c in cands:
            p = c["program"]
            if p is not None and p not in VOICES and gm_family(p) == fam:
                seen[p] = max(seen.get(p, (False, 0)), (song in c["from"], c["songs"]))
    own = [p for p, (mine, _) in seen.items() if mine and p not in heard]
    if prog in own or (not own and (prog in seen or not seen)):
        return prog, ""
    pool = own or [p for p in seen if p not in heard] or list(seen)
    best = min(pool, key=lambda p: (abs(p - prog), -seen[p][1], p))
    if own:
        return best, f"{song}'s own {fam}"
    return best, f"{color}'s own {fam} (on {seen[best][1]} of its songs)"


@cache
def family_shares(path: Path) -> dict[str, float]:
    """Per instrument family (``instruments.yml``), the share of the whole catalog's songs."""
    colors = load_profile(path)["colors"]
    total = sum(len(p["songs"]) for p in colors.values())
    out: dict[str, float] = {}
    for p in colors.values():
        for fam, v in p.get("families", {}).items():
            out[fam] = out.get(fam, 0.0) + len(v["songs"]) / total
    return out


def typicality(prof: dict, song: str, path: Path = REAL_PROFILE) -> float:
    """How much a song's instrument families say its color: the product over the families of
    the color's share over the catalog's (a family it lacks: the shares of songs without it),
    smoothed by one song each way (a naive-Bayes likelihood ratio)."""
    n = len(prof["songs"])
    ratio = 1.0
    for fam, everywhere in family_shares(path).items():
        songs = prof.get("families", {}).get(fam, {}).get("songs", [])
        here = (len(songs) + 0.5) / (n + 1)
        every = min(max(everywhere, 0.01), 0.99)
        ratio *= here / every if song in songs else (1 - here) / (1 - every)
    return ratio


def palette_song(
    rng, prof: dict, form_song: str, sung: bool, name: str, sources: list, path=REAL_PROFILE
) -> str:
    """The song whose instruments the composed song plays: another of the color's songs than
    the form's template (sung like the composed song when one is), so no composed song copies
    one catalog song's form and palette together, drawn in proportion to its ``typicality``
    (the songs whose families say the color most are heard most); the form's own song when it
    is the color's only one."""
    sung_songs = set(prof.get("vocals", {}).get("songs", []))
    others = [s for s in sorted(prof["songs"]) if s != form_song]
    alike = [s for s in others if (s in sung_songs) == sung] or others
    if not alike:
        return form_song
    weights = [typicality(prof, s, path) for s in alike]
    pick = rng.choices(alike, weights=weights)[0]
    title = prof["songs"].get(pick, "")
    share = weights[alike.index(pick)] / sum(weights)
    why = f"{name} profile: the palette of {pick} {title!r} ({share:.0%} of the draw: its families)"
    sources.append(("palette", pick, why))
    return pick
