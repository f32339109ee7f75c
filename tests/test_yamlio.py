"""The bounded YAML reader every input goes through: bombs, duplicates and bad bytes are one
error naming the file, never a hang, a MemoryError or a silent last-key-wins."""

from __future__ import annotations

import itertools
import time

import pytest

from chromatic.errors import ManifestError
from chromatic.yamlio import load_rt, parse_yaml, read_yaml


def _bomb(levels: int = 9) -> str:
    names = [chr(97 + i) for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{n}: &{n} [{', '.join(['*' + p] * 9)}]" for p, n in itertools.pairwise(names)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly():
    t = time.perf_counter()
    with pytest.raises(ManifestError, match="alias"):
        parse_yaml(_bomb(), ManifestError, path="m.yml")
    assert time.perf_counter() - t < 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: &x [*x]\n", "recursive YAML alias"),
        ("release_date: 2019-13-45\n", "month must be in 1..12"),
        ("!!python/object/apply:os.system ['true']\n", "invalid YAML"),
    ],
)
def test_bad_yaml_is_one_error_naming_the_file(text, expected):
    with pytest.raises(ManifestError, match=expected) as e:
        parse_yaml(text, ManifestError, path="song.yml")
    assert str(e.value).startswith("song.yml: ")


def test_latin1_bytes_and_a_folder_are_one_error(tmp_path):
    bad = tmp_path / "review.yml"
    bad.write_bytes(b"title: caf\xe9\n")
    for reader in (read_yaml, load_rt):
        with pytest.raises(ManifestError, match="expected UTF-8"):
            reader(bad, ManifestError)
    folder = tmp_path / "plan.yml"
    folder.mkdir()
    with pytest.raises(ManifestError, match="expected a file, found a folder"):
        read_yaml(folder, ManifestError)


def test_round_trip_keeps_comments_and_plain_values_read(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("# kept\na: 1  # one\nb: [1, 2]\n")
    assert read_yaml(path, ManifestError) == {"a": 1, "b": [1, 2]}
    from chromatic.yamlio import dump_yaml

    assert dump_yaml(load_rt(path, ManifestError)) == path.read_text()


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "OFF", "12:30", "1:20:30"])
def test_words_ruamel_writes_unquoted_read_back_as_text(tmp_path, word):
    """The fast reader reads scalars as ruamel (YAML 1.2) writes them: a label typed ``yes`` or
    ``12:30`` stays text, not ``True`` or 750."""
    from chromatic.yamlio import dump_yaml

    path = tmp_path / "review.yml"
    path.write_text(dump_yaml({"label": word, "flag": True, "n": 3, "x": 0.5}))
    assert f"label: {word}\n" in path.read_text()  # unquoted: only YAML 1.1 reads it otherwise
    got = read_yaml(path, ManifestError)
    assert got == {"label": word, "flag": True, "n": 3, "x": 0.5}
    assert type(got["flag"]) is bool and type(got["n"]) is int
