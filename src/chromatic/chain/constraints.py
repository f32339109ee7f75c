"""``negative_constraints.yml``: the feedback figures and rules, with a hand-edited ``manual:``.

Everything in the file is regenerated on every run except the ``manual:`` section, which belongs
to the user: a watch list of phrases to count besides those mined from the corpus, and
``avoid`` / ``allow`` lists that force an item onto or off the rules whatever the counts say.
The file is read and written with ruamel.yaml round-trip, so the ``manual:`` section comes back
with its order, quoting and comments (comments *inside* it; the rest of the file is generated).
Writes are atomic, and skipped when the bytes would not change.

The Markdown rendering is the block injected into the concept agent's prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from chromatic.chain.feedback import (
    Diversity,
    Rules,
    Thresholds,
    analyze,
    computed_rules,
    load_summaries,
)
from chromatic.errors import ChainError, MusicError
from chromatic.music.key import Key
from chromatic.yamlio import Style, dump_yaml, loads_rt

SCHEMA_VERSION = 1
DEFAULT_NAME = "negative_constraints.yml"
CATEGORIES = ("keys", "bpm", "phrases", "title_words", "titles")

_HEADER = """\
Negative constraints for the concept agent, written by `chromatic chain feedback`.
Everything except `manual:` is regenerated on every run. Edit `manual:` by hand: it is kept,
comments inside it included."""

_MANUAL_TEMPLATE = """\
manual:
  # phrases to count in every run besides those found in the corpus
  watch_phrases: []
  # always avoided, whatever the counts say (keys, bpm ranges like 60-70, phrases, title_words, titles)
  avoid:
    keys: []
    bpm: []
    phrases: []
    title_words: []
    titles: []
  # never avoided, whatever the counts say
  allow:
    keys: []
    bpm: []
    phrases: []
    title_words: []
    titles: []
"""


@dataclass
class Manual:
    watch_phrases: list[str] = field(default_factory=list)
    avoid: dict[str, list[str]] = field(default_factory=dict)
    allow: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FeedbackResult:
    path: Path
    changed: bool
    diversity: Diversity
    rules: Rules
    markdown: str
    markdown_path: Path | None = None


#: negative_constraints.yml's layout since its first release (lists flush with their key, folded
#: at 100 columns, empty values left empty): kept so a rerun over an old file moves nothing.
STYLE = Style(width=100, sequence=2, offset=0, preserve_quotes=False, null_word=False)


def _strings(value: object, path: Path, field_name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        raise ChainError(f"expected a list of strings, got {value!r}", path=path, field=field_name)
    return [str(v).strip() for v in value if str(v).strip()]


def parse_manual(node: object, path: Path) -> Manual:
    """Validate the user's ``manual:`` section (keys and BPM ranges must parse)."""
    if node is None:
        return Manual()
    if not isinstance(node, Mapping):
        raise ChainError(
            f"expected a mapping, got {type(node).__name__}", path=path, field="manual"
        )
    manual = Manual(watch_phrases=_strings(node.get("watch_phrases"), path, "manual.watch_phrases"))
    for side in ("avoid", "allow"):
        section = node.get(side) or {}
        if not isinstance(section, Mapping):
            raise ChainError(
                f"expected a mapping of {', '.join(CATEGORIES)}", path=path, field=f"manual.{side}"
            )
        items: dict[str, list[str]] = {}
        for category, value in section.items():
            where = f"manual.{side}.{category}"
            if category not in CATEGORIES:
                raise ChainError(
                    f"unknown list; expected one of {', '.join(CATEGORIES)}", path=path, field=where
                )
            values = _strings(value, path, where)
            if category == "keys":
                values = [_key(v, path, where) for v in values]
            elif category == "bpm":
                values = [_bpm_range(v, path, where) for v in values]
            items[category] = values
        setattr(manual, side, items)
    return manual


def _key(text: str, path: Path, where: str) -> str:
    try:
        return str(Key.parse(text))
    except MusicError:
        raise ChainError(
            f"expected a key like 'F# minor', got {text!r}", path=path, field=where
        ) from None


def _bpm_range(text: str, path: Path, where: str) -> str:
    parts = [p.strip() for p in text.split("-")]
    try:
        low, high = (float(parts[0]), float(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        low = high = None
    if low is None or high is None or low > high:
        raise ChainError(
            f"expected a BPM or a range like '60-70', got {text!r}", path=path, field=where
        )
    return "-".join(str(int(x) if x.is_integer() else x) for x in (low, high))


# which rule lists a manual category adds to (the first) and removes from (all)
_RULE_LISTS = {
    "keys": ("avoid_keys", "exclude_keys"),
    "bpm": ("avoid_bpm",),
    "phrases": ("avoid_phrases",),
    "title_words": ("avoid_title_words", "avoid_title_openings"),
    "titles": ("exclude_titles",),
}


def _ident(category: str, value: str) -> object:
    """What makes two items the same: the key itself for keys (F# major is Gb major), the text
    regardless of case otherwise."""
    if category == "keys":
        try:
            key = Key.parse(value)
            return key.pc, key.mode
        except MusicError:
            pass
    return value.casefold()


def apply_manual(rules: Rules, manual: Manual) -> Rules:
    """Computed rules plus forced items, minus allowed ones (allow wins)."""
    out = Rules(**{f.name: list(getattr(rules, f.name)) for f in fields(Rules)})
    for category, names in _RULE_LISTS.items():
        have = {_ident(category, v) for name in names for v in getattr(out, name)}
        target = getattr(out, names[0])
        for v in manual.avoid.get(category, []):
            if _ident(category, v) not in have:
                target.append(v)
                have.add(_ident(category, v))
        allowed = {_ident(category, v) for v in manual.allow.get(category, [])}
        for name in names:
            setattr(
                out, name, [v for v in getattr(out, name) if _ident(category, v) not in allowed]
            )
    return out


def _num(x: float | None, digits: int = 3):
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(float(x), digits)


def _counts(items) -> list[dict]:
    return [{"text": p.text, "threads": p.count, "share": _num(p.share)} for p in items]


def computed_sections(d: Diversity, rules: Rules) -> dict:
    t: Thresholds = d.thresholds
    return {
        "thread_count": d.thread_count,
        "thresholds": {
            "avoid_share": t.avoid_share,
            "exclude_share": t.exclude_share,
            "bpm_window": t.bpm_window,
            "min_entropy_bits": t.min_entropy_bits,
            "min_bpm_std": t.min_bpm_std,
            "min_count": t.min_count,
        },
        "keys": {
            "counts": dict(d.key_counts),
            "unparsed": d.keys_unparsed,
            "entropy_bits": _num(d.key_entropy_bits, 4),
        },
        "bpm": {
            "distribution": {_num(k): v for k, v in d.bpm_counts.items()},
            "mean": _num(d.bpm_mean),
            "std": _num(d.bpm_std),
            "clusters": [
                {
                    "low": _num(c.low),
                    "high": _num(c.high),
                    "threads": c.count,
                    "share": _num(c.share),
                }
                for c in d.bpm_clusters
            ],
        },
        "phrases": {"overused": _counts(d.phrases), "watched": _counts(d.watched_phrases)},
        "title_words": {"overused": _counts(d.title_words), "openings": _counts(d.title_openings)},
        "rules": {
            "exclude": {"keys": rules.exclude_keys, "titles": rules.exclude_titles},
            "avoid": {
                "keys": rules.avoid_keys,
                "bpm": rules.avoid_bpm,
                "phrases": rules.avoid_phrases,
                "title_words": rules.avoid_title_words,
                "title_openings": rules.avoid_title_openings,
            },
        },
        "warnings": list(d.warnings),
    }


def render_markdown(d: Diversity, rules: Rules) -> str:
    """The block for the concept agent's prompt: rules first, figures after."""
    lines = [f"## Negative constraints (from {d.thread_count} earlier threads)", ""]
    lines.append("Earlier songs crowd together; the next proposal must move away from them.")
    lines.append("")

    def item(label: str, values: list[str], quote: bool = False) -> None:
        if values:
            shown = ", ".join(f'"{v}"' if quote else v for v in values)
            lines.append(f"- **{label}:** {shown}")

    item("Do not use these keys", rules.exclude_keys)
    item("Avoid these keys", rules.avoid_keys)
    item("Avoid these tempos (BPM)", rules.avoid_bpm)
    item("Avoid these phrases in the concept", rules.avoid_phrases, quote=True)
    item("Avoid these words in the title", rules.avoid_title_words)
    item(
        "Do not start the title with",
        [w.capitalize() for w in rules.avoid_title_openings],
        quote=True,
    )
    item("Do not reuse these titles", rules.exclude_titles, quote=True)
    lines.append("")
    keys = ", ".join(f"{k} {n}" for k, n in d.key_counts.items()) or "none"
    lines.append(f"Keys so far: {keys} (entropy {d.key_entropy_bits:.2f} bits).")
    if d.bpm_mean is not None:
        lines.append(f"Tempo so far: mean {d.bpm_mean:.1f} BPM, std {d.bpm_std:.2f}.")
    for w in d.warnings:
        lines.append(f"> Warning: {w}")
    return "\n".join(lines).rstrip() + "\n"


def build_document(
    existing_text: str | None, path: Path, compute: Callable[[list[str]], Diversity]
) -> tuple[str, Diversity, Rules]:
    """The new file text: the old ``manual:`` node (comments and all) plus fresh sections.
    ``compute(watch_phrases)`` computes the figures once the watch list is known."""
    from ruamel.yaml.comments import CommentedMap

    old = None
    if existing_text is not None:
        old = loads_rt(existing_text, ChainError, path=path, style=STYLE)
        if old is not None and not isinstance(old, Mapping):
            raise ChainError("expected a mapping", path=path)
        version = old.get("schema_version") if old is not None else None
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise ChainError(
                f"written by a newer chromatic (schema {version}, this one reads {SCHEMA_VERSION})",
                path=path,
                field="schema_version",
            )
    node = old.get("manual") if old is not None and "manual" in old else None
    if node is None:
        node = loads_rt(_MANUAL_TEMPLATE, ChainError, style=STYLE)["manual"]
    manual = parse_manual(node, path)
    diversity = compute(manual.watch_phrases)
    rules = apply_manual(computed_rules(diversity), manual)
    doc = CommentedMap()
    doc["schema_version"] = SCHEMA_VERSION
    doc["manual"] = node
    if old is not None and "manual" in old.ca.items:
        doc.ca.items["manual"] = old.ca.items["manual"]
    doc.update(computed_sections(diversity, rules))
    doc.yaml_set_start_comment(_HEADER)
    return dump_yaml(doc, STYLE), diversity, rules


def write_feedback(
    folder: str | Path,
    out: str | Path | None = None,
    *,
    markdown: bool = False,
    thresholds: Thresholds | None = None,
) -> FeedbackResult:
    """Compute the feedback over a shrinkwrapped folder and write ``negative_constraints.yml``
    (default: inside ``folder``), and with ``markdown`` its Markdown rendering beside it."""
    from chromatic.fileio import write_text_atomic

    folder = Path(folder)
    path = Path(out) if out is not None else folder / DEFAULT_NAME
    summaries = load_summaries(folder)
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = None
    except OSError as e:
        raise ChainError(f"cannot read: {e.strerror}", path=path) from None
    text, diversity, rules = build_document(
        existing, path, lambda watch: analyze(summaries, watch_phrases=watch, thresholds=thresholds)
    )
    changed = text != existing
    if changed:
        write_text_atomic(path, text)
    md = render_markdown(diversity, rules)
    md_path = None
    if markdown:
        md_path = path.with_suffix(".md")
        if not md_path.exists() or md_path.read_text(encoding="utf-8") != md:
            write_text_atomic(md_path, md)
    return FeedbackResult(path, changed, diversity, rules, md, md_path)
