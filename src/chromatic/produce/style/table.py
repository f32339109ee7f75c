"""The style table (``styles.yml`` beside this module): loaded, validated and resolved for one
proposal.

``style_for(proposal)`` picks the genre family from the proposal's genres (the drum phase's
whole-word rules, ``style.genres.family_fit``), applies every mood word the table knows, picks
the melody's subdivision by tempo, and returns a frozen :class:`Style` whose ``reasons`` say, in
words, why each choice was made (compose prints them, the plan records them). A production
folder may hold its own ``style.yml`` with the same shape as one family entry (any subset of
keys); its values win, so an artist can change the piano to a guitar for one song without
touching the package.

``content_seed(seed, proposal)`` mixes the user's seed with the proposal's musical content, so
two proposals never give the same song under one seed, and one proposal always gives the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chromatic.errors import ProduceError
from chromatic.music.gm import PROGRAMS
from chromatic.paths import within
from chromatic.produce.style.color import (
    accent_part,
    accent_roles,
    color_choice,
    concept_effects,
)
from chromatic.produce.style.feel import RATES, MoodSum, add_color_feel, proposal_moods, words_of
from chromatic.produce.style.genres import family_fit
from chromatic.produce.style.palette import accent_program, gm_family
from chromatic.produce.style.profile import REAL_PROFILE as PROFILE
from chromatic.yamlio import read_yaml

TABLE = Path(__file__).with_name("styles.yml")
FOLDER_STYLE = "style.yml"
ROLES = ("chords", "bass", "melody", "harmony", "pad", "drums")
GENERIC_BASS = 33  # instruments.yml's program for a track described only as "bass"
MODES = ("dorian", "mixolydian", "lydian", "phrygian", "aeolian", "ionian")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _program(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected a GM program name or 0-127, got {value!r}")
    if isinstance(value, int) and 0 <= value <= 127:
        return value
    if isinstance(value, str) and value in PROGRAMS:
        return PROGRAMS[value]
    raise ValueError(
        f"expected a GM program 0-127 or one of {', '.join(sorted(PROGRAMS))}, got {value!r}"
    )


class Harmony(_Strict):
    progressions: dict[Literal["major", "minor"], list[list[str]]]
    progression_rate: float = Field(ge=0, le=1)
    sevenths: float = Field(ge=0, le=1)
    sus: float = Field(ge=0, le=1)
    add9: float = Field(ge=0, le=1)
    borrowed: float = Field(ge=0, le=1)
    secondary: float = Field(ge=0, le=1)
    mode: Literal["dorian", "mixolydian", "lydian", "phrygian"] | None = None


class Feel(_Strict):
    swing: float = Field(ge=0, le=0.75)


class Humanize(_Strict):
    timing_ms: float = Field(ge=0, le=40)
    velocity: float = Field(ge=0, le=30)


class Channel(_Strict):
    volume: int = Field(ge=0, le=127)
    pan: int = Field(ge=0, le=127)


class Ending(_Strict):
    cadence: Literal["authentic", "plagal", "modal"]
    kind: Literal["final_hit", "ritardando", "fade"]


class Variation(_Strict):
    fills: bool
    dropout: bool
    lift: bool
    key_change: float = Field(ge=0, le=1)
    descant: bool = False  # the backing vocals sing above the lead (a descant), not under it


class Family(_Strict):
    form: str
    seconds: float = Field(ge=30, le=1200)
    phrase_bars: int = Field(ge=1, le=16)
    programs: dict[str, int]
    section_programs: dict[str, dict[str, int]] = {}
    harmony: Harmony
    feel: Feel
    density: float = Field(ge=0, le=1)
    melody_shift: int = Field(ge=-12, le=12)
    humanize: Humanize
    mix: dict[str, Channel]
    ending: Ending
    variation: Variation

    @field_validator("programs", mode="before")
    @classmethod
    def _programs(cls, v: Any) -> Any:
        return {k: _program(p) for k, p in v.items()} if isinstance(v, dict) else v

    @field_validator("section_programs", mode="before")
    @classmethod
    def _section_programs(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {
            s: ({k: _program(p) for k, p in m.items()} if isinstance(m, dict) else m)
            for s, m in v.items()
        }


class Mood(_Strict):
    words: list[str]
    density: float = 0.0
    melody_shift: int = 0
    humanize_ms: float = 0.0
    sevenths: float = 0.0
    sus: float = 0.0
    add9: float = 0.0
    borrowed: float = 0.0
    secondary: float = 0.0


class TempoRule(_Strict):
    below: float
    subdivision: Literal[4, 8, 16]


class Table(_Strict):
    schema_version: Literal[1]
    forms: dict[str, list[str]]
    families: dict[str, Family]
    moods: dict[str, Mood]
    tempo: list[TempoRule]


def _error(e: ValidationError, path: Path) -> ProduceError:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return ProduceError(f"{err['msg']}, got {err.get('input')!r}", path=path, field=where)


@cache
def load_table(path: Path = TABLE) -> Table:
    """The validated style table; a bad value is one error naming the file and the field."""
    data = read_yaml(path, ProduceError)
    try:
        table = Table.model_validate(data)
    except ValidationError as e:
        raise _error(e, path) from None
    for name, fam in table.families.items():
        if fam.form not in table.forms:
            raise ProduceError(
                f"expected one of the forms {', '.join(table.forms)}, got {fam.form!r}",
                path=path,
                field=f"families.{name}.form",
            )
    if "default" not in table.families:
        raise ProduceError("expected a 'default' family", path=path, field="families")
    return table


@dataclass(frozen=True)
class Style:
    """One proposal's style: the family's values after moods, tempo and a folder's overrides."""

    family: str
    form: tuple[str, ...]
    form_name: str
    seconds: float
    phrase_bars: int
    programs: dict[str, int]
    section_programs: dict[str, dict[str, int]]
    harmony: Harmony
    swing: float
    subdivision: int
    density: float
    melody_shift: int
    humanize: Humanize
    mix: dict[str, Channel]
    ending: Ending
    variation: Variation
    moods: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    color: str = ""  # the color whose profile chose (color.py), "" when none did
    sung: bool | None = None  # the color rule's decision; None: the proposal's labels decide
    drums: bool = True  # the color rule's draw: False leaves the drum part out of the song
    sources: tuple[tuple[str, str, str], ...] = ()  # (choice, value, where it came from)

    def program(self, role: str, section_role: str | None = None) -> int:
        """The GM program of a part, for one section role where the table says so."""
        by_section = self.section_programs.get(section_role or "", {})
        return by_section.get(role, self.programs.get(role, self.programs.get("chords", 0)))

    def to_dict(self) -> dict:
        """What the plan records under ``style:`` (plain values, stable order)."""
        return {
            "family": self.family,
            "form": self.form_name,
            "moods": list(self.moods),
            "harmony": {k: getattr(self.harmony, k) for k in ("progression_rate", *RATES, "mode")},
            "swing": self.swing,
            "subdivision": self.subdivision,
            "density": round(self.density, 3),
            "melody_shift": self.melody_shift,
            "ending": {"cadence": self.ending.cadence, "kind": self.ending.kind},
            "color": self.color,
            "sung": self.sung,
            "drums": self.drums,
            "reasons": list(self.reasons),
        }


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def style_for(
    proposal,
    folder: str | os.PathLike | None = None,
    table: Table | None = None,
    profile: Path | None = PROFILE,
) -> Style:
    """The style of one proposal (see the module docstring); ``profile=None`` leaves the color
    out (the genre family alone, as before color profiles)."""
    table = table or load_table()
    fit = family_fit(tuple(proposal.genres))
    family = fit.main if fit.matched and fit.main in table.families else "default"
    fam = table.families[family]
    reasons = [
        f"genres {list(proposal.genres)} -> family {family}"
        if fit.matched
        else f"no genre word recognized in {list(proposal.genres)}: the default style"
    ]
    data = fam.model_dump()
    choice = color_choice(proposal, profile) if profile is not None else None
    sources: list[tuple[str, str, str]] = [
        ("family", family, "proposal: genres" if fit.matched else "default")
    ]
    if choice is not None:
        genre_bass = data["programs"].get("bass")
        data["programs"] = {**data["programs"], **choice.programs}
        sources += choice.sources
        if (
            choice.programs.get("bass") == GENERIC_BASS != genre_bass
            and gm_family(genre_bass or 0) == "bass"
        ):
            data["programs"]["bass"] = genre_bass  # a plain "bass": the genre's variant of it
            sources.append(("programs.bass", str(genre_bass), f"family {family}: its bass"))
        data["section_programs"] = choice.section_programs
        data["seconds"] = round(choice.seconds, 1)
        data["density"] = data["density"] * choice.density_scale
        reasons.append(f"color {choice.color}: instruments, form and length from its profile")
        fam = Family.model_validate(data)
    override: dict = {}
    if folder is not None and within(folder, FOLDER_STYLE).is_file():  # a link is refused
        path = within(folder, FOLDER_STYLE)
        override = read_yaml(path, ProduceError)
        if not isinstance(override, dict):
            raise ProduceError("expected a mapping like one family of styles.yml", path=path)
        override = dict(override)
        kit = override.pop("drums", None)  # `drums: true|false`: the human's word on the kit
        if kit is not None and not isinstance(kit, bool):
            raise ProduceError(f"expected true or false, got {kit!r}", path=path, field="drums")
        data = _deep_merge(data, override)
        if kit is not None:
            override["drums"] = kit
        try:
            fam = Family.model_validate(data)
        except ValidationError as e:
            raise _error(e, path) from None
        reasons.append(f"{FOLDER_STYLE} in the folder overrides {sorted(override)}")
        sources += [(k, "", FOLDER_STYLE) for k in sorted(override)]
    form, form_name = tuple(table.forms[fam.form]), fam.form
    if choice is not None and "form" not in override:
        form, form_name = choice.form, f"{choice.color.lower()}_profile"
    feel = MoodSum(fam.density, fam.melody_shift, fam.humanize.timing_ms, {})
    feel.rates = {k: getattr(fam.harmony, k) for k in RATES}
    proposal_moods(feel, words_of(tuple(proposal.mood) + tuple(proposal.genres)), table.moods)
    add_color_feel(feel, choice.color if choice else "", table.moods, profile)
    density, rates, moods = feel.density, feel.rates, feel.moods
    reasons += feel.reasons
    sources += feel.sources
    programs = dict(fam.programs)
    section_programs = {k: dict(v) for k, v in fam.section_programs.items()}
    mode = fam.harmony.mode
    form_src = next((s for c, _, s in sources if c == "form"), "")
    template = m.group(1) if (m := re.match(r"\w+ profile: the form of (\S+)", form_src)) else ""
    for eff in concept_effects(proposal.concept or ""):
        density += eff.density
        words = ", ".join(eff.words)
        sources.append(("density", f"{eff.density:+.2f}", f"concept {eff.rule}: {words}"))
        if eff.mode and (mode is None or len(eff.words) >= 2) and "harmony" not in override:
            mode = eff.mode
            sources.append(("harmony.mode", eff.mode, f"concept {eff.rule}: {words}"))
        accented = accent_roles(form)
        for part, prog in eff.accent.items():
            part = accent_part(form, part)
            if part in override.get("programs", {}):
                continue
            prog, own = accent_program(
                prog,
                choice.color if choice else "",
                template,
                set(programs.values()),
                profile or PROFILE,
            )
            for role in accented:
                section_programs[role] = {**programs, **section_programs.get(role, {}), part: prog}
            where = f"section_programs.{'/'.join(accented)}.{part}"
            why = f"concept {eff.rule}: {words}" + (f", in {own}" if own else "")
            sources.append((where, str(prog), why))
        reasons.append(f"concept {words} -> {eff.rule}")
    subdivision = next((r.subdivision for r in table.tempo if proposal.bpm < r.below), 8)
    reasons.append(f"{proposal.bpm:g} bpm -> melody on a 1/{subdivision} grid at the finest")
    rates = {k: round(_clamp(v), 3) for k, v in rates.items()}
    harmony = fam.harmony.model_copy(update={**rates, "mode": mode})
    return Style(
        family=family,
        form=form,
        form_name=form_name,
        seconds=fam.seconds,
        phrase_bars=fam.phrase_bars,
        programs=programs,
        section_programs=section_programs,
        harmony=harmony,
        swing=fam.feel.swing,
        subdivision=subdivision,
        density=_clamp(density),
        melody_shift=max(-12, min(12, round(feel.shift))),
        humanize=Humanize(timing_ms=max(0.0, feel.humanize_ms), velocity=fam.humanize.velocity),
        mix=dict(fam.mix),
        ending=fam.ending,
        variation=fam.variation,
        moods=tuple(moods),
        reasons=tuple(reasons),
        color=choice.color if choice else "",
        sung=choice.sung if choice else None,
        drums=override.get("drums", choice.drums if choice else True),
        sources=tuple(sources),
    )


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = (
            _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
        )
    return out


def content_seed(seed: int, proposal) -> int:
    """The user's seed mixed with what the proposal says musically (title, key, tempo, meter,
    color, concept, mood, genres, lyrics): a 32-bit seed, stable across runs and machines."""
    content = {
        k: proposal.to_dict().get(k)
        for k in ("title", "key", "bpm", "time_signature", "color", "concept", "mood", "genres")
    }
    content["lyrics"] = getattr(proposal, "lyrics", None)
    digest = hashlib.sha256(
        json.dumps([int(seed), content], sort_keys=True, ensure_ascii=False).encode()
    ).digest()
    return int.from_bytes(digest[:4], "big")
