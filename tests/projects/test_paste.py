"""Reading values pasted from a spreadsheet (projects.paste): no request, no database."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from projects import paste

TODAY = datetime.date(2026, 6, 1)


def _read(text):
    return paste.parse(text, today=TODAY)


def _stored(preview):
    """(line, date, value, note) of every row: what saving would store."""
    return [(row.number, row.date, row.value, row.note) for row in preview.rows]


# --- Whole pastes ---


def test_parse_reads_tab_separated_rows_under_a_header():
    preview = _read("Week commencing\tReferrals\tNote\n02/03/2026\t12\n09/03/2026\t1,250\tPDSA 2 started\n")

    assert preview.is_valid
    assert preview.header == "Week commencing, Referrals, Note"
    assert _stored(preview) == [
        (2, datetime.date(2026, 3, 2), Decimal(12), ""),
        (3, datetime.date(2026, 3, 9), Decimal(1250), "PDSA 2 started"),
    ]


def test_parse_takes_each_line_by_its_own_separator():
    text = "2/3/2026\t4\ttab\n9/3/2026,5,comma\n16/3/2026;6;semicolon\n23/3/2026\t7\tnote, with; both\n"

    preview = _read(text)

    assert preview.problem_count == 0
    assert [(row.date.day, row.value, row.note) for row in preview.rows] == [
        (2, Decimal(4), "tab"),
        (9, Decimal(5), "comma"),
        (16, Decimal(6), "semicolon"),
        (23, Decimal(7), "note, with; both"),
    ]


def test_parse_skips_blank_lines_but_counts_them_in_row_numbers():
    preview = _read("\n01/03/2026\t3\n\n\t\t\n   \n08/03/2026\t4\n")

    assert [(row.number, row.value) for row in preview.rows] == [(2, Decimal(3)), (6, Decimal(4))]
    assert preview.header == ""


def test_parse_without_a_header_keeps_the_first_row():
    preview = _read("01/03/2026,3\n")

    assert _stored(preview) == [(1, datetime.date(2026, 3, 1), Decimal(3), "")]


def test_parse_a_first_row_with_a_bad_date_is_a_row_not_a_header():
    preview = _read("31/02/2026\t3\n01/03/2026\t4\n")

    assert preview.header == ""
    assert preview.row_problems == [(1, "the date 31/02/2026 does not exist")]


def test_parse_a_first_row_without_a_date_is_not_taken_for_a_header():
    preview = _read("\t3\n01/03/2026\t4\n")

    assert preview.row_problems == [(1, "the date is missing")]


def test_parse_lists_every_bad_row_with_its_line_and_stores_nothing():
    text = "Date\tValue\n02/03/2026\t4\n09/03/2026\tn/a\n31/02/2026\t6\n23/03/2026\n30/03/2026\t7\t" + "x" * 201

    preview = _read(text)

    assert not preview.is_valid
    assert preview.row_problems == [
        (3, "“n/a” is not a number"),
        (4, "the date 31/02/2026 does not exist"),
        (5, "the value is missing"),
        (6, "the note is 201 characters long: keep it to 200"),
    ]


def test_parse_a_note_of_the_longest_length_is_kept():
    preview = _read("02/03/2026\t4\t" + "x" * 200)

    assert preview.is_valid
    assert len(preview.rows[0].note) == 200


def test_parse_a_date_twice_names_both_rows():
    preview = _read("Date,Value\n01/03/2026,3\n08/03/2026,4\n2026-03-01,5\n1 March 2026,6\n")

    assert preview.row_problems == [
        (4, "1 March 2026 is also on row 2: one value a date"),
        (5, "1 March 2026 is also on row 2: one value a date"),
    ]


def test_parse_refuses_dates_in_the_future():
    preview = _read("01/06/2026\t3\n02/06/2026\t4\n")

    assert preview.row_problems == [(2, "2 June 2026 is in the future")]


def test_parse_refuses_more_than_three_columns():
    preview = _read("01/03/2026\t3\tnote\textra\n01/04/2026,3,note,extra\n")

    assert preview.row_problems == [
        (1, "it has 4 columns: paste two or three (date, value and an optional note)"),
        (
            2,
            "it has 4 columns: paste two or three (date, value and an optional note); put a note or a number "
            "holding commas in double quotes, or copy straight from the spreadsheet",
        ),
    ]


def test_parse_a_number_cut_in_two_by_a_comma_is_refused_as_unclear():
    preview = _read("01/03/2026,1,234\n08/03/2026,4,5\n15/03/2026,4,5 volunteers\n")

    assert preview.row_problems == [
        (
            1,
            "“1,234” is unclear: is it one number, or the value 1 with the note 234? Put the number in double "
            "quotes, or copy straight from the spreadsheet",
        ),
        (
            2,
            "“4,5” is unclear: is it one number, or the value 4 with the note 5? Put the number in double quotes, "
            "or copy straight from the spreadsheet",
        ),
    ]
    assert (preview.rows[2].value, preview.rows[2].note) == (Decimal(4), "5 volunteers")


def test_parse_a_quoted_number_with_a_thousands_comma_is_read():
    preview = _read('01/03/2026,"1,234",first\n08/03/2026,"2,500.5","a note, with a comma"\n')

    assert [(row.value, row.note) for row in preview.rows] == [
        (Decimal(1234), "first"),
        (Decimal("2500.5"), "a note, with a comma"),
    ]


def test_parse_nothing_pasted_says_so():
    assert _read(" \n\t\n").problems == ["There is nothing to check: paste two or three columns, date, value and note."]
    assert not _read("").is_valid


def test_parse_column_names_alone_say_so():
    preview = _read("Date\tValue\n")

    assert (preview.problems, preview.rows) == (["There are column names but no values under them."], [])


def test_parse_refuses_more_rows_than_the_limit():
    start = datetime.date(2020, 1, 1)
    lines = [f"{(start + datetime.timedelta(days=n)).isoformat()}\t1" for n in range(paste.MAX_ROWS + 1)]

    preview = _read("\n".join(lines))

    assert preview.problems == ["There are 1,001 rows; paste up to 1,000 at a time."]
    assert _read("\n".join(lines[:-1])).is_valid


def test_parse_ignores_a_byte_order_mark_and_windows_line_ends():
    preview = _read("\ufeffDate,Value\r\n01/03/2026,3\r\n")

    assert (preview.header, _stored(preview)) == ("Date, Value", [(2, datetime.date(2026, 3, 1), Decimal(3), "")])


def test_compare_says_what_saving_would_do_with_each_row():
    stored = {
        datetime.date(2026, 3, 1): SimpleNamespace(value=Decimal("3.00"), note=""),
        datetime.date(2026, 3, 8): SimpleNamespace(value=Decimal("4.00"), note="old note"),
    }

    preview = _read("01/03/2026\t3\n08/03/2026\t4\n15/03/2026\t5\n").compare(stored)

    assert [row.change for row in preview.rows] == ["same", "update", "new"]
    assert (preview.new_count, preview.update_count, preview.same_count) == (1, 1, 1)
    assert preview.points() == [
        (datetime.date(2026, 3, 1), Decimal(3), ""),
        (datetime.date(2026, 3, 8), Decimal(4), ""),
        (datetime.date(2026, 3, 15), Decimal(5), ""),
    ]


# --- Cells ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/03/2026", datetime.date(2026, 3, 31)),
        ("1/3/2026", datetime.date(2026, 3, 1)),
        ("01/03/26", datetime.date(2026, 3, 1)),
        ("3/4/26", datetime.date(2026, 4, 3)),  # day first
        ("31-03-2026", datetime.date(2026, 3, 31)),
        ("31.03.2026", datetime.date(2026, 3, 31)),
        ("2026-03-01", datetime.date(2026, 3, 1)),
        ("1 March 2026", datetime.date(2026, 3, 1)),
        ("1st March 2026", datetime.date(2026, 3, 1)),
        ("01-Mar-26", datetime.date(2026, 3, 1)),
        ("22 Sept 2025", datetime.date(2025, 9, 22)),
        ("March 1, 2026", datetime.date(2026, 3, 1)),
        ("March 2026", datetime.date(2026, 3, 1)),
        ("  1   march   2026 ", datetime.date(2026, 3, 1)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
    ],
)
def test_parse_date_reads_uk_dates(text, expected):
    assert paste.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("31/02/2026", "the date 31/02/2026 does not exist"),
        ("29/02/2025", "the date 29/02/2025 does not exist"),
        ("03/31/2026", "the date 03/31/2026 does not exist: dates are read day first, as 31/03/2026"),
        ("2026-13-01", "the date 2026-13-01 does not exist"),
        ("31 Febtember 2026", "“31 Febtember 2026” is not a date: “Febtember” is not a month"),
        ("yesterday", "“yesterday” is not a date: write it as 31/03/2026, 2026-03-31 or 31 March 2026"),
        ("46082", "“46082” is not a date: write it as 31/03/2026, 2026-03-31 or 31 March 2026"),
        ("01/03/1850", "the year of 01/03/1850 is before 1900: check the date"),
        ("", "the date is missing"),
    ],
)
def test_parse_date_says_what_is_wrong(text, problem):
    with pytest.raises(paste.CellError) as error:
        paste.parse_date(text)

    assert error.value.message == problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Decimal(12)),
        ("4.5", Decimal("4.5")),
        ("0.25", Decimal("0.25")),
        (".5", Decimal("0.5")),
        ("-3", Decimal(-3)),
        ("\u22123.5", Decimal("-3.5")),
        ("+2", Decimal(2)),
        ("1,234", Decimal(1234)),
        ("-1,234,567.89", Decimal("-1234567.89")),
        ("45%", Decimal(45)),
        ("12.5 %", Decimal("12.5")),
        ("4.500", Decimal("4.5")),
        ("9999999999.99", Decimal("9999999999.99")),
    ],
)
def test_parse_value_reads_numbers(text, expected):
    assert paste.parse_value(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the value is missing"),
        ("%", "the value is missing"),
        ("twelve", "“twelve” is not a number"),
        ("12,5", "“12,5” is not a number: write decimals with a full stop, as 12.5"),
        ("1,23,456", "“1,23,456” is not a number"),
        ("£12", "“£12” is not a number"),
        ("1e3", "“1e3” is not a number"),
        ("NaN", "“NaN” is not a number"),
        ("4.567", "“4.567” has more than 2 decimal places: round it first"),
        ("10000000000", "“10000000000” is too large: values go up to 9,999,999,999.99"),
        ("-10,000,000,000", "“-10,000,000,000” is too large: values go up to 9,999,999,999.99"),
        ("9" * 40, f"“{'9' * 40}” is too large: values go up to 9,999,999,999.99"),
    ],
)
def test_parse_value_says_what_is_wrong(text, problem):
    with pytest.raises(paste.CellError) as error:
        paste.parse_value(text)

    assert error.value.message == problem


@pytest.mark.parametrize(("value", "text"), [("12.50", "12.5"), ("40.00", "40"), ("-3.00", "-3"), ("0.05", "0.05")])
def test_format_value_is_read_back_as_the_same_value(value, text):
    assert paste.format_value(Decimal(value)) == text
    assert paste.parse_value(text) == Decimal(value)


def test_repeated_dates_name_the_first_row_with_the_date():
    march, april = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)

    repeats = paste.repeated_dates([(1, march), (2, None), (3, april), (4, march), (5, None), (6, march)])

    assert repeats == [(4, 1, march), (6, 1, march)]
