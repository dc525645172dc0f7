"""A lead records a project from a session, adds partners, moves it on with updates and charts a measure."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from coprod.models import Sector
from projects import services
from projects.models import Project
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import LocalityFactory, OrganisationFactory, PriorityFactory, SessionFactory

pytestmark = pytest.mark.browser

SESSION = "Exploring New Ways of Working: North Ayrshire"
TITLE = "Woodland View: from ward to community activities"
MEASURE = "In-patients taking part in a community activity"
# Weekly values: a baseline around 3.5, then six weeks above it: a shift.
VALUES = [4, 2, 5, 3, 4, 2, 5, 3, 4, 2, 5, 3, 6, 7, 6, 8, 7, 7]
FIRST_WEEK = datetime.date(2025, 1, 6)
VALUE = re.compile(r"^Value")  # the data point's field, not "Fix the baseline: the first N values"


@pytest.fixture
def session(partnership):
    irvine = LocalityFactory(partnership=partnership, name="Irvine")
    PriorityFactory(partnership=partnership, title="Bringing services together")
    OrganisationFactory(name="NHS Ayrshire & Arran", sector=Sector.NHS)
    OrganisationFactory(name="Garnock Valley Men's Shed", sector=Sector.COMMUNITY)
    return SessionFactory(
        partnership=partnership, locality=irvine, title=SESSION, date=datetime.date(2018, 1, 24), status="held"
    )


def _move_stage(page, stage):
    page.get_by_role("link", name="Move to another stage").click()
    page.get_by_label(stage).check()
    page.get_by_role("button", name="Move stage").click()


def test_lead_records_a_project_from_a_session_and_charts_a_measure(page, lead, partnership, session):
    log_in(page, "lead")

    # On the session page: no projects from it yet, and the way to record one.
    page.goto(session.get_absolute_url())
    expect(page.get_by_text("No projects recorded from this session yet.")).to_be_visible()
    assert_accessible(page, "session-detail-no-projects")
    page.get_by_role("link", name="record a project from this session").click()

    # The form knows the session and its locality; an empty aim is refused with a clear message.
    expect(page.get_by_label(f"{SESSION} (24 Jan 2018)")).to_be_checked()
    expect(page.get_by_label("Locality")).to_have_value(str(session.locality.pk))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Problem or topic").select_option("hospital_transition")
    page.get_by_label("Bringing services together").check()
    page.get_by_label("Co-design: how the project uses it").fill("Former in-patients chose the activities.")
    page.get_by_role("button", name="Record project").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Write the aim statement")
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    assert_accessible(page, "project-create-errors")
    page.get_by_label("Aim statement").fill(
        "By December 2026, 40 in-patients of Woodland View will take part in a community activity before discharge."
    )
    page.get_by_role("button", name="Record project").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("link", name=SESSION)).to_be_visible()
    assert_accessible(page, "project-detail-new")

    # Partners from two sectors make it multi-agency.
    page.get_by_role("link", name="Add partners").click()
    page.get_by_label("Organisation").nth(0).select_option(label="NHS Ayrshire & Arran (NHS / health board)")
    page.get_by_label("Role").nth(0).select_option("lead")
    page.get_by_label("Organisation").nth(1).select_option(
        label="Garnock Valley Men's Shed (Community or volunteer-led group)"
    )
    page.get_by_label("Role").nth(1).select_option("supporter")
    assert_accessible(page, "project-partners")
    page.get_by_role("button", name="Save partners").click()
    expect(page.get_by_text("Multi-agency: partners from 2 sectors.")).to_be_visible()

    # Through the stages, with an update on the way.
    _move_stage(page, "Planning")
    expect(page.get_by_role("status")).to_have_text("Moved to the planning stage.")
    page.get_by_role("link", name="Add an update").click()
    page.get_by_label("What happened").fill("Ward OTs and the Men's Shed agreed how first visits will work.")
    assert_accessible(page, "project-update")
    page.get_by_role("button", name="Add update").click()
    page.get_by_role("link", name="Move to another stage").click()
    assert_accessible(page, "project-stage")
    page.get_by_label("Testing").check()
    page.get_by_role("button", name="Move stage").click()
    expect(page.get_by_role("status")).to_have_text("Moved to the testing stage.")

    # A measure and its data points.
    page.get_by_role("link", name="Add a measure").click()
    assert_accessible(page, "measure-add")
    page.get_by_label("Name").fill(MEASURE)
    page.get_by_label("Unit").fill("people")
    page.get_by_label("Higher is better").check()
    page.get_by_label("Target").fill("8")
    page.get_by_role("button", name="Add measure").click()
    expect(page.get_by_text("No data points yet.")).to_be_visible()
    assert_accessible(page, "measure-empty")
    for week, value in enumerate(VALUES):
        day = FIRST_WEEK + datetime.timedelta(weeks=week)
        page.get_by_label("Date").fill(day.isoformat())
        page.get_by_role("spinbutton", name=VALUE).fill(str(value))
        page.get_by_role("button", name="Add data point").click()
        expect(page.get_by_role("status")).to_have_text(f"Value for {day.day} {day:%B %Y} added.")

    # The run chart, its median and the shift, in the picture, in words and in the table.
    expect(page.get_by_role("img", name=f"Run chart of {MEASURE}")).to_be_visible()
    expect(page.locator(".signal-list")).to_have_text(
        "Shift: 6 points above the median, from 31 Mar 2025 to 5 May 2025. In the better direction for this measure."
    )
    expect(page.locator("svg.run-chart-svg g.chart-point-square")).to_have_count(6)
    expect(page.get_by_role("cell", name="Shift", exact=True)).to_have_count(6)
    page.get_by_text("How the run-chart rules are applied").click()
    assert_accessible(page, "measure-run-chart")

    # A second value for a date already charted is refused, with the value already there.
    page.get_by_label("Date").fill(FIRST_WEEK.isoformat())
    page.get_by_role("spinbutton", name=VALUE).fill("9")
    page.get_by_role("button", name="Add data point").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("There is already a value for 6 January 2025 (4)")
    assert_accessible(page, "measure-duplicate-date")

    page.get_by_role("link", name=f"Back to {TITLE}").click()
    timeline = page.locator(".timeline > li")
    expect(timeline).to_have_count(3)
    assert_accessible(page, "project-detail")

    # Back on the session page, the project is listed with its stage, and so it is in the filtered register.
    page.get_by_role("link", name=SESSION).click()
    expect(page.locator(".session-projects > li")).to_have_text([f"{TITLE} Stage: Testing"])
    assert_accessible(page, "session-detail-projects")
    page.get_by_role("link", name="Improvement projects from this session").click()
    expect(page.get_by_text("Showing the projects that came out of")).to_be_visible()
    expect(page.get_by_role("row", name=TITLE)).to_have_count(1)
    assert_accessible(page, "project-register-session")
    project = Project.objects.get()
    assert (project.stage, project.updates.count(), project.measures.get().points.count()) == (
        "testing",
        1,
        len(VALUES),
    )


def test_run_chart_page_fits_a_320_px_screen(new_page, lead, partnership, session):
    project = services.project_create(
        partnership=partnership,
        user=lead,
        title=TITLE,
        topic="other",
        topic_other="Moving on from hospital",
        aim="A measurable aim.",
        sessions=[session],
    )
    measure = services.measure_add(project=project, name=MEASURE, direction="higher", target=8)
    services.data_points_add(
        measure=measure,
        points=[(FIRST_WEEK + datetime.timedelta(weeks=week), value) for week, value in enumerate(VALUES)],
    )
    page = new_page(width=320, height=640)
    log_in(page, "lead")

    paths = [
        measure.get_absolute_url(),
        project.get_absolute_url(),
        f"/projects/partnership/{partnership.pk}/",
        session.get_absolute_url(),
    ]
    for path in paths:
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{path} scrolls sideways ({scroll_width} px)"
    assert_accessible(page, "narrow-session-projects")
    page.goto(measure.get_absolute_url())
    assert_accessible(page, "narrow-run-chart")
