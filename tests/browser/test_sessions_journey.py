"""A lead logs a session in the browser, registers 30 people from a CSV file, marks attendance and prints
the CPD certificate of someone who completed the session's programme."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    AttendanceFactory,
    LocalityFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SessionFactory,
)
from workshops.models import Session

pytestmark = pytest.mark.browser

PEOPLE = [
    ("Morag Campbell", "NHS Ayrshire & Arran", "", "Physiotherapist"),
    ("Iain Kerr", "NHS Ayrshire & Arran", "", "Occupational therapist"),
    ("Shona MacLeod", "NHS Ayrshire & Arran", "", "Speech and language therapist"),
    ("Gillian Boyle", "NHS Ayrshire & Arran", "", "Dietitian"),
    ("Craig Hamilton", "NHS Ayrshire & Arran", "", "Podiatrist"),
    ("Heather Robertson", "NHS Ayrshire & Arran", "", "Orthoptist"),
    ("Karen Wilson", "NHS Ayrshire & Arran", "", "Art therapist"),
    ("Stuart Gillespie", "NHS Ayrshire & Arran", "", "Physiotherapist"),
    ("Anne Cunningham", "NHS Ayrshire & Arran", "", "Diagnostic radiographer"),
    ("Alan Crawford", "NHS Ayrshire & Arran", "", "Paramedic"),
    ("Elaine Jamieson", "North Ayrshire Health and Social Care Partnership", "HSCP", "Occupational therapist"),
    ("Lesley Thomson", "North Ayrshire Health and Social Care Partnership", "HSCP", "Physiotherapist"),
    ("Jennifer Gray", "North Ayrshire Health and Social Care Partnership", "HSCP", "Speech and language therapist"),
    ("Claire Docherty", "North Ayrshire Health and Social Care Partnership", "HSCP", "Music therapist"),
    ("David McLean", "North Ayrshire Council", "Local authority", "Social care staff"),
    ("Nicola Stewart", "North Ayrshire Council", "Local authority", "Social care staff"),
    ("Fiona Paterson", "The Ayrshire Community Trust", "", "Third sector staff"),
    ("Graham Watson", "The Ayrshire Community Trust", "", "Third sector staff"),
    ("Sandra Mitchell", "The Ayrshire Community Trust", "", "Volunteer"),
    ("Lorraine Fraser", "Thistle Foundation", "Third sector", "Third sector staff"),
    ("Rachel Munro", "Thistle Foundation", "Third sector", "Third sector staff"),
    ("Euan Grant", "Thistle Foundation", "Third sector", "Third sector staff"),
    ("James Baird", "Kilwinning Community Sports Club", "Community or volunteer-led group", "Volunteer"),
    ("Kirsty Reid", "Kilwinning Community Sports Club", "Community or volunteer-led group", "Third sector staff"),
    ("Tom Wylie", "Garnock Valley Men's Shed", "Community or volunteer-led group", "Volunteer"),
    ("Billy Gemmell", "Garnock Valley Men's Shed", "Community or volunteer-led group", "Volunteer"),
    ("Margaret Dunlop", "", "Community or volunteer-led group", "Person with lived experience"),
    ("Eileen Kennedy", "", "Community or volunteer-led group", "Person with lived experience"),
    ("John Mackay", "", "Community or volunteer-led group", "Unpaid carer"),
    ("Agnes Logan", "The Ayrshire Community Trust", "", "Unpaid carer"),
]


def _button(page, action, name):
    """A register button: its visible word, then the person's name for screen readers."""
    return page.get_by_role("button", name=re.compile(rf"^{action}\W+{re.escape(name)}$"))


def _csv(tmp_path):
    lines = ["name,email,organisation,sector,role"]
    for name, organisation, sector, role in PEOPLE:
        email = "" if not organisation else name.lower().replace(" ", ".") + "@example.org"
        lines.append(f'{name},{email},"{organisation}",{sector},{role}')
    path = tmp_path / "north-ayrshire-register.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_lead_logs_a_session_registers_30_people_by_csv_marks_attendance_and_prints_a_certificate(
    page, partnership, lead, tmp_path
):
    LocalityFactory(partnership=partnership, name="Irvine")
    ProgrammeFactory(partnership=partnership, title="Exploring New Ways of Working series", completion_threshold=1)
    OrganisationFactory(name="NHS Ayrshire & Arran", sector="nhs")
    OrganisationFactory(name="The Ayrshire Community Trust", sector="third_sector").partnerships.add(partnership)
    log_in(page, "lead")

    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions")
    assert_accessible(page, "sessions-list")

    page.get_by_role("link", name="New session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New session")
    assert_accessible(page, "session-create")
    page.get_by_label("Title").fill("Exploring New Ways of Working: North Ayrshire")
    page.get_by_label("Locality").select_option(label="Irvine")
    page.get_by_label("Programme").select_option(label="Exploring New Ways of Working series")
    page.get_by_label("Date").fill("2018-01-24")
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("15:30")
    page.get_by_label("Venue").fill("Volunteer Rooms, High Street, Irvine")
    page.get_by_label("Co-design of new ways of working").check()
    page.get_by_label("Awareness of the ALLIANCE").check()
    page.get_by_label("Status").select_option(label="Held")
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Exploring New Ways of Working: North Ayrshire")
    expect(page.get_by_text("Session saved.")).to_be_visible()
    assert_accessible(page, "session-detail-new")

    page.get_by_role("link", name="Upload a list of people").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upload a list of people")
    assert_accessible(page, "bulk-register")
    page.get_by_label("CSV file").set_input_files(_csv(tmp_path))
    page.get_by_role("button", name="Check the list").click()

    expect(page.get_by_role("button", name="Save all 30 to the register")).to_be_visible()
    expect(page.get_by_text("30 people in the file: 30 new to North Ayrshire HSCP")).to_be_visible()
    assert_accessible(page, "bulk-register-preview")
    page.get_by_role("button", name="Save all 30 to the register").click()

    expect(page.get_by_text("30 people added to the register.")).to_be_visible()
    expect(page.get_by_text("30 on the register, 0 attended.")).to_be_visible()
    register = page.locator("#register tbody tr")
    expect(register).to_have_count(30)

    for name in ["Morag Campbell", "Margaret Dunlop", "Tom Wylie"]:
        _button(page, "Attended", name).click()
        expect(page.get_by_text(f"{name}: attended.")).to_be_visible()
    _button(page, "Did not attend", "Billy Gemmell").click()
    expect(page.get_by_text("Billy Gemmell: did not attend.")).to_be_visible()

    expect(page.get_by_text("30 on the register, 3 attended.")).to_be_visible()
    assert_accessible(page, "session-detail-marked")
    session = Session.objects.get()
    assert sorted(session.attendances.exclude(status="registered").values_list("attendee__name", "status")) == [
        ("Billy Gemmell", "absent"),
        ("Margaret Dunlop", "attended"),
        ("Morag Campbell", "attended"),
        ("Tom Wylie", "attended"),
    ]
    assert (session.title, session.status, str(session.locality)) == (
        "Exploring New Ways of Working: North Ayrshire",
        "held",
        "Irvine",
    )

    # Attending one session completes this programme: Morag Campbell's certificate can be printed.
    page.get_by_role("link", name="Exploring New Ways of Working series").click()
    assert_accessible(page, "session-programme-grid")
    page.get_by_role("link", name="Certificate for Morag Campbell").click()
    certificate = " ".join(page.locator("main").inner_text().split())
    assert (
        "This certifies that Morag Campbell NHS Ayrshire & Arran completed the Exploring New Ways of Working series, "
        "with North Ayrshire HSCP, attending 1 session on 24 January 2018. Total CPD hours: 3 (1 session × 3 hours) "
        "Sessions attended 24 Jan 2018: Exploring New Ways of Working: North Ayrshire"
    ) in certificate
    assert_accessible(page, "session-certificate")


def test_register_marks_without_javascript_and_fits_320px(new_page, partnership, lead):
    session = SessionFactory(partnership=partnership, title="Small screen session")
    AttendanceFactory(session=session, attendee__name="Morag Campbell", status="registered")
    plain = new_page(javascript=False)
    log_in(plain, "lead")

    plain.goto(session.get_absolute_url())
    _button(plain, "Attended", "Morag Campbell").click()

    expect(plain.get_by_text("Morag Campbell: attended.")).to_be_visible()
    # axe and the width check need JavaScript: a second, narrow browser for them.
    narrow = new_page(width=320, height=640)
    log_in(narrow, "lead")
    narrow.goto(session.get_absolute_url())
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(narrow, "session-detail-320")
