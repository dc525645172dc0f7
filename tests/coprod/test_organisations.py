import uuid

import pytest
from django.urls import reverse

from coprod.models import Organisation, Sector
from tests.factories import OrganisationFactory, PartnershipFactory


def _create(client, **data):
    form = {"submission_key": str(uuid.uuid4()), "name": "Thistle Foundation", "sector": Sector.THIRD_SECTOR}
    return client.post(reverse("organisation-create"), form | data)


def test_organisation_create_stores_it_with_lead_partnership(client, lead, partnership):
    client.force_login(lead)

    response = _create(client, partnerships=[partnership.pk], website="https://www.thistle.org.uk")

    organisation = Organisation.objects.get()
    assert response.url == organisation.get_absolute_url()
    assert (organisation.name, organisation.sector, organisation.website) == (
        "Thistle Foundation",
        Sector.THIRD_SECTOR,
        "https://www.thistle.org.uk",
    )
    assert list(organisation.partnerships.all()) == [partnership]


def test_organisation_create_refuses_name_in_another_case_and_keeps_input(client, lead):
    OrganisationFactory(name="Thistle Foundation")
    client.force_login(lead)

    response = _create(client, name="THISTLE foundation", website="https://example.org")

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "An organisation with this name already exists (names are compared ignoring case)."
    ]
    assert 'value="THISTLE foundation"' in response.text
    assert 'value="https://example.org"' in response.text
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Thistle Foundation"]


def test_organisation_create_double_submit_stores_one(client, lead):
    client.force_login(lead)
    key = str(uuid.uuid4())

    first = _create(client, submission_key=key)
    second = _create(client, submission_key=key)

    assert Organisation.objects.count() == 1
    assert first.url == second.url == Organisation.objects.get().get_absolute_url()


def test_organisation_create_cannot_link_partnership_user_does_not_write(client, lead, other_partnership):
    client.force_login(lead)

    response = _create(client, partnerships=[other_partnership.pk])

    assert response.status_code == 200
    assert "partnerships" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_organisation_edit_keeps_links_to_partnerships_the_editor_cannot_see(client, lead, partnership):
    elsewhere = PartnershipFactory()
    organisation = OrganisationFactory(name="ACVO")
    organisation.partnerships.add(partnership, elsewhere)
    client.force_login(lead)

    client.post(
        reverse("organisation-edit", args=[organisation.pk]),
        {"name": "ACVO", "sector": Sector.THIRD_SECTOR, "partnerships": [partnership.pk]},
    )

    assert set(organisation.partnerships.all()) == {partnership, elsewhere}


def test_organisation_edit_cannot_set_fields_the_form_does_not_offer(client, lead, partnership):
    organisation = OrganisationFactory(name="ACVO")
    organisation.partnerships.add(partnership)
    client.force_login(lead)

    client.post(
        reverse("organisation-edit", args=[organisation.pk]),
        {"name": "ACVO", "sector": Sector.THIRD_SECTOR, "partnerships": [partnership.pk], "created_at": "2000-01-01"},
    )

    organisation.refresh_from_db()
    assert organisation.created_at.year != 2000


def test_organisation_list_filters_by_name_sector_and_partnership(client, viewer, partnership):
    wanted = OrganisationFactory(name="Garnock Valley Men's Shed", sector=Sector.COMMUNITY)
    wanted.partnerships.add(partnership)
    OrganisationFactory(name="Garnock Valley Council", sector=Sector.LOCAL_AUTHORITY).partnerships.add(partnership)
    OrganisationFactory(name="Men's Shed Aberdeen", sector=Sector.COMMUNITY)
    client.force_login(viewer)

    response = client.get(
        reverse("organisation-list"), {"q": "garnock", "sector": Sector.COMMUNITY, "partnership": partnership.pk}
    )

    assert response.context["organisations"] == [wanted]


@pytest.mark.parametrize("count", [1, 3])
def test_organisation_list_query_count_constant(client, viewer, partnership, django_assert_num_queries, count):
    for organisation in OrganisationFactory.create_batch(count):
        organisation.partnerships.add(partnership, PartnershipFactory())
    client.force_login(viewer)

    # session, user, writable partnerships, filter choices, count, page, prefetched partnerships
    with django_assert_num_queries(8):
        response = client.get(reverse("organisation-list"))

    assert len(response.context["organisations"]) == count


def test_organisation_unknown_id_is_404(client, viewer):
    client.force_login(viewer)

    assert client.get(reverse("organisation-detail", args=[999999])).status_code == 404
