"""The demo's projects: the source's seven, linked to their sessions, with partners, timelines and a run chart that
signals, moved to recent dates; and illustrative ones in every demo partnership."""

import datetime
import io

from django.utils import timezone

from coprod import demo as coprod_demo
from projects import demo, selectors
from projects.demo import LASTED, PHASE_REASON
from projects.models import DataPoint, MeasurePhase, Project, ProjectFollowUp, StageChange
from workshops import demo as workshops_demo

STORY = {spec["title"] for spec in demo.PROJECTS}


def _seed_all():
    coprod_demo.seed(password="demo-password", stdout=io.StringIO())
    workshops_demo.seed(password="demo-password", stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(password="demo-password", stdout=out)
    return out.getvalue()


def test_demo_seeds_the_seven_projects_with_signals(db):
    output = _seed_all()

    projects = list(Project.objects.filter(title__in=STORY).select_related("partnership"))
    projects.sort(key=lambda p: (p.partnership.name, p.title))
    assert [(p.partnership.council_area, p.title, p.stage) for p in projects] == [
        ("Aberdeen City", "Falls prevention in South Aberdeen", "testing"),
        ("Aberdeen City", "From residential home to community centre", "implementing"),
        ("Aberdeen City", "Living well with diabetes in North Aberdeen", "testing"),
        ("Aberdeen City", "Tackling loneliness in Central Aberdeen", "implementing"),
        ("North Ayrshire", "Inter-generational early intervention and prevention", "implementing"),
        ("North Ayrshire", "Kilwinning activity info-graphic", "implementing"),
        ("North Ayrshire", "Woodland View: from ward to community activities", "testing"),
    ]
    assert "Improvement projects: 7 added, 0 already there" in output
    north_ayrshire = [p for p in projects if p.partnership.council_area == "North Ayrshire"]
    assert {tuple(p.sessions.values_list("title", flat=True)) for p in north_ayrshire} == {
        ("Exploring New Ways of Working: North Ayrshire",)
    }
    for project in projects:
        assert project.partners.count() >= 4, project
        assert selectors.is_multi_agency(list(project.partners.select_related("organisation"))), project
        (measure,) = project.measures.all()
        assert 15 <= measure.points.count() <= 25, measure
        assert selectors.measure_chart(measure).signals, measure
        assert list(project.stage_changes.values_list("date", flat=True)) == sorted(
            project.stage_changes.values_list("date", flat=True)
        )
    learning = sorted(text for p in north_ayrshire for text in p.learning_points.values_list("text", flat=True))
    assert learning == [  # the source's three key learning points, one on each project
        "Everyone involved in the improvement process is an equal partner.",
        "Ongoing committed local leadership and support is essential for continued collaboration and sustainable "
        "improvement across the sectors.",
        "People involved in the systems are central to identifying, developing and progressing successful and "
        "sustainable improvements.",
    ]


def test_demo_projects_move_with_their_sessions_and_their_charts_are_current(db):
    _seed_all()
    today = timezone.localdate()
    shift = workshops_demo.story_shift(today)
    kilwinning = Project.objects.get(title="Kilwinning activity info-graphic")
    woodland = Project.objects.get(title="Woodland View: from ward to community activities")
    session = kilwinning.sessions.get()

    # The timeline keeps the source's spacing from the session; nothing is dated in the future.
    assert list(kilwinning.stage_changes.values_list("date", flat=True)) == [
        session.date,
        datetime.date(2018, 2, 21) + shift,
        datetime.date(2018, 4, 11) + shift,
        datetime.date(2018, 9, 5) + shift,
    ]
    assert kilwinning.aim.startswith(f"By {datetime.date(2019, 3, 15) + shift:%B %Y}, an info-graphic")
    # Each monthly series keeps its values and ends this month; Woodland View's figure for this month is not in yet.
    points = list(kilwinning.measures.get().points.values_list("date", "value"))
    assert [int(value) for _, value in points] == [9, 12, 10, 8, 11, 13, 10, 9, 12, 11, 10, 12, 16, 18, 17, 21, 19, 22]
    assert points[-1][0] == today.replace(day=1)
    assert woodland.measures.get().points.order_by("date").last().date < today.replace(day=1)
    # Its last update is more than 8 weeks old: a home page's reminder.
    assert woodland.updates.order_by("date").last().date < today - datetime.timedelta(weeks=8)
    assert DataPoint.objects.filter(date__gt=today).count() == StageChange.objects.filter(date__gt=today).count() == 0


def test_demo_illustrative_projects_vary_and_say_they_are_made_up(db):
    output = _seed_all()
    today = timezone.localdate()

    illustrative = list(Project.objects.exclude(title__in=STORY).select_related("partnership"))

    assert "Illustrative improvement projects (made-up figures): 12 added" in output
    assert {p.partnership.name for p in illustrative} == set(coprod_demo.PARTNERSHIPS)
    assert {p.stage for p in illustrative} == {
        "idea",
        "planning",
        "testing",
        "implementing",
        "sustaining",
        "spread",
        "closed",
    }
    assert all(p.aim.endswith(demo.ILLUSTRATIVE_NOTE) for p in illustrative)
    multi_agency = set(Project.objects.exclude(title__in=STORY).multi_agency().values_list("title", flat=True))
    assert 8 <= len(multi_agency) < len(illustrative)
    for project in illustrative:
        assert [session.notes for session in project.sessions.all()] == [workshops_demo.ILLUSTRATIVE_NOTES], project
        (measure,) = project.measures.all()
        assert measure.points.count() >= 4, project
        assert max(measure.points.values_list("date", flat=True)) <= today, project
    # North Ayrshire's newest project is up to date: an update in the last fortnight, this month's figure in.
    cafe = Project.objects.get(title="Three Towns carers' café")
    assert cafe.updates.order_by("date").last().date >= today - datetime.timedelta(weeks=2)
    assert cafe.measures.get().points.order_by("date").last().date == today.replace(day=1)


def test_demo_seed_twice_changes_nothing(db):
    _seed_all()
    counts = [Project.objects.count(), StageChange.objects.count(), DataPoint.objects.count()]

    output = io.StringIO()
    demo.seed(password="demo-password", stdout=output)

    assert [Project.objects.count(), StageChange.objects.count(), DataPoint.objects.count()] == counts
    assert "Improvement projects: 0 added, 7 already there" in output.getvalue()
    assert "Illustrative" not in output.getvalue()


def test_demo_shows_a_phase_after_a_tested_change_and_a_closed_project_that_lasted(db):
    _seed_all()

    phases = MeasurePhase.objects.select_related("measure")
    assert phases.exists() and {phase.reason for phase in phases} == {PHASE_REASON}
    assert all(phase.measure.points.filter(date__gte=phase.starts_on).count() >= 6 for phase in phases)
    assert list(ProjectFollowUp.objects.values_list("due", "outcome", "reason")) == [(6, "embedded", LASTED)]
