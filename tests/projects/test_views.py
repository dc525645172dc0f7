"""Project pages: what they store and what they show, and who may use them."""

import datetime
import html
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from coprod.models import Role, Sector
from projects import services
from projects.models import Project, Stage
from tests.factories import (
    DataPointFactory,
    LocalityFactory,
    MeasureFactory,
    MembershipFactory,
    OrganisationFactory,
    PdsaCycleFactory,
    PriorityFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    SessionFactory,
)

DAY = datetime.date(2026, 3, 12)
AIM = "By March 2027, 30 in-patients of Woodland View will join a community activity before discharge."


def _create_url(**query):
    url = reverse("projects:project-create")
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def _session_projects(response):
    """(link, title, stage) of each project listed on a session page, as rendered."""
    return [
        (href, html.unescape(title), stage)
        for href, title, stage in re.findall(
            r'<li><a href="([^"]+)">([^<]+)</a> <span class="stage stage-\w+">'
            r'<span class="visually-hidden">Stage: </span>([^<]+)</span></li>',
            response.text,
        )
    ]


def _project_form(**overrides):
    return {
        "submission_key": str(uuid.uuid4()),
        "title": "Woodland View into the community",
        "topic": "hospital_transition",
        "aim": AIM,
        "people_involved_count": "3",
        "people_involved_how": "Former in-patients co-design the activity list.",
        "mode_co_design": "Former in-patients chose the activities.",
    } | overrides


# --- Recording a project ---


def test_project_create_from_session_prefills_locality_and_session(client, lead, partnership):
    irvine = LocalityFactory(partnership=partnership, name="Irvine")
    session = SessionFactory(partnership=partnership, locality=irvine, title="Exploring New Ways of Working")
    client.force_login(lead)

    response = client.get(_create_url(session=session.pk))

    form = response.context["form"]
    assert (form.partnership, form["locality"].value(), form["sessions"].value()) == (
        partnership,
        irvine.pk,
        [session.pk],
    )
    assert response.text.count("checked") == 1  # the session's box, the only one
    assert "From the session" in response.text


def test_project_create_stores_it_and_shows_its_page(client, lead, partnership):
    session = SessionFactory(partnership=partnership, title="Exploring New Ways of Working: North Ayrshire")
    priority = PriorityFactory(partnership=partnership, title="Tackling inequalities")
    client.force_login(lead)

    response = client.post(
        _create_url(session=session.pk), _project_form(sessions=[session.pk], priorities=[priority.pk])
    )

    project = Project.objects.get()
    assert response.url == project.get_absolute_url()
    assert (project.partnership, project.title, project.aim, project.created_by) == (
        partnership,
        "Woodland View into the community",
        AIM,
        lead,
    )
    assert (list(project.sessions.all()), list(project.priorities.all())) == ([session], [priority])
    page = client.get(response.url)
    assert "Project recorded at the idea stage. Now add its partners." in page.text
    assert [s.title for s in page.context["sessions"]] == ["Exploring New Ways of Working: North Ayrshire"]
    assert f'<a href="{session.get_absolute_url()}">Exploring New Ways of Working: North Ayrshire</a>' in page.text
    assert "Former in-patients chose the activities." in page.text
    assert "Recorded at the <strong>idea</strong> stage" in page.text


def test_project_create_double_submit_stores_one(client, lead, partnership):
    client.force_login(lead)
    form = _project_form()

    first = client.post(_create_url(partnership=partnership.pk), form)
    second = client.post(_create_url(partnership=partnership.pk), form)

    assert Project.objects.count() == 1
    assert first.url == second.url == Project.objects.get().get_absolute_url()


def test_project_create_refuses_another_partnerships_session_and_priority(client, lead, partnership, other_partnership):
    theirs = SessionFactory(partnership=other_partnership)
    their_priority = PriorityFactory(partnership=other_partnership)
    client.force_login(lead)

    response = client.post(
        _create_url(partnership=partnership.pk), _project_form(sessions=[theirs.pk], priorities=[their_priority.pk])
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["sessions"] == [f"Select a valid choice. {theirs.pk} is not one of the available choices."]
    assert errors["priorities"] == [f"Select a valid choice. {their_priority.pk} is not one of the available choices."]
    assert not Project.objects.exists()


def test_project_create_empty_aim_shows_the_error_and_keeps_what_was_typed(client, lead, partnership):
    client.force_login(lead)

    response = client.post(_create_url(partnership=partnership.pk), _project_form(aim="   "))

    assert response.context["form"].errors["aim"] == [services.AIM_MISSING]
    assert 'href="#id_aim"' in response.text  # the error summary links to the field
    assert 'value="Woodland View into the community"' in response.text
    assert not Project.objects.exists()


def test_project_create_for_another_partnerships_session_is_404(client, lead, other_partnership):
    client.force_login(lead)

    response = client.get(_create_url(session=SessionFactory(partnership=other_partnership).pk))

    assert response.status_code == 404


def test_project_create_viewer_of_the_session_is_403(client, viewer, partnership):
    client.force_login(viewer)

    response = client.get(_create_url(session=SessionFactory(partnership=partnership).pk))

    assert response.status_code == 403


def test_project_create_lets_a_member_of_several_partnerships_choose(client, lead, other_partnership):
    MembershipFactory(user=lead, partnership=other_partnership, role=Role.FACILITATOR)
    client.force_login(lead)

    response = client.get(_create_url())

    assert [p.name for p in response.context["partnerships"]] == ["Aberdeen City HSCP", "North Ayrshire HSCP"]
    assert f"?partnership={other_partnership.pk}" in response.text


def test_project_edit_saves_and_keeps_the_stage(client, lead, partnership):
    project = services.project_create(
        partnership=partnership, user=lead, title="Falls", topic="falls_prevention", aim=AIM
    )
    services.project_move_stage(project=project, to_stage=Stage.TESTING, date=datetime.date.today(), user=lead)
    client.force_login(lead)

    client.post(
        reverse("projects:project-edit", args=[project.pk]),
        _project_form(title="Falls prevention in Torry", topic="falls_prevention", mode_co_design=""),
    )

    project.refresh_from_db()
    assert (project.title, project.stage, list(project.modes.all())) == ("Falls prevention in Torry", Stage.TESTING, [])


# --- Partners ---


def test_project_partners_formset_stores_partners_and_shows_multi_agency(client, lead, partnership):
    project = ProjectFactory(partnership=partnership)
    nhs = OrganisationFactory(name="NHS Ayrshire & Arran", sector=Sector.NHS)
    trust = OrganisationFactory(name="The Ayrshire Community Trust", sector=Sector.THIRD_SECTOR)
    client.force_login(lead)

    response = client.post(
        reverse("projects:project-partners", args=[project.pk]),
        {
            "partners-TOTAL_FORMS": "3",
            "partners-INITIAL_FORMS": "0",
            "partners-0-organisation": str(nhs.pk),
            "partners-0-role": "lead",
            "partners-1-organisation": str(trust.pk),
            "partners-1-role": "partner",
            "partners-2-organisation": "",
            "partners-2-role": "partner",
        },
    )

    assert response.url == project.get_absolute_url()
    assert list(project.partners.values_list("organisation__name", "role")) == [
        ("NHS Ayrshire & Arran", "lead"),
        ("The Ayrshire Community Trust", "partner"),
    ]
    page = client.get(project.get_absolute_url())
    assert "Multi-agency: partners from 2 sectors." in page.text


def test_project_partners_formset_refuses_an_organisation_twice(client, lead, partnership):
    project = ProjectFactory(partnership=partnership)
    trust = OrganisationFactory(name="The Ayrshire Community Trust")
    client.force_login(lead)

    response = client.post(
        reverse("projects:project-partners", args=[project.pk]),
        {
            "partners-TOTAL_FORMS": "2",
            "partners-INITIAL_FORMS": "0",
            "partners-0-organisation": str(trust.pk),
            "partners-0-role": "lead",
            "partners-1-organisation": str(trust.pk),
            "partners-1-role": "partner",
        },
    )

    assert response.context["formset"].non_form_errors() == [
        "Each organisation takes part once: The Ayrshire Community Trust is listed twice."
    ]
    assert not project.partners.exists()


def test_project_detail_single_sector_is_not_multi_agency(client, viewer, partnership):
    project = ProjectFactory(partnership=partnership)
    ProjectPartnerFactory(project=project, organisation=OrganisationFactory(sector=Sector.THIRD_SECTOR))
    ProjectPartnerFactory(project=project, organisation=OrganisationFactory(sector=Sector.THIRD_SECTOR))
    client.force_login(viewer)

    response = client.get(project.get_absolute_url())

    assert response.context["multi_agency"] is False
    assert "Not multi-agency: partners from 1 sector only" in response.text
    assert "Change partners" not in response.text  # viewers read only


# --- Stage, updates, learning, PDSA ---


def test_project_stage_backwards_without_reason_shows_the_message_and_saves_nothing(client, lead, partnership):
    project = services.project_create(
        partnership=partnership, user=lead, title="Falls", topic="falls_prevention", aim=AIM
    )
    services.project_move_stage(project=project, to_stage=Stage.IMPLEMENTING, date=datetime.date.today(), user=lead)
    client.force_login(lead)

    response = client.post(
        reverse("projects:project-stage", args=[project.pk]),
        {"to_stage": "planning", "date": datetime.date.today().isoformat(), "reason": ""},
    )

    assert response.context["form"].errors["reason"] == [
        "Moving back from implementing to planning needs a reason: say why, so the timeline tells the whole story."
    ]
    project.refresh_from_db()
    assert (project.stage, project.stage_changes.count()) == (Stage.IMPLEMENTING, 2)


def test_project_stage_move_is_on_the_timeline(client, lead, partnership):
    project = services.project_create(
        partnership=partnership, user=lead, title="Falls", topic="falls_prevention", aim=AIM
    )
    client.force_login(lead)
    today = datetime.date.today()

    response = client.post(
        reverse("projects:project-stage", args=[project.pk]), {"to_stage": "testing", "date": today.isoformat()}
    )

    project.refresh_from_db()
    assert (response.url, project.stage) == (project.get_absolute_url(), Stage.TESTING)
    page = client.get(project.get_absolute_url())
    assert "Moved from idea to <strong>testing</strong>" in page.text
    assert [(c.from_stage, c.to_stage, c.changed_by) for c in page.context["timeline"]] == [
        ("", "idea", lead),
        ("idea", "testing", lead),
    ]


def test_update_and_learning_point_are_shown_with_author_and_date(client, lead, partnership):
    project = ProjectFactory(partnership=partnership)
    client.force_login(lead)

    client.post(
        reverse("projects:update-add", args=[project.pk]),
        {"date": "2026-03-12", "text": "First walking group with four in-patients."},
    )
    client.post(
        reverse("projects:learning-add", args=[project.pk]),
        {"text": "Everyone involved in the improvement process is an equal partner."},
    )

    page = client.get(project.get_absolute_url())
    assert [(u.date, u.author, u.text) for u in page.context["updates"]] == [
        (DAY, lead, "First walking group with four in-patients.")
    ]
    assert [p.text for p in page.context["learning_points"]] == [
        "Everyone involved in the improvement process is an equal partner."
    ]
    assert f"12 March 2026, {lead}" in page.text


def test_update_in_the_future_is_refused(client, lead, partnership):
    project = ProjectFactory(partnership=partnership)
    client.force_login(lead)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    response = client.post(
        reverse("projects:update-add", args=[project.pk]), {"date": tomorrow.isoformat(), "text": "Soon."}
    )

    assert response.context["form"].errors["date"] == ["An update cannot be dated in the future."]
    assert not project.updates.exists()


def test_pdsa_cycle_add_then_write_up_study(client, lead, partnership):
    project = ProjectFactory(partnership=partnership)
    client.force_login(lead)
    plan = {
        "title": "Invite two in-patients to the walking group",
        "plan": "Ward OT invites two in-patients on Monday.",
        "prediction": "Both will come back the next week.",
        "plan_date": "2026-03-02",
    }

    client.post(reverse("projects:pdsa-add", args=[project.pk]), plan)
    cycle = project.pdsa_cycles.get()
    response = client.post(
        reverse("projects:pdsa-edit", args=[cycle.pk]),
        plan | {"do": "Both came.", "do_date": "2026-03-09", "study": "One came back.", "study_date": ""},
    )

    assert response.context["form"].errors["study_date"] == ["Enter the date it was studied."]
    cycle.refresh_from_db()
    assert (cycle.do, cycle.study) == ("", "")


def test_pdsa_dates_cannot_precede_the_plan(client, lead, partnership):
    cycle = PdsaCycleFactory(project=ProjectFactory(partnership=partnership), plan_date=DAY)
    client.force_login(lead)

    response = client.post(
        reverse("projects:pdsa-edit", args=[cycle.pk]),
        {"title": cycle.title, "plan": cycle.plan, "prediction": cycle.prediction, "plan_date": "2026-03-12"}
        | {"do": "Done.", "do_date": "2026-03-01"},
    )

    assert response.context["form"].errors["do_date"] == ["This cannot be before the date planned."]


# --- Measures and run charts ---


def test_measure_add_then_points_then_the_run_chart_flags_a_shift(client, lead, partnership):
    project = ProjectFactory(partnership=partnership)
    client.force_login(lead)
    response = client.post(
        reverse("projects:measure-add", args=[project.pk]),
        {"name": "In-patients joining a community activity", "unit": "people", "direction": "higher", "target": "8"},
    )
    measure = project.measures.get()
    assert response.url == measure.get_absolute_url()
    start = datetime.date(2025, 1, 6)
    values = [4, 2, 5, 3, 4, 2, 5, 3, 4, 2, 5, 3, 6, 7, 6, 8, 7, 7]  # median 3.5, then six above

    for week, value in enumerate(values):
        client.post(
            reverse("projects:point-add", args=[measure.pk]),
            {"date": (start + datetime.timedelta(weeks=week)).isoformat(), "value": str(value)},
        )

    page = client.get(measure.get_absolute_url())
    chart = page.context["chart"]
    assert [point.value for point in chart.points] == [Decimal(v) for v in values]
    assert [(s.rule, s.direction, s.count, s.better) for s in chart.signals] == [("shift", "above", 6, True)]
    assert 'role="img" aria-labelledby="run-chart-title-' in page.text
    assert (
        f'<title id="run-chart-title-{measure.pk}">Run chart of In-patients joining a community activity</title>'
        in (page.text)
    )
    assert "6 points above the median, from 31 Mar 2025 to 5 May 2025." in page.text
    assert "In the better direction for this measure." in page.text
    assert page.text.count('class="chart-point chart-point-square"') == 6
    assert [row["flags"] for row in chart.rows][-6:] == [["Shift"]] * 6


def test_point_add_on_a_duplicate_date_shows_a_clear_message(client, lead, partnership):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    DataPointFactory(measure=measure, date=DAY, value=12)
    client.force_login(lead)

    response = client.post(reverse("projects:point-add", args=[measure.pk]), {"date": DAY.isoformat(), "value": "14"})

    assert response.context["point_form"].errors["date"] == [
        "There is already a value for 12 March 2026 (12): delete that one first if it was wrong."
    ]
    assert 'value="14"' in response.text
    assert list(measure.points.values_list("value", flat=True)) == [Decimal(12)]


def test_point_delete_removes_it(client, facilitator, partnership):
    point = DataPointFactory(measure=MeasureFactory(project=ProjectFactory(partnership=partnership)), date=DAY)
    client.force_login(facilitator)

    response = client.post(reverse("projects:point-delete", args=[point.pk]))

    assert response.url == point.measure.get_absolute_url()
    assert not point.measure.points.exists()


def test_measure_page_without_points_explains_what_comes(client, viewer, partnership):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    client.force_login(viewer)

    response = client.get(measure.get_absolute_url())

    assert "No data points yet." in response.text
    assert "<svg" not in response.text.split("How the run-chart rules are applied")[0].split("Run chart")[1]
    assert "Add a data point" not in response.text  # viewers read only


# --- On the session page: the projects that came out of it ---


def test_session_page_lists_the_projects_that_came_out_of_it(client, viewer, partnership, other_partnership):
    session = SessionFactory(partnership=partnership, title="Exploring New Ways of Working")
    woodland = ProjectFactory(partnership=partnership, title="Woodland View into the community", stage=Stage.TESTING)
    kilwinning = ProjectFactory(partnership=partnership, title="Kilwinning info-graphic")
    woodland.sessions.add(session)
    kilwinning.sessions.add(session, SessionFactory(partnership=partnership))
    ProjectFactory(partnership=partnership, title="Falls prevention in Irvine").sessions.add(
        SessionFactory(partnership=partnership)
    )
    ProjectFactory(partnership=other_partnership, title="Tackling loneliness in Aberdeen")
    client.force_login(viewer)

    response = client.get(session.get_absolute_url())

    assert _session_projects(response) == [
        (kilwinning.get_absolute_url(), "Kilwinning info-graphic", "Idea"),
        (woodland.get_absolute_url(), "Woodland View into the community", "Testing"),
    ]
    assert "record a project from this session" not in response.text  # viewers read only


def test_session_page_projects_leave_out_another_partnerships_project(client, viewer, partnership, other_partnership):
    session = SessionFactory(partnership=partnership)
    # Forms refuse another partnership's session; a row written around them must still not leak to a viewer.
    ProjectFactory(partnership=other_partnership, title="Tackling loneliness in Aberdeen").sessions.add(session)
    client.force_login(viewer)

    response = client.get(session.get_absolute_url())

    assert _session_projects(response) == []
    assert "No projects recorded from this session yet." in response.text


def test_session_page_without_projects_says_so_and_offers_to_record_one(client, lead, partnership):
    session = SessionFactory(partnership=partnership)
    client.force_login(lead)

    response = client.get(session.get_absolute_url())

    assert _session_projects(response) == []
    assert "No projects recorded from this session yet." in response.text
    assert f'href="{_create_url(session=session.pk)}">record a project from this session</a>' in response.text


@pytest.mark.parametrize("count", [1, 3])
def test_session_page_projects_query_count_constant(client, lead, partnership, django_assert_num_queries, count):
    session = SessionFactory(partnership=partnership)
    for _ in range(count):
        ProjectFactory(partnership=partnership).sessions.add(session)
    client.force_login(lead)

    # session, user, the session and role, can() x2, register count (no page: it is empty), mix x2,
    # facilitators, facilitating organisations, the add form's organisations, its questionnaires and the templates
    # the set-up form offers, then the projects: one query
    with django_assert_num_queries(16):
        response = client.get(session.get_absolute_url())

    assert len(_session_projects(response)) == count


# --- ALLIANCE staff ---


def test_alliance_staff_read_another_partnerships_project_but_cannot_change_it(client, alliance, partnership):
    project = ProjectFactory(partnership=partnership, title="Inter-generational early intervention")
    client.force_login(alliance)

    page = client.get(project.get_absolute_url())
    edit = client.get(reverse("projects:project-edit", args=[project.pk]))

    assert page.context["project"] == project
    assert page.context["can_write"] is False
    assert edit.status_code == 403


def test_alliance_staff_who_lead_a_partnership_write_its_projects(client, alliance, partnership):
    MembershipFactory(user=alliance, partnership=partnership, role=Role.LEAD)
    project = ProjectFactory(partnership=partnership)
    client.force_login(alliance)

    response = client.post(reverse("projects:learning-add", args=[project.pk]), {"text": "Local leadership matters."})

    assert response.url == project.get_absolute_url()
    assert [p.text for p in project.learning_points.all()] == ["Local leadership matters."]


@pytest.mark.parametrize("name", ["projects:project-detail", "projects:project-edit", "projects:project-stage"])
def test_unknown_project_is_404(client, lead, name):
    client.force_login(lead)

    assert client.get(reverse(name, args=[999999])).status_code == 404


def test_project_create_in_a_partnership_alliance_staff_only_read_is_403(client, alliance, partnership):
    client.force_login(alliance)

    response = client.get(_create_url(partnership=partnership.pk))

    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_project_detail_query_count_constant(client, viewer, partnership, django_assert_num_queries, count):
    project = ProjectFactory(partnership=partnership)
    for number in range(count):
        ProjectPartnerFactory(project=project)
        DataPointFactory(measure=MeasureFactory(project=project), date=DAY)
        PdsaCycleFactory(project=project)
        services.progress_update_add(project=project, author=viewer, date=DAY, text=f"Update {number}")
        project.sessions.add(SessionFactory(partnership=partnership))
    client.force_login(viewer)

    # session, user, whether a second factor is due, project, role, partners, modes, sessions, priorities,
    # timeline, updates, learning points, PDSA cycles, measures, their points, their phases, can write (role)
    with django_assert_num_queries(17):
        response = client.get(project.get_absolute_url())

    assert len(response.context["charts"]) == len(response.context["partners"]) == count
