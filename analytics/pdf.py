"""The report as a PDF (reportlab): the same figures, inputs and ROI costs as the report page, on
A4 pages that print and forward well. Text is set in DejaVu Sans Condensed, vendored in
analytics/fonts/ with its licence: the PDF's built-in fonts have no Cyrillic, and the server's
fonts are not ours to rely on. The fonts are embedded as subsets, so readers need nothing."""

import io
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from analytics import display

if TYPE_CHECKING:
    from analytics.reporting import Report

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSansCondensed"
BOLD = "DejaVuSansCondensed-Bold"

NAVY = colors.HexColor("#0d2b52")
GREY = colors.HexColor("#5a6472")
LINE = colors.HexColor("#dce2ea")
GOOD = colors.HexColor("#146c2e")
BAD = colors.HexColor("#a3261e")


def _register_fonts() -> None:
    # Registering is global and idempotent; do it once per process, on first use.
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, FONTS / "DejaVuSansCondensed.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, FONTS / "DejaVuSansCondensed-Bold.ttf"))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=16, leading=20),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=10.5, leading=14, textColor=GREY),
        "heading": ParagraphStyle(
            "heading",
            base,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "cell": base,
        "head": ParagraphStyle("head", base, fontName=BOLD, textColor=GREY, fontSize=8),
        "number": ParagraphStyle("number", base, alignment=TA_RIGHT),
        "head_number": ParagraphStyle(
            "head_number", base, fontName=BOLD, textColor=GREY, fontSize=8, alignment=TA_RIGHT
        ),
        "note": ParagraphStyle("note", base, fontSize=8, leading=10, textColor=GREY),
    }


def _p(text, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads a little XML: labels and numbers must reach it as text, not markup.
    return Paragraph(xml_escape(str(text)), style)


def _figure_table(rows: list[display.Row], styles: dict[str, ParagraphStyle]) -> Table:
    header = [
        _p(_("Metric"), styles["head"]),
        _p(_("Value"), styles["head_number"]),
        _p(_("Numerator"), styles["head_number"]),
        _p(_("Denominator"), styles["head_number"]),
        _p(_("Previous period"), styles["head_number"]),
        _p(pgettext("report column", "Change"), styles["head_number"]),
    ]
    data = [header]
    change_colours = []
    for index, row in enumerate(rows, start=1):
        data.append(
            [
                _p(row.label, styles["cell"]),
                _p(row.text, styles["number"]),
                _p(row.numerator, styles["number"]),
                _p(row.denominator, styles["number"]),
                _p(row.previous_text or "—", styles["number"]),
                _p(row.change.text if row.change else "—", styles["number"]),
            ]
        )
        if row.change and row.change.is_good is not None:
            change_colours.append((index, GOOD if row.change.is_good else BAD))
    table = Table(
        data,
        colWidths=[58 * mm, 24 * mm, 24 * mm, 26 * mm, 26 * mm, 22 * mm],
        repeatRows=1,
    )
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    table.setStyle(TableStyle(style))
    # A table's TEXTCOLOR does not reach into Paragraphs: colour the change paragraphs instead.
    for index, colour in change_colours:
        paragraph = data[index][5]
        paragraph.style = ParagraphStyle(f"change-{index}", paragraph.style, textColor=colour)
    return table


def _costs_lines(report: "Report") -> list[str]:
    if report.costs is None:
        return [_("ROI inputs have not been entered yet, so ROI has no data.")]
    costs = report.costs
    return [
        _("Cost of one call-centre contact: %(value)s")
        % {"value": display.format_value(costs.call, "money")},
        _("Cost of one e-mail contact: %(value)s")
        % {"value": display.format_value(costs.email, "money")},
        _("The community's monthly cost: %(value)s")
        % {"value": display.format_value(costs.monthly, "money")},
    ]


def report_pdf(report: "Report", *, at=None) -> bytes:
    """The report as PDF bytes, in the active language."""
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Community report: %(period)s") % {"period": report.selected.label}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=settings.COMMUNITY_NAME,
        subject=report.selected.slug,
        creator=settings.COMMUNITY_NAME,
    )
    made_at = timezone.localtime(at or timezone.now())
    story = [
        _p(settings.COMMUNITY_NAME, styles["subtitle"]),
        _p(title, styles["title"]),
        _p(
            _("%(start)s – %(end)s, compared with %(previous)s")
            % {
                "start": date_format(report.period.start, "j E Y"),
                "end": date_format(report.period.end, "j E Y"),
                "previous": report.previous.label if report.previous else "—",
            },
            styles["subtitle"],
        ),
    ]
    if report.category:
        story.append(
            _p(_("Category: %(name)s") % {"name": report.category.name}, styles["subtitle"])
        )
    story.append(Spacer(1, 4 * mm))
    for _group, label, rows in report.groups:
        # A new page when a heading would otherwise stand alone at the foot of this one; a
        # long table then splits across pages, repeating its header row.
        story.append(CondPageBreak(30 * mm))
        story.append(_p(label, styles["heading"]))
        story.append(_figure_table(rows, styles))
    story.append(Spacer(1, 4 * mm))
    story.append(_p(_("ROI inputs"), styles["heading"]))
    for line in _costs_lines(report):
        story.append(_p(line, styles["cell"]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        _p(
            _(
                "“no data” means the period has no events to compute the figure from. Every "
                "formula is described on the definitions page of the reports. Made on %(date)s."
            )
            % {"date": date_format(made_at, "j E Y, H:i")},
            styles["note"],
        )
    )

    def _page_number(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(GREY)
        canvas.drawRightString(A4[0] - 14 * mm, 9 * mm, str(doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
