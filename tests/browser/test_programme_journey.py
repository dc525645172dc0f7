import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import AttendanceFactory, AttendeeFactory, OrganisationFactory, ProgrammeFactory, SessionFactory
from workshops.models import AttendanceStatus, SessionKind, SessionStatus

pytestmark = pytest.mark.browser

STAR = "Co-production Star Action Learning Programme"


def _programme(partnership, *, sessions, people, threshold):
    """`people` maps a name to one mark per session ('' for not registered)."""
    programme = ProgrammeFactory(
        partnership=partnership,
        title=STAR,
        facilitating_organisation=OrganisationFactory(name="Governance International"),
        cpd_hours_per_session=3,
        completion_threshold=threshold,
    )
    made = [
        SessionFactory(
            partnership=partnership,
            programme=programme,
            kind=SessionKind.LAB if number % 2 else SessionKind.STAR_WORKSHOP,
            title=f"Star session {number}",
            date=datetime.date(2017, 9, 14) + datetime.timedelta(weeks=4 * number),
            status=SessionStatus.HELD,
        )
        for number in range(sessions)
    ]
    for name, marks in people.items():
        attendee = AttendeeFactory(partnership=partnership, name=name)
        for session, mark in zip(made, marks, strict=True):
            if mark:
                AttendanceFactory(session=session, attendee=attendee, status=mark)
    return programme


def test_programme_journey_lead_reads_grid_and_prints_a_certificate(page, lead, partnership):
    attended, absent = AttendanceStatus.ATTENDED, AttendanceStatus.ABSENT
    programme = _programme(
        partnership,
        sessions=3,
        threshold=2,
        people={"Ailsa Grant": [attended, attended, absent], "Bruce Duncan": [attended, "", ""]},
    )
    log_in(page, "lead")

    page.get_by_role("link", name="Programmes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Programmes"
    assert_accessible(page, "programme-list")

    page.get_by_role("link", name=STAR).click()
    assert page.get_by_role("heading", level=1).inner_text() == STAR
    assert page.get_by_test_id("programme-summary").inner_text() == (
        "2 people took part; 1 completed (attended at least 2 of 3 sessions); 1 attended all or all but one."
    )
    grid = page.get_by_role("region", name="Attendance grid: 2 people by 3 sessions")
    rows = grid.get_by_role("row")
    assert [" ".join(row.inner_text().split()) for row in rows.all()[1:]] == [
        "Ailsa Grant ✓ Attended ✓ Attended ✗ Did not attend 2 Yes · Certificate for Ailsa Grant",
        "Bruce Duncan ✓ Attended \N{EN DASH} Not registered \N{EN DASH} Not registered 1 No",
    ]
    assert_accessible(page, "programme-detail")

    page.get_by_role("link", name="Certificate for Ailsa Grant").click()
    certificate = page.locator(".certificate")
    assert " ".join(certificate.inner_text().split()).startswith(
        "CONTINUING PROFESSIONAL DEVELOPMENT Certificate of completion : Ailsa Grant This certifies that Ailsa Grant "
        "completed "
        f"the {STAR}, facilitated by Governance International, with North Ayrshire HSCP, attending 2 sessions "
        "from 14 September 2017 to 12 October 2017. Total CPD hours: 6 (2 sessions \N{MULTIPLICATION SIGN} 3 hours) "
        "Sessions attended 14 Sep 2017: Star session 0 12 Oct 2017: Star session 1 Reflective note"
    )
    assert_accessible(page, "certificate")

    # The Print button calls the browser's print; here a stand-in records the call.
    page.evaluate("() => { window.print = () => { window.printCalls = (window.printCalls || 0) + 1; }; }")
    page.get_by_role("button", name="Print this certificate").click()
    assert page.evaluate("window.printCalls") == 1

    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this certificate")).to_be_hidden()
    expect(certificate).to_be_visible()
    expect(certificate.get_by_text("How it will benefit my practice and the people I work with")).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Print all certificates for this programme").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Certificates: {STAR}"
    assert page.locator(".certificate .certificate-name").all_inner_texts() == ["Ailsa Grant"]
    assert_accessible(page, "certificates-all")
    assert programme.pk


def test_programme_grid_big_and_readable_at_320px(new_page, lead, partnership):
    marks = [AttendanceStatus.ATTENDED, AttendanceStatus.ABSENT, ""]
    people = {f"Person {number:03}": [marks[(number + s) % 3] for s in range(10)] for number in range(120)}
    _programme(partnership, sessions=10, threshold=4, people=people)
    page = new_page(width=320, height=640)
    log_in(page, "lead")

    page.goto("/programmes/")
    page.get_by_role("link", name=STAR).click()

    region = page.get_by_role("region", name="Attendance grid: 120 people by 10 sessions")
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # the grid scrolls inside its region
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # the page itself does not
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())  # keyboard scrolls it
    assert_accessible(page, "programme-grid-320")


def test_certificate_without_javascript_hides_the_print_button(new_page, lead, partnership):
    programme = _programme(partnership, sessions=1, threshold=1, people={"Ailsa Grant": [AttendanceStatus.ATTENDED]})
    page = new_page(javascript=False)
    log_in(page, "lead")

    page.goto(f"/programmes/{programme.pk}/")
    page.get_by_role("link", name="Certificate for Ailsa Grant").click()

    expect(page.get_by_role("button", name="Print this certificate")).to_have_count(0)
    expect(page.get_by_text("Your browser's own Print command works too.")).to_be_visible()
    # (axe-core needs JavaScript to run: the same page with JavaScript is checked in the journey above.)
