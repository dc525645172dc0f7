"""'Send certificates': each completer with an email is emailed their certificate's number and a private link to
write their reflective note, once; lead-only, a POST, recorded in the audit trail."""

import datetime
import hashlib
import re
import smtplib
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from coprod.models import AuditEntry, Partnership
from tests.conftest import at_once
from tests.factories import AttendeeFactory, OrganisationFactory, ProgrammeFactory, TwoFactorClient
from tests.workshops.test_programmes import ATTENDED, _person, _sessions, text
from workshops import services
from workshops.models import Certificate
from workshops.services import attendee_erase

NOTE_LINK = re.compile(r"https?://\S+/certificates/note/\?key=\S+")


@pytest.fixture
def star(partnership):
    """Two held sessions; attending both completes."""
    programme = ProgrammeFactory(
        partnership=partnership, title="Co-production Star Action Learning Programme", completion_threshold=2
    )
    _sessions(programme, 2)
    return programme


def completer(programme, name, **details):
    """Someone who attended every session of the programme (so far)."""
    sessions = list(programme.sessions.order_by("date"))
    attendee = _person(programme, name, sessions, [ATTENDED] * len(sessions))
    if details:
        for field, value in details.items():
            setattr(attendee, field, value)
        attendee.save(update_fields=list(details))
    return attendee


def send(client, programme):
    return client.post(reverse("workshops:certificates-send", args=[programme.pk]))


def note_path(message):
    """The note link in an email, as a path and query for the test client."""
    url = urlsplit(NOTE_LINK.search(message.body)[0])
    return f"{url.path}?{url.query}"


def shown_messages(client, programme):
    """The messages the programme's page shows next (and so no longer keeps)."""
    return [str(message) for message in client.get(programme.get_absolute_url()).context["messages"]]


def _sent():
    return sorted(Certificate.objects.filter(note_link_sent_at__isnull=False).values_list("attendee__name", flat=True))


def test_send_emails_each_completer_with_an_email_their_number_and_link(client, lead, star):
    ailsa = completer(star, "Ailsa Grant")
    completer(star, "Bruce Duncan", email="")
    _person(star, "Catriona Bell", list(star.sessions.order_by("date")), [ATTENDED, ""])  # one short
    client.force_login(lead)

    response = send(client, star)

    assert response.status_code == 302
    assert response.url == star.get_absolute_url()
    assert shown_messages(client, star) == [
        "Sent 1 certificate email. 1 person who completed has no email on the register: print their certificates "
        "instead."
    ]
    assert [message.to for message in mail.outbox] == [[ailsa.email]]
    message = mail.outbox[0]
    certificate = Certificate.objects.get()
    assert (certificate.attendee, certificate.programme) == (ailsa, star)
    assert (
        message.subject
        == "Your certificate for the Co-production Star Action Learning Programme: add your reflective note"
    )
    expires = timezone.localtime(certificate.note_link_expires_at)
    assert certificate.note_link_expires_at - certificate.note_link_sent_at == datetime.timedelta(days=30)
    body = " ".join(message.body.split())
    assert f"Your CPD certificate is number {certificate.number_display}." in body
    assert f"works once, until {expires:%-d %B %Y} (30 days):" in body
    assert "Anyone can check that your certificate is genuine at http://testserver/certificates/check/" in body
    # Only the key's hash is stored.
    key = urlsplit(NOTE_LINK.search(message.body)[0]).query.removeprefix("key=")
    assert len(key) >= 40
    assert certificate.note_key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(list(Certificate.objects.values()))


def test_send_twice_sends_only_to_new_completers(client, lead, star):
    completer(star, "Ailsa Grant")
    client.force_login(lead)
    send(client, star)
    completer(star, "Bruce Duncan")
    mail.outbox.clear()

    shown_messages(client, star)
    send(client, star)

    assert [message.to for message in mail.outbox] == [["bruce.duncan@example.org"]]
    assert shown_messages(client, star) == ["Sent 1 certificate email."]
    assert _sent() == ["Ailsa Grant", "Bruce Duncan"]

    send(client, star)

    assert len(mail.outbox) == 1
    assert shown_messages(client, star) == [
        "No emails sent: everyone who completed and has an email on the register has been sent theirs."
    ]


def test_send_keeps_a_certificate_already_printed(client, lead, star):
    ailsa = completer(star, "Ailsa Grant")
    client.force_login(lead)
    client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))  # printing issues it
    number = Certificate.objects.get().number

    send(client, star)

    assert list(Certificate.objects.values_list("number", flat=True)) == [number]
    assert Certificate.objects.get().note_link_sent_at is not None
    assert Certificate.objects.get().number_display in mail.outbox[0].body


def test_send_leaves_out_erased_completers(client, lead, star):
    attendee_erase(attendee=completer(star, "Ailsa Grant"))
    client.force_login(lead)

    send(client, star)

    assert mail.outbox == []
    assert Certificate.objects.count() == 0
    assert shown_messages(client, star) == [
        "No emails sent: everyone who completed and has an email on the register has been sent theirs."
    ]


def test_send_is_recorded_in_the_audit_trail_without_names_or_emails(client, lead, partnership, star):
    completer(star, "Ailsa Grant")
    completer(star, "Bruce Duncan")
    client.force_login(lead)

    send(client, star)
    send(client, star)  # sends nothing, so records nothing

    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS)
    assert [
        (entry.object_repr, entry.partnership, entry.actor, entry.additional_data["filters"]) for entry in entries
    ] == [("Certificates emailed to 2 completers", partnership, lead, {"programme": star.title})]
    stored = str(list(entries.values()))
    assert "Ailsa" not in stored
    assert "example.org" not in stored.replace(lead.email, "")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("outsider", 404), ("viewer", 403), ("facilitator", 403), ("lead", 302), ("alliance", 302)],
)
def test_send_only_for_leads(as_persona, star, persona, status):
    completer(star, "Ailsa Grant")

    response = send(as_persona(persona), star)

    assert response.status_code == status
    assert len(mail.outbox) == (1 if status == 302 else 0)


def test_send_anonymous_goes_to_log_in(client, star):
    completer(star, "Ailsa Grant")

    response = send(client, star)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert mail.outbox == []


def test_send_another_partnerships_programme_is_404_to_its_lead(client, outsider, other_partnership, star):
    completer(star, "Ailsa Grant")
    client.force_login(outsider)

    response = send(client, star)

    assert response.status_code == 404
    assert "Ailsa" not in response.text


def test_send_is_a_post_with_csrf(lead, star):
    completer(star, "Ailsa Grant")
    client = TwoFactorClient(enforce_csrf_checks=True)
    client.force_login(lead)

    by_get = client.get(reverse("workshops:certificates-send", args=[star.pk]))
    without_token = send(client, star)

    assert by_get.status_code == 405
    assert without_token.status_code == 403
    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_send_when_the_mail_server_fails_marks_nobody_as_sent(client, lead, star, settings):
    completer(star, "Ailsa Grant")
    working = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    client.force_login(lead)

    send(client, star)

    assert shown_messages(client, star) == [
        "The email server did not take the emails, so none were sent. Try again later."
    ]
    assert Certificate.objects.count() == 0
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).count() == 0

    settings.MAILERS = working
    send(client, star)

    assert [message.to for message in mail.outbox] == [["ailsa.grant@example.org"]]


@pytest.mark.parametrize("size", [1, 3])
def test_send_query_count_constant(client, lead, partnership, star, django_assert_num_queries, size):
    for number in range(size):
        completer(star, f"Person {number}", organisation=OrganisationFactory())
    AttendeeFactory(partnership=partnership)  # on no register
    ContentType.objects.get_for_model(Partnership)  # cached once per process: not the view's to count
    client.force_login(lead)

    # session, user, programme, role; savepoint, programme locked, completers (attendances with their sessions and
    # people), certificates issued, the new ones inserted, certificates issued, marked as sent, the audit entry,
    # release; the message in the session
    with django_assert_num_queries(14):
        send(client, star)

    assert len(mail.outbox) == size


@pytest.mark.parametrize(("persona", "shown"), [("lead", True), ("facilitator", False), ("viewer", False)])
def test_programme_page_offers_send_to_leads_only(as_persona, star, persona, shown):
    completer(star, "Ailsa Grant")

    response = as_persona(persona).get(star.get_absolute_url())

    page = text(response)
    assert "Print all certificates (1)" in page
    assert ("Send certificates by email" in page) is shown
    assert (reverse("workshops:certificates-send", args=[star.pk]) in response.text) is shown
    if shown:
        assert "The link works once, for 30 days." in page


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite lets one writer in at a time: the race is only meaningful on PostgreSQL (CI).",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("printed", [False, True], ids=["new", "printed-first"])
def test_send_twice_at_the_same_moment_emails_each_person_once(lead, star, printed):
    people = [completer(star, f"Person {number}") for number in range(3)]

    def click():
        return services.certificates_send(
            programme=star, user=lead, absolute_url=lambda path: f"http://testserver{path}"
        ).sent

    for _trial in range(5):
        Certificate.objects.all().delete()
        if printed:  # issued already, so no insert makes the second click wait
            services.certificates_issue(programme=star, attendees=people)
        mail.outbox.clear()

        sent = at_once(click, click)

        assert sorted(sent) == [0, 3]
        assert sorted(message.to[0] for message in mail.outbox) == [
            "person.0@example.org",
            "person.1@example.org",
            "person.2@example.org",
        ]
        assert Certificate.objects.count() == 3
