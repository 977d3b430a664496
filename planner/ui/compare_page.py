"""Compare: saved plans or revisions side by side (finish, P80, every milestone), differences
highlighted, so a steering committee sees what a re-plan moved."""

from __future__ import annotations

import streamlit as st

from planner.store.database import StoreError
from planner.ui import auth, guard, state, storage
from planner.ui.text import md

MAX_COLUMNS = 6
OPEN_PLAN = "open"


@st.cache_data(max_entries=32, show_spinner=False)
def _compare(labels: tuple[str, ...], documents: tuple[str, ...]) -> list[dict]:
    """The comparison table's rows (first column: what is compared; one column per plan)."""
    from planner.core.validate import parse_plan
    from planner.formats.planfile import read_yaml
    from planner.generate.options import compare_plans

    plans = [(label, parse_plan(read_yaml(doc))) for label, doc in zip(labels, documents, strict=True)]
    result = compare_plans(plans)
    first, last = result.columns[0], result.columns[-1]
    rows: list[dict] = [
        {
            "What": "Plan finish",
            **{c.label: c.finish for c in result.columns},
            "Change (days)": (last.finish - first.finish).days,
        },
        {
            "What": "P80 finish",
            **{c.label: c.p80 for c in result.columns},
            "Change (days)": (last.p80 - first.p80).days,
        },
    ]
    for tid, name in result.rows:
        rows.append(
            {
                "What": f"{tid}  {name}",
                **{c.label: c.milestones.get(tid) for c in result.columns},
                "Change (days)": result.shift(tid),
            }
        )
    return rows


def _choices(store) -> tuple[dict[str, tuple[str, int | None, str]], list[str]]:
    """Label -> (plan id, revision, column heading) for the open plan and every saved plan's recent
    revisions; and the default pick: the newest plan's last two revisions, oldest first."""
    current = state.current()
    out: dict[str, tuple[str, int | None, str]] = {
        f"Open plan: {current.name}": (OPEN_PLAN, None, f"Open: {_short(current.name)}")
    }
    default: list[str] = []
    for info in store.plans(auth.user()):
        revisions = store.history(info.id, user=auth.user())[-8:]
        labels = []
        for rev in reversed(revisions):
            label = f"{info.name} · revision {rev.number} ({rev.created_at:%Y-%m-%d %H:%M})"
            out[label] = (info.id, rev.number, f"{_short(info.name)} r{rev.number}")
            labels.append(label)
        if not default and len(labels) >= 2:
            default = [labels[1], labels[0]]
    if not default:
        default = list(out)[:2]
    return out, default


def _short(name: str) -> str:
    return name if len(name) <= 28 else name[:27] + "…"


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:+d}" if value else "0"
    return value.isoformat()  # type: ignore[attr-defined]


def _highlight(rows: list[dict], labels: list[str]):
    """The table as text ("—" where a plan lacks a milestone), changed dates highlighted."""
    import pandas as pd

    frame = pd.DataFrame([{k: v if k == "What" else _text(v) for k, v in row.items()} for row in rows])

    def colour(row: pd.Series) -> list[str]:
        dates = {row[label] for label in labels}
        changed = len(dates) > 1
        return ["background-color: #fff3cd" if changed and col in labels else "" for col in row.index]

    return frame.style.apply(colour, axis=1)


def show() -> None:
    guard.ask_if_pending()
    st.title("Compare plans")
    st.caption(
        "Saved plans or revisions side by side: finish, P80 (2,000 simulated runs, same seed) and every "
        "milestone and gate. Rows whose dates differ are highlighted; the change runs from the first column "
        "to the last."
    )
    store = storage.store()
    if store is None:
        return
    try:
        choices, default = _choices(store)
        picked = st.multiselect(
            "Plans and revisions to compare (the change runs from the first to the last)",
            list(choices),
            default=default,
            max_selections=MAX_COLUMNS,
            key="compare-pick",
            placeholder="Choose two or more",
        )
        if len(picked) < 2:
            st.info("Choose at least two plans or revisions (save the open plan to compare it with earlier ones).")
            return
        from planner.formats.planfile import dump_yaml

        documents = []
        for label in picked:
            plan_id, number, _ = choices[label]
            plan = state.current() if plan_id == OPEN_PLAN else store.get(plan_id, number, user=auth.user())[0]
            documents.append(dump_yaml(plan))
    except StoreError as exc:
        st.error(md(str(exc)), icon="⚠️")
        return
    labels = [f"{k + 1}. {choices[label][2]}" for k, label in enumerate(picked)]
    with st.spinner("Scheduling and simulating each plan…"):
        rows = _compare(tuple(labels), tuple(documents))
    config = {label: st.column_config.TextColumn(label, width="medium") for label in labels}
    config["Change (days)"] = st.column_config.TextColumn(help="calendar days, first to last column")
    st.dataframe(
        _highlight(rows, labels),
        hide_index=True,
        column_config=config,
        key="compare-table",
        height=35 * (len(rows) + 1) + 3,
    )
    changed = sum(1 for r in rows[2:] if len({r[label] for label in labels}) > 1)
    st.markdown(f"{changed} of {len(rows) - 2} milestones and gates differ.")
