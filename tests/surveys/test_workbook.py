"""results.ods and dashboard.ods: read back with odfpy, they hold results.csv's and dashboard.csv's cells (numbers as
numbers, every withheld cell "[c]"), laid out as published spreadsheets are (cover, notes, one table a sheet)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from odf.text import P

from coprod.models import AuditEntry
from coprod.workbook import workbook
from surveys import services
from surveys.models import Phase, ProgrammeRelease
from surveys.results.exports import RESULTS_COLUMNS, RESULTS_SOURCE
from tests.conftest import STATEMENTS
from tests.factories import PartnershipFactory, ProgrammeFactory, SessionFactory
from tests.surveys.conftest import release, submit
from tests.surveys.test_dashboard import _csv as dashboard_rows_of
from tests.surveys.test_dashboard import world  # noqa: F401 (fixture)
from tests.surveys.test_exports import _session, rows_of

ODS = "application/vnd.oasis.opendocument.spreadsheet"
POINTER = "The Notes sheet says what each column means and what [c] stands for."
HEADERS = [header for _name, header, _group, _meaning in RESULTS_COLUMNS]
FEW = "fewer than 5"


def _value(cell):
    if cell.getAttribute("valuetype") == "float":
        return float(cell.getAttribute("value"))
    return "\n".join(str(paragraph) for paragraph in cell.getElementsByType(P))


def sheets_of(content):
    """{sheet name: rows of values}, in the workbook's order: floats for number cells, text for the rest."""
    document = load(io.BytesIO(content))
    return {
        table.getAttribute("name"): [
            [_value(cell) for cell in row.getElementsByType(TableCell)] for row in table.getElementsByType(TableRow)
        ]
        for table in document.spreadsheet.getElementsByType(Table)
    }


def _same_cells(csv_rows, sheet_rows):
    """The cells of results.csv (or dashboard.csv) against the sheet's: [c] exactly where the CSV withholds."""
    assert len(csv_rows) == len(sheet_rows)
    for csv_row, sheet_row in zip(csv_rows, sheet_rows, strict=True):
        assert len(csv_row) == len(sheet_row)
        for csv_cell, cell in zip(csv_row, sheet_row, strict=True):
            if cell == "[c]":
                assert csv_cell in (FEW, "")
            elif isinstance(cell, float):
                assert float(csv_cell) == cell
            else:
                assert csv_cell == cell


def _released_programme(partnership, template):
    """A programme of one session where 6 people answered before and after, its results released."""
    programme = ProgrammeFactory(partnership=partnership, title="Star", completion_threshold=1)
    session = SessionFactory(partnership=partnership, programme=programme, date=datetime.date(2026, 2, 3))
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for _ in range(6):
        submit(post, [4, 4, 4], pairing_code=submit(pre, [2, 4, 2]).response.pairing_code)
    release(pre, post)
    ProgrammeRelease.objects.create(programme=programme)
    return programme


# --- The layout ---


def test_results_ods_sheets_cover_and_notes(client, lead, partnership, template):
    _session(partnership, template, pairs=12, date=datetime.date(2026, 3, 12))
    client.force_login(lead)

    response = client.get(
        reverse("surveys:partnership-results-ods", args=[partnership.pk]), {"date_from": "2026-01-01"}
    )

    today = timezone.localdate()
    assert response["Content-Type"] == ODS
    assert response["Content-Disposition"] == (
        f'attachment; filename="results-north-ayrshire-hscp-{today.isoformat()}.ods"'
    )
    sheets = sheets_of(response.content)
    assert list(sheets) == ["Cover", "Notes", "Results"]
    assert sheets["Cover"] == [
        ["Results of the questionnaires before and after sessions: North Ayrshire HSCP"],
        ["Scope", "Partnership: North Ayrshire HSCP"],
        ["Filters", "sessions from 1 January 2026"],
        ["Date", f"{today:%-d %B %Y}"],
        ["Source", RESULTS_SOURCE],
        ["Contact", f"{lead} ({lead.email})"],
        ["Sheets", "Notes, Results"],
    ]
    notes = sheets["Notes"]
    assert notes[:2] == [["Notes"], ["Term", "Meaning"]]
    assert [row[0] for row in notes[2:]] == [
        *HEADERS,
        "Agreeing",
        "[c]",
        "Small numbers",
        "95% confidence interval",
        "p-value",
        "Percentages",
    ]
    assert notes[2 + len(HEADERS) + 1][1] == (
        "Withheld to protect people: the figure would rest on fewer than 5 people, or on nobody because only groups "
        "of fewer than 5 answered (results.csv shows “fewer than 5” or leaves the cell empty)."
    )
    assert sheets["Results"][:3] == [
        ["Results: North Ayrshire HSCP, one row per statement and scope"],
        [POINTER],
        HEADERS,
    ]
    assert HEADERS == [
        "Scope", "Scope name", "Statement", "Statement version", "Answered before (people)",
        "Answered after (people)", "Answered both (people)", "Agreeing before (%)", "Agreeing after (%)",
        "Agreeing before, of those who answered both (%)", "Agreeing after, of those who answered both (%)",
        "Change (percentage points)", "Change, 95% confidence interval low (percentage points)",
        "Change, 95% confidence interval high (percentage points)", "p-value (exact McNemar test)",
        "Relative change (%)", "Left out to protect small groups",
    ]  # fmt: skip


def test_results_ods_numbers_are_number_cells(client, lead, partnership, template):
    _session(partnership, template, pairs=12, extra_pre=5)
    client.force_login(lead)

    rows = sheets_of(client.get(reverse("surveys:partnership-results-ods", args=[partnership.pk])).content)["Results"]

    # The first statement, as results.csv has it: 17 before, 12 after and paired, +50 points (15.4 to 74.6).
    assert rows[3] == [
        "partnership", "North Ayrshire HSCP", STATEMENTS[0], 1.0, 17.0, 12.0, 12.0,
        35.3, 100.0, 50.0, 100.0, 50.0, 15.4, 74.6, 0.03125, 100.0, "",
    ]  # fmt: skip


def test_workbook_has_no_blank_row_no_merged_cell_and_short_sheet_names(client, alliance, template):
    _session(PartnershipFactory(name="Aberdeen City HSCP"), template, pairs=3)
    _session(PartnershipFactory(name="Glasgow City HSCP"), template, pairs=12)
    client.force_login(alliance)

    content = client.get(reverse("surveys:national-results-ods")).content

    document = load(io.BytesIO(content))
    tables = document.spreadsheet.getElementsByType(Table)
    assert all(len(table.getAttribute("name")) <= 31 for table in tables)
    cells = [cell for table in tables for cell in table.getElementsByType(TableCell)]
    assert [cell.getAttribute("numbercolumnsspanned") for cell in cells] == [None] * len(cells)
    assert [cell.getAttribute("formula") for cell in cells] == [None] * len(cells)
    blank = [
        (name, index)
        for name, rows in sheets_of(content).items()
        for index, row in enumerate(rows)
        if all(value == "" for value in row)
    ]
    assert blank == []


def test_workbook_refuses_a_blank_row_and_a_long_sheet_name():
    with pytest.raises(ValueError, match="A blank row in sheet 'Results'"):
        workbook(title="T", cover=[], notes=[], sheets=[("Results", "T", ["a", "b"], [["", None]])])
    with pytest.raises(ValueError, match="Not a sheet name"):
        workbook(title="T", cover=[], notes=[], sheets=[("R" * 32, "T", ["a"], [[1]])])


# --- The same cells as results.csv, every withheld one [c] ---


@pytest.mark.parametrize("scope", ["session", "partnership", "programme", "national"])
def test_results_ods_holds_results_csv_cell_for_cell(client, alliance, partnership, template, scope):
    session = _session(partnership, template, pairs=3, extra_pre=5)  # small groups withheld, or left out
    _session(partnership, template, pairs=12, title="Largs", date=datetime.date(2026, 4, 2))
    _session(PartnershipFactory(name="Glasgow City HSCP"), template, pairs=8)
    programme = _released_programme(partnership, template)
    args = {"session": [session.pk], "partnership": [partnership.pk], "programme": [programme.pk], "national": []}
    client.force_login(alliance)

    csv_rows = rows_of(client.get(reverse(f"surveys:{scope}-results-csv", args=args[scope])))
    sheet = sheets_of(client.get(reverse(f"surveys:{scope}-results-ods", args=args[scope])).content)["Results"]

    assert len(csv_rows) > 1
    assert sheet[2] == HEADERS
    _same_cells(csv_rows[1:], sheet[3:])
    # Every "fewer than 5" of results.csv is [c].
    withheld = [
        (row, column) for row, line in enumerate(csv_rows[1:]) for column, cell in enumerate(line) if cell == FEW
    ]
    assert [sheet[3 + row][column] for row, column in withheld] == ["[c]"] * len(withheld)


def test_results_ods_of_a_session_shows_c_for_every_withheld_cell(client, lead, partnership, template):
    """8 answered before (counted in full); 3 after and 3 pairs: withheld, the relative change with them."""
    session = _session(partnership, template, pairs=3, extra_pre=5)
    client.force_login(lead)

    rows = sheets_of(client.get(reverse("surveys:session-results-ods", args=[session.pk])).content)["Results"]

    note = (
        "Fewer than 5 people answered after: their answers are not shown. "
        "Fewer than 5 people answered both questionnaires: the change is not shown."
    )
    name = "Irvine (12 Mar 2026)"
    assert rows[3:] == [
        ["session", name, STATEMENTS[number], 1.0, n_pre, "[c]", "[c]", agree, *["[c]"] * 8, note]
        for number, n_pre, agree in [(0, 8.0, 25.0), (1, 8.0, 37.5), (2, 6.0, 0.0)]
    ]


def test_results_ods_of_a_partnership_shows_c_where_every_group_was_left_out(client, lead, partnership, template):
    """3 pairs: nothing counts. results.csv shows 0 counted and leaves the figures empty; the workbook says [c]."""
    _session(partnership, template, pairs=3)
    client.force_login(lead)

    rows = sheets_of(client.get(reverse("surveys:partnership-results-ods", args=[partnership.pk])).content)["Results"]

    assert rows[3] == [
        "partnership", "North Ayrshire HSCP", STATEMENTS[0], 1.0, 0.0, 0.0, 0.0, *["[c]"] * 9,
        "Left out to protect groups of fewer than 5 people: answers before from 1 session, answers after from 1 "
        "session, pairs from 1 session.",
    ]  # fmt: skip


def test_results_ods_leaves_a_relative_change_not_shown_for_few_pairs_empty(client, lead, partnership, template):
    """6 pairs on the third statement: a change, but no relative change (fewer than 10 pairs), which is no secret."""
    _session(partnership, template, pairs=12)
    client.force_login(lead)

    rows = sheets_of(client.get(reverse("surveys:partnership-results-ods", args=[partnership.pk])).content)["Results"]

    assert [row[6] for row in rows[3:]] == [12.0, 12.0, 6.0]
    assert [row[15] for row in rows[3:]] == [100.0, 0.0, ""]


def test_results_ods_is_text_not_a_formula(client, lead, partnership, template):
    services.template_item_add(template=template, text='=HYPERLINK("http://evil.example")')
    session = _session(partnership, template, pairs=1, more=[4])
    client.force_login(lead)

    rows = sheets_of(client.get(reverse("surveys:session-results-ods", args=[session.pk])).content)["Results"]

    assert rows[6][2] == '=HYPERLINK("http://evil.example")'


def test_results_ods_of_a_session_is_its_header_until_released(client, lead, partnership, template):
    session = _session(partnership, template, pairs=12, released=False)
    client.force_login(lead)

    rows = sheets_of(client.get(reverse("surveys:session-results-ods", args=[session.pk])).content)["Results"]

    assert rows == [["Results: Irvine (12 Mar 2026), one row per statement and scope"], [POINTER], HEADERS]


def test_results_ods_with_invalid_filters_holds_no_figures_and_says_why(client, lead, partnership, template):
    _session(partnership, template, pairs=12)
    client.force_login(lead)

    response = client.get(
        reverse("surveys:partnership-results-ods", args=[partnership.pk]),
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
    )

    sheets = sheets_of(response.content)
    assert sheets["Cover"][2] == ["Filters", "not valid, so nothing is counted"]
    assert sheets["Results"][2:] == [HEADERS]


# --- dashboard.ods ---


def test_dashboard_ods_holds_dashboard_csv_one_section_a_sheet(client, alliance, world):  # noqa: F811
    client.force_login(alliance)

    csv_rows = dashboard_rows_of(client.get(reverse("surveys:dashboard-csv")))
    response = client.get(reverse("surveys:dashboard-ods"))

    assert response["Content-Disposition"] == (
        f'attachment; filename="dashboard-scotland-{timezone.localdate().isoformat()}.ods"'
    )
    sheets = sheets_of(response.content)
    assert list(sheets) == ["Cover", "Notes", "Activity", "Outcomes", "What came of it"]
    assert sheets["Cover"][-1] == ["Sheets", "Notes, Activity, Outcomes, What came of it"]
    assert sheets["Cover"][1:3] == [
        ["Scope", "Scotland: every partnership, side by side"],
        ["Filters", "over time by year"],
    ]
    header = ["Scope", "Period", "Figure", "Category", "Value (a count, unless Figure names a unit)"]
    assert [sheets[name][:3] for name in ("Activity", "Outcomes", "What came of it")] == [
        [[f"{name}: Scotland"], [POINTER], header] for name in ("Activity", "Outcomes", "What came of it")
    ]
    sheet_rows = [[name, *row] for name in ("Activity", "Outcomes", "What came of it") for row in sheets[name][3:]]
    _same_cells(csv_rows[1:], sheet_rows)
    # Alpha's places by sector: the 2 of a community group withheld, and the 4 with them (as in dashboard.csv).
    places = {row[3]: row[4] for row in sheets["Activity"] if row[:3] == ["Alpha", "whole period", "Places attended"]}
    assert (places["All"], places["NHS / health board"], places["Third sector"]) == (15.0, 9.0, "[c]")
    assert places["Community or volunteer-led group"] == "[c]"
    few = [index for index, row in enumerate(csv_rows[1:]) if row[5] == FEW]
    assert len(few) > 0
    assert [sheet_rows[index][5] for index in few] == ["[c]"] * len(few)


def test_partnership_dashboard_ods_follows_the_filters(client, lead, partnership, world):  # noqa: F811
    SessionFactory(partnership=partnership, date=datetime.date(2026, 2, 2), status="held")
    client.force_login(lead)

    response = client.get(
        reverse("surveys:partnership-dashboard-ods", args=[partnership.pk]),
        {"date_from": "2026-01-01", "period": "quarter"},
    )

    sheets = sheets_of(response.content)
    assert sheets["Cover"][:3] == [
        ["Dashboard: North Ayrshire HSCP"],
        ["Scope", "Partnership: North Ayrshire HSCP, beside Scotland"],
        ["Filters", "sessions from 1 January 2026; over time by quarter"],
    ]
    held = [row for row in sheets["Activity"] if row[2:4] == ["Sessions held", "All kinds"]]
    assert held[:3] == [
        ["North Ayrshire", "whole period", "Sessions held", "All kinds", 1.0],
        ["Scotland", "whole period", "Sessions held", "All kinds", 3.0],
        ["North Ayrshire", "2026 Q1", "Sessions held", "All kinds", 1.0],
    ]


# --- Who may download, and the record of it ---


def test_workbooks_of_another_partnership_are_not_found(client, outsider, partnership, template):
    session = _session(partnership, template, pairs=12)
    programme = _released_programme(partnership, template)
    client.force_login(outsider)

    statuses = [
        client.get(reverse(name, args=args)).status_code
        for name, args in [
            ("surveys:session-results-ods", [session.pk]),
            ("surveys:partnership-results-ods", [partnership.pk]),
            ("surveys:programme-results-ods", [programme.pk]),
            ("surveys:partnership-dashboard-ods", [partnership.pk]),
        ]
    ]

    assert statuses == [404, 404, 404, 404]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).count() == 0


def test_a_viewer_reads_the_workbook_the_lead_reads_but_not_the_national_one(
    client, viewer, lead, partnership, template
):
    _session(partnership, template, pairs=12)
    url = reverse("surveys:partnership-results-ods", args=[partnership.pk])
    client.force_login(lead)
    leads = sheets_of(client.get(url).content)["Results"]
    client.force_login(viewer)

    viewers = sheets_of(client.get(url).content)["Results"]

    assert viewers == leads
    assert len(viewers) == 6
    assert client.get(reverse("surveys:national-results-ods")).status_code == 403
    assert client.get(reverse("surveys:dashboard-ods")).status_code == 403


def test_a_workbook_download_is_recorded(client, lead, partnership, template):
    session = _session(partnership, template, pairs=12)
    client.force_login(lead)

    client.get(reverse("surveys:session-results-ods", args=[session.pk]))
    client.get(reverse("surveys:partnership-dashboard-ods", args=[partnership.pk]), {"kind": "lab"})

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).order_by("pk")
    assert [(entry.actor, entry.partnership, entry.object_repr, entry.additional_data) for entry in entries] == [
        (
            lead,
            partnership,
            "Results (spreadsheet)",
            {"scope": partnership.name, "filters": {"session": "Irvine (12 Mar 2026)"}},
        ),
        (lead, partnership, "Dashboard (spreadsheet)", {"scope": partnership.name, "filters": {"kind": "lab"}}),
    ]


# --- Queries: as many for 3 sessions as for 1 ---


@pytest.mark.parametrize("sessions", [1, 3])
def test_results_ods_queries_do_not_grow(client, alliance, partnership, template, sessions, django_assert_num_queries):
    for number in range(sessions):
        _session(partnership, template, pairs=6, date=datetime.date(2026, 1 + number, 5))
        _session(PartnershipFactory(), template, pairs=6, date=datetime.date(2026, 1 + number, 6))
    client.force_login(alliance)

    # sign-in session, user and second factor; the partnership and the user's role in it (nationally: neither);
    # the audit entry; the figures and their statements (nationally: and the partnerships' names)
    with django_assert_num_queries(PARTNERSHIP_QUERIES):
        partnership_response = client.get(reverse("surveys:partnership-results-ods", args=[partnership.pk]))
    with django_assert_num_queries(NATIONAL_QUERIES):
        national_response = client.get(reverse("surveys:national-results-ods"))

    assert len(sheets_of(partnership_response.content)["Results"]) == 3 + 3
    assert len(sheets_of(national_response.content)["Results"]) == 3 + 3 + 3 * (1 + sessions)


PARTNERSHIP_QUERIES, NATIONAL_QUERIES = 8, 7


@pytest.mark.parametrize("extra", [0, 2])
def test_dashboard_ods_queries_do_not_grow(client, alliance, template, extra, django_assert_num_queries):
    for number in range(1 + extra):
        session = SessionFactory(
            partnership=PartnershipFactory(), status="held", date=datetime.date(2024, 6, number + 1)
        )
        pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
        post = services.survey_create(session=session, phase=Phase.POST, template=template)
        for _ in range(5):
            submit(post, [4, 4, 4], pairing_code=submit(pre, [2, 2, 2]).response.pairing_code)
        release(pre, post)
    client.force_login(alliance)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("surveys:dashboard-ods"))

    assert list(sheets_of(response.content)) == ["Cover", "Notes", "Activity", "Outcomes", "What came of it"]


# sign-in session, user and second factor; the audit entry; then as the page builds its panels (the release stamp,
# the panels' versions, the cache read, the figures' queries and the cache's writes): no page of its own.
DASHBOARD_QUERIES = 32
