"""A lead keeps a measure quickly: pastes 15 weeks from a spreadsheet, checks and saves them, sees the chart on the
project page with its PDSA marker and shift, corrects a value in the grid, fixes the baseline and starts a new phase
with a reason; at 1280 and 320 px, with axe-core on each state of the page."""

import datetime

import pytest
from playwright.sync_api import expect

from projects.models import DataPoint
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import MeasureFactory, PdsaCycleFactory, ProjectFactory

pytestmark = pytest.mark.browser

FIRST_MONDAY = datetime.date(2025, 9, 1)
VALUES = [4, 6, 5, 3, 5, 4, 6, 5, 9, 10, 9, 11, 10, 12, 11]


def _spreadsheet():
    """15 weekly rows as a spreadsheet copies them: tab-separated, under column names, UK dates."""
    rows = ["Week commencing\tReferrals\tNote"]
    for week, value in enumerate(VALUES):
        note = "New referral form" if week == 8 else ""
        rows.append(f"{(FIRST_MONDAY + datetime.timedelta(weeks=week)):%d/%m/%Y}\t{value}\t{note}".rstrip("\t"))
    return "\n".join(rows)


def _page_fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # only the grid's region scrolls


@pytest.mark.parametrize("width", [1280, 320])
def test_paste_see_the_chart_correct_fix_the_baseline_start_a_phase(new_page, lead, partnership, width):
    project = ProjectFactory(partnership=partnership)
    PdsaCycleFactory(project=project, title="New referral form", plan_date=FIRST_MONDAY + datetime.timedelta(weeks=8))
    measure = MeasureFactory(project=project, name="Referrals a week", unit="people")
    page = new_page(width=width, height=800)
    log_in(page, "lead")

    page.goto(measure.get_absolute_url())
    page.get_by_role("link", name="Add or correct values").click()
    page.get_by_label("Rows copied from a spreadsheet").fill(_spreadsheet() + "\n31/02/2025\t3")
    page.get_by_role("button", name="Check").click()

    assert "Row 17: the date 31/02/2025 does not exist" in page.locator("[data-error-summary]").inner_text()
    expect(page.get_by_role("button", name="Save these 16 values")).to_have_count(0)
    assert_accessible(page, f"measure-values-check-problems-{width}")

    page.get_by_label("Rows copied from a spreadsheet").fill(_spreadsheet())
    page.get_by_role("button", name="Check").click()

    preview = page.get_by_role("region", name="Every row, as it would be stored")
    expect(preview.get_by_role("row")).to_have_count(16)  # the header row and 15 values
    expect(
        page.get_by_text("15 rows: 15 new, 0 correcting a stored value, 0 already stored as pasted.")
    ).to_be_visible()
    _page_fits(page, width)
    assert_accessible(page, f"measure-values-check-{width}")

    page.get_by_role("button", name="Save these 15 values").click()

    assert page.url.endswith(measure.get_absolute_url())
    expect(page.get_by_text("Values saved: 15 added, 0 updated.")).to_be_visible()
    assert [int(value) for value in DataPoint.objects.filter(measure=measure).values_list("value", flat=True)] == VALUES

    # The project page: the chart, the PDSA cycle and the pasted note numbered on it and in the legend, the shift in
    # words.
    page.get_by_role("link", name="Back to").click()
    chart = page.locator(".chart-multiple")
    expect(chart.get_by_role("img", name="Run chart of Referrals a week")).to_be_visible()
    expect(chart.locator("svg g.chart-marker")).to_have_count(2)
    expect(chart.locator(".chart-markers > li")).to_have_text(
        ["27 Oct 2025: PDSA cycle New referral form, planned", "27 Oct 2025: note on the value 9: New referral form"]
    )
    expect(chart.locator(".signal-shift")).to_contain_text("7 points above the median, from 27 Oct 2025 to 8 Dec 2025.")
    _page_fits(page, width)
    assert_accessible(page, f"project-chart-{width}")
    chart.get_by_role("link", name="Referrals a week").click()

    page.get_by_role("link", name="Add or correct values").click()
    grid = page.get_by_role("region", name="Values of Referrals a week, one a row")
    assert grid.get_attribute("tabindex") == "0"
    page.get_by_label("Value for 1 September 2025", exact=True).fill("7")
    page.get_by_label("Row 16, date", exact=True).fill("2025-12-15")
    _page_fits(page, width)
    assert_accessible(page, f"measure-values-grid-{width}")
    page.get_by_role("button", name="Save values").click()

    assert page.url.endswith("/values/")  # the new row has no value: nothing saved
    assert "Row 16, Value: Enter the value." in page.locator("[data-error-summary]").inner_text()
    assert page.get_by_label("Row 16, date", exact=True).input_value() == "2025-12-15"  # kept as typed
    assert_accessible(page, f"measure-values-errors-{width}")

    page.get_by_label("Row 16, value", exact=True).fill("12")
    page.get_by_role("button", name="Save values").click()

    expect(page.get_by_text("Values saved: 1 added, 1 updated.")).to_be_visible()
    stored = DataPoint.objects.filter(measure=measure)
    assert (stored.count(), stored.get(date=FIRST_MONDAY).value) == (16, 7)

    # The baseline fixed at the eight weeks before the change, then a new phase from the change, with its reason.
    page.get_by_label("Fix the baseline: the first N values").fill("8")
    page.get_by_role("button", name="Save chart").click()
    expect(page.locator(".chart-signals")).to_contain_text("Median 5, from the first 8 values.")
    page.get_by_label("The new phase starts on").fill("2025-10-27")
    page.get_by_label("What changed").fill("New referral form in every GP practice")
    page.get_by_role("button", name="Start the phase").click()
    expect(page.get_by_role("status")).to_have_text(
        "New phase from 27 October 2025: New referral form in every GP practice"
    )
    expect(page.locator("svg.run-chart-svg .chart-median-step")).to_have_count(1)
    _page_fits(page, width)
    assert_accessible(page, f"measure-new-phase-{width}")
