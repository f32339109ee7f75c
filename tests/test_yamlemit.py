"""``yamlemit`` writes ruamel's exact bytes for the documents chromatic builds, and declines
(None) whatever it cannot write so: ``dump_yaml`` then uses ruamel."""

from __future__ import annotations

import pytest
from ruamel.yaml.comments import CommentedMap

from chromatic.errors import ReviewError
from chromatic.produce.regenerate import _new_doc
from chromatic.produce.review import read_review
from chromatic.yamlemit import emit
from chromatic.yamlio import _ruamel_dump, dump_yaml, flow, loads_rt

AWKWARD = [
    "",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "1.0",
    "12",
    "0x1F",
    "1e3",
    "a: b",
    "#x",
    "x #y",
    "- x",
    "[x]",
    "{x}",
    "it's",
    'say "hi"',
    "  lead",
    "trail  ",
    "@at",
    "`tick",
    "%pct",
    "é ü",
    "漢字",
    "C#m7",
    "*star",
    "&amp",
    "!bang",
    "|pipe",
    ">gt",
    "?q",
    "a,b",
    "2024-01-01",
    "12:30",
    ".5",
    "-",
    "=",
    "<<",
    "0o17",
    "+1",
    ".inf",
    "NaN",
    "x\ty",
]
NUMBERS = [0, -3, 10**20, 0.0, -0.0, 1.5, 0.1 + 0.2, 2 / 3, 123456.789]
ODD = [1e-05, 1e17, 3.0e20, float("inf"), float("nan"), "x" * 999, "x\ty"]


def built_doc() -> CommentedMap:
    doc = _new_doc()
    doc["schema_version"] = 1
    doc["phase"] = "chords"
    doc["song"] = {"title": "It's: a test", "bpm": 108.0, "proposal": "../proposal.yml"}
    doc["empty_map"] = {}
    doc["empty_list"] = []
    doc["strings"] = list(AWKWARD)
    doc["numbers"] = {f"n{i}": v for i, v in enumerate(NUMBERS)}
    doc["flags"] = [True, False, None]
    doc["candidates"] = [
        {
            "id": f"prog_{i:03d}",
            "rank": i,
            "status": "pending",
            "label": None,
            "scores": {"composite": 0.1 * i, "theory": {"x": 1.0}, "chromatic": None},
            "details": {
                "progression": flow(["I", "V", "vi", "IV"]),
                "voicings": [flow([48, 60, 64]), flow([43, 59, 62])],
                "words": flow(AWKWARD),
                "nested": {"deep": [{"a": 1, "b": {}}, {}, "s"], "empty": flow([])},
            },
        }
        for i in range(1, 4)
    ]
    return doc


def test_built_documents_are_ruamels_bytes():
    doc = built_doc()
    fast = emit(doc, _ruamel_dump)
    assert fast is not None
    assert fast == _ruamel_dump(doc)
    assert loads_rt(fast, ReviewError)["strings"] == AWKWARD  # every string reads back as itself
    for s in AWKWARD + ODD:  # each alone, as a key and a value (written, or left to ruamel)
        d = {str(s) or "empty": 1, "k": s, "f": flow([s])}
        got = emit(d, _ruamel_dump)
        assert got is None or got == _ruamel_dump(d), s


def test_declines_what_it_cannot_write():
    shared = [1, 2]
    assert emit({"a": shared, "b": shared}, _ruamel_dump) is None  # ruamel writes an anchor
    assert emit({"a": (1, 2)}, _ruamel_dump) is None
    assert emit({"a": "line\nbreak"}, _ruamel_dump) is None
    assert emit({"a": "x" * 5000}, _ruamel_dump) is None
    assert emit({1: "int key"}, _ruamel_dump) is None
    assert emit({"a": [[1, 2]]}, _ruamel_dump) is None  # a block list inside a list
    edited = loads_rt("a: 1  # kept\nb: [1, 2]\n", ReviewError)
    assert emit(edited, _ruamel_dump) is None  # a loaded file with comments: ruamel's job
    for doc in ({"a": shared, "b": shared}, {"a": "line\nbreak"}, edited):
        assert dump_yaml(doc) == _ruamel_dump(doc)


def test_check_mode_compares_both(monkeypatch):
    monkeypatch.setenv("CHROMATIC_YAML_CHECK", "1")
    doc = built_doc()
    assert dump_yaml(doc) == _ruamel_dump(doc)
    monkeypatch.setattr("chromatic.yamlio.emit", lambda d, dump: "wrong\n")
    with pytest.raises(AssertionError):
        dump_yaml(doc)


def test_review_reads_follow_the_bytes(tmp_path):
    """The parse cache is keyed by the file's bytes: an edit is read, a bad edit refused."""
    folder = tmp_path / "bass"
    (folder / "candidates").mkdir(parents=True)
    doc = {
        "schema_version": 1,
        "phase": "bass",
        "song": {
            "title": "T",
            "key": "C major",
            "bpm": 100.0,
            "time_signature": "4/4",
            "color": "Red",
            "proposal": "../proposal.yml",
        },
        "seed": 1,
        "scoring": {"weights": {"theory": 1.0}},
        "candidates": [
            {
                "id": "b_01",
                "rank": 1,
                "midi_file": "candidates/b_01.mid",
                "scores": {"composite": 0.5, "theory": {}},
            },
        ],
    }
    path = folder / "review.yml"
    path.write_text(dump_yaml(doc))
    assert read_review(path).candidates[0].status == "pending"
    assert read_review(path).candidates[0].status == "pending"  # from the cache
    path.write_text(dump_yaml(doc).replace("rank: 1\n", "rank: 1\n    status: approved\n"))
    assert read_review(path).candidates[0].status == "approved"
    path.write_text(dump_yaml(doc).replace("candidates/b_01.mid", "../../x.mid"))
    with pytest.raises(ReviewError):
        read_review(path)


def test_as_read_is_what_the_fast_reader_reads():
    from chromatic.yamlio import as_read, parse_yaml

    doc = built_doc()
    assert as_read(doc) is None  # ruamel writes yes, 12:30 plain; YAML 1.1 reads a bool, an int
    doc["strings"] = [s for s in AWKWARD if as_read({"k": s, "f": flow([s])}) is not None]
    assert len(doc["strings"]) > 25  # most strings are known without parsing
    for c in doc["candidates"]:
        c["details"]["words"] = flow(doc["strings"])
    plain = as_read(doc)
    assert plain is not None
    assert plain == parse_yaml(dump_yaml(doc), ReviewError)
    for s in ("yes", "no", "on", "12:30"):
        assert as_read({"k": s}) is None, s
    for s in [*AWKWARD, "12:30", "1_000", "2024-01-01", "0b101"]:
        d = {"k": s, "f": flow([s])}
        got = as_read(d)
        assert got is None or got == parse_yaml(dump_yaml(d), ReviewError), s
    assert as_read({"a": "line\nbreak"}) is None


def test_simple_strings_are_written_as_ruamel_writes_them():
    """``_string`` writes a simple string as itself without asking ruamel: in every context,
    ruamel writes each of these so, and reserved words in any case are still asked."""
    import random

    from chromatic.yamlemit import _SIMPLE, _asked, _string

    rng = random.Random(5)
    head = "abcxyzABCXYZ_"
    body = "aeiouyYnNfFtTlL019_./-"
    words = [
        rng.choice(head) + "".join(rng.choice(body) for _ in range(rng.randrange(0, 60)))
        for _ in range(600)
    ]
    reserved = ["y", "N", "Yes", "nO", "ON", "oFF", "True", "FALSE", "Null", "null"]
    words += [*reserved, "bass_003", "candidates/melody_017.mid", "a-b", "_", "e", "x" * 60]
    simple = 0
    for s in words:
        for where in ("key", "block", "flow"):
            assert _string(s, where, _ruamel_dump) == _asked(s, where, _ruamel_dump), (s, where)
        simple += bool(_SIMPLE.fullmatch(s)) and s.lower() not in {w.lower() for w in reserved}
    assert simple > 500
    assert _string("True", "block", _ruamel_dump) == "'True'"  # asked of ruamel: quoted
