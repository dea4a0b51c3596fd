"""The report as CSV: one row per figure with its inputs, for Excel and for scripts.

Excel decides how to read a CSV from the computer's regional settings, not from the file. A
Russian Excel splits columns on ";" and reads "12,5" as a number; an English one splits on ","
and reads "12.5". So the file follows the language of the person who downloads it (the one
whose Excel will open it): Russian gives ";" and decimal commas, English "," and points. Keys,
units and ISO dates are the same in both, and empty cells mean "no data". The byte-order mark
makes Excel read the file as UTF-8, so Cyrillic labels survive."""

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import get_language

if TYPE_CHECKING:
    from analytics.reporting import Report

BOM = "\ufeff"
COLUMNS = ["key", "label", "value", "numerator", "denominator", "unit", "period"]


def _dialect() -> tuple[str, str]:
    """(column delimiter, decimal separator) for the active language."""
    if (get_language() or "").startswith("ru"):
        return ";", ","
    return ",", "."


def plain_number(value, decimal_separator: str = ".") -> str:
    """A number as digits only: no grouping, no exponent, nothing for None."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number, "f")
    return text.replace(".", decimal_separator)


def report_csv(report: "Report") -> str:
    delimiter, decimal_separator = _dialect()
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    period = f"{report.period.start.isoformat()}/{report.period.end.isoformat()}"
    for row in report.rows:
        writer.writerow(
            [
                row.key,
                str(row.label),
                plain_number(row.figure.value, decimal_separator),
                plain_number(row.figure.numerator, decimal_separator),
                plain_number(row.figure.denominator, decimal_separator),
                row.unit,
                period,
            ]
        )
    return out.getvalue()
