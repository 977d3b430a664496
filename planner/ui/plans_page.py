"""Saved plans: open, rename, duplicate, delete; history and restore; share links."""

from __future__ import annotations

import streamlit as st

from planner.store import FIXED_VIEWS, StoreError
from planner.ui import state, storage


def _open(plan_id: str, revision: int | None = None) -> None:
    store = storage.store()
    if store is None:
        return
    plan, number = store.get(plan_id, revision)
    state.replace(plan)
    storage.mark_saved(plan_id, number, plan)


def show() -> None:
    st.title("Saved plans")
    store = storage.store()
    if store is None:
        return
    infos = store.plans()
    if not infos:
        st.info("No saved plans yet. Open the Plan page and press Save.")
        return
    st.dataframe(
        [
            {
                "id": i.id,
                "name": i.name,
                "revision": i.latest,
                "saved": f"{i.updated_at:%Y-%m-%d %H:%M}",
                "finish": i.finish,
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
        st.switch_page(st.session_state["_pages"]["plan"])
    if cols[1].button("Duplicate", key="plans-duplicate"):
        copy = store.duplicate(plan_id)
        st.success(f"Copied to {copy}.")
        st.rerun()
    with cols[2].popover("Rename"):
        new_name = st.text_input("New name", names[plan_id], key="plans-new-name")
        if st.button("Rename", key="plans-rename"):
            try:
                store.rename(plan_id, new_name)
            except (StoreError, ValueError) as exc:
                st.error(str(exc))
            else:
                st.rerun()
    with cols[3].popover("Delete"):
        st.write(f"Delete **{names[plan_id]}**? Its share links stop working.")
        if st.button("Delete plan", key="plans-delete", type="primary"):
            store.delete(plan_id)
            saved = storage.saved()
            if saved and saved[0] == plan_id:
                storage.forget_saved()
            st.rerun()

    st.subheader("History")
    history = store.history(plan_id)
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
        st.switch_page(st.session_state["_pages"]["plan"])
    if c[2].button("Restore", key="history-restore", help="Saves this revision again as the newest one"):
        number = store.restore(plan_id, pick)
        st.success(f"Revision {pick} restored as revision {number}.")
        st.rerun()

    st.subheader("Share links")
    plan, _ = store.get(plan_id)
    views = [*FIXED_VIEWS, *plan.parties]
    c = st.columns([2, 1, 4], vertical_alignment="bottom")
    view = c[0].selectbox(
        "View",
        views,
        key="share-view",
        help="executive: figures, phases, milestones, gates; "
        "a party: its tasks and all milestones; full: everything, read-only",
    )
    if c[1].button("Create link", key="share-create"):
        token = store.share(plan_id, view)
        st.session_state["new_share_token"] = token
    token = st.session_state.pop("new_share_token", None)
    if token:
        st.success("Link created. Copy it now: only its fingerprint is stored.")
        st.code(f"?share={token}", language=None)
    for link in store.links(plan_id):
        c = st.columns([2, 2, 2, 1], vertical_alignment="center")
        c[0].write(f"`{link.key}` · {link.view}")
        c[1].write(f"created {link.created_at:%Y-%m-%d %H:%M}")
        c[2].write("revoked" if link.revoked else "live")
        if not link.revoked and c[3].button("Revoke", key=f"revoke-{link.key}"):
            store.revoke(key=link.key)
            st.rerun()
