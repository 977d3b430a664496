from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MONDAY = dt.date(2027, 1, 4)


def plan_data(*tasks: dict[str, Any], **plan: Any) -> dict[str, Any]:
    """Minimal plan data: tasks given as dicts; name and start filled in."""
    return {"name": "Test plan", "start": MONDAY, **plan, "tasks": list(tasks)}


def task(tid: str, duration: int, *deps: str, **fields: Any) -> dict[str, Any]:
    return {"id": tid, "name": f"Task {tid}", "duration": duration, "depends_on": list(deps), **fields}


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True, scope="session")
def _private_database(tmp_path_factory):
    """Keeps tests away from data/planner.db: every session gets its own SQLite file."""
    import os

    path = tmp_path_factory.mktemp("db") / "planner.db"
    old = os.environ.get("PLANNER_DB_URL")
    os.environ["PLANNER_DB_URL"] = f"sqlite:///{path}"
    yield
    if old is None:
        os.environ.pop("PLANNER_DB_URL", None)
    else:
        os.environ["PLANNER_DB_URL"] = old


APP = str(ROOT / "app.py")


@pytest.fixture
def app():
    """The app after its first run, with no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def shown(markdown: str) -> str:
    """What a reader sees of Markdown source the app escaped (planner.ui.text.md): the text as written."""
    import html
    import re

    return html.unescape(re.sub(r"\\(.)", r"\1", markdown)).replace("  \n", "\n").replace("\u2060", "")
