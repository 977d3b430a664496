"""Tests of saved plans, revisions and share links (planner.store.database) on SQLite and PostgreSQL.

PostgreSQL: PLANNER_TEST_PG_URL (default the local server's `test` database), a fresh schema
per run; skipped with a message when no server answers, unless PLANNER_REQUIRE_PG=1.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.core.validate import parse_plan
from planner.generate.build import build_plan
from planner.store.database import SCHEMA_VERSION, StaleRevision, Store, StoreError, change_summary, hash_token
from tests.conftest import MONDAY

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def plan():
    return build_plan("service-desk", waves=2, start=MONDAY)


def test_every_save_is_a_new_revision_and_any_can_be_restored(store, plan):
    """Tests save, history with change summaries, get by revision and restore as a new revision."""
    pid, r1 = store.save(plan, author="ann", note="first cut")
    longer = plan.with_durations({"SD15": plan.task("SD15").duration + 10})
    _, r2 = store.save(longer, pid, base_revision=r1, author="bob")
    assert (r1, r2) == (1, 2)
    history = store.history(pid)
    assert [h.number for h in history] == [1, 2]
    assert history[0].summary == "created with 52 tasks" and history[0].note == "first cut"
    assert history[1].summary == "1 task changed (SD15); finish moved later by 10 working days"
    assert store.get(pid, 1)[0] == plan and store.get(pid)[0] == longer
    r3 = store.restore(pid, 1, author="ann")
    assert r3 == 3 and store.get(pid) == (plan, 3)
    assert store.history(pid)[-1].note == "restored revision 1"


def test_revisions_saved_as_yaml_still_open(store, plan):
    """Tests that a revision stored as YAML (before revisions were stored as JSON) opens as the
    same plan, next to JSON revisions, and that a save on top of it works."""
    from planner.formats.planfile import dump_yaml
    from planner.store.schema import revisions

    pid, _ = store.save(plan, author="ann")
    with store.engine.begin() as conn:
        stored = conn.execute(sa.select(revisions.c.document).where(revisions.c.plan_id == pid)).scalar()
        assert stored.lstrip().startswith("{")
        conn.execute(
            sa.update(revisions)
            .where(revisions.c.plan_id == pid, revisions.c.number == 1)
            .values(document=dump_yaml(plan))
        )
    assert store.get(pid) == (plan, 1)
    longer = plan.with_durations({"SD15": plan.task("SD15").duration + 10})
    assert store.save(longer, pid, base_revision=1) == (pid, 2)
    assert store.get(pid, 1)[0] == plan and store.get(pid)[0] == longer
    assert store.history(pid)[1].summary.startswith("1 task changed (SD15)")


def test_stale_save_is_refused_with_who_and_when(store, plan):
    """Tests that a save based on an old revision is refused and names the newer save."""
    pid, _ = store.save(plan, author="ann")
    store.save(plan.with_durations({"SD01": 12}), pid, base_revision=1, author="bob")
    with pytest.raises(StaleRevision) as info:
        store.save(plan.with_durations({"SD02": 3}), pid, base_revision=1, author="carl")
    message = str(info.value)
    assert "bob saved revision 2" in message and "Reload the latest revision or save your version as a copy" in message
    assert [h.number for h in store.history(pid)] == [1, 2]


def test_list_rename_duplicate_delete(store, plan):
    """Tests plan management: list, rename (a new revision), duplicate, delete."""
    pid, _ = store.save(plan)
    store.rename(pid, "ACME desk")
    assert store.get(pid)[0].name == "ACME desk"
    copy = store.duplicate(pid)
    assert store.get(copy)[0].name == "ACME desk (copy)"
    assert {p.id for p in store.plans()} >= {pid, copy}
    store.delete(copy)
    assert copy not in {p.id for p in store.plans()}
    with pytest.raises(StoreError, match="no saved plan"):
        store.get(copy)


def test_share_links_are_hashed_read_only_tokens(store, plan, backend):
    """Tests share tokens: unguessable, stored hashed, resolve to plan and view, revocable."""
    pid, _ = store.save(plan)
    token = store.share_links.share(pid, "executive")
    assert len(token) >= 43
    assert store.share_links.resolve(token) == (pid, "executive")
    assert store.share_links.resolve(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.share_links.resolve("") is None
    vendor = store.share_links.share(pid, "vendor")
    assert store.share_links.resolve(vendor) == (pid, "vendor")
    with pytest.raises(StoreError, match="unknown view 'auditor'"):
        store.share_links.share(pid, "auditor")
    assert [link.view for link in store.share_links.of_plan(pid)] == ["executive", "vendor"]
    assert (
        store.share_links.revoke(token)
        and store.share_links.resolve(token) is None
        and not store.share_links.revoke(token)
    )
    engine = sa.create_engine(backend[0], connect_args={"options": f"-csearch_path={backend[1]}"} if backend[1] else {})
    with engine.connect() as conn:
        stored = [r[0] for r in conn.exec_driver_sql("select token_hash from planner_share_links")]
    engine.dispose()
    assert token not in stored and hash_token(token) in stored
    store.delete(pid)
    assert store.share_links.resolve(vendor) is None


def _saver(url: str, schema: str | None, pid: str, worker: int, count: int, queue) -> None:
    store = Store(url, schema=schema)
    base = build_plan("ams", waves=1, start=MONDAY)
    ok = stale = 0
    for k in range(count):
        latest = store.history(pid)[-1].number
        plan = base.with_durations({"AM01": 5 + worker * 100 + k})
        try:
            store.save(plan, pid, base_revision=latest, author=f"w{worker}")
            ok += 1
        except StaleRevision:
            stale += 1
    queue.put((ok, stale))


@pytest.mark.subprocess
def test_concurrent_saves_lose_nothing(store, backend):
    """Tests four processes saving at once: every accepted save is a revision, stale ones refused."""
    url, schema = backend
    pid, _ = store.save(build_plan("ams", waves=1, start=MONDAY))
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_saver, args=(url, schema, pid, w, 8, queue)) for w in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    accepted = sum(ok for ok, _ in results)
    history = store.history(pid)
    assert [h.number for h in history] == list(range(1, accepted + 2))
    assert accepted + sum(stale for _, stale in results) == 32
    assert accepted >= 4


KILLED_WRITER = """
import sys, datetime as dt
from planner.store.database import Store
from planner.generate.build import build_plan
store = Store(sys.argv[1])
pid = sys.argv[2]
plan = build_plan("infrastructure", waves=5, start=dt.date(2027, 1, 4))
print("ready", flush=True)
n = 0
while True:
    n += 1
    store.save(plan.with_durations({"IN01": 10 + n % 20}), pid)
    if n == 20:
        print("saved", flush=True)
"""


@pytest.mark.subprocess
def test_writer_killed_mid_save_leaves_a_readable_database(tmp_path, plan):
    """Tests SIGKILL of a writer in a save loop: the database opens with every complete revision."""
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    store = Store(url)
    pid, _ = store.save(plan)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, url, pid],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == b"ready"
    assert proc.stdout.readline().strip() == b"saved"  # in the middle of its loop of saves
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    store.close()
    reopened = Store(url)
    history = reopened.history(pid)
    assert len(history) >= 2
    latest, number = reopened.get(pid)
    assert number == history[-1].number and latest.name == "Infrastructure operations transition"
    assert sqlite3.connect(tmp_path / "planner.db").execute("pragma integrity_check").fetchone()[0] == "ok"


def test_corrupt_and_foreign_database_files(tmp_path):
    """Tests clear errors for a damaged file and for someone else's SQLite database."""
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store(f"sqlite:///{bad}")
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table invoices (id integer)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a planner database"):
        Store(f"sqlite:///{foreign}")


def test_older_schema_upgrades_on_open(tmp_path, plan):
    """Tests that a database with an older schema version is upgraded when opened."""
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    Store(url).save(plan)
    conn = sqlite3.connect(tmp_path / "planner.db")
    conn.execute("update planner_schema set version = 0")
    conn.commit()
    conn.close()
    Store(url)
    assert sqlite3.connect(tmp_path / "planner.db").execute("select version from planner_schema").fetchone() == (
        SCHEMA_VERSION,
    )


def test_version_1_database_gets_link_labels_and_expiry_in_place(tmp_path, plan):
    """Tests the upgrade of a database written before links had a label and an expiry: old links keep working."""
    path = tmp_path / "planner.db"
    url = f"sqlite:///{path}"
    store = Store(url)
    plan_id, _ = store.save(plan)
    old_token = store.share_links.share(plan_id, "executive")
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("alter table planner_share_links drop column label")
    conn.execute("alter table planner_share_links drop column expires_on")
    conn.execute("update planner_schema set version = 1")
    conn.commit()
    conn.close()
    store = Store(url)
    assert store.share_links.resolve(old_token) == (plan_id, "executive")
    token = store.share_links.share(
        plan_id, "full", label="client PMO", expires_on=dt.date.today() + dt.timedelta(days=3)
    )
    assert store.share_links.resolve(token) == (plan_id, "full")
    assert [(link.label, link.status) for link in store.share_links.of_plan(plan_id)] == [
        ("", "live"),
        ("client PMO", "live"),
    ]


def test_change_summary_words():
    """Tests the change summary: added, removed, changed, settings and finish movement."""
    a = build_plan("service-desk", waves=1, start=MONDAY)
    b = build_plan("service-desk", waves=2, start=MONDAY)
    text = change_summary(a, b, 140, 160)
    assert "11 tasks added (W2-KT, W2-ACCESS, W2-TEACHBACK, W2-SHADOW, W2-DRYRUN and 6 more)" in text
    assert "finish moved later by 20 working days" in text
    renamed = parse_plan({**a.model_dump(), "start": dt.date(2027, 2, 1)})
    assert change_summary(a, renamed, 1, 1) == "plan settings changed"


@pytest.mark.subprocess
def test_store_cli_round_trip(tmp_path, plan):
    """Tests `store save/list/history/get/share/revoke` through the command line."""
    from planner.formats.planfile import dump_yaml

    path = tmp_path / "p.yaml"
    path.write_text(dump_yaml(plan))
    db = ["--db", f"sqlite:///{tmp_path / 's.db'}"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "planner", "store", *args, *db], capture_output=True, text=True, env=env, timeout=120
        )

    res = run("save", str(path))
    pid, number = res.stdout.split()
    assert number == "1"
    assert run("save", str(path), "--id", pid, "--base-revision", "1").stdout.split() == [pid, "2"]
    stale = run("save", str(path), "--id", pid, "--base-revision", "1")
    assert stale.returncode == 1 and "has changed since revision 1" in stale.stderr
    assert pid in run("list").stdout
    assert run("history", pid).stdout.count("\n") == 2
    out = tmp_path / "back.yaml"
    assert run("get", pid, "--revision", "1", "-o", str(out)).returncode == 0
    assert out.read_text() == path.read_text()
    token = run("share", pid, "--view", "client").stdout.strip()
    assert len(token) >= 43
    assert "client" in run("links", pid).stdout and "live" in run("links", pid).stdout
    assert run("revoke", token).returncode == 0
    assert "revoked" in run("links", pid).stdout
    again = run("revoke", token)
    assert again.returncode == 1 and "no live link" in again.stderr
    missing = run("get", "nope", "-o", str(out))
    assert missing.returncode == 1 and "no saved plan 'nope'" in missing.stderr and "Traceback" not in missing.stderr


def _appender(url, schema, pid, worker, count, queue):
    store = Store(url, schema=schema)
    plan = build_plan("ams", waves=1, start=MONDAY)
    for k in range(count):
        store.save(plan.with_durations({"AM01": 5 + worker * 100 + k}), pid, author=f"w{worker}")
    queue.put(count)


def test_saves_without_a_base_revision_all_land(store, backend):
    """Tests four processes saving one plan with an id and no base revision: every save is a revision,
    none refused as stale, and racing creates of a new id do not crash."""
    url, schema = backend
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_appender, args=(url, schema, "race-plan", w, 10, queue)) for w in range(4)]
    for p in procs:
        p.start()
    done = [queue.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert done == [10] * 4
    assert [h.number for h in store.history("race-plan")] == list(range(1, 41))


def test_store_limits_are_the_same_on_every_database(store):
    """Tests names over 300 characters and authors over 200 (or with control characters): a StoreError
    naming the field, on SQLite and PostgreSQL alike, and nothing saved."""
    long_name = build_plan("ams", waves=1, start=MONDAY, plan_name="N" * 301)
    with pytest.raises(StoreError, match="plan name: at most 300"):
        store.save(long_name)
    plan = build_plan("ams", waves=1, start=MONDAY)
    for author in ("a" * 201, "bob\x00"):
        with pytest.raises(StoreError, match="author"):
            store.save(plan, author=author)
    assert store.plans() == []


def test_share_tokens_never_start_with_a_dash(store, plan):
    """Tests that a share token can be typed after `store revoke` as it is: none of 300 starts
    with "-", which the command line would take for an option (1 in 64 would, unchecked)."""
    pid, _ = store.save(plan)
    tokens = [store.share_links.share(pid, "executive") for _ in range(300)]
    assert len(set(tokens)) == 300 and not [t for t in tokens if t.startswith("-")]


def test_a_stale_session_cannot_undo_a_delete(store, plan):
    """Tests issue 31 item 6 on SQLite and PostgreSQL: a session that opened revision 1 before the
    plan was deleted saves on top of it: refused by name, the plan stays deleted with no revision
    added; a copy of that version saves as a new plan."""
    from planner.store.database import PlanDeleted

    pid, _ = store.save(plan)
    opened, base = store.get(pid)
    store.delete(pid)
    with pytest.raises(PlanDeleted, match=f"plan {pid} was deleted after you opened it; nothing was saved"):
        store.save(opened.with_durations({opened.tasks[0].id: 9}), pid, base_revision=base)
    with pytest.raises(PlanDeleted):
        store.save(opened, pid)
    assert pid not in [p.id for p in store.plans()]
    with pytest.raises(StoreError, match=f"no saved plan '{pid}'"):
        store.get(pid)
    copy, _ = store.save(opened, note="saved as a copy")
    assert copy != pid and store.get(copy)[0] == opened


def _opener(url: str, schema: str | None, start, queue) -> None:
    start.wait(60)
    try:
        Store(url, schema=schema).close()
        queue.put("ok")
    except Exception as exc:  # the outcome is what the test compares
        queue.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("older", [False, True])
def test_replicas_creating_the_schema_at_once_all_come_up(backend, older):
    """Tests issue 31 item 6 on SQLite and PostgreSQL: four processes opening an empty database (or
    one of schema 3, to upgrade) at the same moment, as replicas starting together, all come up,
    and the schema is made or upgraded once."""
    import multiprocessing as mp

    url, schema = backend
    if older:
        first = Store(url, schema=schema)
        with first.transaction() as conn:
            conn.exec_driver_sql("DROP TABLE planner_forecasts")
            conn.exec_driver_sql("DROP TABLE planner_sign_outs")
            conn.exec_driver_sql("UPDATE planner_schema SET version = 3")
        first.close()
    ctx = mp.get_context("spawn")
    start, queue = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_opener, args=(url, schema, start, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert results == ["ok"] * 4
    store = Store(url, schema=schema)
    with store.transaction() as conn:
        assert conn.exec_driver_sql("select count(*), max(version) from planner_schema").one() == (1, SCHEMA_VERSION)
        assert conn.exec_driver_sql("select count(*) from planner_forecasts").scalar() == 0
    store.close()
