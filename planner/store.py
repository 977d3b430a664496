"""Saved plans, revisions and share links in a SQL database (SQLAlchemy 2).

Every save is a new revision; nothing is overwritten. A save carries the revision it was based
on, and a stale base is refused with who saved what and when. The (plan, number) primary key
makes two racing saves of the same next revision impossible on any database; SQLite writers
also take the write lock up front (BEGIN IMMEDIATE) so they queue instead of failing.
Share tokens are `secrets.token_urlsafe(32)`, stored only as SHA-256 hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from planner.formats.planfile import dump_yaml, read_yaml
from planner.model import Plan, parse_plan

SCHEMA_VERSION = 2  # 2: share links have a label and an expiry date
DEFAULT_DB = Path("data") / "planner.db"
FIXED_VIEWS = ("executive", "full")

metadata = MetaData()
schema_info = Table("planner_schema", metadata, Column("version", Integer, nullable=False))
plans = Table(
    "planner_plans",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
)
revisions = Table(
    "planner_revisions",
    metadata,
    Column("plan_id", String(80), ForeignKey("planner_plans.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("document", Text, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("author", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finish", String(10), nullable=False),
    Column("finish_days", Integer, nullable=False),
    Column("task_count", Integer, nullable=False),
    Column("summary", Text, nullable=False, default=""),
)
links = Table(
    "planner_share_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("plan_id", String(80), ForeignKey("planner_plans.id"), nullable=False),
    Column("view", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("label", String(200), nullable=False, default=""),
    Column("expires_on", Date, nullable=True),
)
LINK_LABEL_MAX = 200
OUR_TABLES = {t.name for t in metadata.sorted_tables}


class StoreError(Exception):
    """A storage problem a user can act on (bad database, unknown plan, bad view)."""


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


@dataclass(frozen=True)
class ShareLink:
    plan_id: str
    view: str
    created_at: dt.datetime
    revoked: bool
    key: str  # first 12 hex digits of the token hash: names a link without revealing it
    label: str = ""  # who it is for
    expires_on: dt.date | None = None  # the last day it opens

    @property
    def status(self) -> str:
        if self.revoked:
            return "revoked"
        return "expired" if _expired(self.expires_on) else "live"


def _expired(expires_on: dt.date | None) -> bool:
    """A link opens through its expiry date (UTC) and behaves as revoked after it."""
    return expires_on is not None and dt.datetime.now(dt.UTC).date() > expires_on


def default_url() -> str:
    return os.environ.get("PLANNER_DB_URL") or f"sqlite:///{DEFAULT_DB}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def change_summary(old: Plan | None, new: Plan, old_days: int | None, new_days: int) -> str:
    """What a revision changed: tasks added, removed, changed; the finish moved by N working days."""
    if old is None:
        return f"created with {len(new.tasks)} tasks"
    before = {t.id: t for t in old.tasks}
    after = {t.id: t for t in new.tasks}
    added = [i for i in after if i not in before]
    removed = [i for i in before if i not in after]
    changed = [i for i in after if i in before and after[i] != before[i]]
    parts = []
    for label, ids in (("added", added), ("removed", removed), ("changed", changed)):
        if ids:
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            parts.append(f"{len(ids)} task{'s' if len(ids) != 1 else ''} {label} ({shown})")
    if old.model_dump(exclude={"tasks"}) != new.model_dump(exclude={"tasks"}):
        parts.append("plan settings changed")
    if old_days is not None and new_days != old_days:
        moved = new_days - old_days
        parts.append(f"finish moved {'later' if moved > 0 else 'earlier'} by {abs(moved)} working days")
    return "; ".join(parts) or "no changes"


class Store:
    """Plans in a database: SQLite file by default, any SQLAlchemy URL (PostgreSQL for a team)."""

    def __init__(self, url: str | None = None, schema: str | None = None):
        self.url = url or default_url()
        self.schema = schema
        if self.url.startswith("sqlite"):
            self._check_sqlite_file()
        self.engine = self._engine()
        self._ensure_schema()

    def _check_sqlite_file(self) -> None:
        """Looks at an existing SQLite file read-only before anything may write to it: a damaged
        file, someone else's database or a partial planner database is refused unchanged (opening
        it for writing would switch it to WAL mode or add tables)."""
        import sqlite3

        path = Path(self.url.split("///", 1)[-1])
        if not path.name or str(path) == ":memory:" or not path.exists() or path.stat().st_size == 0:
            return
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
            if header != b"SQLite format 3\x00":
                raise StoreError(f"cannot open {self._where()}: {_reason(Exception('file is not a database'))}")
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {self._where()}: {_reason(exc)}") from None
        except OSError as exc:
            raise StoreError(f"cannot open {self._where()}: {exc.strerror or exc}") from None
        if names and not names >= OUR_TABLES:
            ours = sorted(names & OUR_TABLES)
            what = "a damaged planner database (missing tables)" if ours else "not a planner database"
            others = ", ".join(sorted(names - OUR_TABLES)[:5]) or "none"
            raise StoreError(f"{self._where()} is {what} (it has other tables: {others}); nothing was changed")

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
                    self._migrate(conn, version)
        except StoreError:
            raise
        except (DBAPIError, OperationalError) as exc:
            raise StoreError(f"cannot open {self._where()}: {_reason(exc)}") from None

    def _migrate(self, conn: Connection, version: int) -> None:
        """Upgrades an older schema in place, step by step."""
        have = {c["name"] for c in inspect(conn).get_columns(links.name)}
        if version < 2:
            if "label" not in have:
                conn.exec_driver_sql(f"ALTER TABLE {links.name} ADD COLUMN label VARCHAR(200) NOT NULL DEFAULT ''")
            if "expires_on" not in have:
                conn.exec_driver_sql(f"ALTER TABLE {links.name} ADD COLUMN expires_on DATE")
        conn.execute(update(schema_info).values(version=SCHEMA_VERSION))

    def _where(self) -> str:
        if self.url.startswith("sqlite"):
            return f"database file {self.url.split('///', 1)[-1]}"
        return "the database"

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except (StoreError, IntegrityError):
            raise
        except (DBAPIError, OperationalError) as exc:
            raise StoreError(f"{self._where()}: {_reason(exc)}") from None

    # ------------------------------------------------------------------ plans and revisions

    def _new_id(self, conn: Connection, name: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "plan"
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
    ) -> tuple[str, int]:
        """Saves `plan` as a new revision; returns (plan id, revision number).

        With `base_revision`, the save is refused (StaleRevision) unless it is still the latest.
        Without one it appends: a save that loses a race to another writer tries again (on every
        database), so concurrent saves all land, one revision each.
        """
        from planner.schedule import schedule

        _check_fields(plan, plan_id, note, author)
        sched = schedule(plan)
        document = dump_yaml(plan)
        for attempt in range(SAVE_ATTEMPTS):
            try:
                return self._save_once(plan, sched, document, plan_id, base_revision, note, author)
            except IntegrityError:
                if base_revision is not None:
                    with self._tx() as conn:
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
    ) -> tuple[str, int]:
        with self._tx() as conn:
            existing = None
            if plan_id is not None:
                existing = conn.execute(select(plans).where(plans.c.id == plan_id)).first()
            if existing is None or existing.deleted:
                if base_revision not in (None, 0) and existing is None:
                    raise StoreError(f"no saved plan {plan_id!r} to base revision {base_revision} on")
                plan_id = plan_id or self._new_id(conn, plan.name)
                if existing is None:
                    conn.execute(insert(plans).values(id=plan_id, name=plan.name, created_at=_now(), deleted=False))
                else:
                    conn.execute(update(plans).where(plans.c.id == plan_id).values(deleted=False))
            latest = self._latest(conn, plan_id)
            if latest is not None and base_revision is not None and base_revision != latest.number:
                raise StaleRevision(plan_id, base_revision, latest)
            previous = parse_plan(read_yaml(self._document(conn, plan_id, latest.number))) if latest else None
            number = (latest.number if latest else 0) + 1
            conn.execute(
                insert(revisions).values(
                    plan_id=plan_id,
                    number=number,
                    document=document,
                    note=note,
                    author=author,
                    created_at=_now(),
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

    def _plan_row(self, conn: Connection, plan_id: str) -> Any:
        row = conn.execute(select(plans).where(plans.c.id == plan_id)).first()
        if row is None or row.deleted:
            raise StoreError(f"no saved plan {plan_id!r}; `planner store list` shows the saved plans")
        return row

    def get(self, plan_id: str, revision: int | None = None) -> tuple[Plan, int]:
        """A saved plan (latest revision unless given) and its revision number."""
        with self._tx() as conn:
            self._plan_row(conn, plan_id)
            number = revision or (self._latest(conn, plan_id).number)  # type: ignore[union-attr]
            document = self._document(conn, plan_id, number)
        return parse_plan(read_yaml(document)), number

    def plans(self) -> list[PlanInfo]:
        with self._tx() as conn:
            latest = (
                select(revisions.c.plan_id, func.max(revisions.c.number).label("n"))
                .group_by(revisions.c.plan_id)
                .subquery()
            )
            rows = conn.execute(
                select(plans, revisions.c.number, revisions.c.created_at.label("updated"), revisions.c.finish)
                .join(latest, latest.c.plan_id == plans.c.id)
                .join(revisions, (revisions.c.plan_id == plans.c.id) & (revisions.c.number == latest.c.n))
                .where(plans.c.deleted.is_(False))
                .order_by(revisions.c.created_at.desc(), plans.c.id)
            ).all()
        return [PlanInfo(r.id, r.name, _aware(r.created_at), r.number, _aware(r.updated), r.finish) for r in rows]

    def history(self, plan_id: str) -> list[RevisionInfo]:
        with self._tx() as conn:
            self._plan_row(conn, plan_id)
            rows = conn.execute(
                select(revisions).where(revisions.c.plan_id == plan_id).order_by(revisions.c.number)
            ).all()
        return [_info(r) for r in rows]

    def restore(self, plan_id: str, revision: int, author: str = "") -> int:
        """Restores an old revision as a new one (history is never rewritten)."""
        plan, _ = self.get(plan_id, revision)
        return self.save(plan, plan_id, note=f"restored revision {revision}", author=author)[1]

    def rename(self, plan_id: str, name: str, author: str = "") -> int:
        plan, number = self.get(plan_id)
        renamed = parse_plan({**plan.model_dump(), "name": name})
        return self.save(renamed, plan_id, base_revision=number, note=f"renamed to {name}", author=author)[1]

    def duplicate(self, plan_id: str, name: str | None = None, author: str = "") -> str:
        plan, number = self.get(plan_id)
        copy = parse_plan({**plan.model_dump(), "name": name or f"{plan.name} (copy)"})
        return self.save(copy, note=f"copied from {plan_id} revision {number}", author=author)[0]

    def delete(self, plan_id: str) -> None:
        """Hides a plan from lists and revokes its links; its revisions stay in the database."""
        with self._tx() as conn:
            self._plan_row(conn, plan_id)
            conn.execute(update(plans).where(plans.c.id == plan_id).values(deleted=True))
            conn.execute(
                update(links)
                .where((links.c.plan_id == plan_id) & links.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            )

    # ------------------------------------------------------------------ share links

    def share(self, plan_id: str, view: str = "executive", label: str = "", expires_on: dt.date | None = None) -> str:
        """A new read-only link token for one plan and view (executive, full or a party), with an
        optional label (who it is for) and expiry date (the last day it opens)."""
        plan, _ = self.get(plan_id)
        if view not in FIXED_VIEWS and view not in plan.parties:
            raise StoreError(f"unknown view {view!r}; use executive, full or a party: {', '.join(plan.parties)}")
        label = label.strip()
        if len(label) > LINK_LABEL_MAX or any(ord(c) < 32 for c in label):
            raise StoreError(f"link label: at most {LINK_LABEL_MAX} characters, no control characters")
        if expires_on is not None and _expired(expires_on):
            raise StoreError(f"link expiry {expires_on.isoformat()} is in the past")
        token = secrets.token_urlsafe(32)
        with self._tx() as conn:
            conn.execute(
                insert(links).values(
                    token_hash=hash_token(token),
                    plan_id=plan_id,
                    view=view,
                    created_at=_now(),
                    label=label,
                    expires_on=expires_on,
                )
            )
        return token

    def resolve(self, token: str) -> tuple[str, str] | None:
        """(plan id, view) for a live token; None for a bad, revoked, expired or deleted one."""
        if not token or len(token) > 200:
            return None
        with self._tx() as conn:
            row = conn.execute(
                select(links.c.plan_id, links.c.view, links.c.revoked_at, links.c.expires_on, plans.c.deleted)
                .join(plans, plans.c.id == links.c.plan_id)
                .where(links.c.token_hash == hash_token(token))
            ).first()
        if row is None or row.revoked_at is not None or row.deleted or _expired(row.expires_on):
            return None
        return row.plan_id, row.view

    def links(self, plan_id: str) -> list[ShareLink]:
        with self._tx() as conn:
            rows = conn.execute(select(links).where(links.c.plan_id == plan_id).order_by(links.c.created_at)).all()
        return [
            ShareLink(
                r.plan_id,
                r.view,
                _aware(r.created_at),
                r.revoked_at is not None,
                r.token_hash[:12],
                r.label or "",
                r.expires_on,
            )
            for r in rows
        ]

    def revoke(self, token: str | None = None, key: str | None = None) -> bool:
        """Revokes a link by its token (or, in the app, by its key); False if none matched."""
        with self._tx() as conn:
            cond = links.c.token_hash == hash_token(token) if token else links.c.token_hash.startswith(key or "-")
            result = conn.execute(update(links).where(cond & links.c.revoked_at.is_(None)).values(revoked_at=_now()))
        return result.rowcount > 0

    def close(self) -> None:
        self.engine.dispose()


SAVE_ATTEMPTS = 50
NAME_MAX, AUTHOR_MAX = 300, 200  # the columns' sizes, checked here so every database says the same


def _check_fields(plan: Plan, plan_id: str | None, note: str, author: str) -> None:
    """The limits of the store's columns, checked before any database sees the values."""
    if plan_id is not None and not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", plan_id):
        raise StoreError(f"plan id {plan_id[:80]!r} may use only letters, digits, '_', '.' and '-' (80 at most)")
    if len(plan.name) > NAME_MAX:
        raise StoreError(f"plan name: at most {NAME_MAX} characters to be saved (it has {len(plan.name):,})")
    if len(author) > AUTHOR_MAX or _CONTROL.search(author):
        raise StoreError(f"author: at most {AUTHOR_MAX} characters, no control characters")
    if _CONTROL.search(note) or len(note) > 10_000:
        raise StoreError("note: at most 10,000 characters, no control characters")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _info(row: Any) -> RevisionInfo:
    return RevisionInfo(
        row.plan_id,
        row.number,
        _aware(row.created_at),
        row.author,
        row.note,
        row.finish,
        row.finish_days,
        row.task_count,
        row.summary,
    )


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).strip().splitlines()[0]
    if "file is not a database" in text or "file is encrypted" in text:
        return "the file is not a SQLite database (damaged, or not a planner database)"
    return text
