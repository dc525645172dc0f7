"""Certificates people can keep, on a 320 px phone: the lead sends the certificates, the participant opens the
emailed link, writes a reflective note (after a first try with nothing in it), and the lead's printed certificate
shows it with its number and signatory; anyone can check the number. axe-core checks every page."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in
from tests.factories import AttendanceFactory, AttendeeFactory, OrganisationFactory, ProgrammeFactory, SessionFactory
from workshops.models import NOTE_MAX_LENGTH, AttendanceStatus, Certificate, SessionStatus
from workshops.services import certificates_issue

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 568}
STAR = "Co-production Star Action Learning Programme"
NOTE = "I learned to start from what matters to people. I will ask carers to help design our next group."


def _programme(partnership):
    """Two held sessions; Ailsa attended both (she has an email), Bruce one."""
    programme = ProgrammeFactory(
        partnership=partnership,
        title=STAR,
        completion_threshold=2,
        signatory_name="Caroline Cameron",
        signatory_role="Director, North Ayrshire HSCP",
    )
    sessions = [
        SessionFactory(
            partnership=partnership,
            programme=programme,
            title=f"Star session {number}",
            date=datetime.date(2017, 9, 14) + datetime.timedelta(weeks=4 * number),
            status=SessionStatus.HELD,
        )
        for number in range(2)
    ]
    ailsa = AttendeeFactory(partnership=partnership, name="Ailsa Grant", email="ailsa.grant@example.org")
    bruce = AttendeeFactory(partnership=partnership, name="Bruce Duncan")
    for session in sessions:
        AttendanceFactory(session=session, attendee=ailsa, status=AttendanceStatus.ATTENDED)
    AttendanceFactory(session=sessions[0], attendee=bruce, status=AttendanceStatus.ATTENDED)
    return programme


def fits(page):
    """Nothing makes the page scroll sideways at this width."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_certificate_journey_note_from_the_emailed_link_to_the_printed_certificate(new_page, lead, partnership):
    programme = _programme(partnership)

    # The lead sends the certificates from the programme's page.
    desk = new_page(**SMALL_PHONE)
    log_in(desk, "lead")
    desk.goto(f"/programmes/{programme.pk}/")
    desk.get_by_role("button", name="Send certificates by email").click()
    expect(desk.get_by_text("Sent 1 certificate email.")).to_be_visible()
    assert fits(desk)
    assert_accessible(desk, "certificate-sent")
    assert [message.to for message in mail.outbox] == [["ailsa.grant@example.org"]]

    # Ailsa opens the link from her email on her phone: the programme's title and a box, nothing else of hers.
    link = urlsplit(re.search(r"https?://\S+/certificates/note/\?key=\S+", mail.outbox[0].body)[0])
    phone = new_page(**SMALL_PHONE)
    phone.goto(f"{link.path}?{link.query}")
    assert phone.get_by_role("heading", level=1).inner_text() == (
        f"Your reflective note\nFor your certificate from the {STAR}"
    )
    assert "Ailsa" not in phone.content()
    assert fits(phone)
    assert_accessible(phone, "certificate-note-form")

    # Saving with nothing in it: the error summary leads to the box.
    phone.get_by_role("button", name="Save my note").click()
    summary = phone.get_by_role("alert")
    assert summary.get_by_role("link").all_inner_texts() == [
        "Your reflective note: Write your note, or close this page if you would rather not add one."
    ]
    assert_accessible(phone, "certificate-note-error")
    summary.get_by_role("link").click()
    assert phone.evaluate("document.activeElement.id") == "id_note"

    phone.get_by_label("Your reflective note").fill(NOTE)
    phone.get_by_role("button", name="Save my note").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Your note is saved"
    assert_accessible(phone, "certificate-note-saved")

    # The link worked once: opening it again says so, kindly, with no box.
    phone.goto(f"{link.path}?{link.query}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Your note is saved"
    expect(phone.get_by_role("textbox")).to_have_count(0)

    # The lead's printed certificate carries the note, the signatory and the number.
    desk.goto(f"/programmes/{programme.pk}/")
    desk.get_by_role("link", name="Certificate for Ailsa Grant").click()
    certificate = desk.locator(".certificate")
    number = Certificate.objects.get().number_display
    printed = " ".join(certificate.inner_text().split())
    assert f"Reflective note {NOTE}" in printed
    assert "What I learned" not in printed
    assert f"Caroline Cameron Director, North Ayrshire HSCP Certificate number {number}, issued" in printed
    assert fits(desk)
    assert_accessible(desk, "certificate-with-note")
    desk.emulate_media(media="print")
    expect(certificate.get_by_text(NOTE)).to_be_visible()
    desk.emulate_media(media="screen")

    # Anyone checks the number, typed as people type it.
    check = new_page(**SMALL_PHONE)
    check.goto("/certificates/check/")
    assert_accessible(check, "certificate-check-form")
    check.get_by_label("Certificate number").fill(number.lower().replace("-", " "))
    check.get_by_role("button", name="Check").click()
    result = " ".join(check.get_by_test_id("check-result").inner_text().split())
    assert result == (
        f"Certificate {number} was issued by CoProd Certificate number {number} Holder Ailsa Grant Programme {STAR} "
        f"Partnership North Ayrshire HSCP Issued {timezone.localdate():%-d %B %Y}"
    )
    assert NOTE not in check.content()
    assert fits(check)
    assert_accessible(check, "certificate-check-result")


# --- The longest note still prints on one A4 page ---

PROSE = (
    "What I learned: co-production starts from what matters to people, not from what our service already offers. "
    "The Star's four modes gave our team a shared language for who decides, who designs, who delivers and who "
    "judges whether a service works.\n\nIn the Labs I saw how carers and people with lived experience spotted "
    "problems we had missed for years, and how small tests of change let us try their ideas quickly and safely.\n\n"
    "How it will benefit my practice: I will invite two carers to help design our next falls group and ask the "
    "people who come to judge it with us after eight weeks."
)


def _longest(text):
    """`text` repeated up to the longest note allowed."""
    return (text * (NOTE_MAX_LENGTH // len(text) + 1))[:NOTE_MAX_LENGTH].strip()


LONGEST_NOTES = {
    "paragraphs": _longest(PROSE + " "),
    # Eight lines (the most kept as lines on paper), each a little longer than a printed line, so each takes two.
    "long lines": "\n".join(_longest(PROSE.replace("\n", " "))[start : start + 124] for start in range(0, 992, 124)),
    "many lines": _longest("- a point I want to remember\n"),
    "capitals": _longest(PROSE.upper() + " "),
    "one word": "W" * NOTE_MAX_LENGTH,
}


def test_certificate_with_the_longest_note_prints_on_one_a4_page(new_page, lead, partnership):
    """Nine sessions, a signatory with a long role, an organisation: each certificate on one sheet, whatever the
    shape of its note, and the page of all certificates one sheet per person."""
    programme = ProgrammeFactory(
        partnership=partnership,
        title=STAR,
        completion_threshold=9,
        signatory_name="Caroline Cameron-MacDonald",
        signatory_role="Chief Officer, North Ayrshire Health and Social Care Partnership",
    )
    sessions = [
        SessionFactory(
            partnership=partnership,
            programme=programme,
            title=f"Co-production Lab {number}: testing small changes with people",
            date=datetime.date(2025, 3, 6) + datetime.timedelta(weeks=4 * number),
            status=SessionStatus.HELD,
        )
        for number in range(9)
    ]
    people = []
    for number, note in enumerate(LONGEST_NOTES.values()):
        person = AttendeeFactory(
            partnership=partnership,
            name=f"Alexandra Montgomery-Fitzwilliam {number}",
            organisation=OrganisationFactory(name=f"NHS Ayrshire & Arran {number}"),
        )
        for session in sessions:
            AttendanceFactory(session=session, attendee=person, status=AttendanceStatus.ATTENDED)
        people.append((person, note))
    certificates_issue(programme=programme, attendees=[person for person, _note in people])
    for person, note in people:
        assert len(note) <= NOTE_MAX_LENGTH
        Certificate.objects.filter(attendee=person).update(note=note)
    desk = new_page(width=1280)
    log_in(desk, "lead")

    for (shape, _note), (person, _) in zip(LONGEST_NOTES.items(), people, strict=True):
        desk.goto(f"/programmes/{programme.pk}/certificates/{person.pk}/")
        assert _pages(desk.pdf(format="A4", prefer_css_page_size=True)) == 1, shape
    desk.goto(f"/programmes/{programme.pk}/certificates/")
    assert _pages(desk.pdf(format="A4", prefer_css_page_size=True)) == len(people)


def _pages(pdf):
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))
