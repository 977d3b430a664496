"""Tests of the fonts vl-convert draws files with (planner.formats.fonts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner.formats import fonts


def _fake_fonts(root: Path) -> list[str]:
    """Two system-like font folders, a name in both, and a file that is no font."""
    files = [
        "a/truetype/liberation/LiberationSans-Regular.ttf",
        "a/truetype/liberation/LiberationSans-Bold.ttf",
        "a/truetype/liberation/LiberationSansNarrow-Regular.ttf",
        "a/truetype/liberation/LiberationSerif-Regular.ttf",
        "a/truetype/dejavu/DejaVuSans.ttf",
        "a/truetype/dejavu/DejaVuSans-Bold.ttf",
        "a/truetype/dejavu/DejaVuSansMono.ttf",
        "a/opentype/noto/NotoSansCJK-Regular.TTC",
        "a/README.txt",
        "b/DejaVuSans.ttf",
    ]
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(name.encode())
    return [str(root / "a"), str(root / "b"), str(root / "missing")]


def test_conf_names_regular_sans_faces_first_and_leaves_liberation_sans_to_memory(tmp_path: Path) -> None:
    """Tests the folders the fonts file names: the regular sans faces (where a character Liberation
    Sans lacks is looked for first), then every other face; Liberation Sans' own faces, which
    vl-convert has in memory, in neither; each link opens its original."""
    dirs = _fake_fonts(tmp_path / "system")
    into = tmp_path / "conf"
    into.mkdir()
    conf = fonts.write_fonts_conf(into, dirs)
    text = conf.read_text(encoding="utf-8")
    assert text.index(str(into / "regular-sans")) < text.index(str(into / "other"))
    first = sorted(p.name.split("-", 1)[1] for p in (into / "regular-sans").iterdir())
    rest = sorted(p.name.split("-", 1)[1] for p in (into / "other").iterdir())
    assert first == ["DejaVuSans.ttf", "DejaVuSans.ttf", "NotoSansCJK-Regular.TTC"]
    assert rest == [
        "DejaVuSans-Bold.ttf",
        "DejaVuSansMono.ttf",
        "LiberationSansNarrow-Regular.ttf",
        "LiberationSerif-Regular.ttf",
    ]
    links = list((into / "regular-sans").iterdir()) + list((into / "other").iterdir())
    assert all(link.read_bytes() == str(link.resolve().relative_to(tmp_path / "system")).encode() for link in links)


def test_an_existing_fonts_file_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests that a process whose fontconfig file is already chosen keeps it, and that one without
    gets the planner's, readable and naming its two folders."""
    monkeypatch.setenv("FONTCONFIG_FILE", str(tmp_path / "mine.conf"))
    fonts.use_fonts_in_memory()
    assert os.environ["FONTCONFIG_FILE"] == str(tmp_path / "mine.conf")
    monkeypatch.delenv("FONTCONFIG_FILE")
    try:
        fonts.use_fonts_in_memory()
        conf = Path(os.environ["FONTCONFIG_FILE"])
        assert conf.read_text(encoding="utf-8").count("<dir>") == 2
    finally:
        os.environ.pop("FONTCONFIG_FILE", None)
