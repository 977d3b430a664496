from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MONDAY = dt.date(2027, 1, 4)


def run_in_own_loop(make: Callable[[], Coroutine[Any, Any, T]], timeout: float = 120) -> T:
    """`make()` run to its end on an event loop in a thread of its own: the browser tests'
    driver may hold an event loop in the test's thread."""
    out: list[T] = []
    worker = threading.Thread(target=lambda: out.append(asyncio.run(make())))
    worker.start()
    worker.join(timeout=timeout)
    return out[0]


# the sheets of a workbook the planner writes for a plan with resources and a cost model
WORKBOOK_SHEETS = ["Plan", "Schedule", "Milestones", "RAID", "Tasks", "Resources", "Costs", "Costs by month"]


def plan_data(*tasks: dict[str, Any], **plan: Any) -> dict[str, Any]:
    """Minimal plan data: tasks given as dicts; name and start filled in."""
    return {"name": "Test plan", "start": MONDAY, **plan, "tasks": list(tasks)}


def task(tid: str, duration: int, *deps: str, **fields: Any) -> dict[str, Any]:
    return {"id": tid, "name": f"Task {tid}", "duration": duration, "depends_on": list(deps), **fields}


def party_plan():
    """Client-only, vendor-only and joint work, a vendor gate, a vendor and a client risk: what each
    party's view (report, steering pack) may and may not show."""
    from planner.core.validate import parse_plan

    return parse_plan(
        plan_data(
            task("C1", 3, owner="client", name="Client-only prep", phase="Prep"),
            task("V1", 4, "C1", owner="vendor", name="Vendor-only build", phase="Vendor build"),
            task("J1", 2, "V1", owner="joint", name="Joint rehearsal", phase="Prep"),
            task(
                "G1",
                0,
                "J1",
                owner="vendor",
                name="Go-live gate",
                gate={"criteria": [{"kpi": "SLA", "target": ">= 95%"}]},
            ),
            raid=[
                {
                    "id": "R1",
                    "kind": "risk",
                    "title": "Vendor staffing gap",
                    "owner": "vendor",
                    "probability": 4,
                    "impact": 4,
                },
                {
                    "id": "R2",
                    "kind": "risk",
                    "title": "Client data late",
                    "owner": "client",
                    "probability": 2,
                    "impact": 3,
                },
            ],
        )
    )


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


# Store tests run on SQLite and on PostgreSQL: PLANNER_TEST_PG_URL (default the local server's
# `test` database), a fresh schema per test; skipped with a message when no server answers,
# unless PLANNER_REQUIRE_PG=1.
PG_URL = os.environ.get("PLANNER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_schema() -> Iterator[str]:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql("select 1")
    except Exception as exc:
        if os.environ.get("PLANNER_REQUIRE_PG") == "1":
            pytest.fail(f"PLANNER_REQUIRE_PG=1 but PostgreSQL at {PG_URL} does not answer: {exc}")
        pytest.skip(f"no PostgreSQL server at {PG_URL} ({type(exc).__name__}); set PLANNER_TEST_PG_URL")
    schema = f"planner_test_{secrets.token_hex(4)}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    yield schema
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Iterator[tuple[str, str | None]]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'planner.db'}", None
    else:
        yield from ((PG_URL, schema) for schema in _pg_schema())


@pytest.fixture
def store(backend) -> Iterator:
    from planner.store.database import Store

    url, schema = backend
    s = Store(url, schema=schema)
    yield s
    s.close()
