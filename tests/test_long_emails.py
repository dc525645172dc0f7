"""An email address longer than its column: a field error that keeps what was typed, never a 500 (PostgreSQL
refuses the insert; SQLite would have stored it)."""

import pytest
from django.urls import reverse

from coprod.models import Membership, User
from tests.factories import SessionFactory
from workshops.models import Attendance

pytestmark = pytest.mark.django_db

TOO_LONG = "a" * 245 + "@example.org"  # 257 characters: over the 254 an address may have
TOO_LONG_FOR_AN_ACCOUNT = "a" * 140 + "@example.org"  # 152: an account's username is its email, 150 at most


def _shows_error_and_keeps(response, email):
    html = response.content.decode()
    return response.status_code, "at most" in html, f'value="{email}"' in html


@pytest.mark.parametrize("email", [TOO_LONG, TOO_LONG_FOR_AN_ACCOUNT])
def test_adding_a_member(client, lead, partnership, email):
    client.force_login(lead)

    response = client.post(
        reverse("member-add", args=[partnership.pk]),
        {"email": email, "first_name": "Ann", "last_name": "Long", "role": "viewer"},
    )

    assert _shows_error_and_keeps(response, email) == (200, True, True)
    assert not Membership.objects.filter(user__email=email).exists()


@pytest.mark.parametrize("email", [TOO_LONG, TOO_LONG_FOR_AN_ACCOUNT])
def test_inviting_a_user(client, alliance, email):
    client.force_login(alliance)

    response = client.post(reverse("user-create"), {"email": email, "first_name": "Ann", "last_name": "Long"})

    assert _shows_error_and_keeps(response, email) == (200, True, True)
    assert not User.objects.filter(email=email).exists()


def test_editing_a_user(client, alliance, lead):
    client.force_login(alliance)

    response = client.post(
        reverse("user-edit", args=[lead.pk]),
        {"email": TOO_LONG, "first_name": "Ann", "last_name": "Long", "is_active": "on"},
    )

    assert _shows_error_and_keeps(response, TOO_LONG) == (200, True, True)


def test_adding_to_a_register(client, facilitator, partnership):
    session = SessionFactory(partnership=partnership)
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:attendee-add", args=[session.pk]),
        {"name": "Ann Long", "email": TOO_LONG, "role": "dietitian", "sector": "nhs"},
    )

    assert _shows_error_and_keeps(response, TOO_LONG) == (200, True, True)
    assert not Attendance.objects.exists()


def test_uploading_a_register(client, facilitator, partnership):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = SessionFactory(partnership=partnership)
    client.force_login(facilitator)
    text = f"name,email,organisation,sector,role\nAnn Long,{TOO_LONG},,nhs,dietitian\n"

    response = client.post(
        reverse("workshops:bulk-register", args=[session.pk]),
        {"step": "preview", "file": SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")},
    )

    assert response.status_code == 200
    assert "email is longer than 254 characters" in response.content.decode()
    assert not Attendance.objects.exists()
