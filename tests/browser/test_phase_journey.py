"""A lead fixes a measure's baseline, starts a new phase with a reason, switches to an XmR chart and sees it all on
the project page, marked with a PDSA cycle: accessible at 1280 and 320 px wide."""

import datetime

import pytest
from playwright.sync_api import expect

from projects import services
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PdsaCycleFactory, ProjectFactory

pytestmark = pytest.mark.browser

MEASURE = "In-patients taking part in a community activity"
FIRST_WEEK = datetime.date(2025, 1, 6)
# Twelve weeks around 3.5, then a change that lasts: six weeks around 7.
VALUES = [4, 2, 5, 3, 4, 2, 5, 3, 4, 2, 5, 3, 6, 7, 6, 8, 7, 7]


def week(number):
    return FIRST_WEEK + datetime.timedelta(weeks=number)


@pytest.fixture
def measure(partnership, lead):
    project = ProjectFactory(partnership=partnership, title="Woodland View: from ward to community activities")
    PdsaCycleFactory(project=project, title="Invite two in-patients to the walking group", plan_date=week(11))
    measure = services.measure_add(project=project, name=MEASURE, direction="higher", target=8)
    services.data_points_add(measure=measure, points=[(week(number), value) for number, value in enumerate(VALUES)])
    return measure


def test_lead_fixes_the_baseline_and_starts_a_new_phase(page, lead, measure):
    log_in(page, "lead")
    page.goto(measure.get_absolute_url())

    # The default: one phase, the shift against the first twelve weeks' median, the PDSA cycle numbered.
    expect(page.locator(".signal-list")).to_have_text(
        "Shift: 6 points above the median, from 31 Mar 2025 to 5 May 2025. In the better direction for this measure."
    )
    expect(page.locator(".chart-markers > li")).to_have_text(
        ["24 Mar 2025: PDSA cycle Invite two in-patients to the walking group, planned"]
    )
    expect(page.locator("svg.run-chart-svg g.chart-marker")).to_have_count(1)

    # Fixing the baseline at eight values: a typing slip first, refused with the value kept.
    page.get_by_label("Fix the baseline: the first N values").fill("0")
    page.get_by_role("button", name="Save chart").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("The baseline needs at least 1 value.")
    expect(page.get_by_label("Fix the baseline: the first N values")).to_have_value("0")
    assert_accessible(page, "measure-baseline-error")
    page.get_by_label("Fix the baseline: the first N values").fill("8")
    page.get_by_role("button", name="Save chart").click()
    expect(page.get_by_role("status")).to_have_text("Chart saved.")
    expect(page.locator(".chart-signals")).to_contain_text("Median 3.5, from the first 8 values.")

    # A new phase needs a reason.
    page.get_by_label("The new phase starts on").fill(week(12).isoformat())
    page.get_by_role("button", name="Start the phase").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("What changed: Say what changed.")
    expect(page.get_by_label("The new phase starts on")).to_have_value(week(12).isoformat())
    assert_accessible(page, "phase-add-error")
    page.get_by_label("What changed").fill("Walking group offered to every in-patient")
    page.get_by_role("button", name="Start the phase").click()
    expect(page.get_by_role("status")).to_have_text(
        "New phase from 31 March 2025: Walking group offered to every in-patient"
    )

    # Two phases: a step in the median, each phase judged on its own, the reason in words and in the table.
    expect(page.locator("svg.run-chart-svg .chart-median-step")).to_have_count(1)
    expect(page.locator("svg.run-chart-svg .chart-phase-label")).to_have_text(["Phase 1", "Phase 2"])
    expect(page.locator(".signal-phase").nth(1)).to_have_text(
        "Phase 2, from 31 Mar 2025: Walking group offered to every in-patient"
    )
    expect(page.locator(".phase-row th").nth(1)).to_contain_text(
        "Phase 2, from 31 March 2025: Walking group offered to every in-patient."
    )
    assert_accessible(page, "measure-two-phases")

    # An XmR chart instead: labelled with its rules, with process limits per phase.
    page.get_by_label("XmR chart, Making Data Count rules").check()
    page.get_by_role("button", name="Save chart").click()
    expect(page.get_by_role("heading", name="XmR chart", exact=True)).to_be_visible()
    expect(page.locator(".chart-rule-set")).to_have_text(
        "XmR chart, Making Data Count rules, in 2 phases, each with its own baseline."
    )
    expect(page.locator("svg.run-chart-svg line.chart-limit")).to_have_count(4)
    assert_accessible(page, "measure-xmr")

    # The project page: the chart, small, with its signals and the PDSA marker.
    page.get_by_role("link", name="Back to").click()
    expect(page.get_by_role("img", name=f"XmR chart of {MEASURE}")).to_be_visible()
    expect(page.locator(".chart-multiple .chart-markers > li")).to_have_count(1)
    assert_accessible(page, "project-small-multiples")

    # Removing the phase asks first.
    page.goto(measure.get_absolute_url())
    page.get_by_role("link", name="Remove the phase from 31 March 2025").click()
    expect(page.get_by_text("It was started because: Walking group offered to every in-patient")).to_be_visible()
    assert_accessible(page, "phase-remove")
    page.get_by_role("button", name="Remove the phase").click()
    expect(page.get_by_role("status")).to_have_text("Phase from 31 March 2025 removed.")
    expect(page.locator("svg.run-chart-svg .chart-median-step")).to_have_count(0)


def test_phases_and_markers_fit_a_320_px_screen(new_page, lead, measure):
    services.measure_phase_start(measure=measure, user=lead, starts_on=week(12), reason="Walking group for all")
    page = new_page(width=320, height=640)
    log_in(page, "lead")

    for path in [measure.get_absolute_url(), measure.project.get_absolute_url()]:
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{path} scrolls sideways ({scroll_width} px)"
        assert_accessible(page, f"narrow-phases-{'measure' if 'measures' in path else 'project'}")
