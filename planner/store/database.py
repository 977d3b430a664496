"""Saved plans, revisions and share links in a SQL database (SQLAlchemy 2).

Every save is a new revision; nothing is overwritten. A save carries the revision it was based
on, and a stale base is refused with who saved what and when. The (plan, number) primary key
makes two racing saves of the same next revision impossible on any database; SQLite writers
also take the write lock up front (BEGIN IMMEDIATE) so they queue instead of failing.
Share tokens are `secrets.token_urlsafe(32)`, stored only as SHA-256 hashes.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, inspect, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from planner.core.model import Plan
from planner.core.validate import parse_plan
from planner.formats.planfile import dump_json, read_json, read_yaml
from planner.plain import slug
from planner.store.access import User
from planner.store.forecasts import Forecasts
from planner.store.history import change_summary
from planner.store.schema import (
    CONTROL,
    OUR_TABLES,
    SCHEMA_VERSION,
    StoreError,
    aware,
    check_author,
    check_sqlite_file,
    links,
    metadata,
    migrate,
    now,
    plans,
    reason,
    revisions,
    schema_info,
    visible_to,
)
from planner.store.sessions import SignOuts
from planner.store.share_links import ShareLink, ShareLinks, hash_token
from planner.store.team import PlanTeams

__all__ = [
    "SCHEMA_VERSION",
    "ShareLink",
    "StaleRevision",
    "Store",
    "StoreError",
    "User",
    "change_summary",
    "hash_token",
]

DEFAULT_DB = Path("data") / "planner.db"


class StaleRevision(StoreError):
    """A save based on an old revision; carries what the newer revision is."""

    def __init__(self, plan_id: str, base: int, latest: RevisionInfo):
        self.plan_id, self.base, self.latest = plan_id, base, latest
        who = latest.author or "someone"
        super().__init__(
            f"plan {plan_id} has changed since revision {base}: {who} saved revision {latest.number} at "
            f"{latest.created_at:%Y-%m-%d %H:%M} UTC ({latest.summary or 'no change summary'}). "
            "Reload the latest revision or save your version as a copy."
        )


class PlanDeleted(StoreError):
    """A save onto a plan deleted since it was opened: refused, so a stale session cannot undo the delete."""


@dataclass(frozen=True)
class RevisionInfo:
    plan_id: str
    number: int
    created_at: dt.datetime
    author: str
    note: str
    finish: str
    finish_days: int
    task_count: int
    summary: str


@dataclass(frozen=True)
class PlanInfo:
    id: str
    name: str
    created_at: dt.datetime
    latest: int
    updated_at: dt.datetime
    finish: str
    owner: str | None = None  # None: saved before sign-in, managed by the administrators


def default_url() -> str:
    return os.environ.get("PLANNER_DB_URL") or f"sqlite:///{DEFAULT_DB}"


def _plan_of(document: str) -> Plan:
    """A stored revision as a Plan. Revisions are saved as JSON: in the app's threads the only
    YAML reader is PyYAML, which took 0.1 s of a 300-task plan's first load (JSON: 2 ms).
    Revisions saved before are YAML, and still read as such."""
    return parse_plan(read_json(document) if document.lstrip().startswith("{") else read_yaml(document))


class Store:
    """Plans in a database: SQLite file by default, any SQLAlchemy URL (PostgreSQL for a team)."""

    def __init__(self, url: str | None = None, schema: str | None = None):
        self.url = url or default_url()
        self.schema = schema
        if self.url.startswith("sqlite"):
            self._check_sqlite_file()
        self.engine = self._engine()
        self._ensure_schema()
        self.share_links = ShareLinks(self)
        self.teams = PlanTeams(self)
        self.forecasts = Forecasts(self)
        self.sign_outs = SignOuts(self)

    def _check_sqlite_file(self) -> None:
        check_sqlite_file(Path(self.url.split("///", 1)[-1]), self._where())

    def _engine(self) -> Engine:
        url = self.url
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30, "isolation_level": None}
        elif self.schema:
            kwargs["connect_args"] = {"options": f"-csearch_path={self.schema}"}
        try:
            engine = create_engine(url, **kwargs)
        except Exception as exc:  # bad URL, missing driver
            raise StoreError(f"cannot use database URL {url!r}: {exc}") from None
        if url.startswith("sqlite"):

            @event.listens_for(engine, "connect")
            def _pragmas(conn: Any, _record: Any) -> None:
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            @event.listens_for(engine, "begin")
            def _begin(conn: Connection) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def _ensure_schema(self) -> None:
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # replicas starting together make or upgrade it one at a time
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
                names = set(inspect(conn).get_table_names())
                if names and not names & OUR_TABLES:
                    raise StoreError(
                        f"{self._where()} is not a planner database (it has other tables: "
                        f"{', '.join(sorted(names)[:5])})"
                    )
                metadata.create_all(conn)
                version = conn.execute(select(schema_info.c.version)).scalar()
                if version is None:
                    conn.execute(insert(schema_info).values(version=SCHEMA_VERSION))
                elif version > SCHEMA_VERSION:
                    raise StoreError(
                        f"{self._where()} was written by a newer planner (schema {version}); upgrade the planner"
                    )
                elif version < SCHEMA_VERSION:
                    migrate(conn, version)
        except StoreError:
            raise
        except (DBAPIError, OperationalError) as exc:
            raise StoreError(f"cannot open {self._where()}: {reason(exc)}") from None

    def _where(self) -> str:
        if self.url.startswith("sqlite"):
            return f"database file {self.url.split('///', 1)[-1]}"
        return "the database"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except (StoreError, IntegrityError):
            raise
        except (DBAPIError, OperationalError) as exc:
            raise StoreError(f"{self._where()}: {reason(exc)}") from None

    # ------------------------------------------------------------------ plans and revisions

    def _new_id(self, conn: Connection, name: str) -> str:
        base = slug(name, limit=40)
        while True:
            candidate = f"{base}-{secrets.token_hex(3)}"
            if conn.execute(select(plans.c.id).where(plans.c.id == candidate)).first() is None:
                return candidate

    def _latest(self, conn: Connection, plan_id: str) -> RevisionInfo | None:
        row = conn.execute(
            select(revisions).where(revisions.c.plan_id == plan_id).order_by(revisions.c.number.desc()).limit(1)
        ).first()
        return _info(row) if row else None

    def save(
        self,
        plan: Plan,
        plan_id: str | None = None,
        base_revision: int | None = None,
        note: str = "",
        author: str = "",
        user: User | None = None,
    ) -> tuple[str, int]:
        """Saves `plan` as a new revision; returns (plan id, revision number).

        With `base_revision`, the save is refused (StaleRevision) unless it is still the latest.
        Without one it appends: a save that loses a race to another writer tries again (on every
        database), so concurrent saves all land, one revision each. A new plan belongs to `user`.
        """
        from planner.scheduling import schedule

        _check_fields(plan, plan_id, note, author)
        sched = schedule(plan)
        document = dump_json(plan)
        for attempt in range(SAVE_ATTEMPTS):
            try:
                return self._save_once(plan, sched, document, plan_id, base_revision, note, author, user)
            except IntegrityError:
                if base_revision is not None:
                    with self.transaction() as conn:
                        latest = self._latest(conn, plan_id) if plan_id else None
                    if latest is not None:
                        raise StaleRevision(plan_id, base_revision, latest) from None  # type: ignore[arg-type]
                time.sleep(0.005 * (attempt + 1) + random.random() * 0.01)
        raise StoreError(f"plan {plan_id}: could not save after {SAVE_ATTEMPTS} attempts; the database is very busy")

    def _save_once(
        self,
        plan: Plan,
        sched: Any,
        document: str,
        plan_id: str | None,
        base_revision: int | None,
        note: str,
        author: str,
        user: User | None,
    ) -> tuple[str, int]:
        with self.transaction() as conn:
            existing = None
            if plan_id is not None:
                existing = conn.execute(select(plans).where(plans.c.id == plan_id)).first()
                if existing is not None and not self._may(conn, plan_id, user):
                    raise StoreError(_not_found(plan_id))
            if existing is not None and existing.deleted:  # a session opened before the delete
                raise PlanDeleted(
                    f"plan {plan_id} was deleted after you opened it; nothing was saved. Save your "
                    "version as a copy to keep it."
                )
            if existing is None:
                if base_revision not in (None, 0):
                    raise StoreError(f"no saved plan {plan_id!r} to base revision {base_revision} on")
                plan_id = plan_id or self._new_id(conn, plan.name)
                owner = user.email if user else None
                conn.execute(
                    insert(plans).values(id=plan_id, name=plan.name, created_at=now(), deleted=False, owner=owner)
                )
            assert plan_id is not None  # given, or made above for a new plan
            latest = self._latest(conn, plan_id)
            if latest is not None and base_revision is not None and base_revision != latest.number:
                raise StaleRevision(plan_id, base_revision, latest)
            previous = _plan_of(self._document(conn, plan_id, latest.number)) if latest else None
            number = (latest.number if latest else 0) + 1
            conn.execute(
                insert(revisions).values(
                    plan_id=plan_id,
                    number=number,
                    document=document,
                    note=note,
                    author=author,
                    created_at=now(),
                    finish=sched.finish.isoformat(),
                    finish_days=sched.finish_offset,
                    task_count=len(plan.tasks),
                    summary=change_summary(previous, plan, latest.finish_days if latest else None, sched.finish_offset),
                )
            )
            conn.execute(update(plans).where(plans.c.id == plan_id).values(name=plan.name))
        return plan_id, number

    def _document(self, conn: Connection, plan_id: str, number: int) -> str:
        doc = conn.execute(
            select(revisions.c.document).where((revisions.c.plan_id == plan_id) & (revisions.c.number == number))
        ).scalar()
        if doc is None:
            raise StoreError(f"plan {plan_id} has no revision {number}")
        return doc

    def _may(self, conn: Connection, plan_id: str, user: User | None) -> bool:
        return conn.execute(select(plans.c.id).where(plans.c.id == plan_id, visible_to(user))).first() is not None

    def plan_row(self, conn: Connection, plan_id: str, user: User | None = None) -> Any:
        """The plan's row, or "not found" alike for a plan that does not exist, was deleted, or is
        not the user's to see (a plan id typed into the URL reveals nothing)."""
        row = conn.execute(select(plans).where(plans.c.id == plan_id, visible_to(user))).first()
        if row is None or row.deleted:
            raise StoreError(_not_found(plan_id))
        return row

    def get(self, plan_id: str, revision: int | None = None, user: User | None = None) -> tuple[Plan, int]:
        """A saved plan (latest revision unless given) and its revision number."""
        with self.transaction() as conn:
            self.plan_row(conn, plan_id, user)
            number = revision or (self._latest(conn, plan_id).number)  # type: ignore[union-attr]
            document = self._document(conn, plan_id, number)
        return _plan_of(document), number

    def plans(self, user: User | None = None) -> list[PlanInfo]:
        """The saved plans `user` may see (all of them without sign-in), newest first."""
        with self.transaction() as conn:
            latest = (
                select(revisions.c.plan_id, func.max(revisions.c.number).label("n"))
                .group_by(revisions.c.plan_id)
                .subquery()
            )
            rows = conn.execute(
                select(plans, revisions.c.number, revisions.c.created_at.label("updated"), revisions.c.finish)
                .join(latest, latest.c.plan_id == plans.c.id)
                .join(revisions, (revisions.c.plan_id == plans.c.id) & (revisions.c.number == latest.c.n))
                .where(plans.c.deleted.is_(False), visible_to(user))
                .order_by(revisions.c.created_at.desc(), plans.c.id)
            ).all()
        return [
            PlanInfo(r.id, r.name, aware(r.created_at), r.number, aware(r.updated), r.finish, r.owner) for r in rows
        ]

    def history(self, plan_id: str, user: User | None = None) -> list[RevisionInfo]:
        with self.transaction() as conn:
            self.plan_row(conn, plan_id, user)
            rows = conn.execute(
                select(revisions).where(revisions.c.plan_id == plan_id).order_by(revisions.c.number)
            ).all()
        return [_info(r) for r in rows]

    def restore(self, plan_id: str, revision: int, author: str = "", user: User | None = None) -> int:
        """Restores an old revision as a new one (history is never rewritten)."""
        plan, _ = self.get(plan_id, revision, user)
        return self.save(plan, plan_id, note=f"restored revision {revision}", author=author, user=user)[1]

    def rename(self, plan_id: str, name: str, author: str = "", user: User | None = None) -> int:
        plan, number = self.get(plan_id, user=user)
        renamed = parse_plan({**plan.model_dump(), "name": name})
        note = f"renamed to {name}"
        return self.save(renamed, plan_id, base_revision=number, note=note, author=author, user=user)[1]

    def duplicate(self, plan_id: str, name: str | None = None, author: str = "", user: User | None = None) -> str:
        """A copy as a new plan, owned by whoever copies it."""
        plan, number = self.get(plan_id, user=user)
        copy = parse_plan({**plan.model_dump(), "name": name or f"{plan.name} (copy)"})
        return self.save(copy, note=f"copied from {plan_id} revision {number}", author=author, user=user)[0]

    def delete(self, plan_id: str, author: str = "", user: User | None = None) -> None:
        """Hides a plan from lists and revokes its links; its revisions stay in the database."""
        with self.transaction() as conn:
            self.plan_row(conn, plan_id, user)
            conn.execute(update(plans).where(plans.c.id == plan_id).values(deleted=True))
            conn.execute(
                update(links)
                .where((links.c.plan_id == plan_id) & links.c.revoked_at.is_(None))
                .values(revoked_at=now(), revoked_by=author)
            )

    def close(self) -> None:
        self.engine.dispose()


SAVE_ATTEMPTS = 50
SCHEMA_LOCK = 72_451_900  # PostgreSQL advisory lock held while the schema is made or upgraded
NAME_MAX = 300  # the column's size, checked here so every database says the same


def _check_fields(plan: Plan, plan_id: str | None, note: str, author: str) -> None:
    """The limits of the store's columns, checked before any database sees the values."""
    if plan_id is not None and not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", plan_id):
        raise StoreError(f"plan id {plan_id[:80]!r} may use only letters, digits, '_', '.' and '-' (80 at most)")
    if len(plan.name) > NAME_MAX:
        raise StoreError(f"plan name: at most {NAME_MAX} characters to be saved (it has {len(plan.name):,})")
    check_author(author)
    if CONTROL.search(note) or len(note) > 10_000:
        raise StoreError("note: at most 10,000 characters, no control characters")


def _info(row: Any) -> RevisionInfo:
    return RevisionInfo(
        row.plan_id,
        row.number,
        aware(row.created_at),
        row.author,
        row.note,
        row.finish,
        row.finish_days,
        row.task_count,
        row.summary,
    )


def _not_found(plan_id: str) -> str:
    return f"no saved plan {plan_id[:80]!r}; `planner store list` shows the saved plans"
