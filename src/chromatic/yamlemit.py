"""A fast block-YAML writer that gives exactly ruamel's bytes for the documents chromatic
builds itself (``yamlio.dump_yaml`` in the project's ``Style``), or declines.

The phases write a fresh review.yml per phase and beam branch; ruamel's representer, serializer
and emitter took about a quarter of a ``compose --auto``. The documents are plain values
(mappings, lists, ``yamlio.flow`` lists, str/int/float/bool/None) under a start comment, so
their layout is simple: mappings indented by 2, sequences with the dash at +2 and the content
at +4. How ruamel writes one *string* (plain or quoted, and how) is asked of ruamel itself,
once per string and context, and remembered; floats are ``repr``, as ruamel writes them.

``emit`` returns None for anything outside that subset (a loaded round-trip document with its
comments and scalar types, a shared list or mapping that ruamel would write as an anchor, a
multi-line or very long string, a non-string key, a tuple...): the caller then uses ruamel.
``CHROMATIC_YAML_CHECK=1`` makes ``yamlio.dump_yaml`` compare both on every call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ruamel.yaml.comments import CommentedMap, CommentedSeq

_LONG = 1000  # longer strings are left to ruamel (line width, folding)


class _Decline(Exception):
    pass


Dump = Callable[[object], str]  # ruamel's writer in the project's style (``yamlio``)


#: Strings ruamel writes as themselves in every context (key, block value, flow item): a
#: letter or underscore, then letters, digits and ``_ . / -``, short enough never to fold.
_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]{0,59}")
#: ...but for these, which a YAML 1.1 or 1.2 reader takes for a bool or null (any case).
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _string(s: str, where: str, dump: Dump) -> str | None:
    """How ruamel writes ``s`` as a mapping key, a block value or a flow-list item: the string
    itself when it is simple (``_SIMPLE``; the test suite compares with ruamel), else asked."""
    if type(s) is str and _SIMPLE.fullmatch(s) and s.lower() not in _RESERVED:
        return s
    return _asked(s, where, dump)


@lru_cache(maxsize=65536)
def _asked(s: str, where: str, dump: Dump) -> str | None:
    """How ruamel writes ``s`` (see ``_string``), asked of ruamel once per string and context."""
    if len(s) > _LONG or "\n" in s or "\r" in s:
        return None
    if where == "key":
        text, head, tail = dump({s: 1}), "", ": 1\n"
    elif where == "flow":
        seq = CommentedSeq([s])
        seq.fa.set_flow_style()
        text, head, tail = dump({"k": seq}), "k: [", "]\n"
    else:
        text, head, tail = dump({"k": s}), "k: ", "\n"
    if not (text.startswith(head) and text.endswith(tail)) or text.count("\n") != 1:
        return None
    return text[len(head) : len(text) - len(tail)]


def _scalar(v: object, where: str) -> str:
    t = type(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        r = repr(v)
        if "e" in r or "n" in r:  # exponent, inf, nan: ruamel's own spelling
            raise _Decline
        return r
    if t is str:
        out = _string(v, where, _DUMP[0])
        if out is None:
            raise _Decline
        return out
    raise _Decline


def _is_map(v: object) -> bool:
    return type(v) is dict or type(v) is CommentedMap


def _is_seq(v: object) -> bool:
    return type(v) is list or type(v) is CommentedSeq


def _plain_container(v: object, seen: set[int]) -> None:
    """Decline a container ruamel would annotate: comments, anchors, or seen twice."""
    if id(v) in seen:
        raise _Decline
    seen.add(id(v))
    ca = getattr(v, "ca", None)
    if ca is not None and (ca.items or ca.comment or ca.end):
        raise _Decline
    anchor = getattr(v, "anchor", None)
    if anchor is not None and getattr(anchor, "value", None) is not None:
        raise _Decline
    tag = getattr(v, "tag", None)
    if tag is not None and getattr(tag, "value", None) is not None:
        raise _Decline


def _flow(v: object) -> bool:
    fa = getattr(v, "fa", None)
    return fa is not None and fa.flow_style() is True


def _value(key: str, v: object, col: int, out: list[str], seen: set[int]) -> None:
    pad = " " * col
    if _is_map(v):
        _plain_container(v, seen)
        if _flow(v):
            raise _Decline
        if not v:
            out.append(f"{pad}{key}: {{}}\n")
            return
        out.append(f"{pad}{key}:\n")
        _map(v, col + 2, out, seen)
    elif _is_seq(v):
        _plain_container(v, seen)
        if _flow(v) or not v:
            out.append(f"{pad}{key}: [{', '.join(_scalar(i, 'flow') for i in v)}]\n")
            return
        out.append(f"{pad}{key}:\n")
        _seq(v, col + 2, out, seen)
    else:
        out.append(f"{pad}{key}: {_scalar(v, 'block')}\n")


def _map(m: dict, col: int, out: list[str], seen: set[int]) -> None:
    for k, v in m.items():
        if type(k) is not str:
            raise _Decline
        key = _string(k, "key", _DUMP[0])
        if key is None or key.startswith(("'", '"')):
            raise _Decline
        _value(key, v, col, out, seen)


def _seq(s: list, dash: int, out: list[str], seen: set[int]) -> None:
    pad = " " * dash
    for item in s:
        if _is_map(item):
            _plain_container(item, seen)
            if _flow(item):
                raise _Decline
            if not item:
                out.append(f"{pad}- {{}}\n")
                continue
            start = len(out)
            _map(item, dash + 2, out, seen)
            out[start] = f"{pad}- {out[start][dash + 2 :]}"
        elif _is_seq(item):
            _plain_container(item, seen)
            if not (_flow(item) or not item):
                raise _Decline
            out.append(f"{pad}- [{', '.join(_scalar(i, 'flow') for i in item)}]\n")
        else:
            out.append(f"{pad}- {_scalar(item, 'block')}\n")


def _start_comment(doc: object) -> str:
    ca = getattr(doc, "ca", None)
    if ca is None:
        return ""
    if ca.items or ca.end or (ca.comment and ca.comment[0]):
        raise _Decline
    tokens = (ca.comment or [None, None])[1] or []
    text = ""
    for tok in tokens:
        value = getattr(tok, "value", None)
        if not isinstance(value, str) or not value.startswith("#") or not value.endswith("\n"):
            raise _Decline
        if getattr(tok, "column", 0):
            raise _Decline
        text += value
    return text


_DUMP: list[Dump] = []


def emit(doc: object, dump: Dump) -> str | None:
    """``doc`` as ``dump`` (ruamel in the project's style) would write it, or None (then use
    ``dump``); ``dump`` is asked how to write each new string."""
    if not _is_map(doc) or not doc:
        return None
    _DUMP[:] = [dump]
    try:
        head = _start_comment(doc)
        out: list[str] = [head] if head else []
        seen: set[int] = {id(doc)}
        anchor = getattr(doc, "anchor", None)
        if anchor is not None and getattr(anchor, "value", None) is not None:
            return None
        _map(doc, 0, out, seen)
    except _Decline:
        return None
    return "".join(out)


@lru_cache(maxsize=65536)
def _reads_as_str(written: str) -> bool:
    """A string ``emit`` wrote reads back as that string with the fast reader (PyYAML, YAML
    1.1: a plain ``12:30`` or ``1_000`` would read as a number there)."""
    if written.startswith(("'", '"')):
        return True
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    return Resolver().resolve(ScalarNode, written, (True, False)) == "tag:yaml.org,2002:str"


def _plain(v: object, where: str) -> object:
    if _is_map(v):
        out = {}
        for k, x in v.items():
            key = _DUMP and _string(k, "key", _DUMP[0])
            if not isinstance(key, str) or not _reads_as_str(key):
                raise _Decline
            out[k] = _plain(x, "block")
        return out
    if _is_seq(v):
        flow = _flow(v) or where == "flow"
        return [_plain(x, "flow" if flow else "block") for x in v]
    if type(v) is str:
        written = _string(v, where, _DUMP[0])
        if written is None or not _reads_as_str(written) or _risky(written, where):
            raise _Decline
    return v


_INDICATORS = tuple("?:-[]{},#&*!|>%@`")


def _risky(written: str, where: str) -> bool:
    """A plain string another reader may take apart (``[?q]`` reads as a mapping in PyYAML)."""
    if written.startswith(("'", '"')):
        return False
    if written.startswith(_INDICATORS) or ": " in written or " #" in written:
        return True
    return where == "flow" and any(c in written for c in ",[]{}")


def as_read(doc: object, dump: Dump) -> dict | None:
    """What the fast reader (``yamlio.parse_yaml``) gives for ``emit(doc, dump)``'s text, built
    from ``doc`` without writing or parsing it; None where ``emit`` declines or a string would
    not read back as itself."""
    if emit(doc, dump) is None:
        return None
    try:
        out = _plain(doc, "block")
    except _Decline:
        return None
    return out if isinstance(out, dict) else None
