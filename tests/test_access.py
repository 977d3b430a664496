"""Tests of plan owners, editors and administrators in the store, on SQLite and PostgreSQL.

A plan's owner and editors see and work on it; anyone else gets the same "not found" as for a
plan that does not exist; administrators (PLANNER_ADMINS) manage every plan; plans saved before
sign-in belong to the administrators. The command line manages owners and editors.
"""

from __future__ import annotations

import sqlite3

import pytest

from planner.cli import main as cli
from planner.generate.build import build_plan
from planner.store.access import AccessError, User, admins, email_address, signed_in
from planner.store.database import SCHEMA_VERSION, Store, StoreError
from tests.conftest import MONDAY

ALICE = User("alice@example.org", "Alice")
BOB = User("bob@example.org", "Bob")
ADMIN = User("root@example.org", "Root", admin=True)


@pytest.fixture(scope="module")
def plan():
    return build_plan("service-desk", waves=1, start=MONDAY)


def test_a_plan_is_its_owners_and_nobody_elses(store, plan):
    """Tests that bob can neither list, open, save, restore, rename, copy, delete nor share alice's plan,
    and that every refusal reads exactly like a plan that does not exist."""
    plan_id, _ = store.save(plan, author=ALICE.email, user=ALICE)
    assert [p.id for p in store.plans(ALICE)] == [plan_id]
    assert store.plans(ALICE)[0].owner == ALICE.email
    assert store.plans(BOB) == []
    with pytest.raises(StoreError) as missing:
        store.get("no-such-plan", user=BOB)
    for attempt in (
        lambda: store.get(plan_id, user=BOB),
        lambda: store.history(plan_id, user=BOB),
        lambda: store.save(plan, plan_id, author=BOB.email, user=BOB),
        lambda: store.restore(plan_id, 1, user=BOB),
        lambda: store.rename(plan_id, "mine now", user=BOB),
        lambda: store.duplicate(plan_id, user=BOB),
        lambda: store.delete(plan_id, user=BOB),
        lambda: store.share_links.share(plan_id, user=BOB),
        lambda: store.share_links.of_plan(plan_id, user=BOB),
        lambda: store.teams.of_plan(plan_id, user=BOB),
    ):
        with pytest.raises(StoreError) as refused:
            attempt()
        assert str(refused.value) == str(missing.value).replace("no-such-plan", plan_id)
    assert len(store.history(plan_id, user=ALICE)) == 1


def test_an_editor_works_on_the_plan_but_does_not_choose_the_team(store, plan):
    """Tests that an editor added by the owner sees, saves and shares the plan, cannot change the
    editors, and loses everything when removed."""
    plan_id, _ = store.save(plan, author=ALICE.email, user=ALICE)
    team = store.teams.add_editor(plan_id, " Bob@Example.org ", user=ALICE)
    assert team.owner == ALICE.email and team.editors == (BOB.email,)
    assert [p.id for p in store.plans(BOB)] == [plan_id]
    _, number = store.save(plan, plan_id, base_revision=1, author=BOB.email, user=BOB)
    assert number == 2 and store.history(plan_id, user=ALICE)[-1].author == BOB.email
    token = store.share_links.share(plan_id, "full", author=BOB.email, user=BOB)
    assert [link.created_by for link in store.share_links.of_plan(plan_id, user=ALICE)] == [BOB.email]
    with pytest.raises(StoreError, match="only its owner or an administrator"):
        store.teams.add_editor(plan_id, "carol@example.org", user=BOB)
    with pytest.raises(StoreError, match="only its owner or an administrator"):
        store.teams.set_owner(plan_id, BOB.email, user=BOB)
    assert store.share_links.revoke(token, author=ALICE.email, user=ALICE)
    link = store.share_links.of_plan(plan_id, user=ALICE)[0]
    assert (link.status, link.revoked_by) == ("revoked", ALICE.email)
    store.teams.remove_editor(plan_id, BOB.email, user=ALICE)
    assert store.plans(BOB) == []
    with pytest.raises(StoreError, match="no saved plan"):
        store.get(plan_id, user=BOB)
    with pytest.raises(StoreError, match="not one of its editors"):
        store.teams.remove_editor(plan_id, BOB.email, user=ALICE)


def test_links_of_other_peoples_plans_cannot_be_revoked(store, plan):
    """Tests that a link key or token of alice's plan revokes nothing for bob."""
    plan_id, _ = store.save(plan, user=ALICE)
    token = store.share_links.share(plan_id, author=ALICE.email, user=ALICE)
    key = store.share_links.of_plan(plan_id, user=ALICE)[0].key
    assert not store.share_links.revoke(key=key, author=BOB.email, user=BOB)
    assert not store.share_links.revoke(token, author=BOB.email, user=BOB)
    assert store.share_links.resolve(token) == (plan_id, "executive")


def test_administrators_manage_every_plan_and_own_the_old_ones(store, plan):
    """Tests that a plan saved before sign-in (no owner) is the administrators' until one is made
    owner, and that an administrator sees and may hand on every plan."""
    old_id, _ = store.save(plan, author="local user")
    alice_id, _ = store.save(plan, user=ALICE)
    assert store.plans(ALICE)[0].id == alice_id and len(store.plans(ALICE)) == 1
    assert {p.id for p in store.plans(ADMIN)} == {old_id, alice_id}
    assert store.teams.of_plan(old_id, user=ADMIN).owner is None
    with pytest.raises(StoreError, match="no saved plan"):
        store.get(old_id, user=ALICE)
    team = store.teams.set_owner(old_id, ALICE.email, user=ADMIN)
    assert team.owner == ALICE.email
    assert store.get(old_id, user=ALICE)[1] == 1
    store.teams.add_editor(alice_id, BOB.email, user=ADMIN)
    store.teams.set_owner(alice_id, BOB.email, user=ALICE)  # the owner hands it on; bob stops being an editor
    assert store.teams.of_plan(alice_id, user=BOB).editors == ()
    assert store.teams.of_plan(alice_id, user=BOB).owner == BOB.email
    with pytest.raises(StoreError, match="no saved plan"):
        store.get(alice_id, user=ALICE)


def test_copies_belong_to_whoever_copies(store, plan):
    """Tests that an editor's copy of a plan is the editor's own plan."""
    plan_id, _ = store.save(plan, user=ALICE)
    store.teams.add_editor(plan_id, BOB.email, user=ALICE)
    copy = store.duplicate(plan_id, author=BOB.email, user=BOB)
    assert store.teams.of_plan(copy, user=BOB).owner == BOB.email
    with pytest.raises(StoreError, match="no saved plan"):
        store.get(copy, user=ALICE)


def test_bad_addresses_are_refused_by_name(store, plan):
    """Tests that an editor or owner that is not an e-mail address is refused with the field named."""
    plan_id, _ = store.save(plan, user=ALICE)
    for bad in ("", "bob", "bob@", "two@at@example.org", "bob smith@example.org", "x" * 200 + "@example.org"):
        with pytest.raises(StoreError, match="editor"):
            store.teams.add_editor(plan_id, bad, user=ALICE)
    with pytest.raises(StoreError, match="owner: 'nobody' is not an e-mail address"):
        store.teams.set_owner(plan_id, "nobody", user=ADMIN)
    assert store.teams.of_plan(plan_id, user=ALICE).editors == ()


def test_administrators_come_from_planner_admins(monkeypatch):
    """Tests PLANNER_ADMINS parsing: comma-separated, any case, a typo skipped rather than fatal."""
    monkeypatch.setenv("PLANNER_ADMINS", " Root@Example.org, not-an-address ,ops@example.org,")
    assert admins() == {"root@example.org", "ops@example.org"}
    assert signed_in("ROOT@example.org", "Root").admin
    assert not signed_in("alice@example.org").admin
    with pytest.raises(AccessError, match="e-mail address: required"):
        email_address("  ")


def test_a_version_2_database_upgrades_and_its_plans_go_to_the_administrators(tmp_path, plan):
    """Tests the upgrade in place of a database written before sign-in: plans and links survive,
    the plans have no owner (the administrators'), and an owner can then be set."""
    path = tmp_path / "planner.db"
    store = Store(f"sqlite:///{path}")
    plan_id, _ = store.save(plan, author="local user")
    token = store.share_links.share(plan_id)
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("drop table planner_editors")
    for column in ("created_by", "revoked_by"):
        conn.execute(f"alter table planner_share_links drop column {column}")
    conn.execute("alter table planner_plans drop column owner")
    conn.execute("update planner_schema set version = 2")
    conn.commit()
    conn.close()
    store = Store(f"sqlite:///{path}")
    assert sqlite3.connect(path).execute("select version from planner_schema").fetchone() == (SCHEMA_VERSION,)
    assert store.share_links.resolve(token) == (plan_id, "executive")
    assert store.plans(ALICE) == [] and [p.id for p in store.plans(ADMIN)] == [plan_id]
    store.teams.set_owner(plan_id, ALICE.email, user=ADMIN)
    assert store.get(plan_id, user=ALICE)[1] == 1


def test_command_line_sets_owner_and_editors(tmp_path, plan, capsys):
    """Tests `store owner` and `store editors --add/--remove` (which lists the editors)."""
    db = f"sqlite:///{tmp_path / 'planner.db'}"
    plan_id, _ = Store(db).save(plan)
    assert cli.main(["store", "owner", plan_id, "Alice@Example.org", "--db", db]) == 0
    assert "owner alice@example.org" in capsys.readouterr().out
    assert (
        cli.main(["store", "editors", plan_id, "--add", "bob@example.org", "--add", "c@example.org", "--db", db]) == 0
    )
    assert capsys.readouterr().out.split() == ["bob@example.org", "c@example.org"]
    assert cli.main(["store", "editors", plan_id, "--remove", "c@example.org", "--db", db]) == 0
    assert capsys.readouterr().out.split() == ["bob@example.org"]
    assert cli.main(["store", "editors", plan_id, "--db", db]) == 0
    assert capsys.readouterr().out.split() == ["bob@example.org"]
    assert cli.main(["store", "editors", plan_id, "--add", "nobody", "--db", db]) == 1
    assert "editor: 'nobody' is not an e-mail address" in capsys.readouterr().err
    assert cli.main(["store", "owner", "no-such-plan", "a@example.org", "--db", db]) == 1
    assert "no saved plan 'no-such-plan'" in capsys.readouterr().err
    assert cli.main(["store", "list", "--db", db]) == 0
    assert "alice@example.org" in capsys.readouterr().out
