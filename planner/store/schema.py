"""The store's tables, their upgrades in place, and the read-only look at a SQLite file before use.

Schema history: 1 plans, revisions, share links; 2 links have a label and an expiry date;
3 plans have an owner and editors, links record who made and who revoked them; 4 each revision's
forecast is kept once computed (the forecast's trend), and each person's last sign-out (which
ends every session signed in before it).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
    inspect,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from planner.store.access import User

if TYPE_CHECKING:
    from planner.core.model import Plan

SCHEMA_VERSION = 4
EMAIL_SIZE = 200

metadata = MetaData()
schema_info = Table("planner_schema", metadata, Column("version", Integer, nullable=False))
plans = Table(
    "planner_plans",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("owner", String(EMAIL_SIZE), nullable=True),  # None: saved before sign-in; the admins' plan
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
    Column("created_by", String(200), nullable=False, default=""),
    Column("revoked_by", String(200), nullable=False, default=""),
)
editors = Table(
    "planner_editors",
    metadata,
    Column("plan_id", String(80), ForeignKey("planner_plans.id"), primary_key=True),
    Column("email", String(EMAIL_SIZE), primary_key=True),
)
forecasts = Table(
    "planner_forecasts",
    metadata,
    Column("plan_id", String(80), ForeignKey("planner_plans.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("saved", Date, nullable=False),
    Column("status_date", Date, nullable=True),
    Column("finish", Date, nullable=False),
    Column("finish_p80", Date, nullable=True),
    Column("handover", String(80), nullable=True),
    Column("handover_date", Date, nullable=True),
    Column("handover_p80", Date, nullable=True),
)
sign_outs = Table(
    "planner_sign_outs",
    metadata,
    Column("email", String(EMAIL_SIZE), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
OUR_TABLES = {t.name for t in metadata.sorted_tables}
CORE_TABLES = {schema_info.name, plans.name, revisions.name, links.name}  # every schema version has these


class StoreError(Exception):
    """A storage problem a user can act on (bad database, unknown plan, bad view)."""


AUTHOR_MAX = 200
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_author(author: str) -> None:
    """Who saved or shared, checked before any database sees it so every database says the same."""
    if len(author) > AUTHOR_MAX or CONTROL.search(author):
        raise StoreError(f"author: at most {AUTHOR_MAX} characters, no control characters")


def migrate(conn: Connection, version: int) -> None:
    """Upgrades an older schema in place, step by step (new tables are made by create_all first)."""
    have = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t in (links.name, plans.name)}

    def add(table: str, column: str, ddl: str) -> None:
        if column not in have[table]:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")

    if version < 2:
        add(links.name, "label", "VARCHAR(200) NOT NULL DEFAULT ''")
        add(links.name, "expires_on", "DATE")
    if version < 3:
        add(plans.name, "owner", f"VARCHAR({EMAIL_SIZE})")
        add(links.name, "created_by", "VARCHAR(200) NOT NULL DEFAULT ''")
        add(links.name, "revoked_by", "VARCHAR(200) NOT NULL DEFAULT ''")
    conn.execute(update(schema_info).values(version=SCHEMA_VERSION))


def check_sqlite_file(path: Path, where: str) -> None:
    """Looks at an existing SQLite file read-only before anything may write to it: a damaged
    file, someone else's database or a partial planner database is refused unchanged (opening
    it for writing would switch it to WAL mode or add tables)."""
    if not path.name or str(path) == ":memory:" or not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
        if header != b"SQLite format 3\x00":
            raise StoreError(f"cannot open {where}: {reason(Exception('file is not a database'))}")
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open {where}: {reason(exc)}") from None
    except OSError as exc:
        raise StoreError(f"cannot open {where}: {exc.strerror or exc}") from None
    if names and not names >= CORE_TABLES:
        ours = sorted(names & OUR_TABLES)
        what = "a damaged planner database (missing tables)" if ours else "not a planner database"
        others = ", ".join(sorted(names - OUR_TABLES)[:5]) or "none"
        raise StoreError(f"{where} is {what} (it has other tables: {others}); nothing was changed")


def reason(exc: Exception) -> str:
    """A database error in a sentence a user can act on."""
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).strip().splitlines()[0]
    if "file is not a database" in text or "file is encrypted" in text:
        return "the file is not a SQLite database (damaged, or not a planner database)"
    return text


def visible_to(user: User | None) -> ColumnElement[bool]:
    """The plans a user may see and work on: the owner's, the editors', every plan for an
    administrator, and every plan without sign-in (user None)."""
    if user is None or user.admin:
        return true()
    theirs = select(editors.c.plan_id).where(editors.c.email == user.email)
    return or_(plans.c.owner == user.email, plans.c.id.in_(theirs))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def aware(value: dt.datetime) -> dt.datetime:
    """A timestamp as UTC-aware (SQLite hands them back naive)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class StoreCore(Protocol):
    """What the Store's parts (`share_links`, `team`) use of the Store that holds them: a
    transaction, a plan's row as a user may see it, and a plan."""

    def transaction(self) -> AbstractContextManager[Connection]: ...

    def plan_row(self, conn: Connection, plan_id: str, user: User | None = None) -> Any: ...

    def get(self, plan_id: str, revision: int | None = None, user: User | None = None) -> tuple[Plan, int]: ...
