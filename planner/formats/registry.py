"""Every export format in one place: its name for `export --to`, its label, file name, MIME type
and writer. The command line and the app's download buttons both read this table, so a new
format is added here once. Writers import their module when called: the command line starts
without pandas, Altair or openpyxl unless the chosen format needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.core.schedule import Schedule
    from planner.pack.trend import Trend
    from planner.risk.result import RiskResult

Writer = Callable[["Schedule"], "str | bytes"]
ViewWriter = Callable[["Schedule", str, "Trend | None", "RiskResult | None"], "str | bytes"]


@dataclass(frozen=True)
class Format:
    name: str  # `export --to NAME`
    label: str  # the download button
    filename: str  # appended to the plan's slug
    mime: str
    write: Writer
    place: str = "more"  # in the app: "main" (a button), "more" or "pack" (those menus), "" (elsewhere)
    for_view: ViewWriter | None = None  # the file as an audience sees it, with the forecast's trend

    def write_for(
        self, s: Schedule, view: str = "full", trend: Trend | None = None, run: RiskResult | None = None
    ) -> str | bytes:
        """The file as the audience named `view` may see it (`planner.audience`), with a saved plan's
        forecast trend where the format shows one and the plan's committed run when the caller
        has it (else it is made); a PlanError for a format without views."""
        if view == "full" and self.for_view is None:
            return self.write(s)
        if self.for_view is None:
            from planner.problems import PlanError, Problem

            made = ", ".join(f.name for f in FORMATS if f.for_view is not None)
            raise PlanError([Problem("export", "--view", f"a view is made for these formats only: {made}")])
        return self.for_view(s, view, trend, run)


def _milestones(s: Schedule) -> str:
    from planner.formats.csvfile import milestones_csv

    return milestones_csv(s)


def _schedule_csv(s: Schedule) -> str:
    from planner.formats.csvfile import schedule_csv

    return schedule_csv(s.table)


def _tasks(s: Schedule) -> str:
    from planner.formats.csvfile import tasks_csv

    return tasks_csv(s.plan)


def _raid(s: Schedule) -> str:
    from planner.formats.csvfile import raid_csv

    return raid_csv(s.plan)


def _yaml(s: Schedule) -> str:
    from planner.formats.planfile import dump_yaml

    return dump_yaml(s.plan)


def _json(s: Schedule) -> str:
    from planner.formats.planfile import dump_json

    return dump_json(s.plan)


def _html(s: Schedule, view: str = "full", trend: Trend | None = None, run: RiskResult | None = None) -> str:
    from planner.formats.report import report_html

    return report_html(s, view=view, trend=trend, run=run)


def _pptx(s: Schedule, view: str = "full", trend: Trend | None = None, run: RiskResult | None = None) -> bytes:
    from planner.pack.content import steering_pack
    from planner.pack.slides import to_pptx

    return to_pptx(steering_pack(s, view=view, trend=trend, run=run))


def _pdf(s: Schedule, view: str = "full", trend: Trend | None = None, run: RiskResult | None = None) -> bytes:
    from planner.pack.content import steering_pack
    from planner.pack.pdf import to_pdf

    return to_pdf(steering_pack(s, view=view, trend=trend, run=run))


def _png(s: Schedule) -> bytes:
    from planner.charts import gantt_chart
    from planner.formats.report import chart_png

    return chart_png(gantt_chart(s, width=1200, interactive=False))


def _svg(s: Schedule) -> str:
    from planner.charts import gantt_chart
    from planner.formats.report import chart_svg

    return chart_svg(gantt_chart(s, width=1200, interactive=False))


def _xlsx(s: Schedule) -> bytes:
    from planner.formats.xlsx import to_xlsx

    return to_xlsx(s)


def _mspdi(s: Schedule) -> str:
    from planner.formats.mspdi import to_mspdi

    return to_mspdi(s).decode("utf-8")


def _ics(s: Schedule) -> str:
    from planner.formats.ics import to_ics

    return to_ics(s).decode("utf-8")


def _mermaid(s: Schedule) -> str:
    from planner.formats.mermaid import to_mermaid

    return to_mermaid(s)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
FORMATS: tuple[Format, ...] = (
    Format("milestones-csv", "Milestone CSV", "milestones.csv", "text/csv", _milestones, place="main"),
    Format("schedule-csv", "Schedule CSV", "schedule.csv", "text/csv", _schedule_csv, place="main"),
    Format("tasks-csv", "Task CSV", "tasks.csv", "text/csv", _tasks, place="main"),
    Format("yaml", "Plan YAML", "plan.yaml", "application/yaml", _yaml, place="main"),
    Format("html", "Report (HTML)", "report.html", "text/html", _html, place="main", for_view=_html),
    Format("pptx", "Steering slides", "steering.pptx", PPTX_MIME, _pptx, place="pack", for_view=_pptx),
    Format("pdf", "Steering PDF", "steering.pdf", "application/pdf", _pdf, place="pack", for_view=_pdf),
    Format("xlsx", "Excel workbook", "plan.xlsx", XLSX_MIME, _xlsx),
    Format("png", "Gantt PNG", "gantt.png", "image/png", _png),
    Format("svg", "Gantt SVG", "gantt.svg", "image/svg+xml", _svg),
    Format("mspdi", "MS Project XML", "project.xml", "application/xml", _mspdi),
    Format("ics", "Calendar (ICS)", "milestones.ics", "text/calendar", _ics),
    Format("mermaid", "Mermaid gantt", "gantt.mmd", "text/plain", _mermaid),
    Format("raid-csv", "RAID CSV", "raid.csv", "text/csv", _raid, place=""),  # on the RAID view
    Format("json", "Plan JSON", "plan.json", "application/json", _json, place=""),
)
BY_NAME = {f.name: f for f in FORMATS}
