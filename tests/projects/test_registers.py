"""The registers, their filters and CSV export, and the summary: content, and queries that do not grow."""

import csv
import io

import pytest
from django.urls import reverse

from coprod.models import Sector
from projects.models import ProjectMode
from tests.factories import (
    LocalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    SessionFactory,
)


def _titles(response):
    return [project.title for project in response.context["projects"]]


@pytest.fixture
def three_projects(partnership):
    """Kilwinning (NHS + community, co-design, from the session), Woodland View (third sector), Falls."""
    kilwinning = LocalityFactory(partnership=partnership, name="Kilwinning")
    session = SessionFactory(partnership=partnership, title="Exploring New Ways of Working")
    infographic = ProjectFactory(
        partnership=partnership, title="Kilwinning info-graphic", locality=kilwinning, topic="physical_activity"
    )
    infographic.sessions.add(session)
    ProjectPartnerFactory(project=infographic, organisation=OrganisationFactory(sector=Sector.NHS), role="lead")
    ProjectPartnerFactory(project=infographic, organisation=OrganisationFactory(sector=Sector.COMMUNITY))
    ProjectMode.objects.create(project=infographic, mode="co_design", how="Residents chose the activities.")
    woodland = ProjectFactory(
        partnership=partnership, title="Woodland View in-patients", topic="hospital_transition", stage="testing"
    )
    ProjectPartnerFactory(project=woodland, organisation=OrganisationFactory(sector=Sector.THIRD_SECTOR))
    ProjectFactory(partnership=partnership, title="Falls prevention", topic="falls_prevention", stage="testing")
    return {"session": session, "locality": kilwinning}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({}, ["Falls prevention", "Kilwinning info-graphic", "Woodland View in-patients"]),
        ({"stage": "testing"}, ["Falls prevention", "Woodland View in-patients"]),
        ({"topic": "hospital_transition"}, ["Woodland View in-patients"]),
        ({"mode": "co_design"}, ["Kilwinning info-graphic"]),
        ({"sector": Sector.NHS}, ["Kilwinning info-graphic"]),
        ({"sector": Sector.THIRD_SECTOR}, ["Woodland View in-patients"]),
        ({"q": "woodland"}, ["Woodland View in-patients"]),
    ],
)
def test_register_filters(client, viewer, partnership, three_projects, query, titles):
    client.force_login(viewer)

    response = client.get(reverse("projects:project-register", args=[partnership.pk]), query)

    assert _titles(response) == titles


def test_register_filters_by_locality_and_originating_session(client, viewer, partnership, three_projects):
    client.force_login(viewer)
    url = reverse("projects:project-register", args=[partnership.pk])

    by_locality = client.get(url, {"locality": three_projects["locality"].pk})
    by_session = client.get(url, {"session": three_projects["session"].pk})

    assert _titles(by_locality) == _titles(by_session) == ["Kilwinning info-graphic"]
    assert "Showing the projects that came out of" in by_session.text
    assert f"?session={three_projects['session'].pk}" in by_session.text  # record another from the same session


def test_register_session_of_another_partnership_is_a_filter_error_not_a_list(
    client, viewer, partnership, other_partnership, three_projects
):
    client.force_login(viewer)

    response = client.get(
        reverse("projects:project-register", args=[partnership.pk]),
        {"session": SessionFactory(partnership=other_partnership).pk},
    )

    assert _titles(response) == []
    assert "session" in response.context["filters"].errors


def test_register_rows_show_partners_sectors_and_modes(client, viewer, partnership, three_projects):
    client.force_login(viewer)

    response = client.get(reverse("projects:project-register", args=[partnership.pk]))

    rows = {
        project.title: (project.partner_count, project.sector_count, [mode.mode for mode in project.modes.all()])
        for project in response.context["projects"]
    }
    assert rows == {
        "Falls prevention": (0, 0, []),
        "Kilwinning info-graphic": (2, 2, ["co_design"]),
        "Woodland View in-patients": (1, 1, []),
    }
    assert '2 from 2 sectors<span class="d-block small">Multi-agency</span>' in response.text


def test_national_register_lists_every_partnership_for_alliance_staff(client, alliance, partnership, other_partnership):
    ProjectFactory(partnership=partnership, title="Kilwinning info-graphic")
    ProjectFactory(partnership=other_partnership, title="Tackling loneliness")
    client.force_login(alliance)

    everything = client.get(reverse("projects:project-list"))
    aberdeen = client.get(reverse("projects:project-list"), {"partnership": other_partnership.pk})

    assert _titles(everything) == ["Tackling loneliness", "Kilwinning info-graphic"]  # by partnership name
    assert _titles(aberdeen) == ["Tackling loneliness"]
    assert "National register of improvement projects" in everything.text


def test_project_list_shows_members_only_their_partnerships(client, lead, partnership, other_partnership):
    ProjectFactory(partnership=partnership, title="Kilwinning info-graphic")
    ProjectFactory(partnership=other_partnership, title="Tackling loneliness")
    client.force_login(lead)

    response = client.get(reverse("projects:project-list"))

    assert _titles(response) == ["Kilwinning info-graphic"]


@pytest.mark.parametrize("count", [1, 3])
def test_register_query_count_constant(client, viewer, partnership, django_assert_num_queries, count):
    for _ in range(count):
        project = ProjectFactory(partnership=partnership)
        ProjectPartnerFactory(project=project)
        ProjectMode.objects.create(project=project, mode="co_delivery", how="Volunteers run it.")
    client.force_login(viewer)

    # session, user, partnership, role, count, page, prefetched modes, locality and session choices
    with django_assert_num_queries(10):
        response = client.get(reverse("projects:project-register", args=[partnership.pk]))

    assert len(response.context["projects"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_national_register_query_count_constant(client, alliance, django_assert_num_queries, count):
    for _ in range(count):
        project = ProjectFactory(partnership=PartnershipFactory())
        ProjectPartnerFactory(project=project)
        ProjectMode.objects.create(project=project, mode="co_design", how="Users shape it.")
    client.force_login(alliance)

    # session, user, count, page, prefetched modes, partnership, locality and session choices, can create
    with django_assert_num_queries(10):
        response = client.get(reverse("projects:project-list"))

    assert len(response.context["projects"]) == count


# --- CSV export ---


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_has_the_register_rows_with_the_same_filters(client, viewer, partnership, three_projects):
    client.force_login(viewer)

    response = client.get(reverse("projects:project-register-export", args=[partnership.pk]), {"stage": "testing"})

    rows = _csv(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="improvement-projects-')
    assert rows[0][:5] == ["Title", "Partnership", "Locality", "Topic", "Stage"]
    assert [row[:5] for row in rows[1:]] == [
        ["Falls prevention", "North Ayrshire HSCP", "", "Falls prevention", "Testing"],
        ["Woodland View in-patients", "North Ayrshire HSCP", "", "Transition from hospital", "Testing"],
    ]


def test_export_lists_partners_sessions_and_modes(client, viewer, partnership, three_projects):
    client.force_login(viewer)

    rows = _csv(client.get(reverse("projects:project-register-export", args=[partnership.pk]), {"mode": "co_design"}))

    header, row = rows
    assert dict(zip(header, row, strict=True)) | {"Partners (role, sector)": ""} == {
        "Title": "Kilwinning info-graphic",
        "Partnership": "North Ayrshire HSCP",
        "Locality": "Kilwinning",
        "Topic": "Physical activity",
        "Stage": "Idea",
        "Aim statement": "By March 2027, 40 families in Kilwinning will know where to find local activities.",
        "Partners (role, sector)": "",
        "Sectors": "2",
        "Multi-agency": "Yes",
        "Co-production Star modes": "Co-design: Residents chose the activities.",
        "Sessions it came from": str(three_projects["session"]),
        "People who use services and unpaid carers involved": "0",
        "How they are involved": "",
        "Last updated": row[-1],
    }
    assert row[6].endswith("(Partner, Community or volunteer-led group)")
    assert "(Lead, NHS / health board)" in row[6]


def test_export_cells_cannot_run_as_spreadsheet_formulas(client, viewer, partnership):
    ProjectFactory(
        partnership=partnership, title='=HYPERLINK("http://x")', aim="+44 call us", topic="other", topic_other="@risk"
    )
    client.force_login(viewer)

    _header, row = _csv(client.get(reverse("projects:project-register-export", args=[partnership.pk])))

    assert (row[0], row[3], row[5]) == ('\'=HYPERLINK("http://x")', "'@risk", "'+44 call us")


def test_national_export_for_alliance_staff(client, alliance, partnership, other_partnership):
    ProjectFactory(partnership=partnership, title="Kilwinning info-graphic")
    ProjectFactory(partnership=other_partnership, title="Tackling loneliness")
    client.force_login(alliance)

    rows = _csv(client.get(reverse("projects:project-export")))

    assert [row[:2] for row in rows[1:]] == [
        ["Tackling loneliness", "Aberdeen City HSCP"],
        ["Kilwinning info-graphic", "North Ayrshire HSCP"],
    ]


# --- Summary ---


def test_summary_counts_stages_multi_agency_and_modes(client, alliance, partnership, other_partnership, three_projects):
    ProjectFactory(partnership=other_partnership, stage="spread")
    client.force_login(alliance)

    response = client.get(reverse("projects:project-summary"))

    rows = [
        (row["partnership"].name, row["stages"], row["total"], row["multi_agency"], row["modes"])
        for row in response.context["rows"]
    ]
    # stages: idea, planning, testing, implementing, sustaining, spread, closed; modes: the four Co's
    assert rows == [
        ("Aberdeen City HSCP", [0, 0, 0, 0, 0, 1, 0], 1, 0, [0, 0, 0, 0]),
        ("North Ayrshire HSCP", [1, 0, 2, 0, 0, 0, 0], 3, 1, [0, 1, 0, 0]),
    ]
    assert response.context["totals"] == {
        "total": 4,
        "multi_agency": 1,
        "stages": [1, 0, 2, 0, 0, 1, 0],
        "modes": [0, 1, 0, 0],
    }
    assert '1 of 3 <span class="d-block small">(33%)</span>' in response.text


def test_summary_shows_members_only_their_partnerships(client, viewer, partnership, other_partnership):
    ProjectFactory(partnership=other_partnership)
    client.force_login(viewer)

    response = client.get(reverse("projects:project-summary"))

    assert [row["partnership"] for row in response.context["rows"]] == [partnership]


@pytest.mark.parametrize("count", [1, 3])
def test_summary_query_count_constant(client, alliance, django_assert_num_queries, count):
    for _ in range(count):
        project = ProjectFactory(partnership=PartnershipFactory())
        ProjectPartnerFactory(project=project, organisation=OrganisationFactory(sector=Sector.NHS))
        ProjectPartnerFactory(project=project)
        ProjectMode.objects.create(project=project, mode="co_assessment", how="Users review it.")
    client.force_login(alliance)

    with django_assert_num_queries(5):  # session, user, second factor, the grouped summary, the answers that lasted
        response = client.get(reverse("projects:project-summary"))

    assert [row["multi_agency"] for row in response.context["rows"]] == [1] * count
