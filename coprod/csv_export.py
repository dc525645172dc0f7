"""CSV downloads, written one way everywhere: streamed, dated, and with spreadsheet formulas neutralised."""

import csv
import re

from django.http import StreamingHttpResponse
from django.utils import timezone

# A spreadsheet runs a cell that starts with one of these as a formula: such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")  # "-12.5" is a number, not a formula


def safe_cell(value):
    """Text as data, never as a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return f"'{value}"
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows):
    """Each row (a list of cells) as one line of CSV text, every cell made safe."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_cell(value):
    """One cell as csv_lines would write it (quoted where needed), for writers that build lines themselves."""
    return next(csv_lines([[value]]))[:-2]


def csv_download(lines, name):
    """A download of `lines` (an iterable of CSV text) named `<name>-<today>.csv`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate().isoformat()}.csv"'
    return response
