"""A measure's values as people paste them from a spreadsheet: read into rows, each with its problems.

Two or three columns a line (date, value, note), separated by tabs (a spreadsheet's copy), commas or semicolons,
under an optional header row. Dates are read day first, as in the UK; values may carry thousands separators or a
% sign. Pure functions: no request and no database. The page checks the rows against what is stored, and
services.data_points_save stores them. The grid of the same page reads its cells with the same functions.
"""

import csv
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from projects.models import DataPoint
from workshops.services import CheckedRows

MAX_ROWS = 1000  # twenty years of weekly values
MAX_CHARS = 300_000  # a thousand rows with long notes
NOTE_MAX_LENGTH = DataPoint._meta.get_field("note").max_length
_VALUE_FIELD = DataPoint._meta.get_field("value")
VALUE_PLACES = _VALUE_FIELD.decimal_places
VALUE_LIMIT = Decimal(10) ** (_VALUE_FIELD.max_digits - _VALUE_FIELD.decimal_places)  # the first too large
_STEP = Decimal(1).scaleb(-VALUE_PLACES)  # 0.01

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS = {name.casefold(): number for number, name in enumerate(MONTHS, start=1)} | {
    name[:3].casefold(): number for number, name in enumerate(MONTHS, start=1)
}
_MONTH_NUMBERS["sept"] = 9

_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")
_DAY_MONTH_NAME = re.compile(rf"(\d{{1,2}}){_ORDINAL}[\s/-]+([A-Za-z]+)\.?,?[\s/-]+(\d{{4}}|\d{{2}})")
_MONTH_NAME_DAY = re.compile(rf"([A-Za-z]+)\.?\s+(\d{{1,2}}){_ORDINAL},?\s+(\d{{4}})")
_MONTH_NAME_YEAR = re.compile(r"([A-Za-z]+)\.?[\s-]+(\d{4})")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
# In comma-separated rows, an unquoted "1,234" (or "4,5") splits into a value of 1 and a note of 234: too likely a
# number cut in two to store.
_WHOLE = re.compile(r"[+-]?\d+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
DELIMITERS = ("\t", ";", ",")
EARLIEST_YEAR = 1900


class CellError(ValueError):
    """A cell that cannot be stored; the message completes "Row 4: ...", e.g. "the date 31/02/2026 does not exist"."""

    @property
    def message(self):
        return self.args[0]


def say_date(value):
    """1 March 2026."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_value(value):
    """A stored value as people write it, and as parse_value reads it back: 12.50 as 12.5, 40.00 as 40."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _month(name, text):
    number = _MONTH_NUMBERS.get(name.casefold())
    if number is None:
        raise CellError(f"“{text}” is not a date: “{name}” is not a month")
    return number


def parse_date(text):
    """A date as written in the UK: 31/03/2026, 31/3/26, 31-03-2026, 2026-03-31, 31 March 2026, 31 Mar 26, March 31,
    2026; or a month, March 2026, for its first day. Day first: 03/04/2026 is 3 April."""
    text = " ".join(text.split())
    if not text:
        raise CellError("the date is missing")
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(text):
        day, month = int(match[1]), int(match[2])
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        if month > 12 >= day:
            raise CellError(f"the date {text} does not exist: dates are read day first, as 31/03/2026")
    elif match := _DAY_MONTH_NAME.fullmatch(text):
        day, month = int(match[1]), _month(match[2], text)
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
    elif match := _MONTH_NAME_DAY.fullmatch(text):
        month, day, year = _month(match[1], text), int(match[2]), int(match[3])
    elif match := _MONTH_NAME_YEAR.fullmatch(text):
        month, day, year = _month(match[1], text), 1, int(match[2])
    else:
        raise CellError(f"“{text}” is not a date: write it as 31/03/2026, 2026-03-31 or 31 March 2026")
    if year < EARLIEST_YEAR:
        raise CellError(f"the year of {text} is before {EARLIEST_YEAR}: check the date")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(f"the date {text} does not exist") from None


def parse_value(text):
    """A number: 12, -3, 4.5, 1,234.5 (thousands separated by commas), 45% (stored as 45)."""
    shown = text.strip()
    number = shown.replace("\u2212", "-").removesuffix("%").strip()  # the minus sign some programs copy
    if not number:
        raise CellError("the value is missing")
    if not _NUMBER.fullmatch(number):
        if _DECIMAL_COMMA.fullmatch(number):
            raise CellError(f"“{shown}” is not a number: write decimals with a full stop, as 12.5")
        raise CellError(f"“{shown}” is not a number")
    value = Decimal(number.replace(",", ""))
    if abs(value) >= VALUE_LIMIT:
        raise CellError(f"“{shown}” is too large: values go up to {VALUE_LIMIT - _STEP:,}")
    if value != value.quantize(_STEP):
        raise CellError(f"“{shown}” has more than {VALUE_PLACES} decimal places: round it first")
    return value + 0  # -0 is 0


def parse_note(text):
    note = text.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise CellError(f"the note is {len(note)} characters long: keep it to {NOTE_MAX_LENGTH}")
    return note


def future_problem(value, today):
    return f"{say_date(value)} is in the future" if value > today else None


def repeated_dates(numbered_dates):
    """(row, earlier row, date) for each date also on an earlier row; `numbered_dates` is (row, date) pairs."""
    first = {}
    repeats = []
    for number, value in numbered_dates:
        if value is None:
            continue
        if value in first:
            repeats.append((number, first[value], value))
        else:
            first[value] = number
    return repeats


def _is_date(text):
    try:
        parse_date(text)
    except CellError:
        return False
    return True


def _cells(line, delimiter):
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except csv.Error:  # a stray quote: read the line as it is
        cells = line.split(delimiter)
    cells = [cell.strip() for cell in cells]
    while cells and not cells[-1]:  # empty cells from selecting a wider block than the values
        cells.pop()
    return cells


def split_line(line):
    """(cells, delimiter) of one line. Lines of a paste may differ: each is split by the first of tab, semicolon
    and comma that leaves a date in the first cell (so a note may hold commas or semicolons), else by the first
    the line holds."""
    fallback = None
    for delimiter in DELIMITERS:
        if delimiter not in line:
            continue
        cells = _cells(line, delimiter)
        if cells and _is_date(cells[0]):
            return cells, delimiter
        fallback = fallback or (cells, delimiter)
    return fallback or ([line.strip()], None)


@dataclass
class Row:
    number: int  # the line of the paste, counting from 1, the header and blank lines included
    cells: list
    date: datetime.date | None = None
    value: Decimal | None = None
    note: str = ""
    problems: list = field(default_factory=list)
    stored: object = None  # the point already stored on this date, where the caller looked (Paste.compare)

    @property
    def typed(self):
        """The date, value and note cells as pasted, for showing a row that cannot be read."""
        return (self.cells + ["", "", ""])[:3]

    @property
    def change(self):
        """What saving does with this row: "new", "update" or "same"."""
        if self.stored is None:
            return "new"
        return "same" if (self.stored.value, self.stored.note) == (self.value, self.note) else "update"


@dataclass
class Paste(CheckedRows):
    rows: list
    problems: list  # about the paste as a whole
    header: str = ""  # the first line, when it was read as column names and left out

    def points(self):
        """(date, value, note) of every row, for services.data_points_save."""
        return [(row.date, row.value, row.note) for row in self.rows]

    def compare(self, stored):
        """Note against each row the point stored on its date; `stored` maps dates to points."""
        for row in self.rows:
            row.stored = stored.get(row.date)
        return self

    @property
    def new_count(self):
        return sum(1 for row in self.rows if row.change == "new")

    @property
    def update_count(self):
        return sum(1 for row in self.rows if row.change == "update")

    @property
    def same_count(self):
        return sum(1 for row in self.rows if row.change == "same")


def _too_many_columns(cells, delimiter):
    problem = f"it has {len(cells)} columns: paste two or three (date, value and an optional note)"
    if delimiter == ",":
        problem += "; put a note or a number holding commas in double quotes, or copy straight from the spreadsheet"
    return problem


def _read_row(number, line, today):
    cells, delimiter = split_line(line)
    row = Row(number=number, cells=cells)
    if len(cells) > 3:
        row.problems.append(_too_many_columns(cells, delimiter))
        return row
    date_text, value_text, note_text = (cells + ["", "", ""])[:3]
    try:
        row.date = parse_date(date_text)
    except CellError as error:
        row.problems.append(error.message)
    else:
        if problem := future_problem(row.date, today):
            row.problems.append(problem)
    if delimiter == "," and _WHOLE.fullmatch(value_text) and _DIGITS.fullmatch(note_text):
        row.problems.append(
            f"“{value_text},{note_text}” is unclear: is it one number, or the value {value_text} with the note "
            f"{note_text}? Put the number in double quotes, or copy straight from the spreadsheet"
        )
        return row
    try:
        row.value = parse_value(value_text)
    except CellError as error:
        row.problems.append(error.message)
    try:
        row.note = parse_note(note_text)
    except CellError as error:
        row.problems.append(error.message)
    return row


def _is_blank(line):
    return not "".join(character for character in line if character not in "\t;,\"'").strip()


def _is_header(cells):
    """Column names: a first cell of words. Every date has digits, so a data row is never taken for one."""
    first = cells[0] if cells else ""
    return any(character.isalpha() for character in first) and not any(character.isdigit() for character in first)


def parse(text, *, today):
    """Every row of the pasted `text` with its problems; dates after `today` are refused."""
    lines = text.removeprefix("\ufeff").splitlines()
    lines = [(number, line) for number, line in enumerate(lines, start=1) if not _is_blank(line)]
    if not lines:
        return Paste(rows=[], problems=["There is nothing to check: paste two or three columns, date, value and note."])
    header = ""
    first_cells, _ = split_line(lines[0][1])
    if _is_header(first_cells):
        header = ", ".join(first_cells)
        lines = lines[1:]
    if not lines:
        return Paste(rows=[], problems=["There are column names but no values under them."], header=header)
    if len(lines) > MAX_ROWS:
        return Paste(
            rows=[],
            problems=[f"There are {len(lines):,} rows; paste up to {MAX_ROWS:,} at a time."],
            header=header,
        )
    rows = [_read_row(number, line, today) for number, line in lines]
    by_number = {row.number: row for row in rows}
    for number, earlier, value in repeated_dates((row.number, row.date) for row in rows):
        by_number[number].problems.append(f"{say_date(value)} is also on row {earlier}: one value a date")
    return Paste(rows=rows, problems=[], header=header)
