"""The fonts vl-convert measures and draws files with (Gantt PNG and SVG).

Vega writes its text as `sans-serif`, which vl-convert resolves to Liberation Sans. vl-convert
carries that face in memory, but a machine's own copy (Debian's fonts-liberation, say) is found
first, and a face from a file is opened, mapped and closed again each time a glyph is measured or
drawn, about four times per glyph: a 300-task Gantt opened the file 30,000 times for its row
labels, 0.4 s of its SVG and 0.5 s more of its PNG. vl-convert reads the font folders from
fontconfig's file when it first draws text, so the app's and the command line's processes name
one of their own (`FONTCONFIG_FILE`): links to every font file of the system's font folders but
Liberation Sans' four faces, which then come from memory. Every other face stays available for
characters Liberation Sans lacks (a task named in Japanese still draws where a Japanese font is
installed). Those links are in two folders, the regular upright sans faces first: vl-convert
draws such a character, and the rest of its label with it, in the first face that has it, which
in the system's order was a serif one (the group rows' `▸` labels were drawn in serif).

Only entry points call `use_fonts_in_memory`: the variable is the process's own and its children
inherit it, so a library call never sets it. Linux only; the links cover the four usual font
folders (SYSTEM_FONT_DIRS), so a machine that keeps fonts elsewhere sets FONTCONFIG_FILE itself,
and that choice is kept.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
FONT_FILE = re.compile(r"\.(ttf|otf|ttc|otc)$", re.IGNORECASE)
IN_MEMORY = re.compile(r"^LiberationSans-(Regular|Bold|Italic|BoldItalic)\.ttf$")
NOT_REGULAR = re.compile(r"Bold|Italic|Oblique|Light|Thin|Black|Medium|Semi|Extra|Heavy|Mono|Condensed|Narrow")


def font_files(dirs: Iterable[str]) -> list[Path]:
    """Every font file under `dirs` (missing ones skipped), in a stable order."""
    found: list[Path] = []
    for folder in dirs:
        root = Path(folder).expanduser()
        if root.is_dir():
            found += sorted(p for p in root.rglob("*") if FONT_FILE.search(p.name) and p.is_file())
    return found


def regular_sans(path: Path) -> bool:
    """Whether the file's name says it is an upright, regular-weight sans face."""
    return "Sans" in path.stem and not NOT_REGULAR.search(path.stem)


def write_fonts_conf(into: Path, dirs: Sequence[str] = SYSTEM_FONT_DIRS) -> Path:
    """A fontconfig file in `into` naming two folders of links made there: the regular sans faces
    of `dirs`, then their other faces; Liberation Sans' own faces left out. Its path."""
    first, rest = into / "regular-sans", into / "other"
    first.mkdir()
    rest.mkdir()
    for n, path in enumerate(p for p in font_files(dirs) if not IN_MEMORY.match(p.name)):
        ((first if regular_sans(path) else rest) / f"{n:05d}-{path.name}").symlink_to(path)
    conf = into / "fonts.conf"
    folders = "".join(f"  <dir>{escape(str(folder))}</dir>\n" for folder in (first, rest))
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig>\n{folders}</fontconfig>\n', encoding="utf-8")
    return conf


def use_fonts_in_memory() -> None:
    """This process's vl-convert takes Liberation Sans from memory (see the module docstring), on
    Linux, unless fontconfig's file is already chosen; the links go when the process ends."""
    if "FONTCONFIG_FILE" in os.environ or not sys.platform.startswith("linux"):
        return  # chosen already; elsewhere vl-convert reads the system's fonts without fontconfig
    into = Path(tempfile.mkdtemp(prefix="planner-fonts-"))
    atexit.register(shutil.rmtree, into, True)
    try:
        os.environ["FONTCONFIG_FILE"] = str(write_fonts_conf(into))
    except OSError:
        return  # a font folder that cannot be read: the system's fonts, as they are
