import uuid

import pytest
from django.core import mail
from django.urls import reverse

from coprod import services
from coprod.models import Invitation, Locality, Membership, Partnership, Role
from tests.factories import LocalityFactory, MembershipFactory, PartnershipFactory, UserFactory


def test_partnership_create_by_alliance_staff(client, alliance):
    client.force_login(alliance)

    response = client.post(
        reverse("partnership-create"),
        {"submission_key": str(uuid.uuid4()), "name": "Aberdeen City HSCP", "council_area": "Aberdeen City"},
    )

    partnership = Partnership.objects.get()
    assert response.url == partnership.get_absolute_url()
    assert (partnership.name, partnership.council_area) == ("Aberdeen City HSCP", "Aberdeen City")


def test_partnership_name_unique_ignoring_case(client, alliance, partnership):
    client.force_login(alliance)

    response = client.post(
        reverse("partnership-create"),
        {"submission_key": str(uuid.uuid4()), "name": partnership.name.upper(), "council_area": "X"},
    )

    assert response.context["form"].errors["name"] == ["A partnership with this name already exists."]
    assert Partnership.objects.count() == 1


def test_partnership_list_shows_only_visible_partnerships(client, lead, partnership, other_partnership):
    client.force_login(lead)

    response = client.get(reverse("partnership-list"))

    assert [p.name for p in response.context["partnerships"]] == [partnership.name]


def test_partnership_list_counts_every_member_for_a_member(client, lead, viewer, facilitator, partnership):
    LocalityFactory(partnership=partnership)
    client.force_login(lead)

    listed = client.get(reverse("partnership-list")).context["partnerships"]
    home = client.get(reverse("home")).context["partnerships"]

    assert [(p.member_count, p.locality_count) for p in listed] == [(3, 1)]
    assert [(p.member_count, p.locality_count) for p in home] == [(3, 1)]


def test_partnership_list_alliance_sees_all_with_search(client, alliance, partnership, other_partnership):
    client.force_login(alliance)

    response = client.get(reverse("partnership-list"), {"q": "aberdeen"})

    assert [p.name for p in response.context["partnerships"]] == [other_partnership.name]


@pytest.mark.parametrize("count", [1, 3])
def test_partnership_list_query_count_constant(client, alliance, django_assert_num_queries, count):
    for partnership in PartnershipFactory.create_batch(count):
        LocalityFactory.create_batch(2, partnership=partnership)
        MembershipFactory(partnership=partnership)
    client.force_login(alliance)

    with django_assert_num_queries(5):  # session, user, second factor, count, page
        response = client.get(reverse("partnership-list"))

    assert [p.locality_count for p in response.context["partnerships"]] == [2] * count


def test_partnership_localities_formset_adds_renames_and_removes(client, lead, partnership):
    irvine = LocalityFactory(partnership=partnership, name="Irvin")
    arran = LocalityFactory(partnership=partnership, name="Arran")
    client.force_login(lead)

    response = client.post(
        reverse("partnership-list-edit", args=[partnership.pk, "localities"]),
        {
            "localities-TOTAL_FORMS": "3",
            "localities-INITIAL_FORMS": "2",
            "localities-0-id": arran.pk,
            "localities-0-name": "Arran",
            "localities-0-DELETE": "on",
            "localities-1-id": irvine.pk,
            "localities-1-name": "Irvine",
            "localities-2-name": "Kilwinning",
        },
    )

    assert response.url == partnership.get_absolute_url()
    assert list(partnership.localities.values_list("name", flat=True)) == ["Irvine", "Kilwinning"]


def test_partnership_localities_refuses_duplicate_and_saves_nothing(client, lead, partnership):
    LocalityFactory(partnership=partnership, name="Irvine")
    client.force_login(lead)

    response = client.post(
        reverse("partnership-list-edit", args=[partnership.pk, "localities"]),
        {
            "localities-TOTAL_FORMS": "2",
            "localities-INITIAL_FORMS": "0",
            "localities-0-name": "Kilwinning",
            "localities-1-name": "irvine",
        },
    )

    assert response.status_code == 200
    assert 'value="Kilwinning"' in response.text
    assert "There is a problem" in response.text
    assert list(Locality.objects.values_list("name", flat=True)) == ["Irvine"]


def test_partnership_list_edit_unknown_kind_is_404(client, lead, partnership):
    client.force_login(lead)

    assert client.get(reverse("partnership-list-edit", args=[partnership.pk, "secrets"])).status_code == 404


def test_member_add_invites_a_new_user_by_email(client, lead, partnership, django_capture_on_commit_callbacks):
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("member-add", args=[partnership.pk]),
            {"email": "New.Person@Example.org", "first_name": "New", "last_name": "Person", "role": Role.FACILITATOR},
        )

    assert response.url == partnership.get_absolute_url()
    membership = Membership.objects.get(user__email="new.person@example.org")
    assert (membership.partnership, membership.role) == (partnership, Role.FACILITATOR)
    assert not membership.user.has_usable_password()
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_member_add_existing_user_is_invited_not_added_and_their_name_not_shown(
    client, lead, partnership, django_capture_on_commit_callbacks
):
    """Before, typing an existing account's email added it at once and showed its real name to the lead."""
    existing = UserFactory(email="fiona@example.org", first_name="Fiona", last_name="Realname")
    client.force_login(lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("member-add", args=[partnership.pk]),
            {"email": "FIONA@example.org", "first_name": "F", "last_name": "R", "role": Role.VIEWER},
            follow=True,
        )

    assert not partnership.memberships.filter(user=existing).exists()
    assert "Invitation sent to fiona@example.org: they join as viewer once they accept it." in response.text
    assert "Realname" not in response.text
    (invitation,) = Invitation.objects.filter(user=existing, partnership=partnership)
    assert [message.to for message in mail.outbox] == [["fiona@example.org"]]
    assert invitation.get_absolute_url() in mail.outbox[0].body
    assert "/accounts/reset/" not in mail.outbox[0].body


@pytest.mark.parametrize("answer, member", [("accept", True), ("decline", False)])
def test_the_invited_person_accepts_or_declines_from_home(client, lead, partnership, answer, member):
    existing = UserFactory(email="fiona@example.org")
    invitation = services.membership_add(
        partnership=partnership, email="fiona@example.org", first_name="", last_name="", role=Role.FACILITATOR
    ).invitation
    client.force_login(existing)

    assert invitation.get_absolute_url() in client.get(reverse("home")).text
    client.post(invitation.get_absolute_url(), {"answer": answer})

    roles = list(partnership.memberships.filter(user=existing).values_list("role", flat=True))
    assert roles == ([Role.FACILITATOR] if member else [])
    assert not Invitation.objects.exists()


def test_an_invitation_is_the_invitees_alone(client, lead, partnership):
    existing = UserFactory(email="fiona@example.org")
    invitation = services.membership_add(
        partnership=partnership, email="fiona@example.org", first_name="", last_name="", role=Role.LEAD
    ).invitation
    client.force_login(lead)  # the partnership's own lead, who sent it

    assert client.get(invitation.get_absolute_url()).status_code == 404
    assert client.post(invitation.get_absolute_url(), {"answer": "accept"}).status_code == 404
    assert not partnership.memberships.filter(user=existing).exists()


def test_member_remove_last_lead_is_refused(client, lead, partnership):
    client.force_login(lead)
    membership = Membership.objects.get(user=lead)

    client.post(reverse("member-remove", args=[partnership.pk, membership.pk]))

    assert Membership.objects.filter(pk=membership.pk).exists()


def test_member_edit_changes_role(client, lead, viewer, partnership):
    client.force_login(lead)
    membership = Membership.objects.get(user=viewer)

    client.post(reverse("member-edit", args=[partnership.pk, membership.pk]), {"role": Role.FACILITATOR})

    membership.refresh_from_db()
    assert membership.role == Role.FACILITATOR


def test_member_edit_of_other_partnership_membership_is_404(client, lead, partnership, outsider):
    client.force_login(lead)
    theirs = Membership.objects.get(user=outsider)

    response = client.get(reverse("member-edit", args=[partnership.pk, theirs.pk]))

    assert response.status_code == 404
