"""LRC lyric files: header tags, then timestamped lines.

Two forms occur in the catalog: a ``[MM:SS.mmm]`` timestamp on its own line with the lyric on
the next line (the user's habit), and the standard inline ``[MM:SS.mmm]text``. Both parse to
the same ``LrcLine`` records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from chromatic.catalog.timecode import parse_timestamp
from chromatic.errors import LrcError
from chromatic.fileio import read_regular

_TAG_RE = re.compile(r"^\s*\[(ti|ar|al|by|offset|length|re|ve|au)\s*:(.*)\]\s*$", re.IGNORECASE)
_STAMP_RE = re.compile(r"^\s*\[(\d{1,3}:\d{1,2}(?:\.\d{1,3})?)\s*\](.*)$")

LONG_GAP_SECONDS = 30.0


@dataclass(frozen=True)
class LrcLine:
    time: float
    text: str
    line_no: int


@dataclass
class Lrc:
    path: str
    tags: dict[str, str] = field(default_factory=dict)
    lines: list[LrcLine] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        return self.tags.get("ti")

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines if line.text)

    def problems(self) -> list[tuple[str, str, str]]:
        """(severity, field, message) for lines out of order, empty lyrics and long gaps."""
        out = []
        for a, b in zip(self.lines, self.lines[1:], strict=False):
            if b.time < a.time:
                out.append(
                    (
                        "error",
                        f"line {b.line_no}",
                        f"timestamp {b.time:.3f}s is before the previous line's {a.time:.3f}s; expected increasing times",
                    )
                )
            elif b.time - a.time > LONG_GAP_SECONDS:
                out.append(
                    (
                        "warning",
                        f"line {b.line_no}",
                        f"{b.time - a.time:.1f}s gap since line {a.line_no}; expected at most {LONG_GAP_SECONDS:.0f}s between lyric lines",
                    )
                )
        for line in self.lines:
            if not line.text:
                out.append(("warning", f"line {line.line_no}", "timestamp without lyric text"))
        return out


# A song's LRC holds tens to a few hundred lines; far more is not lyrics (and would segment a
# song into thousands of slivers).
MAX_LRC_LINES = 5000
MAX_LRC_BYTES = 2 * 1024 * 1024


def parse_lrc(text: str, *, path: str = "<lrc>") -> Lrc:
    lrc = Lrc(path=path)
    n_lines = text.count("\n") + 1
    if n_lines > MAX_LRC_LINES:
        raise LrcError(
            f"expected at most {MAX_LRC_LINES} lines of lyrics, got {n_lines}", path=path
        )
    pending: tuple[float, int] | None = None  # a timestamp waiting for its lyric line
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        tag = _TAG_RE.match(line)
        if tag:
            lrc.tags[tag.group(1).lower()] = tag.group(2).strip()
            continue
        stamp = _STAMP_RE.match(line)
        if stamp:
            if pending is not None:
                lrc.lines.append(LrcLine(pending[0], "", pending[1]))
                pending = None
            try:
                t = parse_timestamp(stamp.group(1))
            except ValueError as e:
                raise LrcError(str(e), path=path, field=f"line {no}") from None
            rest = stamp.group(2).strip()
            # several stamps on one line ("[00:01.00][00:30.00]chorus") share the text
            extra = []
            while (m := _STAMP_RE.match(rest)) is not None:
                extra.append(parse_timestamp(m.group(1)))
                rest = m.group(2).strip()
            if rest:
                for tt in (t, *extra):
                    lrc.lines.append(LrcLine(tt, rest, no))
            else:
                pending = (t, no)
            continue
        if pending is not None:
            lrc.lines.append(LrcLine(pending[0], line, pending[1]))
            pending = None
        elif lrc.lines:
            # a lyric that wraps onto a second line belongs to the previous stamp
            prev = lrc.lines[-1]
            lrc.lines[-1] = LrcLine(prev.time, f"{prev.text} {line}".strip(), prev.line_no)
        else:
            raise LrcError(
                "lyric text before any timestamp; expected '[MM:SS.mmm]' first",
                path=path,
                field=f"line {no}",
            )
    if pending is not None:
        lrc.lines.append(LrcLine(pending[0], "", pending[1]))
    return lrc


def load_lrc(path: str | Path) -> Lrc:
    path = Path(path)
    try:
        if path.is_dir():
            raise LrcError("expected a file, found a folder", path=path)
        text = read_regular(path, MAX_LRC_BYTES, LrcError).decode("utf-8-sig")
    except FileNotFoundError:
        raise LrcError("file not found", path=path) from None
    except UnicodeDecodeError as e:
        raise LrcError(f"not UTF-8 text ({e.reason} at byte {e.start})", path=path) from None
    return parse_lrc(text, path=str(path))
