"""YAML, one module: fast bounded reads of machine and agent files, and ruamel.yaml round-trip
for the files humans edit (one configuration, atomic writes).

Reading and writing with the same settings means a file we wrote, edited by hand and written
again keeps its comments, key order and quoting; only the values we change move.

Every read is bounded: a file over ``MAX_YAML_BYTES``, a document whose aliases would expand to
more than ``MAX_YAML_NODES`` nodes (an "alias bomb"), a recursive alias, a duplicate key, bytes
that are not UTF-8 and a folder where a file belongs are each one error naming the file (and the
line), never a hang, a MemoryError or a silent "last key wins".
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml as _pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from chromatic.fileio import read_regular
from chromatic.yamlemit import as_read as plain_of
from chromatic.yamlemit import emit

_YAML11_ONLY = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_YAML12_RULES = (  # YAML 1.2's core booleans; PyYAML's numbers without the base-60 forms
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (
        "tag:yaml.org,2002:int",
        re.compile(
            r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""",
            re.X,
        ),
        "-+0123456789",
    ),
    (
        "tag:yaml.org,2002:float",
        re.compile(
            r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
            |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$""",
            re.X,
        ),
        "-+0123456789.",
    ),
)

try:  # the C loader parses the agent's long files several times faster
    _CLoader = _pyyaml.CSafeLoader
    _FastDumper = _pyyaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _CLoader = _pyyaml.SafeLoader
    _FastDumper = _pyyaml.SafeDumper


class _FastLoader(_CLoader):  # type: ignore[valid-type,misc]
    """PyYAML's C loader read as YAML 1.2 reads scalars, as ruamel (which writes the files)
    does: ``yes``/``no``/``on``/``off`` are words, not booleans, and ``12:30`` is text, not a
    base-60 number. Without this a label or note a human typed as ``yes`` or ``12:30``, which
    ruamel writes unquoted, would come back as ``True`` or ``750``."""


_FastLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in rules if tag not in _YAML11_ONLY]
    for first, rules in _CLoader.yaml_implicit_resolvers.items()
}
for _tag, _rx, _firsts in _YAML12_RULES:
    _FastLoader.add_implicit_resolver(_tag, _rx, list(_firsts))

MAX_YAML_BYTES = 8 * 1024 * 1024
MAX_YAML_NODES = 500_000


def read_yaml(
    path: str | os.PathLike,
    error: type[Exception],
    *,
    max_bytes: int = MAX_YAML_BYTES,
    max_nodes: int = MAX_YAML_NODES,
) -> object:
    """Parse a YAML file into plain Python values (safe: no tags executed), within the bounds
    above; any failure is ``error`` naming the file."""
    raw = read_bounded(path, error, max_bytes=max_bytes)
    return parse_yaml(raw, error, path=path, max_nodes=max_nodes)


def dump_plain(data: object, *, width: int = 80) -> str:
    """Plain values as block YAML in key order (PyYAML's C emitter): machine-written files
    that nobody edits in place (shrinkwrap output, trimmed example manifests)."""
    return _pyyaml.dump(data, Dumper=_FastDumper, sort_keys=False, allow_unicode=True, width=width)


def read_bounded(
    path: str | os.PathLike, error: type[Exception], *, max_bytes: int = MAX_YAML_BYTES
) -> bytes:
    path = Path(path)
    try:
        if path.is_dir():
            raise error("expected a file, found a folder", path=path)
        return read_regular(path, max_bytes, error)
    except FileNotFoundError:
        raise error("file not found", path=path) from None
    except OSError as e:
        raise error(f"cannot read: {e.strerror or e}", path=path) from None


def parse_yaml(
    raw: bytes | str,
    error: type[Exception],
    *,
    path: object = None,
    max_nodes: int = MAX_YAML_NODES,
    construct: bool = True,
) -> object:
    """``read_yaml`` on bytes or text already in memory (``construct=False``: check only)."""
    if isinstance(raw, bytes):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise error(
                f"expected UTF-8 text, got byte 0x{raw[e.start]:02x} at offset {e.start}", path=path
            ) from None
    try:
        loader = _FastLoader(raw)
    except _pyyaml.YAMLError as e:
        raise _yaml_error(e, error, path) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node, error, path=path, max_nodes=max_nodes)
        return loader.construct_document(node) if construct else None
    except _pyyaml.YAMLError as e:
        raise _yaml_error(e, error, path) from None
    except RecursionError:
        raise error("YAML nested too deeply", path=path) from None
    except (
        ValueError,
        OverflowError,
    ) as e:  # e.g. an impossible date (2019-13-45) read as a timestamp
        raise error(f"invalid value in YAML: {e}", path=path) from None
    finally:
        loader.dispose()


def check_nodes(
    root: object, error: type[Exception], *, path: object = None, max_nodes: int = MAX_YAML_NODES
) -> int:
    """The number of nodes ``root`` expands to with every alias followed; refuses more than
    ``max_nodes``, recursive aliases and duplicate mapping keys. Aliases share node objects,
    so each node's expanded size is computed once (the walk is linear in the file, not in the
    expansion)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > max_nodes:
                raise error(
                    f"expected at most {max_nodes} YAML nodes once aliases are expanded, got more "
                    "(an alias bomb?)",
                    path=path,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in active:
            line = getattr(getattr(node, "start_mark", None), "line", None)
            where = f" (line {line + 1})" if line is not None else ""
            raise error(f"recursive YAML alias{where}", path=path)
        active.add(key)
        stack.append((node, True))
        if isinstance(node, _pyyaml.MappingNode):
            _check_duplicates(node, error, path)
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: object) -> list:
    if isinstance(node, _pyyaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, _pyyaml.SequenceNode):
        return list(node.value)
    return []


def _check_duplicates(node: object, error: type[Exception], path: object) -> None:
    seen: set[tuple[str, str]] = set()
    for k, _v in node.value:
        if isinstance(k, _pyyaml.ScalarNode):
            if k.value == "<<" and k.tag.endswith(":merge"):
                continue
            ident = (k.tag, k.value)
            if ident in seen:
                raise error(
                    f"duplicate key {k.value!r} (line {k.start_mark.line + 1}): each key may appear once",
                    path=path,
                )
            seen.add(ident)


def _yaml_error(e: Exception, error: type[Exception], path: object) -> Exception:
    mark = getattr(e, "problem_mark", None)
    line = f" (line {mark.line + 1})" if mark is not None else ""
    problem = getattr(e, "problem", None) or (str(e).strip().splitlines() or [type(e).__name__])[0]
    return error(f"invalid YAML{line}: {problem}", path=path)


@dataclass(frozen=True)
class Style:
    """How a round-trip file is laid out. ``PROJECT`` is every file chromatic writes; a file
    whose readers already know another layout names its own (``chain.constraints``) rather than
    building a ruamel ``YAML()`` of its own, so every YAML read and write goes through here."""

    width: int = 4096  # never fold long concept text or notes
    sequence: int = 4
    offset: int = 2
    preserve_quotes: bool = True
    null_word: bool = True  # write null as "null" (an empty value reads as a mistake by hand)


PROJECT = Style()


def round_trip(style: Style = PROJECT) -> YAML:
    """A ruamel round-trip reader and writer in ``style`` (reading and writing with the same
    instance settings is what keeps a hand-edited file's comments and quoting)."""
    y = YAML(typ="rt")
    y.width = style.width
    y.indent(mapping=2, sequence=style.sequence, offset=style.offset)
    y.preserve_quotes = style.preserve_quotes
    if style.null_word:
        y.representer.add_representer(
            type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
        )
    return y


def dump_yaml(data: object, style: Style = PROJECT) -> str:
    """``data`` as YAML text in ``style``: ruamel's bytes, written by ``yamlemit`` when the
    document is one chromatic built itself (several times faster), else by ruamel."""
    fast = emit(data, _ruamel_dump) if style == PROJECT else None
    if fast is None or os.environ.get("CHROMATIC_YAML_CHECK"):
        slow = _ruamel_dump(data, style)
        if fast is not None and fast != slow:
            raise AssertionError("yamlemit differs from ruamel")
        return slow
    return fast


def as_read(data: object) -> dict | None:
    """What ``parse_yaml(dump_yaml(data))`` gives, without writing or parsing (``yamlemit``);
    None where that is not known."""
    return plain_of(data, _ruamel_dump)


def _ruamel_dump(data: object, style: Style = PROJECT) -> str:
    buf = io.StringIO()
    round_trip(style).dump(data, buf)
    return buf.getvalue()


def loads_rt(
    text: str, error: type[Exception], *, path: object = None, style: Style = PROJECT
) -> object:
    """Round-trip parse of text already in memory (comments kept); a parse error becomes
    ``error`` naming ``path``."""
    try:
        return round_trip(style).load(text)
    except YAMLError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise error(f"invalid YAML: {first}", path=path) from None


def load_rt(path: str | os.PathLike, error: type[Exception]) -> object:
    """Round-trip load (comments kept); a parse error becomes ``error`` naming the file."""
    path = Path(path)
    raw = read_bounded(path, error)
    # the same bounds as a fast read (alias bombs, duplicate keys, non-UTF-8), checked first
    parse_yaml(raw, error, path=path, construct=False)
    return loads_rt(raw.decode("utf-8"), error, path=path)


def load_plain(path: str | os.PathLike) -> dict:
    """A mapping file read for its values only (the fast, bounded reader: no comments kept)."""
    from chromatic.errors import ProduceError

    data = read_yaml(path, ProduceError)
    return dict(data) if isinstance(data, dict) else {}


def flow(items: list) -> object:
    """A list written on one line ([a, b, c]): progressions and voicings read better that way."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
