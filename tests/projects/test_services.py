"""Project services: the rules, bad input refused with a clear message, and nothing half-saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coprod.models import Sector
from projects import services
from projects.models import DataPoint, Project, ProjectMode, Stage, StageChange
from tests.factories import (
    DataPointFactory,
    LocalityFactory,
    MeasureFactory,
    OrganisationFactory,
    PriorityFactory,
    ProjectFactory,
    SessionFactory,
)

DAY = datetime.date(2026, 3, 12)


def _create(partnership, user, **overrides):
    arguments = {
        "partnership": partnership,
        "user": user,
        "title": "Kilwinning activity info-graphic",
        "topic": "physical_activity",
        "aim": "By June 2026, every GP practice in Kilwinning will hand out the info-graphic.",
        "started_on": DAY,
    }
    return services.project_create(**arguments | overrides)


def test_project_create_stores_the_record_and_starts_the_timeline(partnership, lead):
    locality = LocalityFactory(partnership=partnership, name="Kilwinning")
    session = SessionFactory(partnership=partnership, locality=locality)
    priority = PriorityFactory(partnership=partnership, title="Prevention and early intervention")

    project = _create(
        partnership,
        lead,
        locality=locality,
        sessions=[session],
        priorities=[priority],
        people_involved_count=4,
        people_involved_how="Two carers and two residents design the leaflet.",
        modes={"co_design": "Residents chose what goes on it.", "co_delivery": "  ", "co_assessment": ""},
    )

    project.refresh_from_db()
    assert (project.title, project.stage, project.locality, project.created_by) == (
        "Kilwinning activity info-graphic",
        Stage.IDEA,
        locality,
        lead,
    )
    assert list(project.sessions.all()) == [session]
    assert list(project.priorities.all()) == [priority]
    assert list(project.modes.values_list("mode", "how")) == [("co_design", "Residents chose what goes on it.")]
    assert list(project.stage_changes.values_list("from_stage", "to_stage", "date", "changed_by")) == [
        ("", Stage.IDEA, DAY, lead.pk)
    ]


def test_project_create_refuses_another_partnerships_session_and_saves_nothing(partnership, other_partnership, lead):
    theirs = SessionFactory(partnership=other_partnership, title="Aberdeen Lab")

    with pytest.raises(ValidationError) as error:
        _create(partnership, lead, sessions=[SessionFactory(partnership=partnership), theirs])

    assert error.value.message_dict == {"sessions": [f"Not a session of {partnership}: {theirs}."]}
    assert (Project.objects.count(), StageChange.objects.count(), ProjectMode.objects.count()) == (0, 0, 0)


def test_project_create_refuses_another_partnerships_priority_and_locality(partnership, other_partnership, lead):
    priority = PriorityFactory(partnership=other_partnership, title="Resilience")
    locality = LocalityFactory(partnership=other_partnership, name="Central")

    with pytest.raises(ValidationError) as error:
        _create(partnership, lead, priorities=[priority], locality=locality)

    assert error.value.message_dict == {
        "priorities": [f"Not a priority of {partnership}'s strategic plan: Resilience."],
        "locality": [f"Central is not a locality of {partnership}."],
    }
    assert not Project.objects.exists()


def test_project_create_refuses_an_empty_aim(partnership, lead):
    with pytest.raises(ValidationError) as error:
        _create(partnership, lead, aim="   \n ")

    assert error.value.message_dict == {"aim": [services.AIM_MISSING]}
    assert not Project.objects.exists()


def test_project_blank_aim_is_refused_by_the_database_too(partnership):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(partnership=partnership, title="No aim", topic="diabetes", aim="   ")


def test_project_create_refuses_a_title_taken_in_another_case(partnership, lead):
    _create(partnership, lead)

    with pytest.raises(ValidationError) as error:
        _create(partnership, lead, title="KILWINNING activity info-graphic")

    assert error.value.message_dict == {
        "title": [f"{partnership} already has a project called “KILWINNING activity info-graphic”."]
    }
    assert Project.objects.count() == 1


def test_project_create_other_topic_needs_its_name(partnership, lead):
    with pytest.raises(ValidationError) as error:
        _create(partnership, lead, topic="other")

    assert error.value.message_dict == {"topic_other": ["Name the topic, since it is not one of the list."]}


def test_project_update_changes_modes_and_links_but_not_the_stage(partnership, lead):
    project = _create(partnership, lead, modes={"co_design": "Residents chose.", "co_delivery": "Volunteers run it."})
    session = SessionFactory(partnership=partnership)

    services.project_update(
        project=project,
        title="Kilwinning info-graphic",
        topic="early_intervention",
        aim="A new aim.",
        sessions=[session],
        modes={"co_design": "Residents and carers chose.", "co_assessment": "Users review it each quarter."},
    )

    project.refresh_from_db()
    assert (project.title, project.topic, project.aim, project.stage) == (
        "Kilwinning info-graphic",
        "early_intervention",
        "A new aim.",
        Stage.IDEA,
    )
    assert list(project.sessions.all()) == [session]
    assert list(project.modes.order_by("mode").values_list("mode", "how")) == [
        ("co_assessment", "Users review it each quarter."),
        ("co_design", "Residents and carers chose."),
    ]


# --- Stages ---


def test_project_move_stage_forward_writes_the_change_with_the_stage(partnership, lead):
    project = _create(partnership, lead)

    change = services.project_move_stage(project=project, to_stage=Stage.TESTING, date=DAY, user=lead)

    project.refresh_from_db()
    assert project.stage == Stage.TESTING
    assert (change.from_stage, change.to_stage, change.date, change.changed_by, change.reason) == (
        Stage.IDEA,
        Stage.TESTING,
        DAY,
        lead,
        "",
    )


def test_project_move_stage_backwards_needs_a_reason_and_saves_nothing_without(partnership, lead):
    project = _create(partnership, lead)
    services.project_move_stage(project=project, to_stage=Stage.IMPLEMENTING, date=DAY, user=lead)

    with pytest.raises(ValidationError) as error:
        services.project_move_stage(project=project, to_stage=Stage.TESTING, date=DAY, user=lead, reason="  ")

    assert error.value.message_dict == {
        "reason": [
            "Moving back from implementing to testing needs a reason: say why, so the timeline tells the whole story."
        ]
    }
    project.refresh_from_db()
    assert project.stage == Stage.IMPLEMENTING
    assert list(project.stage_changes.values_list("to_stage", flat=True)) == [Stage.IDEA, Stage.IMPLEMENTING]


def test_project_move_stage_backwards_with_a_reason(partnership, lead):
    project = _create(partnership, lead)
    services.project_move_stage(project=project, to_stage=Stage.CLOSED, date=DAY, user=lead)

    services.project_move_stage(
        project=project, to_stage=Stage.PLANNING, date=DAY, user=lead, reason="New funding: reopened."
    )

    project.refresh_from_db()
    assert project.stage == Stage.PLANNING
    assert list(project.stage_changes.values_list("from_stage", "to_stage", "reason")) == [
        ("", Stage.IDEA, ""),
        (Stage.IDEA, Stage.CLOSED, ""),
        (Stage.CLOSED, Stage.PLANNING, "New funding: reopened."),
    ]


def test_project_move_stage_refuses_the_same_stage_and_dates_out_of_order(partnership, lead):
    project = _create(partnership, lead)

    with pytest.raises(ValidationError) as same:
        services.project_move_stage(project=project, to_stage=Stage.IDEA, date=DAY, user=lead)
    with pytest.raises(ValidationError) as earlier:
        services.project_move_stage(
            project=project, to_stage=Stage.PLANNING, date=DAY - datetime.timedelta(1), user=lead
        )
    with pytest.raises(ValidationError) as future:
        services.project_move_stage(
            project=project, to_stage=Stage.PLANNING, date=datetime.date.today() + datetime.timedelta(2), user=lead
        )

    assert same.value.message_dict == {"to_stage": ["The project is already at the idea stage."]}
    assert earlier.value.message_dict == {
        "date": ["The last stage change was on 12 March 2026: date this one on or after it."]
    }
    assert future.value.message_dict == {"date": ["A stage change cannot be dated in the future."]}
    assert project.stage_changes.count() == 1


def test_stage_change_to_the_same_stage_is_refused_by_the_database(partnership):
    project = ProjectFactory(partnership=partnership)

    with pytest.raises(IntegrityError), transaction.atomic():
        StageChange.objects.create(project=project, from_stage="idea", to_stage="idea", date=DAY)


# --- Partners ---


def test_project_set_partners_adds_changes_and_removes(partnership, lead):
    project = _create(partnership, lead)
    nhs = OrganisationFactory(name="NHS Ayrshire & Arran", sector=Sector.NHS)
    trust = OrganisationFactory(name="The Ayrshire Community Trust", sector=Sector.THIRD_SECTOR)
    club = OrganisationFactory(name="Kilwinning Community Sports Club", sector=Sector.COMMUNITY)
    services.project_set_partners(project=project, partners=[(nhs, "lead"), (trust, "partner")])

    services.project_set_partners(project=project, partners=[(trust, "lead"), (club, "supporter")])

    assert list(project.partners.values_list("organisation__name", "role")) == [
        ("The Ayrshire Community Trust", "lead"),
        ("Kilwinning Community Sports Club", "supporter"),
    ]


def test_project_set_partners_refuses_an_organisation_twice(partnership, lead):
    project = _create(partnership, lead)
    trust = OrganisationFactory(name="The Ayrshire Community Trust")

    with pytest.raises(ValidationError) as error:
        services.project_set_partners(project=project, partners=[(trust, "lead"), (trust, "partner")])

    assert error.value.messages == [
        "Each organisation takes part once: The Ayrshire Community Trust is listed more than once."
    ]
    assert not project.partners.exists()


def test_multi_agency_counts_distinct_sectors_in_sql(partnership, lead):
    one_sector = _create(partnership, lead, title="Only third sector")
    two_sectors = _create(partnership, lead, title="NHS and third sector")
    services.project_set_partners(
        project=one_sector,
        partners=[(OrganisationFactory(sector=Sector.THIRD_SECTOR), "lead"), (OrganisationFactory(), "partner")],
    )
    services.project_set_partners(
        project=two_sectors,
        partners=[(OrganisationFactory(sector=Sector.NHS), "lead"), (OrganisationFactory(), "partner")],
    )

    counts = dict(Project.objects.with_sector_count().values_list("title", "sector_count"))

    assert counts == {"Only third sector": 1, "NHS and third sector": 2}
    assert list(Project.objects.multi_agency().values_list("title", flat=True)) == ["NHS and third sector"]


# --- Progress ---


def test_progress_update_and_learning_point_refuse_blank_text(partnership, lead):
    project = ProjectFactory(partnership=partnership)

    with pytest.raises(ValidationError) as update:
        services.progress_update_add(project=project, author=lead, date=DAY, text=" ")
    with pytest.raises(ValidationError) as learning:
        services.learning_point_add(project=project, author=lead, text="")

    assert update.value.message_dict == {"text": ["Say what happened."]}
    assert learning.value.message_dict == {"text": ["Write the learning point."]}
    assert (project.updates.count(), project.learning_points.count()) == (0, 0)


# --- Measures and data points ---


def test_data_point_on_a_duplicate_date_is_refused_with_the_value_already_there(partnership):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    DataPointFactory(measure=measure, date=DAY, value=12)

    with pytest.raises(ValidationError) as error:
        services.data_point_add(measure=measure, date=DAY, value=Decimal(14))

    assert error.value.message_dict == {
        "date": ["There is already a value for 12 March 2026 (12): delete that one first if it was wrong."]
    }
    assert list(measure.points.values_list("value", flat=True)) == [Decimal(12)]


def test_data_point_duplicate_date_is_refused_by_the_database_too(partnership):
    point = DataPointFactory(measure=MeasureFactory(project=ProjectFactory(partnership=partnership)))

    with pytest.raises(IntegrityError), transaction.atomic():
        DataPoint.objects.create(measure=point.measure, date=point.date, value=1)


def test_data_points_add_is_all_or_nothing(partnership):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    DataPointFactory(measure=measure, date=DAY, value=12)
    later = DAY + datetime.timedelta(days=7)

    with pytest.raises(ValidationError) as error:
        services.data_points_add(measure=measure, points=[(later, 3), (DAY, 4)])

    assert error.value.messages == ["Only one value a date: 12 March 2026 would have two."]
    assert list(measure.points.values_list("date", flat=True)) == [DAY]


def test_measure_add_refuses_a_name_taken_in_the_project(partnership):
    project = ProjectFactory(partnership=partnership)
    services.measure_add(project=project, name="People discharged to a community activity", direction="higher")

    with pytest.raises(ValidationError) as error:
        services.measure_add(project=project, name="people  discharged to a community activity", direction="higher")

    assert error.value.message_dict == {
        "name": ["This project already has a measure called “people discharged to a community activity”."]
    }
    assert project.measures.count() == 1


def test_data_point_in_the_future_is_refused(partnership):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))

    with pytest.raises(ValidationError) as error:
        services.data_point_add(measure=measure, date=datetime.date.today() + datetime.timedelta(days=2), value=3)

    assert error.value.message_dict == {"date": ["A data point cannot be dated in the future."]}
    assert not measure.points.exists()
