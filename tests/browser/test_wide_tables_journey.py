"""Wide tables: the programme attendance grid and paper entry show every column at 1280 and 320 px wide,
either fitting the page or scrolling sideways inside a labelled, focusable region whose scrollbar is on screen;
axe-core checks both widths."""

import datetime

import pytest
from playwright.sync_api import expect

from surveys import services
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    AttendanceFactory,
    AttendeeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
)
from workshops.models import AttendanceStatus, SessionStatus

pytestmark = pytest.mark.browser

STAR = "Co-production Star Action Learning Programme"
GRID = "Attendance grid: 12 people by {} sessions"
PAPER = "Paper forms, one per row"

# Where a region's header cells are once each is scrolled into view, and how the region and page are sized.
MEASURE = """region => {
    const box = region.getBoundingClientRect();
    const cells = [...region.querySelectorAll('thead th')].map(cell => {
        cell.scrollIntoView({block: 'nearest', inline: 'nearest'});
        const rect = cell.getBoundingClientRect(), now = region.getBoundingClientRect();
        return rect.left >= now.left - 1 && rect.right <= now.right + 1 && rect.right <= window.innerWidth + 1;
    });
    region.scrollLeft = 0;
    return {
        cells,
        fits: region.scrollWidth <= region.clientWidth,
        overflow: getComputedStyle(region).overflowX,
        bottomOnScreen: box.height <= window.innerHeight,
        pageWidth: document.documentElement.scrollWidth,
    };
}"""


def _programme(partnership, *, sessions):
    """Aberdeen City's shape: held sessions, people with long names from a long-named organisation."""
    programme = ProgrammeFactory(partnership=partnership, title=STAR, completion_threshold=sessions // 2)
    made = [
        SessionFactory(
            partnership=partnership,
            programme=programme,
            title=f"Star session {number}",
            date=datetime.date(2025, 9, 14) + datetime.timedelta(weeks=3 * number),
            status=SessionStatus.HELD,
        )
        for number in range(sessions)
    ]
    organisation = OrganisationFactory(name="Aberdeen Council of Voluntary Organisations (ACVO)")
    for number in range(12):
        attendee = AttendeeFactory(
            partnership=partnership, name=f"Alexandrina Fitzgerald-Macdonald {number:02}", organisation=organisation
        )
        for index, session in enumerate(made):
            status = AttendanceStatus.ATTENDED if (index + number) % 4 else AttendanceStatus.ABSENT
            AttendanceFactory(session=session, attendee=attendee, status=status)
    return programme


@pytest.fixture
def paper_survey(partnership):
    """A questionnaire after the session with 8 statements and 2 written answers: wider than any screen."""
    template = QuestionnaireTemplateFactory(title="Exploring New Ways of Working (test)")
    for position in range(1, 11):
        kind = "scale" if position <= 8 else "text"
        statement = StatementFactory(text=f"Statement {position}", kind=kind)
        TemplateItemFactory(template=template, statement=statement, position=position, phase="post", required=False)
    session = SessionFactory(partnership=partnership, title="Exploring New Ways of Working: Irvine")
    return services.survey_create(session=session, phase="post", template=template)


def _reachable(page, region, width):
    measured = region.evaluate(MEASURE)
    assert measured["cells"] and all(measured["cells"]), measured  # every column can be brought into view
    assert measured["pageWidth"] <= width  # the page itself never scrolls sideways
    if not measured["fits"]:
        assert measured["overflow"] in ("auto", "scroll")
        assert measured["bottomOnScreen"]  # its sideways scrollbar is not below the window
        region.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())  # keyboard scrolls it
        region.evaluate("el => { el.scrollLeft = 0; }")
    return measured["fits"]


@pytest.mark.parametrize(("width", "fits"), [(1280, True), (320, False)])
def test_attendance_grid_shows_every_column(new_page, lead, partnership, width, fits):
    programme = _programme(partnership, sessions=10)
    page = new_page(width=width, height=800)
    log_in(page, "lead")

    page.goto(f"/programmes/{programme.pk}/")
    region = page.get_by_role("region", name=GRID.format(10))

    assert _reachable(page, region, width) == fits
    assert region.get_attribute("tabindex") == "0"
    assert_accessible(page, f"wide-grid-{width}")


def test_attendance_grid_with_many_sessions_keeps_completion_in_view(new_page, lead, partnership):
    programme = _programme(partnership, sessions=20)
    page = new_page(width=1280, height=800)
    log_in(page, "lead")

    page.goto(f"/programmes/{programme.pk}/")
    region = page.get_by_role("region", name=GRID.format(20))

    assert not _reachable(page, region, 1280)
    # Scrolled to the start, the person and "Completed" with its certificate link are both in view.
    region_box = region.bounding_box()
    for header in ("Person", "Completed"):
        box = region.get_by_role("columnheader", name=header, exact=True).bounding_box()
        assert region_box["x"] <= box["x"] and box["x"] + box["width"] <= region_box["x"] + region_box["width"]
    link = region.get_by_role("link", name="Certificate for Alexandrina Fitzgerald-Macdonald 00")
    expect(link).to_be_visible()
    assert_accessible(page, "wide-grid-20-sessions")


@pytest.mark.parametrize("width", [1280, 320])
def test_paper_entry_shows_every_column(new_page, lead, paper_survey, width):
    page = new_page(width=width, height=800)
    log_in(page, "lead")

    page.goto(f"/surveys/{paper_survey.pk}/paper/")
    region = page.get_by_role("region", name=PAPER)

    assert not _reachable(page, region, width)
    assert region.get_attribute("aria-describedby") == "paper-scroll-hint"
    # Tabbing to the last written answer brings it into view, clear of the sticky form number.
    last = page.get_by_label("Form 1, question 10")
    last.focus()
    box, number = last.bounding_box(), region.get_by_role("rowheader", name="1", exact=True).bounding_box()
    region_box = region.bounding_box()
    assert number["x"] + number["width"] <= box["x"]
    assert box["x"] + box["width"] <= region_box["x"] + region_box["width"] + 1
    assert_accessible(page, f"wide-paper-{width}")
