"""`planner store ...`: saved plans, revisions, share links, and who owns and edits a plan.

The command line works on the database directly, as an administrator: it sees every plan.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from planner.cli import common
from planner.problems import PlanError, Problem


def _os_user() -> str:
    """The OS user name, recorded as the author of revisions saved from the command line."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USER", "")


def _store(args: argparse.Namespace):
    from planner.store.database import Store

    return Store(args.db)


def cmd_store_save(args: argparse.Namespace) -> int:
    plan = common.load_args(args)
    plan_id, number = _store(args).save(
        plan, args.id, base_revision=args.base_revision, note=args.note or "", author=args.author or ""
    )
    print(f"{plan_id} {number}")
    return 0


def cmd_store_list(args: argparse.Namespace) -> int:
    for info in _store(args).plans():
        owner = info.owner or "(administrators)"
        print(
            f"{info.id}  r{info.latest}  {info.updated_at:%Y-%m-%d %H:%M}  finish {info.finish}  {owner}  {info.name}"
        )
    return 0


def cmd_store_history(args: argparse.Namespace) -> int:
    for r in _store(args).history(args.id):
        who = f" by {r.author}" if r.author else ""
        note = f" — {r.note}" if r.note else ""
        print(f"r{r.number}  {r.created_at:%Y-%m-%d %H:%M}{who}  finish {r.finish}  {r.summary}{note}")
    return 0


def cmd_store_get(args: argparse.Namespace) -> int:
    plan, number = _store(args).get(args.id, args.revision)
    common.write_plan(plan, args.output, f"wrote revision {number} of {args.id} to {args.output}")
    return 0


def cmd_store_owner(args: argparse.Namespace) -> int:
    team = _store(args).teams.set_owner(args.id, args.email)
    print(f"{team.plan_id}: owner {team.owner}")
    return 0


def cmd_store_editors(args: argparse.Namespace) -> int:
    store = _store(args)
    team = store.teams.of_plan(args.id)
    for email in args.add:
        team = store.teams.add_editor(args.id, email)
    for email in args.remove:
        team = store.teams.remove_editor(args.id, email)
    for email in team.editors:
        print(email)
    return 0


def cmd_store_share(args: argparse.Namespace) -> int:
    store = _store(args)
    print(
        store.share_links.share(
            args.id, args.view, label=args.label or "", expires_on=args.expires, author=args.author or ""
        )
    )
    return 0


def cmd_store_links(args: argparse.Namespace) -> int:
    for link in _store(args).share_links.of_plan(args.id):
        until = f"  until {link.expires_on.isoformat()}" if link.expires_on else ""
        label = f"  for {link.label}" if link.label else ""
        by = f"  by {link.created_by}" if link.created_by else ""
        gone = f"  revoked by {link.revoked_by}" if link.revoked_by else ""
        print(f"{link.key}  {link.view}  {link.created_at:%Y-%m-%d %H:%M}  {link.status}{until}{label}{by}{gone}")
    return 0


def cmd_store_revoke(args: argparse.Namespace) -> int:
    if not _store(args).share_links.revoke(args.token, author=args.author or ""):
        raise PlanError([Problem("share link", "", "no live link with that token (already revoked or never made)")])
    print("revoked", file=sys.stderr)
    return 0


def add_store(sub: argparse._SubParsersAction) -> None:
    store = sub.add_parser("store", help="saved plans, revisions and share links", description="saved plans")
    store_sub = store.add_subparsers(dest="store_command", required=True, metavar="STORE_COMMAND")

    def cmd(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = store_sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: PLANNER_DB_URL, else data/planner.db)")
        p.set_defaults(func=func)
        return p

    p = cmd("save", "save a plan file as a new revision; prints ID REVISION", cmd_store_save)
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--id", help="the saved plan to add a revision to (default: a new plan)")
    p.add_argument("--base-revision", type=int, metavar="N", help="refuse the save unless N is still the latest")
    p.add_argument("--start", type=common.parse_date, metavar="DATE", help="plan start (needed for a task CSV)")
    p.add_argument("--note", help="what changed, for the history")
    p.add_argument("--author", default=_os_user(), help="who saves (default: your user name on this machine)")
    cmd("list", "list saved plans", cmd_store_list)
    p = cmd("history", "list the revisions of a saved plan", cmd_store_history)
    p.add_argument("id", metavar="ID")
    p = cmd("get", "write a saved plan (latest or a given revision) to a file", cmd_store_get)
    p.add_argument("id", metavar="ID")
    p.add_argument("--revision", type=int, metavar="N")
    p.add_argument("-o", "--output", required=True, metavar="PLAN.yaml")
    p = cmd("owner", "make someone the owner of a saved plan (administrators)", cmd_store_owner)
    p.add_argument("id", metavar="ID")
    p.add_argument("email", metavar="EMAIL")
    p = cmd("editors", "list a plan's editors, after adding or removing some (administrators)", cmd_store_editors)
    p.add_argument("id", metavar="ID")
    p.add_argument("--add", action="append", default=[], metavar="EMAIL", help="add an editor (repeatable)")
    p.add_argument("--remove", action="append", default=[], metavar="EMAIL", help="remove an editor (repeatable)")
    p = cmd("share", "make a read-only share link; prints the token", cmd_store_share)
    p.add_argument("id", metavar="ID")
    p.add_argument("--view", default="executive", help="executive, full or a party of the plan")
    p.add_argument("--label", help="who the link is for (shown in the link list)")
    p.add_argument("--expires", type=common.parse_date, metavar="DATE", help="the last day the link opens")
    p.add_argument("--author", default=_os_user(), help="who makes the link (default: your user name on this machine)")
    p = cmd("links", "list a plan's share links (fingerprint, view, created, status)", cmd_store_links)
    p.add_argument("id", metavar="ID")
    p = cmd("revoke", "revoke a share link", cmd_store_revoke)
    p.add_argument("token", metavar="TOKEN")
    p.add_argument("--author", default=_os_user(), help="who revokes (default: your user name on this machine)")
