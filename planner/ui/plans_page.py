"""Saved plans: open, rename, duplicate, delete; history and restore; who works on a plan; share links.

On a team server every call names the signed-in user, and the store shows and changes only the
plans that user owns or edits (all of them for an administrator).
"""

from __future__ import annotations

import streamlit as st

from planner.audience import views as share_views
from planner.store.access import User, may_change_team
from planner.store.database import StoreError
from planner.ui import auth, guard, save_bar, state, storage
from planner.ui.keys import NOTICE, TEAM_FORMS
from planner.ui.text import md


def _open(plan_id: str, revision: int | None = None) -> None:
    """Opens a saved plan on the plan page (asking first if the open plan has unsaved edits)."""
    store = storage.store()
    if store is None:
        return
    plan, number = store.get(plan_id, revision, user=auth.user())
    guard.show_plan(plan, (plan_id, number))


def _follow(plan_id: str) -> None:
    """After a rename or restore made a new revision: the open copy of that plan follows it
    when it has no edits of its own (else the stale-save message offers the choice)."""
    info = storage.saved()
    if info is not None and info[0] == plan_id and not guard.has_unsaved_work(state.current()):
        save_bar.reload_latest()


def show() -> None:
    guard.ask_if_pending()
    st.title("Saved plans")
    store = storage.store()
    if store is None:
        return
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(md(notice), icon="✅")
    try:
        _show(store)
    except StoreError as exc:  # e.g. the plan was deleted or unshared by someone else meanwhile
        st.error(md(f"{exc}"), icon="⚠️")
        st.button("Show the list again", key="plans-refresh")


def _show(store) -> None:
    who, author = auth.user(), auth.author()
    infos = store.plans(who)
    if not infos:
        mine = " you own or edit" if who else ""
        st.info(f"No saved plans{mine} yet. Open the Plan page and press Save.")
        return
    st.dataframe(
        [
            {
                "id": i.id,
                "name": i.name,
                "revision": i.latest,
                "saved": f"{i.updated_at:%Y-%m-%d %H:%M}",
                "finish": i.finish,
                **({"owner": i.owner or "administrators"} if who else {}),
            }
            for i in infos
        ],
        hide_index=True,
        width="stretch",
        key="plans-table",
    )
    ids = [i.id for i in infos]
    names = {i.id: i.name for i in infos}
    plan_id = st.selectbox("Plan", ids, key="plans-pick", format_func=lambda i: f"{names[i]} ({i})")
    cols = st.columns(4)
    if cols[0].button("Open", key="plans-open", type="primary"):
        _open(plan_id)
        st.rerun()
    if cols[1].button("Duplicate", key="plans-duplicate"):
        copy = store.duplicate(plan_id, author=author, user=who)
        st.session_state[NOTICE] = f"Copied to {copy}."
        st.rerun()
    with cols[2].popover("Rename"), st.form(f"rename-{plan_id}", border=False):
        new_name = st.text_input("New name", names[plan_id], key=f"plans-new-name-{plan_id}")
        if st.form_submit_button("Rename", key="plans-rename"):
            try:
                store.rename(plan_id, new_name, author=author, user=who)
            except (StoreError, ValueError) as exc:
                st.error("Not renamed.", icon="⚠️")
                st.text(str(exc))
            else:
                _follow(plan_id)
                st.session_state[NOTICE] = f"Renamed to {new_name.strip()}."
                st.rerun()
    with cols[3].popover("Delete"):
        st.write(f"Delete **{md(names[plan_id])}**? Its share links stop working.")
        if st.button("Delete plan", key="plans-delete", type="primary"):
            store.delete(plan_id, author=author, user=who)
            saved = storage.saved()
            if saved and saved[0] == plan_id:
                storage.forget_saved()
            st.rerun()

    st.subheader("History")
    history = store.history(plan_id, user=who)
    st.dataframe(
        [
            {
                "revision": h.number,
                "saved": f"{h.created_at:%Y-%m-%d %H:%M}",
                "by": h.author,
                "finish": h.finish,
                "changes": h.summary,
                "note": h.note,
            }
            for h in reversed(history)
        ],
        hide_index=True,
        width="stretch",
        key="history-table",
    )
    numbers = [h.number for h in reversed(history)]
    c = st.columns([2, 1, 1, 3], vertical_alignment="bottom")
    pick = c[0].selectbox("Revision", numbers, key="history-pick")
    if c[1].button("Open revision", key="history-open"):
        _open(plan_id, pick)
        st.rerun()
    with c[2].popover("Restore", help="Saves this revision again as the newest one"):
        st.text(f"Restore revision {pick} as a new revision? Nothing is overwritten: the history keeps every revision.")
        if st.button(f"Restore revision {pick}", key="history-restore", type="primary"):
            number = store.restore(plan_id, pick, author=author, user=who)
            _follow(plan_id)
            st.session_state[NOTICE] = f"Revision {pick} restored as revision {number}."
            st.rerun()

    if who is not None:
        _team(store, plan_id, who)
    _share_links(store, plan_id)


def _team(store, plan_id: str, who: User) -> None:
    """Who works on the plan: its owner and editors; the owner (or an administrator) changes them."""
    st.subheader("Who works on this plan")
    team = store.teams.of_plan(plan_id, user=who)
    owner = team.owner or "the administrators (saved before sign-in)"
    st.text(f"Owner: {owner}")
    st.text("Editors: " + (", ".join(team.editors) or "none yet"))
    if not may_change_team(who, team.owner):
        st.caption("Only the owner or an administrator adds or removes editors.")
        return
    n = st.session_state.setdefault(TEAM_FORMS, 0)  # a new number empties the address fields after a change
    with st.form(f"team-form-{plan_id}", border=False):
        c = st.columns([4, 1], vertical_alignment="bottom")
        label = "Add an editor (e-mail address)"
        email = c[0].text_input(label, key=f"team-add-email-{n}", placeholder="name@example.org")
        added = c[1].form_submit_button("Add editor", key="team-add")
    if added:
        _change(
            lambda: store.teams.add_editor(plan_id, email, user=who),
            f"{email.strip().lower()} can now open and edit this plan.",
        )
    if team.editors:
        c = st.columns([4, 1], vertical_alignment="bottom")
        gone = c[0].selectbox("Editor", team.editors, key="team-remove-pick")
        if c[1].button("Remove editor", key="team-remove"):
            _change(lambda: store.teams.remove_editor(plan_id, gone, user=who), f"{gone} no longer has this plan.")
    with st.form(f"owner-form-{plan_id}", border=False):
        c = st.columns([4, 1], vertical_alignment="bottom")
        new_owner = c[0].text_input("Hand over to a new owner (e-mail address)", key=f"team-owner-email-{n}")
        handed = c[1].form_submit_button("Make owner", key="team-owner")
    if handed:
        _change(
            lambda: store.teams.set_owner(plan_id, new_owner, user=who),
            f"{new_owner.strip().lower()} now owns this plan.",
        )


def _change(action, done: str) -> None:
    """Applies a team change; a refusal keeps what was typed, success empties the address fields."""
    try:
        action()
    except StoreError as exc:
        st.error(md(f"Not changed: {exc}"), icon="⚠️")
    else:
        st.session_state[TEAM_FORMS] = st.session_state.get(TEAM_FORMS, 0) + 1
        st.session_state[NOTICE] = done
        st.rerun()


def share_url(token: str) -> str:
    """The link to paste: `PLANNER_BASE_URL`, else the address the browser used, up to the app's root."""
    import os
    from urllib.parse import urlsplit

    base = os.environ.get("PLANNER_BASE_URL", "").strip()
    if not base:
        url = st.context.url or "http://localhost:8501/"
        parts = urlsplit(url)
        root = (st.get_option("server.baseUrlPath") or "").strip("/")
        base = f"{parts.scheme}://{parts.netloc}/{root}"
    return f"{base.rstrip('/')}/?share={token}"


def share_warning(url: str) -> str | None:
    """What a link's maker must know before sending it: without sign-in the app is a single-user
    tool (whoever reaches the server can open and change every plan, not only the linked view),
    and a link to this machine's loopback address opens nowhere else. None on a team server."""
    from urllib.parse import urlsplit

    if auth.team_mode():
        return None
    host = (urlsplit(url).hostname or "").lower()
    local = host in ("localhost", "::1") or host.startswith("127.")
    where = (
        "This link points at this machine (localhost): it opens in no one else's browser. "
        if local
        else "Anyone who can reach this server can open, change and delete every plan here, not only this view. "
    )
    return (
        "This app runs without sign-in, as a single-user tool. "
        + where
        + "To share outside this machine, run it as a team server: set PLANNER_BASE_URL to the address "
        "people use and add sign-in (README, 'Sharing, storage and a team server'; docs/team-server.md)."
    )


def _share_links(store, plan_id: str) -> None:
    import datetime as dt

    st.subheader("Share links")
    if not auth.team_mode():
        st.caption("Without sign-in this app is single-user: links are for this machine unless you run a team server.")
    who, author = auth.user(), auth.author()
    plan, _ = store.get(plan_id, user=who)
    views = list(share_views(plan))
    with st.form(f"share-form-{plan_id}", border=False):
        c = st.columns([2, 3, 2, 1], vertical_alignment="bottom")
        view = c[0].selectbox(
            "View",
            views,
            key="share-view",
            help="executive: figures, phases, milestones, gates; "
            "a party: its own and joint tasks, every milestone and gate; full: everything, read-only",
        )
        label = c[1].text_input("For (optional)", key="share-label", placeholder="e.g. client steering committee")
        expires = c[2].date_input(
            "Expires after (optional)", value=None, key="share-expires", min_value=dt.date.today()
        )
        created = c[3].form_submit_button("Create link", key="share-create")
    if created:
        try:
            token = store.share_links.share(plan_id, view, label=label, expires_on=expires, author=author, user=who)
        except StoreError as exc:
            st.error("No link made.", icon="⚠️")
            st.text(str(exc))
        else:
            url = share_url(token)
            st.success("Link created. Copy it now: only its fingerprint is stored, so it cannot be shown again.")
            st.code(url, language=None)
            warning = share_warning(url)
            if warning:
                st.warning(warning, icon="🔓")
    rows = store.share_links.of_plan(plan_id, user=who)
    if not rows:
        st.caption("No share links yet.")
    for link in rows:
        c = st.columns([3, 2, 2, 1], vertical_alignment="center")
        for_whom = f" · for {link.label}" if link.label else ""
        c[0].text(f"{link.view}{for_whom}")
        until = f" · until {link.expires_on.isoformat()}" if link.expires_on else ""
        by = f" by {link.created_by}" if link.created_by else ""
        c[1].text(f"created {link.created_at:%Y-%m-%d %H:%M}{by}{until}")
        revoker = f" by {link.revoked_by}" if link.revoked_by else ""
        c[2].text(f"{link.status}{revoker if link.revoked else ''} · {link.key}")
        if link.status == "live" and c[3].button("Revoke", key=f"revoke-{link.key}"):
            store.share_links.revoke(key=link.key, author=author, user=who)
            st.rerun()
