"""Spreadsheets in OpenDocument format (.ods), laid out as the Analysis Function's guidance for published ones asks.

A cover sheet (the title in A1, then scope, filters, date, source, contact and the sheets), a notes sheet
(what each column and symbol means), then one table per sheet. Every sheet has its title in A1 and no blank row;
a table's header row follows a line pointing to the notes; no cell is merged. Numbers are number cells (units go
in the headers), text is text: a withheld figure is the text "[c]", which the notes explain.
"""

import io

from django.http import HttpResponse
from django.utils import timezone

# odfpy is imported where a workbook is built, not here: the views import this module, and odfpy would add some
# 13 MB and 75 ms to every app server process that never builds a workbook.

CONTENT_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
WITHHELD = "[c]"  # the Analysis Function's shorthand for a figure withheld to protect people ("confidential")
SHEET_NAME_MAX = 31  # Excel's limit, which LibreOffice keeps when it saves as .xlsx
NOTES_POINTER = "The Notes sheet says what each column means and what [c] stands for."
WIDEST_CM = 12.0


class _Styles:
    """The few named styles every workbook uses: headings, bold headers, and wrapped text."""

    def __init__(self, document):
        from odf.style import Style, TableCellProperties, TextProperties

        def add(name, family, *properties):
            style = Style(name=name, family=family)
            for item in properties:
                style.addElement(item)
            document.automaticstyles.addElement(style)
            return style

        self.title = add("title", "table-cell", TextProperties(fontsize="14pt", fontweight="bold"))
        self.header = add(
            "header",
            "table-cell",
            TextProperties(fontweight="bold"),
            TableCellProperties(wrapoption="wrap", verticalalign="top"),
        )
        self.wrapped = add("wrapped", "table-cell", TableCellProperties(wrapoption="wrap", verticalalign="top"))
        self._document, self._columns = document, {}

    def column(self, width_cm):
        from odf.style import Style, TableColumnProperties

        name = f"column-{width_cm:.1f}".replace(".", "-")
        if name not in self._columns:
            style = Style(name=name, family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width_cm:.1f}cm"))
            self._document.automaticstyles.addElement(style)
            self._columns[name] = style
        return self._columns[name]


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value):
    return "" if value is None else str(value)


def _cell(value, style=None):
    """A number cell for a number, a text cell for anything else, an empty cell for None or "".

    Styled by its column (wrapped text) unless `style` says otherwise: a style on every cell would double the time
    odfpy takes, which is already some 0.1 ms a cell.
    """
    from odf.table import TableCell
    from odf.text import P

    if _is_number(value):
        cell = TableCell(valuetype="float", value=value)
    elif _text(value) == "":
        return TableCell()
    else:
        cell = TableCell(valuetype="string")
    if style:
        cell.setAttribute("stylename", style)
    for line in _text(value).split("\n"):
        cell.addElement(P(text=line))
    return cell


def _row(values, style=None):
    from odf.table import TableRow

    row = TableRow()
    for value in values:
        row.addElement(_cell(value, style))
    return row


def _widths(rows):
    """Each column wide enough for its longest line (headers wrap onto several), up to WIDEST_CM."""
    longest = {}
    for row in rows:
        for index, value in enumerate(row):
            length = max((len(line) for line in _text(value).split("\n")), default=0)
            longest[index] = max(longest.get(index, 0), length)
    return [min(WIDEST_CM, max(2.5, 0.2 * length + 0.5)) for _, length in sorted(longest.items())]


def _sheet(styles, name, title, *, intro=(), header=None, rows=()):
    """One sheet: the title in A1, any lines of `intro` under it, then the table (its header row marked as such)."""
    from odf.table import Table, TableColumn, TableHeaderRows

    if not 0 < len(name) <= SHEET_NAME_MAX or any(char in name for char in "[]*?:/\\"):
        raise ValueError(f"Not a sheet name a spreadsheet accepts: {name!r}")
    rows = [list(row) for row in rows]
    if any(all(_text(value) == "" for value in row) for row in [*rows, *([header] if header else [])]):
        raise ValueError(f"A blank row in sheet {name!r}")
    table = Table(name=name)
    for width in _widths([*([header] if header else []), *rows]):
        table.addElement(TableColumn(stylename=styles.column(width), defaultcellstylename=styles.wrapped))
    table.addElement(_row([title], "title"))
    for line in intro:
        table.addElement(_row([line]))
    if header:
        header_rows = TableHeaderRows()
        header_rows.addElement(_row(header, "header"))
        table.addElement(header_rows)
    for row in rows:
        table.addElement(_row(row))
    return table


def workbook(*, title, cover, notes, sheets):
    """The .ods file's bytes.

    `cover`: (label, value) rows under the title (the names of the sheets follow them); `notes`: (term, meaning)
    rows; `sheets`: (name, title, header, rows) tables, each row as long as its header, a number as a number, a
    withheld figure as WITHHELD.
    """
    from odf import dc
    from odf.opendocument import OpenDocumentSpreadsheet

    document = OpenDocumentSpreadsheet()
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(dc.Language(text="en-GB"))
    styles = _Styles(document)
    contents = ("Sheets", ", ".join(["Notes", *(sheet[0] for sheet in sheets)]))
    document.spreadsheet.addElement(_sheet(styles, "Cover", title, rows=[*cover, contents]))
    document.spreadsheet.addElement(_sheet(styles, "Notes", "Notes", header=["Term", "Meaning"], rows=notes))
    for name, sheet_title, header, rows in sheets:
        document.spreadsheet.addElement(
            _sheet(styles, name, sheet_title, intro=[NOTES_POINTER], header=header, rows=rows)
        )
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


def cover_rows(*, scope, filters, source, contact):
    """The cover's rows under the title: what the workbook covers, under which filters, when, from what, whom to ask.

    `filters`: the filters in words ([] for none); `contact`: the person who made the workbook (a user).
    """
    return [
        ("Scope", scope),
        ("Filters", "; ".join(filters) if filters else "None"),
        ("Date", f"{timezone.localdate():%-d %B %Y}"),
        ("Source", source),
        ("Contact", f"{contact} ({contact.email})" if contact.email else str(contact)),
    ]


def workbook_download(content, name):
    """A download of a workbook's bytes named `<name>-<today>.ods`, dated like every CSV download."""
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate().isoformat()}.ods"'
    return response
