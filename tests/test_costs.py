"""Tests the cost model (issue 28 items 1, 2 and 4, the schedule's part): hand-computed cases for
effort, run costs, double running, an extension and one-offs, exact to the cent, and named errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from planner.core.model import PlanError
from planner.core.validate import parse_plan
from planner.costs import plan_cost
from planner.formats.planfile import dump_yaml
from planner.scheduling import schedule
from tests.conftest import plan_data, task

MONTH = "3043.75"  # 365.25 / 12 days x 100 a day: a run cost of exactly 100 a calendar day


def _plan(*extra, **costs):
    """Mon 4 Jan 2027: A (3 days, 2 of R at 100 a day) then B (2 days, the vendor at 50 a day),
    then the CUTOVER milestone on Fri 8 Jan, whose deadline is the contract end; `extra` after."""
    return parse_plan(
        plan_data(
            task("A", 3, uses={"R": 2}),
            task("B", 2, "A", owner="vendor"),
            task("CUTOVER", 0, "B", phase="Cutover", deadline=costs.pop("contract_end", None)),
            *extra,
            resources=[{"id": "R", "capacity": 2}],
            costs={"currency": "GBP", "rates": {"R": 100}, "party_rates": {"vendor": 50}, **costs},
        )
    )


def test_effort_run_costs_and_one_offs_by_hand():
    """Tests a two-task plan: effort 2 x 3 x 100 + 2 x 50 = 700; the incumbent paid 4-8 Jan (5
    days at 100) = 500; the provider from the handover (Fri 8 Jan) to the plan finish (the same
    day): nothing; a one-off of 1,234.56; total 2,434.56, exact."""
    plan = _plan(incumbent_monthly=MONTH, provider_monthly=MONTH, one_offs=[{"task": "CUTOVER", "amount": "1234.56"}])
    cost = plan_cost(schedule(plan))
    assert cost.by_category() == {
        "effort": Decimal("700.00"),
        "incumbent": Decimal("500.00"),
        "extension": Decimal("0"),
        "provider": Decimal("0.00"),
        "one-off": Decimal("1234.56"),
    }
    assert cost.total == Decimal("2434.56") and isinstance(cost.total, Decimal)


def test_a_late_handover_is_priced_as_an_extension_and_early_one_as_double_running():
    """Tests the contract end both ways: a contract end on Wed 6 Jan and a handover on Fri 8 Jan
    is 2 days of extension at its price (200 a day = 400), the incumbent's regular days 4-6 Jan
    (300); a contract end on Fri 15 Jan keeps the incumbent until then (12 days, 1,200) while the
    provider is paid from the handover on the 8th: 8 days of double running (the 8th to the 15th, 800)."""
    late = _plan(contract_end=dt.date(2027, 1, 6), incumbent_monthly=MONTH, extension_monthly="6087.50")
    by = plan_cost(schedule(late)).by_category()
    assert (by["extension"], by["incumbent"]) == (Decimal("400.00"), Decimal("300.00"))
    settle = task("SETTLE", 10, "CUTOVER", owner="client")  # the plan runs on after the handover
    early = _plan(settle, contract_end=dt.date(2027, 1, 15), incumbent_monthly=MONTH, provider_monthly=MONTH)
    cost = plan_cost(schedule(early))
    assert cost.by_category()["incumbent"] == Decimal("1200.00")
    assert cost.double_running_days == 8 and cost.double_running == Decimal("800.00")


def test_bad_cost_models_are_named():
    """Tests the errors: a negative rate, fractions of a cent, a rate for an unknown resource or
    party, a one-off on an unknown task, a currency that is not a code."""
    base = plan_data(task("A", 3), resources=[{"id": "R", "capacity": 1}])
    for costs, message in (
        ({"currency": "GBP", "rates": {"R": -5}}, "costs.rates.R"),
        ({"currency": "GBP", "incumbent_monthly": "10.005"}, "costs.incumbent_monthly"),
        ({"currency": "GBP", "rates": {"X": 5}}, "rates.X: unknown resource 'X'"),
        ({"currency": "GBP", "party_rates": {"nobody": 5}}, "party_rates.nobody"),
        ({"currency": "GBP", "one_offs": [{"task": "Z", "amount": 5}]}, "one_offs[1].task: unknown task 'Z'"),
        ({"currency": "pounds"}, "costs.currency"),
    ):
        with pytest.raises(PlanError, match=message.replace("[", r"\[").replace("]", r"\]")):
            parse_plan({**base, "costs": costs})


def test_cost_command_prints_table_csv_and_json(tmp_path):
    """Tests `planner cost`: the JSON total is the library's, the CSV reads back, the table ends
    with the total; a plan without a cost model is refused by name."""
    import csv
    import io

    plan = _plan(incumbent_monthly=MONTH, one_offs=[{"task": "CUTOVER", "amount": "1234.56"}])
    path = tmp_path / "plan.yaml"
    path.write_text(dump_yaml(plan), encoding="utf-8")

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "planner", "cost", str(path), *args], capture_output=True, text=True
        )

    doc = json.loads(run("--format", "json").stdout)
    assert doc["total"] == "2434.56" and doc["currency"] == "GBP"
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv").stdout)))
    assert sum(Decimal(r["amount_gbp"]) for r in rows) == Decimal("2434.56")
    assert run().stdout.splitlines()[-1].split()[-1] == "2434.56"
    bare = tmp_path / "bare.yaml"
    bare.write_text(dump_yaml(parse_plan(plan_data(task("A", 1)))), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "planner", "cost", str(bare)], capture_output=True, text=True)
    assert res.returncode == 1 and "costs" in res.stderr and "Traceback" not in res.stderr


def test_each_draw_is_priced_like_the_schedule():
    """Tests the Monte Carlo's cost (issue 28 item 2): with no spread in the estimates every draw
    costs what the schedule costs, to the cent; with spread, P50 <= P80 and the chance of staying
    within a budget follows the draws (a budget at the P80 cost is met in about 80% of draws)."""
    from planner.risk.montecarlo import simulate

    settle = task("SETTLE", 10, "CUTOVER", owner="client")
    plan = _plan(settle, contract_end=dt.date(2027, 1, 15), incumbent_monthly=MONTH, provider_monthly=MONTH)
    exact = plan_cost(schedule(plan)).total
    run = simulate(plan, iterations=500, seed=2)
    assert set(run.cost.percentiles.values()) == {exact}
    spread = _plan(
        task("SETTLE", 10, "CUTOVER", owner="client", estimate=[8, 10, 20]),
        contract_end=dt.date(2027, 1, 15),
        incumbent_monthly=MONTH,
        provider_monthly=MONTH,
        extension_monthly="6087.50",
    )
    first = simulate(spread, iterations=4000, seed=5).cost
    assert first.percentiles[50] <= first.percentiles[80] < first.percentiles[90]
    budgeted = spread.model_copy(update={"costs": spread.costs.model_copy(update={"budget": first.percentiles[80]})})
    chance = simulate(budgeted, iterations=4000, seed=5).cost.budget_chance
    assert 0.78 <= chance <= 0.85


def test_templates_price_their_options_in_compare_and_the_options_table():
    """Tests issue 28 items 1 and 3 on the templates: illustrative figures scaled by size and said
    to be illustrative; `compare` gives each option its exact cost and its P50/P80 cost, the same
    as the library's; with more waves the P80 cost grows (more months of running both)."""
    import csv
    import io

    from planner.generate.build import build_plan
    from planner.generate.options import option
    from tests.conftest import MONDAY

    small, medium = (build_plan("service-desk", size=s, start=MONDAY).costs for s in ("small", "medium"))
    assert "illustrative" in medium.note.lower() and small.incumbent_monthly * 4 == medium.incumbent_monthly
    assert small.rates == medium.rates
    argv = [sys.executable, "-m", "planner", "compare", "--template", "service-desk", "--waves", "0,2,6"]
    argv += ["--pilot-share", "15", "--start", "2027-01-04", "--format", "csv"]
    rows = list(csv.DictReader(io.StringIO(subprocess.run(argv, capture_output=True, text=True).stdout)))
    expected = option("service-desk", 2, 15, start=MONDAY)
    assert rows[1]["cost"] == f"{expected.cost.total:.2f}" and rows[1]["currency"] == "GBP"
    assert rows[1]["cost_p80"] == f"{expected.cost_risk.percentiles[80]:.2f}"
    p80 = [Decimal(r["cost_p80"]) for r in rows]
    assert p80 == sorted(p80) and len(set(p80)) == 3


def test_options_table_shows_cost_columns(app):
    """Tests the New plan page's options table: P50 and P80 cost and double running per option."""
    app.switch_page("planner/ui/pages/new.py").run()
    table = app.dataframe[0].value
    assert {"Cost P50", "Cost P80", "Double running cost"} <= set(table.columns)
    assert (table["Cost P80"] >= table["Cost P50"]).all() and (table["Cost P50"] > 0).all()


def test_report_and_plan_page_show_the_costs(app):
    """Tests issue 28 item 3 in two places: the HTML report has a Costs section whose total is the
    library's (read back by the standard HTML parser), and the plan page (and so every share view
    that shows the key figures) shows the cost, its P80, the double running and the budget."""
    from html.parser import HTMLParser

    from planner.formats.report import report_html
    from planner.generate.build import build_plan
    from tests.conftest import MONDAY

    sched = schedule(build_plan("service-desk", start=MONDAY))
    cost = plan_cost(sched)

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    reader = Text()
    reader.feed(report_html(sched))
    text = " ".join(reader.parts)
    assert "Costs (GBP)" in text and f"Total {cost.total:,.2f}" in text and "Illustrative" in text
    labels = {m.label for m in app.metric}
    assert {"Cost (GBP)", "Cost P80 (GBP)", "Double running (GBP)", "Budget"} <= labels


def test_monthly_costs_add_up_to_the_plan_cost():
    """Tests the monthly breakdown behind the Costs view: the cells of every category add up to
    the schedule's lines (to the cent on the templates), one-offs in their task's month."""
    from planner.costs import monthly_costs
    from planner.generate.build import build_plan
    from tests.conftest import MONDAY

    for name in ("service-desk", "vendor-exit"):
        sched = schedule(build_plan(name, start=MONDAY, contract_end=dt.date(2027, 6, 30)))
        cost = plan_cost(sched)
        cells = monthly_costs(sched)
        for category, amount in cost.by_category().items():
            total = sum((a for _, c, a in cells if c == category), Decimal(0))
            assert abs(total - amount) <= Decimal("0.05"), (name, category, total, amount)
        fee = sched.plan.costs.one_offs[0]
        month = dt.date.fromisoformat(sched.table.set_index("id").loc[fee.task, "finish"]).replace(day=1)
        assert (month, "one-off", fee.amount) in cells or any(m == month and c == "one-off" for m, c, _ in cells)


def test_monthly_costs_keep_the_termination_assistance_after_a_late_handover():
    """Tests a vendor exit whose handover lands past the contract end: the incumbent is paid its
    regular run to the contract end, the extension to the handover and then 90 days of termination
    assistance, and the Costs view's months carry all three as the cost table does."""
    from planner.costs import monthly_costs
    from planner.generate.build import build_plan
    from tests.conftest import MONDAY

    sched = schedule(build_plan("vendor-exit", start=MONDAY, contract_end=dt.date(2027, 3, 1)))
    by = plan_cost(sched).by_category()
    assert by["extension"] > 0
    cells = monthly_costs(sched)
    for category in ("incumbent", "extension"):
        total = sum((a for _, c, a in cells if c == category), Decimal(0))
        assert abs(total - by[category]) <= Decimal("0.05"), (category, total, by[category])
    paid = max(m for m, c, _ in cells if c == "incumbent")
    assert paid > max(m for m, c, _ in cells if c == "extension")


def test_costs_view_shows_lines_and_charts(app):
    """Tests the Costs view on the example plan: the total, both charts and a row per cost line;
    a plan without a cost model gets a pointer to docs/costs.md, not an error."""
    from planner.ui import state

    app.segmented_control(key="plan-view").set_value("Costs").run()
    assert not app.exception
    plan = app.session_state[state.PLAN]
    cost = plan_cost(schedule(plan))
    assert any(f"Total {cost.total:,.2f} GBP" in m.value for m in app.markdown)
    assert len(app.get("vega_lite_chart")) >= 3  # the Gantt and the two cost charts
    assert len(app.dataframe[-1].value) == len(cost.lines)
    budget = Decimal("2500000")
    app.session_state[state.PLAN] = plan.model_copy(update={"costs": plan.costs.model_copy(update={"budget": budget})})
    app.run()
    specs = [c.proto.spec for c in app.get("vega_lite_chart")]
    assert any("Cumulative spend against budget" in s and '"budget"' in s and '"rule"' in s for s in specs)
    app.session_state[state.PLAN] = plan.model_copy(update={"costs": None})
    app.run()
    assert any("no cost model" in i.value for i in app.info) and not app.exception


def test_workbook_carries_the_costs_as_numbers(tmp_path):
    """Tests the workbook's Costs sheets, read back by openpyxl: each line with its amount as a
    number, the total, and the monthly cells dated; a workbook with costs still imports."""
    import io

    from openpyxl import load_workbook

    from planner.files import read_plan_bytes
    from planner.formats.xlsx import to_xlsx
    from planner.generate.build import build_plan
    from tests.conftest import MONDAY

    sched = schedule(build_plan("ams", start=MONDAY))
    cost = plan_cost(sched)
    raw = to_xlsx(sched)
    book = load_workbook(io.BytesIO(raw))
    rows = list(book["Costs"].iter_rows(values_only=True))
    assert rows[0] == ("category", "item", "amount_gbp") and len(rows) == len(cost.lines) + 2
    assert rows[-1][0] == "total" and Decimal(str(rows[-1][2])) == cost.total
    assert all(isinstance(r[2], float | int) for r in rows[1:])
    monthly = list(book["Costs by month"].iter_rows(values_only=True))[1:]
    assert monthly and all(hasattr(r[0], "year") for r in monthly)
    back, _ = read_plan_bytes(raw, "plan.xlsx")
    assert [t.id for t in back.tasks] == [t.id for t in sched.plan.tasks]
