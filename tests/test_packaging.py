"""The package as a fresh install sees it (issue 30 item 7): metadata in the current format (an SPDX
licence expression, dependencies from the pinned requirements), build tools pinned."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINNED = re.compile(r"^[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.\-+]*$")


def test_the_package_metadata_is_current_and_every_tool_is_pinned():
    """Tests pyproject.toml: `license` is an SPDX expression (PEP 639, not the deprecated table),
    the build backend's requirement is pinned, the dependencies are the pinned requirements.txt,
    and the Makefile pins pip."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"
    assert all(PINNED.match(r) for r in meta["build-system"]["requires"]), meta["build-system"]["requires"]
    assert meta["project"]["dynamic"] == ["dependencies"]
    assert meta["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}
    for name in ("requirements.txt", "requirements-dev.txt"):
        lines = [ln for ln in (ROOT / name).read_text().splitlines() if ln and not ln.startswith(("#", "-r"))]
        assert lines and all(PINNED.match(ln) for ln in lines), name
    assert re.search(r"pip install -q pip==\d", (ROOT / "Makefile").read_text())
