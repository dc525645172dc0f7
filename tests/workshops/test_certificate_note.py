"""The participant's reflective note: a private link, single use, expiring; the note printed on the certificate and
erased with the person."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory
from tests.workshops.test_certificate_send import at_once, completer, note_path, send, star  # noqa: F401 (fixture)
from tests.workshops.test_programmes import text
from workshops.models import Attendee, Certificate
from workshops.services import attendee_erase, certificate_note_write

NOTE = "I learned to start with what matters to people.\n\nI will ask carers to help design our next group."


@pytest.fixture
def emailed(client, lead, star):  # noqa: F811
    """Ailsa completed and was sent her link: (her attendee record, the link's path). The client is signed out."""
    ailsa = completer(star, "Ailsa Grant", organisation=OrganisationFactory(name="NHS Ayrshire & Arran"))
    client.force_login(lead)
    send(client, star)
    client.logout()
    return ailsa, note_path(mail.outbox[0])


def _write(client, path, note):
    return client.post(reverse("workshops:certificate-note"), {"key": path.split("key=")[1], "note": note})


def test_note_page_shows_the_programme_and_a_labelled_box_nothing_else(client, star, emailed):  # noqa: F811
    ailsa, path = emailed

    response = client.get(path)

    page = text(response)
    assert response.status_code == 200
    assert "Your reflective note For your certificate from the Co-production Star Action Learning Programme" in page
    assert re.search(r'<label\s+for="id_note"[^>]*>\s*Your reflective note', response.text)
    assert "Up to 1,000 characters." in page
    assert "Save my note" in page
    # Nothing else of the person's: not their name, email, organisation, sessions, dates or number.
    certificate = Certificate.objects.get()
    session = star.sessions.first()
    for absent in [
        "Ailsa",
        ailsa.email,
        "NHS Ayrshire",
        session.title,
        f"{session.date:%Y}",
        certificate.number,
        certificate.number_display,
        "Log out",
    ]:
        assert absent not in response.text, absent
    assert "no-store" in response.headers["Cache-Control"]


def test_note_link_key_is_in_the_query_not_the_path(emailed):
    _ailsa, path = emailed

    assert path.startswith("/certificates/note/?key=")


def test_note_saved_then_the_link_is_spent(client, emailed):
    _ailsa, path = emailed

    saved = _write(client, path, NOTE)
    again = client.get(path)
    second = _write(client, path, "Something else entirely.")

    assert saved.status_code == 302
    assert saved.url == path
    certificate = Certificate.objects.get()
    assert certificate.note == NOTE
    assert certificate.note_written_at is not None
    assert "Your note is saved Thank you. Your reflective note will be printed on your certificate" in text(again)
    assert "This link works once, so the note can no longer be changed here." in text(again)
    assert "<textarea" not in again.text
    assert "<textarea" not in second.text
    certificate.refresh_from_db()
    assert certificate.note == NOTE


def test_note_line_endings_and_ends_are_tidied(client, emailed):
    _ailsa, path = emailed

    _write(client, path, "  First line.\r\nSecond line.\r\n  ")

    assert Certificate.objects.get().note == "First line.\nSecond line."


def test_note_link_expires(client, emailed):
    _ailsa, path = emailed
    Certificate.objects.update(note_link_expires_at=timezone.now() - datetime.timedelta(seconds=1))

    page = client.get(path)
    posted = _write(client, path, NOTE)

    assert page.status_code == 410
    assert "This link has expired" in text(page)
    assert "it will be printed with space to write your note by hand" in text(page)
    assert posted.status_code == 410
    assert Certificate.objects.get().note == ""


def test_note_link_is_good_until_it_expires(client, emailed):
    _ailsa, path = emailed
    Certificate.objects.update(note_link_expires_at=timezone.now() + datetime.timedelta(minutes=1))

    _write(client, path, NOTE)

    assert Certificate.objects.get().note == NOTE


def test_note_link_days_follow_the_setting(client, lead, star, settings):  # noqa: F811
    settings.CERTIFICATE_NOTE_LINK_DAYS = 7
    completer(star, "Ailsa Grant")
    client.force_login(lead)

    send(client, star)

    certificate = Certificate.objects.get()
    assert certificate.note_link_expires_at - certificate.note_link_sent_at == datetime.timedelta(days=7)
    assert "(7 days)" in mail.outbox[0].body
    assert "The link works once, for 7 days." in text(client.get(star.get_absolute_url()))


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("x" * 1001, "Your note is 1,001 characters: shorten it to 1,000 or fewer."),
        ("", "Write your note, or close this page if you would rather not add one."),
    ],
)
def test_note_errors_keep_what_was_typed(client, emailed, typed, error):
    _ailsa, path = emailed

    response = _write(client, path, typed)

    page = text(response)
    assert response.status_code == 200
    assert f"There is a problem with what you entered Your reflective note: {error}" in page
    assert 'href="#id_note"' in response.text
    assert f">\n{typed}</textarea>" in response.text
    assert Certificate.objects.get().note == ""


def test_note_of_exactly_the_limit_is_saved(client, emailed):
    _ailsa, path = emailed

    _write(client, path, "x" * 1000)

    assert Certificate.objects.get().note == "x" * 1000


def test_note_box_has_no_maxlength_so_nothing_pasted_is_cut_silently(client, emailed):
    _ailsa, path = emailed

    response = client.get(path)

    assert "maxlength" not in response.text


@pytest.mark.parametrize("path", ["/certificates/note/", "/certificates/note/?key=", "/certificates/note/?key=made-up"])
def test_note_unknown_link_is_404(client, emailed, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "This link does not work" in text(response)


def test_note_write_twice_stores_the_first(emailed):
    certificate = Certificate.objects.get()

    first = certificate_note_write(certificate=certificate, note="First.")
    second = certificate_note_write(certificate=certificate, note="Second.")

    assert (first, second) == (True, False)
    certificate.refresh_from_db()
    assert certificate.note == "First."


def test_note_double_submit_in_one_browser_stores_one_note(client, emailed):
    _ailsa, path = emailed

    responses = [_write(client, path, note) for note in ("First click.", "Second click.")]

    assert [response.status_code for response in responses] == [302, 200]
    assert "Your note is saved" in text(responses[1])
    assert list(Certificate.objects.values_list("note", flat=True)) == ["First click."]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite lets one writer in at a time: the race is only meaningful on PostgreSQL (CI).",
)
@pytest.mark.django_db(transaction=True)
def test_note_two_submits_at_the_same_moment_store_one_note(client, lead, star):  # noqa: F811
    completer(star, "Ailsa Grant")
    client.force_login(lead)
    send(client, star)
    key = note_path(mail.outbox[0]).split("key=")[1]

    def submit(note):
        return lambda: Client().post(reverse("workshops:certificate-note"), {"key": key, "note": note}).status_code

    for trial in range(10):
        Certificate.objects.update(note="", note_written_at=None)

        statuses = at_once(submit(f"Note {trial}a"), submit(f"Note {trial}b"))

        assert sorted(statuses) in ([200, 302], [302, 302])
        assert Certificate.objects.get().note in (f"Note {trial}a", f"Note {trial}b")


# --- on the certificate ---


def test_note_prints_on_the_certificate_instead_of_the_lines(client, lead, star, emailed):  # noqa: F811
    ailsa, path = emailed
    _write(client, path, NOTE)
    client.force_login(lead)

    single = client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))
    every = client.get(reverse("workshops:certificates-all", args=[star.pk]))

    for response in (single, every):
        assert (
            "Reflective note I learned to start with what matters to people. I will ask carers to help design our "
            "next group."
        ) in text(response)
        assert "What I learned" not in text(response)
        assert "<p>I learned to start with what matters to people.</p>" in response.text


def test_note_of_many_lines_keeps_them_on_screen_and_runs_on_in_print(client, lead, star, emailed):  # noqa: F811
    ailsa, path = emailed
    lines = [f"- point {number} & more" for number in range(1, 10)]  # nine lines: more than a page has room for
    _write(client, path, "\n".join(lines))
    client.force_login(lead)

    response = client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))

    # One paragraph holding the lines as written (the style sheet keeps them on screen, joins them on paper).
    escaped = "\n".join(line.replace("&", "&amp;") for line in lines)
    assert f'<div class="certificate-note certificate-note-lines"><p>{escaped}</p></div>' in response.text


def test_note_is_escaped_on_the_certificate(client, lead, star, emailed):  # noqa: F811
    ailsa, path = emailed
    _write(client, path, "<script>alert(1)</script>")
    client.force_login(lead)

    response = client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_certificate_without_a_note_keeps_the_lines(client, lead, star, emailed):  # noqa: F811
    ailsa, _path = emailed
    client.force_login(lead)

    response = client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))

    assert "What I learned" in text(response)
    assert "How it will benefit my practice and the people I work with" in text(response)


# --- erasure ---


def test_erasing_the_attendee_erases_the_note_and_the_link(client, emailed):
    ailsa, path = emailed
    _write(client, path, NOTE)
    number = Certificate.objects.get().number_display

    attendee_erase(attendee=ailsa)

    certificate = Certificate.objects.get()
    assert (certificate.note, certificate.note_key_hash) == ("", None)
    assert client.get(path).status_code == 404
    check = client.get(reverse("workshops:certificate-check"), {"number": number})
    assert "Holder The holder's details have been erased" in text(check)
    assert "Ailsa" not in check.text


def test_erasing_before_the_note_is_written_kills_the_link(client, emailed):
    ailsa, path = emailed

    attendee_erase(attendee=ailsa)
    response = _write(client, path, NOTE)

    assert response.status_code == 404
    assert Certificate.objects.get().note == ""


def test_retention_job_erases_the_note(client, emailed, settings):
    ailsa, path = emailed
    _write(client, path, NOTE)
    settings.ATTENDEE_RETENTION_MONTHS = 1  # the sessions were in 2017

    call_command("erase_expired_attendees", stdout=io.StringIO())

    assert Attendee.objects.get(pk=ailsa.pk).erased_at is not None
    assert list(Certificate.objects.values_list("note", "note_key_hash")) == [("", None)]
