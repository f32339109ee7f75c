"""The README stays true: its walkthrough runs as written (the human approvals between its
commands done the way it describes), and every line it shows must appear, in order, in what the
commands print, with the numbers masked (scores and timings move with any tuning; the words,
the files, the order and the shape of each line must not). Audio rendering is left out (the
expensive step): the lines about the rendered files are not compared. The ONNX contract the
README lists is the one the exporter writes, and the studio's banner is the one it prints.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
SONG = "songs/two-keys-to-the-same-lock"


def console_blocks(text: str) -> list[list[str]]:
    return [b.splitlines() for b in re.findall(r"```console\n(.*?)```", text, flags=re.S)]


def commands(block: list[str]) -> list[tuple[str, list[str]]]:
    """(command without its comment, the lines the README shows after it)."""
    out: list[tuple[str, list[str]]] = []
    for line in block:
        if line.startswith("$ "):
            out.append((line[2:].split("  #", 1)[0].strip(), []))
        elif out and out[-1][0].endswith("\\"):
            out[-1] = (out[-1][0][:-1] + " " + line.strip().split("  #", 1)[0], out[-1][1])
        elif out:
            out[-1][1].append(line)
    return out


def masked(line: str) -> str:
    return " ".join(NUMBER.sub("N", line).split())


def _walkthrough() -> list[tuple[str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Walkthrough") : text.index("## Commands")]
    return [c for b in console_blocks(section) for c in commands(b)]


def _approve(root: Path, phase: str, labels: dict[str, str] | None = None) -> None:
    """Approve as the README says: the chords it names with their labels; else the first
    candidate of each section (the label defaults to the section)."""
    from chromatic.yamlio import round_trip

    path = root / phase / "review.yml"
    y = round_trip()
    doc = y.load(path.read_text())
    seen: set[str] = set()
    for c in doc["candidates"]:
        section = (c.get("details") or {}).get("section")
        if labels is not None and c["id"] in labels:
            c["status"], c["label"] = "approved", labels[c["id"]]
        elif labels is None and section not in seen:
            c["status"] = "approved"
            seen.add(section)
    with open(path, "w") as f:
        y.dump(doc, f)


CHORDS = {"chord_001": "verse", "chord_002": "chorus", "chord_005": "intro", "chord_008": "outro"}
RENDERED = ("arrangement.wav", "arrangement.png")


@pytest.mark.slow
def test_the_walkthrough_prints_what_the_readme_shows(tmp_path, monkeypatch, capsys):
    from chromatic.cli import main

    proposals = tmp_path / "examples" / "proposals"
    proposals.mkdir(parents=True)
    for p in (ROOT / "examples" / "proposals").glob("*indigo_two_keys*"):
        shutil.copy(p, proposals / p.name)
    monkeypatch.chdir(tmp_path)
    steps = _walkthrough()
    assert len(steps) >= 10, "the walkthrough lost its commands"
    promoted_chords = 0
    for command, shown in steps:
        args = command.split()[1:]
        assert command.startswith("chromatic "), command
        if args[0] == "assemble":
            args.remove("--render")  # the one expensive step: its audio is not compared
        if args[:1] == ["promote"] and args[-1] == "chords":
            promoted_chords += 1
            if promoted_chords == 2:  # "after the edit"
                _approve(tmp_path / SONG, "chords", CHORDS)
        if args[:1] == ["promote"] and args[-1] == "drums":
            _approve(tmp_path / SONG, "drums")
        code = main(args)
        got = capsys.readouterr()
        printed = [masked(x) for x in (got.err + got.out).splitlines()]
        want = [masked(x) for x in shown if x.strip() != "..." and not x.startswith(RENDERED)]
        want = [w for w in want if not any(r in w for r in RENDERED)]
        at = 0
        for w in want:
            hits = [i for i in range(at, len(printed)) if printed[i] == w]
            assert hits, f"`{command}` no longer prints (in this order):\n  {w}\nit printed:\n" + (
                "\n".join("  " + p for p in printed)
            )
            at = hits[0] + 1
        assert code == (1 if promoted_chords == 1 and args[0] == "promote" else 0), command
        if args[:2] in (["produce", "bass"], ["produce", "melody"]):  # "then approve, promote"
            _approve(tmp_path / SONG, args[1])
            assert main(["promote", SONG, args[1]]) == 0
            capsys.readouterr()


def test_the_onnx_contract_is_the_one_listed():
    from chromatic.scoring.contract import ALL_OUTPUTS, INPUTS

    text = README.read_text(encoding="utf-8")
    listed = text[text.index("`chromatic export RUN --out FOLDER` writes") :][:700]
    inputs = re.search(r"named inputs (.*?); outputs\s", listed, flags=re.S).group(1)
    outputs = re.search(r"; outputs\s(.*?); dynamic batch", listed, flags=re.S).group(1)
    assert re.findall(r"`(\w+)`", inputs) == list(INPUTS)
    assert re.findall(r"`(\w+)`", outputs) == list(ALL_OUTPUTS)


def test_the_studio_banner_is_the_one_shown(tmp_path, monkeypatch, capsys):
    import uvicorn

    from chromatic.cli import main

    text = README.read_text(encoding="utf-8")
    block = text[text.index("### Review studio") :]
    banner = next(ln for ln in block.splitlines() if ln.startswith("studio for "))
    proposal = next((ROOT / "examples" / "proposals").glob("*indigo_two_keys*"))
    assert main(["produce", "init", str(proposal), "--out", str(tmp_path / "song")]) == 0
    folder = next(p for p in (tmp_path / "song").iterdir() if p.is_dir())
    capsys.readouterr()
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)  # the banner, not the server
    assert main(["studio", str(folder)]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    shown = banner.split("   (")[0].replace("/abs/songs/two-keys-to-the-same-lock", str(folder))
    token = re.escape(shown).replace(r"\.\.\.", r"[A-Za-z0-9_-]{20,}")
    assert re.fullmatch(token, printed.out.strip()), (shown, printed.out)
