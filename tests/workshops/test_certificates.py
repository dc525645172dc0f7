import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AttendanceFactory, AttendeeFactory, OrganisationFactory, ProgrammeFactory, SessionFactory
from tests.workshops.test_programmes import ABSENT, ATTENDED, _person, _sessions, text
from workshops.models import SessionStatus


@pytest.fixture
def star(partnership):
    """Three held sessions; completing needs two of them, at 2.5 CPD hours each."""
    programme = ProgrammeFactory(
        partnership=partnership,
        title="Co-production Star Action Learning Programme",
        facilitating_organisation=OrganisationFactory(name="Governance International"),
        cpd_hours_per_session="2.5",
        completion_threshold=2,
    )
    _sessions(programme, 3)
    return programme


def _url(programme, attendee):
    return reverse("workshops:certificate", args=[programme.pk, attendee.pk])


def test_certificate_names_person_programme_sessions_dates_and_hours(client, lead, star):
    sessions = list(star.sessions.order_by("date"))
    ailsa = _person(star, "Ailsa Grant", sessions, [ATTENDED, ABSENT, ATTENDED])
    ailsa.organisation = OrganisationFactory(name="NHS Grampian")
    ailsa.save(update_fields=["organisation"])
    client.force_login(lead)

    response = client.get(_url(star, ailsa))

    page = text(response)
    assert (
        "Continuing professional development Certificate of completion : Ailsa Grant This certifies that "
        "Ailsa Grant NHS Grampian completed the Co-production Star Action Learning Programme, facilitated by "
        "Governance International, with North Ayrshire HSCP, attending 2 sessions from 29 September 2017 to "
        "24 November 2017. Total CPD hours: 5 (2 sessions \N{MULTIPLICATION SIGN} 2.5 hours)"
    ) in page
    assert "Sessions attended 29 Sep 2017 : Workshop 1 24 Nov 2017 : Workshop 3 Reflective note" in page
    assert "What I learned" in page
    assert "How it will benefit my practice and the people I work with" in page
    assert response.context["certificate"].sessions == [sessions[0], sessions[2]]
    assert "data-print hidden>Print this certificate</button>" in response.text
    assert reverse("workshops:certificates-all", args=[star.pk]) in response.text


def test_certificate_hours_follow_the_sessions_attended(client, lead, star):
    sessions = list(star.sessions.order_by("date"))
    everyone = _person(star, "Bruce Duncan", sessions, [ATTENDED, ATTENDED, ATTENDED])
    client.force_login(lead)

    response = client.get(_url(star, everyone))

    assert "Total CPD hours: 7.5 (3 sessions \N{MULTIPLICATION SIGN} 2.5 hours)" in text(response)


def test_certificate_non_completer_gets_404(client, lead, star):
    sessions = list(star.sessions.order_by("date"))
    one_short = _person(star, "Catriona Bell", sessions, [ATTENDED, ABSENT, ""])
    client.force_login(lead)

    response = client.get(_url(star, one_short))

    assert response.status_code == 404
    assert "Catriona Bell" not in response.text


def test_certificate_not_made_for_an_erased_completer(client, lead, star):
    sessions = list(star.sessions.order_by("date"))
    erased = _person(star, "Duncan Hay", sessions, [ATTENDED, ATTENDED, ATTENDED])
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    client.force_login(lead)

    single = client.get(_url(star, erased))
    every = client.get(reverse("workshops:certificates-all", args=[star.pk]))

    assert single.status_code == 404
    assert every.context["certificates"] == []
    assert "Nobody has completed this programme yet, so there are no certificates to print." in text(every)


def test_certificate_of_another_programme_gets_404(client, lead, partnership, star):
    other = ProgrammeFactory(partnership=partnership, completion_threshold=1)
    elsewhere = _person(other, "Euan Ross", _sessions(other, 1), [ATTENDED])
    client.force_login(lead)

    response = client.get(_url(star, elsewhere))

    assert response.status_code == 404


def test_certificate_cancelled_session_does_not_count(client, lead, partnership, star):
    sessions = list(star.sessions.order_by("date"))
    person = _person(star, "Fiona Kerr", sessions, [ATTENDED, "", ""])
    cancelled = SessionFactory(partnership=partnership, programme=star, status=SessionStatus.CANCELLED)
    AttendanceFactory(session=cancelled, attendee=person, status=ATTENDED)  # stored before rules, say
    client.force_login(lead)

    response = client.get(_url(star, person))

    assert response.status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("viewer", 200), ("alliance", 200)])
def test_certificate_readers(as_persona, star, persona, status):
    sessions = list(star.sessions.order_by("date"))
    ailsa = _person(star, "Ailsa Grant", sessions, [ATTENDED, ATTENDED, ""])

    response = as_persona(persona).get(_url(star, ailsa))

    assert response.status_code == status
    assert ("Ailsa Grant" in response.text) is (status == 200)


def test_certificates_all_has_every_completer_in_name_order(client, lead, star):
    sessions = list(star.sessions.order_by("date"))
    _person(star, "Mhairi Bain", sessions, [ATTENDED, ATTENDED, ATTENDED])
    _person(star, "Zara Young", sessions, [ATTENDED, ABSENT, ""])
    _person(star, "Adam Scott", sessions, [ATTENDED, "", ATTENDED])
    client.force_login(lead)

    response = client.get(reverse("workshops:certificates-all", args=[star.pk]))

    certificates = response.context["certificates"]
    assert [(c.attendee.name, len(c.sessions), c.hours) for c in certificates] == [
        ("Adam Scott", 2, 5),
        ("Mhairi Bain", 3, 7.5),
    ]
    page = text(response)
    assert "2 certificates, one per person who completed (attended at least 2 sessions)." in page
    assert page.count("Certificate of completion") == 2
    assert "Zara Young" not in page


@pytest.mark.parametrize("size", [1, 3])
def test_certificates_all_query_count_constant(client, lead, partnership, django_assert_num_queries, size):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=1)
    sessions = _sessions(programme, size)
    for _ in range(size):
        person = AttendeeFactory(partnership=partnership, organisation=OrganisationFactory())
        for session in sessions:
            AttendanceFactory(session=session, attendee=person)
    client.force_login(lead)

    # session, user, programme, role, attendances with their sessions and people, role (a lead's page issues the
    # certificates), certificates issued, the new ones inserted, certificates issued
    with django_assert_num_queries(10):
        response = client.get(reverse("workshops:certificates-all", args=[programme.pk]))

    assert len(response.context["certificates"]) == size


def test_certificate_dates_run_from_first_to_last_session_attended(client, lead, partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=2, cpd_hours_per_session=3)
    dates = [datetime.date(2018, 5, 17), datetime.date(2017, 9, 14), datetime.date(2018, 1, 18)]
    sessions = [
        SessionFactory(partnership=partnership, programme=programme, title=f"Lab {day:%b}", date=day) for day in dates
    ]
    person = _person(programme, "Gordon Reid", sessions, [ATTENDED, ATTENDED, ATTENDED])
    client.force_login(lead)

    response = client.get(_url(programme, person))

    page = text(response)
    assert "attending 3 sessions from 14 September 2017 to 17 May 2018. Total CPD hours: 9" in page
    assert "14 Sep 2017 : Lab Sep 18 Jan 2018 : Lab Jan 17 May 2018 : Lab May" in page
