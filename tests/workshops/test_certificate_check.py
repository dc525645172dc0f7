"""Certificate numbers: issued when a lead prints or sends, printed with the signatory, checkable by anyone (and
nothing more than the certificate says), rate limited like the short code."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import CertificateFactory, OrganisationFactory
from tests.workshops.test_certificate_send import completer, star  # noqa: F401 (fixture)
from tests.workshops.test_programmes import text
from workshops.models import CERTIFICATE_ALPHABET, Certificate
from workshops.services import attendee_erase, attendee_merge

CHECK = "/certificates/check/"


def _check(client, number):
    return client.get(reverse("workshops:certificate-check"), {"number": number})


def _result(response):
    """The check's answer, as (term, definition) pairs."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", response.text)
    return [(term, re.sub(r"<[^>]+>", "", definition)) for term, definition in pairs]


@pytest.fixture
def issued(star):  # noqa: F811
    """Ailsa's certificate, issued on 3 March 2026, with a note and an organisation neither the check shows."""
    ailsa = completer(star, "Ailsa Grant", organisation=OrganisationFactory(name="NHS Ayrshire & Arran"))
    return CertificateFactory(
        programme=star,
        attendee=ailsa,
        number="K7MP2QXR",
        issued_at=timezone.make_aware(timezone.datetime(2026, 3, 3, 10, 0)),
        note="I learned to listen first.",
    )


def test_check_page_has_a_labelled_box(client, db):
    response = client.get(CHECK)

    assert response.status_code == 200
    assert "Check a certificate" in text(response)
    assert re.search(r'<label for="id_number"[^>]*>Certificate number</label>', response.text)
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_check_shows_only_number_holder_programme_partnership_and_date(client, issued):
    response = _check(client, "K7MP-2QXR")

    assert response.status_code == 200
    assert "Certificate K7MP-2QXR was issued by CoProd" in text(response)
    assert _result(response) == [
        ("Certificate number", "K7MP-2QXR"),
        ("Holder", "Ailsa Grant"),
        ("Programme", "Co-production Star Action Learning Programme"),
        ("Partnership", "North Ayrshire HSCP"),
        ("Issued", "3 March 2026"),
    ]
    session = issued.programme.sessions.first()
    for absent in [issued.attendee.email, "listen first", "NHS Ayrshire", session.title, "CPD hours", "Workshop"]:
        assert absent not in response.text, absent


@pytest.mark.parametrize("typed", ["k7mp-2qxr", " K7MP 2QXR ", "K7MP2QXR", "k7mp2qxr"])
def test_check_takes_the_number_as_people_type_it(client, issued, typed):
    response = _check(client, typed)

    assert ("Holder", "Ailsa Grant") in _result(response)


def test_check_for_signed_in_people_is_the_same(as_persona, issued):
    for persona in ("outsider", "viewer", "lead"):
        assert ("Holder", "Ailsa Grant") in _result(_check(as_persona(persona), "K7MP-2QXR"))


def test_check_unknown_number_is_404_with_a_clear_message(client, issued):
    response = _check(client, "K7MP-2QXS")

    assert response.status_code == 404
    assert (
        "There is a problem with the number There is no certificate with the number K7MP-2QXS. Check it against the "
        "certificate"
    ) in text(response)
    assert _result(response) == []
    assert 'value="K7MP-2QXS"' in response.text


@pytest.mark.parametrize("typed", ["K7MP-2QX", "K7MP-2QXR1", "K0MP-2QXR", "<script>"])
def test_check_badly_formed_number_says_what_a_number_looks_like(client, issued, typed):
    response = _check(client, typed)

    assert response.status_code == 200
    assert "Check the number: it has 8 letters and numbers, without 0, O, 1, I or L, for example K7MP-2QXR" in text(
        response
    )
    assert "<script>" not in response.text.split("<main", 1)[1]


def test_check_of_an_erased_holder_says_so_without_a_name(client, issued):
    attendee_erase(attendee=issued.attendee)

    response = _check(client, "K7MP-2QXR")

    assert response.status_code == 200
    assert ("Holder", "The holder's details have been erased") in _result(response)
    assert "Erased attendee" not in response.text
    assert ("Programme", "Co-production Star Action Learning Programme") in _result(response)


def test_check_limits_wrong_numbers_per_address(client, issued, settings, limit_store):
    settings.SURVEY_RATE_LIMIT = "2/10m"

    wrong = [_check(client, "K7MP-2QXS").status_code for _ in range(2)]
    blocked = _check(client, "K7MP-2QXR")  # even the right number waits now
    other_address = client.get(CHECK, {"number": "K7MP-2QXR"}, REMOTE_ADDR="192.0.2.7")

    assert wrong == [404, 404]
    assert blocked.status_code == 429
    assert "Please wait a few minutes, then try again" in text(blocked)
    assert _result(blocked) == []
    assert ("Holder", "Ailsa Grant") in _result(other_address)


def test_check_right_numbers_do_not_count(client, issued, settings, limit_store):
    settings.SURVEY_RATE_LIMIT = "2/10m"

    statuses = [_check(client, "K7MP-2QXR").status_code for _ in range(5)]

    assert statuses == [200] * 5


def test_check_is_get_only(client, issued):
    assert client.post(CHECK, {"number": "K7MP-2QXR"}).status_code == 405


# --- numbers: issued when a lead prints, unique, random ---


def test_lead_printing_issues_a_number_once(client, lead, star):  # noqa: F811
    ailsa = completer(star, "Ailsa Grant")
    client.force_login(lead)
    url = reverse("workshops:certificate", args=[star.pk, ailsa.pk])

    first = client.get(url)
    again = client.get(reverse("workshops:certificates-all", args=[star.pk]))

    certificate = Certificate.objects.get()
    assert re.fullmatch(f"[{CERTIFICATE_ALPHABET}]{{8}}", certificate.number)
    for response in (first, again):
        assert (
            f"Certificate number {certificate.number_display}, issued {timezone.localdate():%-d %B %Y}. Anyone can "
            "check it at http://testserver/certificates/check/"
        ) in text(response)
    assert ("Holder", "Ailsa Grant") in _result(_check(client, certificate.number_display))


@pytest.mark.parametrize("persona", ["viewer", "facilitator"])
def test_others_print_the_number_once_a_lead_issued_it(as_persona, star, persona):  # noqa: F811
    ailsa = completer(star, "Ailsa Grant")
    url = reverse("workshops:certificate", args=[star.pk, ailsa.pk])
    client = as_persona(persona)

    before = client.get(url)
    issued_meanwhile = Certificate.objects.count()
    CertificateFactory(programme=star, attendee=ailsa, number="K7MP2QXR")
    after = client.get(url)

    assert issued_meanwhile == 0
    assert "No certificate number yet: a lead gives it one by printing or sending it." in text(before)
    assert "Certificate number K7MP-2QXR" in text(after)


def test_alliance_staff_printing_issues_as_a_lead_does(client, alliance, star):  # noqa: F811
    ailsa = completer(star, "Ailsa Grant")
    client.force_login(alliance)

    response = client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))

    assert f"Certificate number {Certificate.objects.get(attendee=ailsa).number_display}" in text(response)


def test_numbers_differ_between_people(client, lead, star):  # noqa: F811
    for number in range(20):
        completer(star, f"Person {number:02}")
    client.force_login(lead)

    client.get(reverse("workshops:certificates-all", args=[star.pk]))

    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 20


def test_number_is_unique_in_the_database(star):  # noqa: F811
    CertificateFactory(programme=star, number="K7MP2QXR")

    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(programme=star, number="K7MP2QXR")


def test_one_certificate_per_person_and_programme_in_the_database(star):  # noqa: F811
    ailsa = completer(star, "Ailsa Grant")
    CertificateFactory(programme=star, attendee=ailsa)

    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(programme=star, attendee=ailsa)


def test_number_format_is_checked_in_the_database(star):  # noqa: F811
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(programme=star, number="K0MP2QXR")


# --- the signatory ---


def test_signatory_is_set_on_the_programme_form_and_printed(client, lead, star):  # noqa: F811
    ailsa = completer(star, "Ailsa Grant")
    client.force_login(lead)

    form = client.get(reverse("workshops:programme-edit", args=[star.pk]))
    client.post(
        reverse("workshops:programme-edit", args=[star.pk]),
        {
            "partnership": star.partnership.pk,
            "title": star.title,
            "cpd_hours_per_session": "3",
            "completion_threshold": "2",
            "signatory_name": "Caroline Cameron",
            "signatory_role": "Director, North Ayrshire HSCP",
        },
    )
    certificate = client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))

    assert "Signatory&#x27;s name" in form.text
    assert "Signatory&#x27;s role" in form.text
    star.refresh_from_db()
    assert (star.signatory_name, star.signatory_role) == ("Caroline Cameron", "Director, North Ayrshire HSCP")
    assert "Caroline Cameron Director, North Ayrshire HSCP Certificate number" in text(certificate)


def test_certificate_without_a_signatory_prints_no_signature_line(client, lead, star):  # noqa: F811
    ailsa = completer(star, "Ailsa Grant")
    client.force_login(lead)

    response = client.get(reverse("workshops:certificate", args=[star.pk, ailsa.pk]))

    assert "certificate-signatory" not in response.text


# --- merging records keeps every number checkable ---


def test_merge_moves_the_duplicates_certificate(star):  # noqa: F811
    keep = completer(star, "Ailsa Grant")
    duplicate = completer(star, "A. Grant", email="")
    CertificateFactory(programme=star, attendee=duplicate, number="K7MP2QXR")

    attendee_merge(keep=keep, duplicate=duplicate)

    assert list(Certificate.objects.values_list("number", "attendee")) == [("K7MP2QXR", keep.pk)]


def test_merge_refused_when_both_records_hold_a_certificate_for_one_programme(star):  # noqa: F811
    keep = completer(star, "Ailsa Grant")
    duplicate = completer(star, "A. Grant", email="")
    CertificateFactory(programme=star, attendee=keep, number="K7MP2QXR")
    CertificateFactory(programme=star, attendee=duplicate, number="K7MP2QXS")

    with pytest.raises(ValidationError, match="cannot be merged"):
        attendee_merge(keep=keep, duplicate=duplicate)

    assert sorted(Certificate.objects.values_list("number", flat=True)) == ["K7MP2QXR", "K7MP2QXS"]
