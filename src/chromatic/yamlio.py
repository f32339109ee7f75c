"""YAML that humans edit: ruamel.yaml round-trip, one configuration, atomic writes.

Reading and writing with the same settings means a file we wrote, edited by hand and written
again keeps its comments, key order and quoting; only the values we change move.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from chromatic.fileio import write_text_atomic


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 4096  # never fold long concept text or notes
    y.indent(mapping=2, sequence=4, offset=2)
    y.preserve_quotes = True
    # write null as "null" (an empty value reads as a mistake to someone editing by hand)
    y.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return y


def dump_yaml(data: object) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def load_rt(path: str | os.PathLike, error: type[Exception]) -> object:
    """Round-trip load (comments kept); a parse error becomes ``error`` naming the file."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            return _yaml().load(f)
    except FileNotFoundError:
        raise error("file not found", path=path) from None
    except YAMLError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise error(f"invalid YAML: {first}", path=path) from None


def load_plain(path: str | os.PathLike) -> dict:
    from chromatic.errors import ProduceError

    data = load_rt(path, ProduceError)
    return dict(data) if isinstance(data, dict) else {}


def save_yaml(path: str | os.PathLike, data: object) -> str:
    """Write ``data`` atomically; returns the text written."""
    text = dump_yaml(data)
    write_text_atomic(path, text)
    return text


def flow(items: list) -> object:
    """A list written on one line ([a, b, c]): progressions and voicings read better that way."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
