"""Start a plan: from a built-in template (sized by its pilot, waves and size, with options side by
side) or from a file."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from planner.core.model import PlanError
from planner.files import MAX_UPLOAD_BYTES, PLAN_SUFFIXES, read_plan_bytes
from planner.generate.catalogue import MAX_WAVES, SIZES, TemplateInfo, list_templates, next_monday, pct
from planner.generate.service_size import MEASURES, size_from_service
from planner.ui import guard
from planner.ui.text import md, md_list

WAVE_CHOICES = tuple(range(0, 7))
SHARE_CHOICES = (0, 5, 10, 15, 20, 25)
MAX_TABLE_OPTIONS = 12
_APPLIED = "new-options-applied"  # the table row last copied into the form (so later edits stick)
_FOR_TEMPLATE = "new-form-template"  # the template and size the form's defaults belong to


@st.cache_data(max_entries=64, show_spinner=False)
def _options(
    template: str,
    waves: tuple[int, ...],
    shares: tuple[int, ...],
    size: str,
    start: dt.date,
    holidays: str | None,
    deadline: dt.date | None,
    contract_end: dt.date | None,
    assistance: int,
) -> list[dict]:
    """The options table's rows (Streamlit's data cache: the same inputs give the same table)."""
    from planner.generate.options import options

    rows = options(
        template,
        waves,
        shares,
        size=size,
        start=start,
        deadline=deadline,
        contract_end=contract_end,
        holidays=holidays,
        termination_assistance=assistance,
    )
    return [
        {
            "Waves": r.waves,
            "Pilot %": pct(r.pilot_share),
            "Finish": r.finish,
            "P50 finish": r.p50,
            "P80 finish": r.p80,
            "Contract end": None if r.contract is None else r.contract.verdict,
            "Meets contract end": None if r.contract is None else round(100 * r.contract.chance),
            "Ask for": None if r.contract is None else r.contract.ask() or "—",
            "Latest start": None if r.contract is None else r.contract.latest_start,
            "Meets deadline": None if r.deadline_chance is None else round(100 * r.deadline_chance),
            "Handover": r.handover,
            "Cost P50": None if r.cost_risk is None else round(r.cost_risk.percentiles[50]),
            "Cost P80": None if r.cost_risk is None else round(r.cost_risk.percentiles[80]),
            "Double running cost": None if r.cost is None else round(r.cost.double_running),
            "Notes": "; ".join(r.warnings),
        }
        for r in rows
    ]


def _form_defaults(info: TemplateInfo, size: str) -> None:
    """The form starts from the template's defaults for the size, and again whenever either changes."""
    if st.session_state.get(_FOR_TEMPLATE) != (info.name, size):
        st.session_state[_FOR_TEMPLATE] = (info.name, size)
        st.session_state["new-waves"] = info.waves_for(size)
        st.session_state["new-share"] = int(info.pilot_for(size))
        st.session_state.pop(_APPLIED, None)


def _options_table(
    info: TemplateInfo, size: str, start: dt.date, holidays: str | None, deadline, contract_end, assistance: int
) -> None:
    st.markdown("**Options side by side** · pick a row to copy it into the form below")
    cols = st.columns(2)
    waves = cols[0].pills(
        "Waves after the pilot", WAVE_CHOICES, selection_mode="multi", default=[0, 1, 2, 3], key="new-opt-waves"
    )
    shares = cols[1].pills(
        "Pilot share (%)", SHARE_CHOICES, selection_mode="multi", default=[5, 10, 20], key="new-opt-shares"
    )
    if not waves or not shares:
        st.info("Pick at least one wave count and one pilot share to compare.")
        return
    if len(waves) * len(shares) > MAX_TABLE_OPTIONS:
        st.warning(
            f"{len(waves)} wave counts × {len(shares)} pilot shares is {len(waves) * len(shares)} options; "
            f"pick at most {MAX_TABLE_OPTIONS}."
        )
        return
    try:
        with st.spinner("Simulating each option (2,000 runs each)…"):
            rows = _options(
                info.name,
                tuple(sorted(waves)),
                tuple(sorted(shares)),
                size,
                start,
                holidays,
                deadline,
                contract_end,
                assistance,
            )
    except PlanError as exc:
        st.error(md_list(exc.problems), icon="⚠️")
        return
    chance = st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d%%", width="small")
    picked = st.dataframe(
        rows,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="new-options",
        height=35 * (len(rows) + 1) + 3,
        column_config={
            "Meets deadline": chance if deadline else None,
            "Meets contract end": chance if contract_end else None,
            "Contract end": st.column_config.TextColumn(help="At the P80 handover: met, at risk or missed")
            if contract_end
            else None,
            "Ask for": st.column_config.TextColumn(
                help="Extend: the extension to ask the incumbent for (P80 handover after the contract end); overlap: "
                "how long both providers run side by side (P80 handover before it)"
            )
            if contract_end
            else None,
            "Latest start": st.column_config.DateColumn(
                format="YYYY-MM-DD", help="The latest start that still hands over by the contract end at P80"
            )
            if contract_end
            else None,
            "Finish": st.column_config.DateColumn(format="YYYY-MM-DD", help="Most likely, levelled"),
            "Handover": st.column_config.DateColumn(format="YYYY-MM-DD", help="Most likely, levelled"),
            "P50 finish": st.column_config.DateColumn(
                format="YYYY-MM-DD", help="Half of 2,000 simulated runs finish by then: the internal target"
            ),
            "P80 finish": st.column_config.DateColumn(
                format="YYYY-MM-DD", help="80% of 2,000 simulated runs finish by then: the date to commit"
            ),
            "Cost P50": st.column_config.NumberColumn(format="localized", help="Half of the runs cost less"),
            "Cost P80": st.column_config.NumberColumn(
                format="localized", help="80% of the runs cost less (the template's figures are illustrative)"
            ),
            "Double running cost": st.column_config.NumberColumn(
                format="localized", help="The new provider's cost while the incumbent is still paid"
            ),
        },
    )
    chosen = picked.selection.rows if picked else []
    if chosen:
        row = rows[chosen[0]]
        key = (info.name, row["Waves"], row["Pilot %"])
        if st.session_state.get(_APPLIED) != key:
            st.session_state[_APPLIED] = key
            st.session_state["new-waves"] = row["Waves"]
            st.session_state["new-share"] = int(float(row["Pilot %"]))


def _wave_shares(text: str) -> list[float] | None:
    """The wave shares a user typed (30,30,25 or 30; 30; 25); None when left empty; ValueError if
    a part is not a number."""
    parts = [part.strip().rstrip("%") for part in text.replace(";", ",").split(",") if part.strip()]
    return [float(part) for part in parts] if parts else None


_SIZED_BY = "new-sized-by"  # the service figures the size was last set from


def _service_size(template: str) -> None:
    """The service's size as people state it (agents, sites, applications, servers), mapped to
    the template's size by its bands; a change of the figures sets Size, which stays editable."""
    measures = MEASURES[template]
    cols = st.columns(len(measures))
    given = {
        m.key: cols[k].number_input(
            m.label[0].upper() + m.label[1:],
            min_value=1,
            max_value=1_000_000,
            value=None,
            step=1,
            key=f"new-service-{template}-{m.key}",
            placeholder="optional",
            help=f"Small under {m.medium_from:,.0f}, medium up to {m.large_above:,.0f}, large above",
        )
        for k, m in enumerate(measures)
    }
    sized = size_from_service(template, given)
    figures = (template, tuple(sorted((k, v) for k, v in given.items() if v is not None)))
    if sized is None:
        st.session_state.pop(_SIZED_BY, None)
        return
    if st.session_state.get(_SIZED_BY) != figures:
        st.session_state[_SIZED_BY] = figures
        st.session_state["new-size"] = sized.size
    st.caption(f"Size **{sized.size}** from the service: {md(sized.rule)}.")


def _template_form() -> None:
    templates = {t.name: t for t in list_templates()}
    names = list(templates)
    name = st.selectbox(
        "Template",
        names,
        index=names.index("service-desk"),
        key="new-template",
        format_func=lambda n: templates[n].title,
    )
    info = templates[name]
    st.markdown(f"**{info.title}.** {info.description}")
    st.caption(info.size_note)
    st.markdown("Phases: " + " → ".join(info.phases))
    _service_size(info.name)
    row = st.columns(3)
    st.session_state.setdefault("new-size", "medium")  # set by the service's figures, or by the user
    size = row[0].segmented_control("Size", SIZES, key="new-size") or "medium"
    _form_defaults(info, size)
    start = row[1].date_input("Start", next_monday(), key="new-start")
    holidays = row[2].text_input("Holiday country", "", key="new-holidays", placeholder="GB, DE, US-CA …")
    row = st.columns(3)
    deadline = row[0].date_input(
        "Deadline", None, key="new-deadline", help="Optional: the date the whole plan must meet"
    )
    contract_end = row[1].date_input(
        "Contract end",
        None,
        key="new-contract-end",
        help="Optional: the incumbent's contract end or notice date; the last cutover must land before it",
    )
    assistance = 90
    if info.termination_assistance:
        assistance = int(
            row[2].number_input(
                "Termination assistance (days)",
                0,
                730,
                90,
                key="new-assistance",
                help="Calendar days the incumbent helps after its contract end: exit acceptance must land inside",
            )
        )
    _options_table(info, size, start, holidays.strip() or None, deadline, contract_end, assistance)
    with st.form("new-plan-form"):
        cols = st.columns([2, 1, 1, 1.4])
        plan_name = cols[0].text_input("Plan name", "", key="new-name", placeholder="e.g. ACME service desk transition")
        waves = cols[1].number_input(
            "Waves after the pilot", 0, MAX_WAVES, key="new-waves", help="0 = one cutover of the rest"
        )
        share = cols[2].number_input("Pilot share (%)", 0, 90, key="new-share", help="0 = no pilot")
        shares_text = cols[3].text_input(
            "Wave shares (%)",
            "",
            key="new-wave-shares",
            placeholder="equal, or e.g. 30,30,25",
            help="Each wave's share of the volume; they add up to 100 minus the pilot share",
        )
        created = st.form_submit_button("Create plan", type="primary")
    if created:
        dates = (deadline, contract_end, assistance)
        _create(info, size, start, holidays, dates, plan_name, int(waves), int(share), shares_text)


def _create(info: TemplateInfo, size, start, holidays, dates, plan_name, waves, share, shares_text) -> None:
    """Makes the plan from the form; `dates` is the deadline, the contract end and the termination assistance."""
    deadline, contract_end, assistance = dates
    from planner.generate.build import generate

    try:
        wave_shares = _wave_shares(shares_text)
    except ValueError:
        st.error(f"Wave shares: {md(shares_text)} is not a list of percentages such as 30,30,25", icon="⚠️")
        return
    try:
        gen = generate(
            info.name,
            waves=waves,
            pilot_share=share,
            wave_shares=wave_shares,
            size=size,
            start=start,
            deadline=deadline,
            contract_end=contract_end,
            plan_name=plan_name.strip() or None,
            holidays=holidays.strip() or None,
            termination_assistance=assistance,
        )
    except PlanError as exc:
        st.error(md_list(exc.problems), icon="⚠️")
        return
    guard.show_plan(gen.plan, warnings=list(gen.warnings) or None, heading="Created, with warnings to consider:")


def _upload_form() -> None:
    with st.form("upload-form", clear_on_submit=False):
        upload = st.file_uploader(
            "Plan file",
            type=[s.lstrip(".") for s in PLAN_SUFFIXES],
            key="upload-file",
            max_upload_size=MAX_UPLOAD_BYTES // (1024 * 1024),
            help="A plan in YAML or JSON, a task CSV or Excel workbook (id, name, duration, depends_on, …) "
            "or MS Project XML",
        )
        start = st.date_input(
            "Start (used for a task CSV or workbook, which has none)", next_monday(), key="upload-start"
        )
        opened = st.form_submit_button("Open plan", type="primary")
    if opened:
        if upload is None:
            st.warning("Choose a file first.")
            return
        try:
            plan, warnings = read_plan_bytes(upload.getvalue(), upload.name, default_start=start)
        except PlanError as exc:
            st.error(f"{md(upload.name)} was not opened:\n\n" + md_list(exc.problems), icon="⚠️")
            return
        guard.show_plan(plan, warnings=warnings)


def show() -> None:
    guard.ask_if_pending()
    st.title("Start a plan")
    left, right = st.columns([3, 1.2], gap="large")
    with left:
        st.subheader("From a template")
        _template_form()
    with right:
        st.subheader("From a file")
        _upload_form()
