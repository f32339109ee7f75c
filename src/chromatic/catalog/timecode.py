"""The catalog's ``[MM:SS.mmm]`` timestamps (also ``[M:SS.mmm]``, centiseconds, stray spaces)."""

from __future__ import annotations

import re

_TS_RE = re.compile(r"^\s*(\[?)\s*(\d{1,3}):(\d{1,2})(?:\.(\d{1,3}))?\s*(\]?)\s*$")


def parse_timestamp(value: object) -> float:
    """Seconds from '[01:23.456]'; raises ValueError with what was expected."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a timestamp like '[01:23.456]', got {value!r}")
    m = _TS_RE.match(value)
    if not m or bool(m.group(1)) != bool(m.group(5)):
        raise ValueError(f"expected a timestamp like '[01:23.456]', got {value!r}")
    minutes, seconds, frac = int(m.group(2)), int(m.group(3)), m.group(4) or "0"
    if seconds >= 60:
        raise ValueError(f"expected seconds below 60 in timestamp {value!r}")
    return minutes * 60 + seconds + int(frac) / (10 ** len(frac))


def format_timestamp(seconds: float) -> str:
    """'[MM:SS.mmm]' for a number of seconds (rounded to the millisecond)."""
    ms = round(max(seconds, 0.0) * 1000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"[{minutes:02d}:{secs:02d}.{ms:03d}]"
