"""The built-in template catalogue: which templates exist and what each says about itself.

The generator that turns a template into a plan is `planner.generate.build`; the file format is
described there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from planner.formats.planfile import read_yaml
from planner.problems import PlanError, Problem


def _template_dir() -> Path:
    """templates/ beside the package (a checkout or editable install), else the installed copy."""
    import sys

    here = Path(__file__).resolve().parents[2] / "templates"
    installed = Path(sys.prefix) / "share" / "transition-planner" / "templates"
    return here if here.is_dir() or not installed.is_dir() else installed


TEMPLATE_DIR = _template_dir()
MAX_WAVES = 20
SIZES = ("small", "medium", "large")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class TemplateInfo:
    """What the start page and `planner templates` show about a template."""

    name: str
    title: str
    description: str
    size_note: str
    default_waves: int
    default_pilot_share: int
    phases: tuple[str, ...]
    waves_by_size: Mapping[str, int]
    pilot_by_size: Mapping[str, float]
    volume_unit: str
    pilot_optional: tuple[str, ...]  # sizes that may skip the pilot without a warning (DOMAIN.md section 2)
    termination_assistance: bool  # an exit: acceptance must land inside the incumbent's help after its end

    def waves_for(self, size: str) -> int:
        return self.waves_by_size.get(size, self.default_waves)

    def pilot_for(self, size: str) -> float:
        return self.pilot_by_size.get(size, self.default_pilot_share)


def _template_path(name: str) -> Path:
    return TEMPLATE_DIR / f"{name}.yaml"


@lru_cache(maxsize=32)
def raw_template(name: str) -> dict[str, Any]:
    """The template file as data (read once per process; callers must not change it)."""
    path = _template_path(name)
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        known = ", ".join(template_names())
        raise PlanError([Problem("template", "name", f"no template {name!r}; built-in templates: {known}")])
    data = read_yaml(path.read_text(encoding="utf-8"), source=f"template {name}")
    if not isinstance(data, dict):
        raise PlanError([Problem(f"template {name}", "", "must be a mapping")])
    return data


def template_names() -> list[str]:
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))


def pct(share: float) -> str:
    """A share as a template writes it: 15, 28.3 (never 28.333 or 15.0)."""
    text = f"{share:.1f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def fill(text: Any, values: Mapping[str, Any]) -> Any:
    """Replaces {placeholders} a template's names and criteria use; unknown ones stay visible."""
    if not isinstance(text, str):
        return text
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def _sizes(value: Any) -> tuple[str, ...]:
    """`true` (every size), `false` (none) or a list of sizes."""
    if isinstance(value, bool):
        return SIZES if value else ()
    return tuple(str(v) for v in value)


def _text(raw: Mapping[str, Any], key: str) -> str:
    return " ".join(str(raw.get(key, "")).split())


@lru_cache(maxsize=32)
def template_info(name: str) -> TemplateInfo:
    raw = raw_template(name)
    defaults = raw.get("defaults", {})
    waves, pilot = int(defaults.get("waves", 2)), int(defaults.get("pilot_share", 15))
    phases: list[str] = []
    sections = [raw.get("tasks", []), raw.get("wave", {}).get("tasks", []), raw.get("after", {}).get("tasks", [])]
    for section in sections:
        for t in section:
            if t.get("phase") and t["phase"] not in phases:
                phases.append(t["phase"])
    values = {"pilot_share": pilot, "waves": waves, "final_share": 100, "remaining": pct(100 - pilot)}
    return TemplateInfo(
        name=name,
        title=raw.get("title", name),
        description=fill(_text(raw, "description"), values),
        size_note=_text(raw, "size_note"),
        default_waves=waves,
        default_pilot_share=pilot,
        phases=tuple(phases),
        waves_by_size={k: int(v) for k, v in defaults.get("waves_by_size", {}).items()},
        pilot_by_size={k: float(v) for k, v in defaults.get("pilot_by_size", {}).items()},
        volume_unit=str(raw.get("volume_unit", "volume")),
        pilot_optional=_sizes(defaults.get("pilot_optional", ["small"])),
        termination_assistance="termination_assistance" in raw,
    )


def list_templates() -> list[TemplateInfo]:
    return [template_info(n) for n in template_names()]


def next_monday(today: dt.date | None = None) -> dt.date:
    """Default plan start: the next Monday (today if it is one)."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)
