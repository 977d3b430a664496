"""The steering pack as PowerPoint slides: native shapes, text boxes and tables that people edit
in PowerPoint or LibreOffice, never pictures (`planner.pack.layout` places everything)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from planner.pack.content import Pack
from planner.pack.layout import HEIGHT, INK, WIDTH, draw_pack

ALIGN = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}
BLANK = 6  # the default template's blank layout


def _at(value: float) -> Emu:
    return Emu(int(Inches(value)))


class SlideCanvas:
    """A `planner.pack.layout.Canvas` that adds PowerPoint shapes to one slide per page."""

    def __init__(self, title: str):
        self.deck = Presentation()
        self.deck.slide_width, self.deck.slide_height = _at(WIDTH), _at(HEIGHT)
        self.deck.core_properties.title = title
        self.slide: Any = None

    def page(self) -> None:
        self.slide = self.deck.slides.add_slide(self.deck.slide_layouts[BLANK])

    def _fill(self, shape: Any, fill: str | None, line: str | None) -> None:
        if fill is None:
            shape.fill.background()
        else:
            shape.fill.solid()
            shape.fill.fore_color.rgb = RGBColor.from_string(fill)
        if line is None:
            shape.line.fill.background()
        else:
            shape.line.color.rgb = RGBColor.from_string(line)
            shape.line.width = Pt(0.75)
        shape.shadow.inherit = False

    def text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        lines: Sequence[str],
        size: float,
        color: str = INK,
        bold: bool = False,
        align: str = "left",
    ) -> None:
        if not lines:
            return
        box = self.slide.shapes.add_textbox(_at(x), _at(y), _at(max(w, 0.1)), _at(max(h, 0.1)))
        frame = box.text_frame
        frame.word_wrap = False
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.margin_left = frame.margin_right = _at(0.02)
        frame.margin_top = frame.margin_bottom = _at(0.01)
        for k, line in enumerate(lines):
            para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
            para.alignment = ALIGN[align]
            run = para.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = RGBColor.from_string(color)

    def rect(self, x: float, y: float, w: float, h: float, fill: str | None, line: str | None = None) -> None:
        self._fill(self.slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, _at(x), _at(y), _at(w), _at(h)), fill, line)

    def diamond(self, cx: float, cy: float, size: float, fill: str | None, line: str | None = None) -> None:
        shape = self.slide.shapes.add_shape(
            MSO_SHAPE.DIAMOND, _at(cx - size / 2), _at(cy - size / 2), _at(size), _at(size)
        )
        self._fill(shape, fill, line)

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str, width: float = 0.75) -> None:
        shape = self.slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, _at(x1), _at(y1), _at(x2), _at(y2))
        shape.line.color.rgb = RGBColor.from_string(color)
        shape.line.width = Pt(width)

    def table(
        self,
        x: float,
        y: float,
        widths: Sequence[float],
        rows: Sequence[Sequence[str]],
        size: float,
        row_height: float,
        fills: Sequence[Sequence[str]],
    ) -> None:
        shape = self.slide.shapes.add_table(
            len(rows), len(widths), _at(x), _at(y), _at(sum(widths)), _at(row_height * len(rows))
        )
        table = shape.table
        table.first_row = True
        table.horz_banding = False
        for k, w in enumerate(widths):
            table.columns[k].width = _at(w)
        for r, row in enumerate(rows):
            table.rows[r].height = _at(row_height)
            for k, value in enumerate(row):
                cell = table.cell(r, k)
                cell.margin_left = cell.margin_right = _at(0.05)
                cell.margin_top = cell.margin_bottom = _at(0.02)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor.from_string(fills[r][k])
                para = cell.text_frame.paragraphs[0]
                run = para.add_run()
                run.text = value
                run.font.size = Pt(size)
                run.font.bold = r == 0
                run.font.color.rgb = RGBColor.from_string(INK)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.deck.save(out)
        return out.getvalue()


def to_pptx(pack: Pack) -> bytes:
    canvas = SlideCanvas(f"{pack.plan}: steering committee pack")
    draw_pack(pack, canvas)
    return canvas.bytes()
