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

Writer = Callable[["Schedule"], "str | bytes"]


@dataclass(frozen=True)
class Format:
    name: str  # `export --to NAME`
    label: str  # the download button
    filename: str  # appended to the plan's slug
    mime: str
    write: Writer
    binary: bool = False  # bytes that only a file can hold (text formats may also go to stdout)
    place: str = "more"  # in the app: "main" (a button of its own), "more" (the More formats menu), "" (elsewhere)


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


def _html(s: Schedule) -> str:
    from planner.formats.report import report_html

    return report_html(s)


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
FORMATS: tuple[Format, ...] = (
    Format("milestones-csv", "Milestone CSV", "milestones.csv", "text/csv", _milestones, place="main"),
    Format("schedule-csv", "Schedule CSV", "schedule.csv", "text/csv", _schedule_csv, place="main"),
    Format("tasks-csv", "Task CSV", "tasks.csv", "text/csv", _tasks, place="main"),
    Format("yaml", "Plan YAML", "plan.yaml", "application/yaml", _yaml, place="main"),
    Format("html", "Report (HTML)", "report.html", "text/html", _html, place="main"),
    Format("xlsx", "Excel workbook", "plan.xlsx", XLSX_MIME, _xlsx, binary=True),
    Format("png", "Gantt PNG", "gantt.png", "image/png", _png, binary=True),
    Format("svg", "Gantt SVG", "gantt.svg", "image/svg+xml", _svg),
    Format("mspdi", "MS Project XML", "project.xml", "application/xml", _mspdi),
    Format("ics", "Calendar (ICS)", "milestones.ics", "text/calendar", _ics),
    Format("mermaid", "Mermaid gantt", "gantt.mmd", "text/plain", _mermaid),
    Format("raid-csv", "RAID CSV", "raid.csv", "text/csv", _raid, place=""),  # on the RAID view
    Format("json", "Plan JSON", "plan.json", "application/json", _json, place=""),
)
BY_NAME = {f.name: f for f in FORMATS}
