import uuid

import pytest
from django.core import mail
from django.urls import reverse

from coprod.models import User
from tests.factories import MembershipFactory, UserFactory


def test_user_create_invites_alliance_staff(client, alliance, django_capture_on_commit_callbacks):
    client.force_login(alliance)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("user-create"),
            {
                "submission_key": str(uuid.uuid4()),
                "email": "Morag@ALLIANCE-scotland.org.uk",
                "first_name": "Morag",
                "last_name": "Baird",
                "is_alliance_staff": "on",
            },
        )

    user = User.objects.get(email="morag@alliance-scotland.org.uk")
    assert response.url == reverse("user-edit", args=[user.pk])
    assert (user.is_alliance_staff, user.has_usable_password()) == (True, False)
    assert [message.to for message in mail.outbox] == [["morag@alliance-scotland.org.uk"]]
    assert "as ALLIANCE staff" in mail.outbox[0].body


def test_user_create_refuses_existing_email(client, alliance):
    UserFactory(email="fiona@example.org")
    client.force_login(alliance)

    response = client.post(
        reverse("user-create"),
        {"submission_key": str(uuid.uuid4()), "email": "FIONA@example.org", "first_name": "F", "last_name": "R"},
    )

    assert response.context["form"].errors["email"] == ["A user with this email address already exists."]
    assert User.objects.filter(email__iexact="fiona@example.org").count() == 1


def test_user_edit_deactivates_and_cannot_lock_out_oneself(client, alliance):
    person = UserFactory()
    client.force_login(alliance)

    client.post(
        reverse("user-edit", args=[person.pk]),
        {"first_name": "A", "last_name": "B", "email": person.email, "is_alliance_staff": ""},
    )
    response = client.post(
        reverse("user-edit", args=[alliance.pk]),
        {"first_name": "A", "last_name": "B", "email": alliance.email, "is_active": "on"},
    )

    person.refresh_from_db()
    alliance.refresh_from_db()
    assert person.is_active is False
    assert response.context["form"].non_field_errors() == ["You cannot remove your own ALLIANCE staff role or sign-in."]
    assert alliance.is_alliance_staff is True


def test_password_reset_reaches_invited_user_without_password(client, db):
    invited = UserFactory(email="new@example.org")
    invited.set_unusable_password()
    invited.save()

    client.post(reverse("password_reset"), {"email": "new@example.org"})

    assert [message.to for message in mail.outbox] == [["new@example.org"]]


@pytest.mark.parametrize("count", [1, 3])
def test_user_list_query_count_constant(client, alliance, django_assert_num_queries, count):
    for user in UserFactory.create_batch(count):
        MembershipFactory(user=user)
    client.force_login(alliance)

    with django_assert_num_queries(6):  # session, user, second factor, count, page, prefetched memberships
        response = client.get(reverse("user-list"))

    assert len(response.context["users"]) == count + 1
