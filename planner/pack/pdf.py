"""The steering pack as a PDF for e-mail: the same pages as the slides (`planner.pack.layout`),
text selectable and every chart drawn as vector shapes.

Text is set in DejaVu Sans (or Liberation Sans) when the system has it, so any plan text prints;
without either, the PDF's built-in Helvetica prints what Latin-1 holds and `?` for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from planner.pack.content import Pack
from planner.pack.layout import HEIGHT, INK, RULE, WIDTH, draw_pack

FONTS = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
)
LATIN = str.maketrans({"→": "->", "↑": "^", "◆": "*", "…": "...", "•": "-", "—": "-", "·": "-"})
ALIGN = {"left": "L", "center": "C", "right": "R"}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)


class PdfCanvas:
    """A `planner.pack.layout.Canvas` that draws on PDF pages the size of a 16:9 slide."""

    def __init__(self, title: str):
        self.pdf = FPDF(orientation="L", unit="in", format=(HEIGHT, WIDTH))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margin(0)
        self.pdf.set_title(title)
        self.pdf.set_creator("transition planner")
        self.family, self.unicode = "helvetica", False
        for regular, bold in FONTS:
            if Path(regular).is_file() and Path(bold).is_file():
                self.pdf.add_font("pack", "", regular)
                self.pdf.add_font("pack", "B", bold)
                self.family, self.unicode = "pack", True
                break

    def _str(self, text: str) -> str:
        if self.unicode:
            return text
        return text.translate(LATIN).encode("latin-1", "replace").decode("latin-1")

    def page(self) -> None:
        self.pdf.add_page()

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
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*_rgb(color))
        step = size * 1.25 / 72
        for k, line in enumerate(lines):
            self.pdf.set_xy(x + 0.02, y + 0.01 + k * step)
            self.pdf.cell(max(w - 0.04, 0.01), step, self._str(line), align=ALIGN[align])

    def _style(self, fill: str | None, line: str | None) -> str:
        if fill is not None:
            self.pdf.set_fill_color(*_rgb(fill))
        if line is not None:
            self.pdf.set_draw_color(*_rgb(line))
            self.pdf.set_line_width(0.75 / 72)
        return ("F" if fill is not None else "") + ("D" if line is not None else "")

    def rect(self, x: float, y: float, w: float, h: float, fill: str | None, line: str | None = None) -> None:
        style = self._style(fill, line)
        if style:
            self.pdf.rect(x, y, w, h, style=style)

    def diamond(self, cx: float, cy: float, size: float, fill: str | None, line: str | None = None) -> None:
        style = self._style(fill, line)
        r = size / 2
        if style:
            self.pdf.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], style=style)

    def line(self, x1: float, y1: float, x2: float, y2: float, color: str, width: float = 0.75) -> None:
        self.pdf.set_draw_color(*_rgb(color))
        self.pdf.set_line_width(width / 72)
        self.pdf.line(x1, y1, x2, y2)

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
        for r, row in enumerate(rows):
            left = x
            for k, (value, w) in enumerate(zip(row, widths, strict=True)):
                self.rect(left, y, w, row_height, fills[r][k], RULE)
                self.pdf.set_font(self.family, "B" if r == 0 else "", size)
                self.pdf.set_text_color(*_rgb(INK))
                self.pdf.set_xy(left + 0.05, y)
                self.pdf.cell(w - 0.1, row_height, self._str(value))
                left += w
            y += row_height

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def to_pdf(pack: Pack) -> bytes:
    canvas = PdfCanvas(f"{pack.plan}: steering committee pack")
    draw_pack(pack, canvas)
    return canvas.bytes()
