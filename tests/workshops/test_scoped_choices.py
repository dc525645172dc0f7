"""The register's organisation list and the facilitator list offer only what belongs to the partnership."""

import pytest
from django.urls import reverse

from coprod.models import Role
from tests.factories import (
    AttendeeFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    SessionFactory,
    UserFactory,
)
from workshops import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(partnership):
    here = OrganisationFactory(name="Garnock Valley Men's Shed")
    here.partnerships.add(partnership)
    elsewhere = OrganisationFactory(name="Aberdeen Carers Hub")
    elsewhere.partnerships.add(PartnershipFactory())
    national = OrganisationFactory(name="Chest Heart & Stroke Scotland")  # works in no partnership in particular
    return here, elsewhere, national


def test_the_register_offers_the_partnerships_and_national_organisations_only(client, lead, partnership, organisations):
    session = SessionFactory(partnership=partnership)
    client.force_login(lead)

    html = client.get(reverse("workshops:session-detail", args=[session.pk])).content.decode()

    assert ("Men&#x27;s Shed" in html, "Aberdeen Carers Hub" in html, "Chest Heart" in html) == (True, False, True)


def test_an_attendees_edit_form_keeps_their_organisation_and_hides_the_rest(client, lead, partnership, organisations):
    here, elsewhere, _national = organisations
    attendee = AttendeeFactory(partnership=partnership, organisation=elsewhere)
    client.force_login(lead)

    form = client.get(reverse("workshops:attendee-edit", args=[attendee.pk])).context["form"]

    assert set(form.fields["organisation"].queryset) == set(organisations)
    other = AttendeeFactory(partnership=partnership, organisation=here)
    form = client.get(reverse("workshops:attendee-edit", args=[other.pk])).context["form"]
    assert elsewhere not in form.fields["organisation"].queryset


def test_typing_an_organisation_known_elsewhere_links_it_here(partnership, organisations):
    _here, elsewhere, _national = organisations
    session = SessionFactory(partnership=partnership)

    services.attendance_add(session=session, name="Ann", role="unpaid_carer", new_organisation="aberdeen carers hub")

    assert partnership in elsewhere.partnerships.all()


def test_the_facilitator_list_offers_leads_and_facilitators_not_viewers(client, lead, partnership):
    viewer = MembershipFactory(partnership=partnership, role=Role.VIEWER).user
    facilitator = MembershipFactory(partnership=partnership, role=Role.FACILITATOR).user
    outsider = UserFactory()
    client.force_login(lead)

    form = client.get(reverse("workshops:session-create") + f"?partnership={partnership.pk}").context["form"]

    offered = set(form.fields["facilitators"].queryset)
    assert [user in offered for user in (lead, facilitator, viewer, outsider)] == [True, True, False, False]


def test_a_facilitator_since_made_a_viewer_stays_on_their_session(client, lead, partnership):
    membership = MembershipFactory(partnership=partnership, role=Role.FACILITATOR)
    session = SessionFactory(partnership=partnership)
    session.facilitators.add(membership.user)
    membership.role = Role.VIEWER
    membership.save()
    client.force_login(lead)

    form = client.get(reverse("workshops:session-edit", args=[session.pk])).context["form"]

    assert membership.user in form.fields["facilitators"].queryset
