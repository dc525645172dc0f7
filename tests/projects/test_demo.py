"""The demo's seven projects: linked to their sessions, with partners, timelines and a run chart that signals."""

import io

from coprod import demo as coprod_demo
from projects import demo, selectors
from projects.models import DataPoint, Project, StageChange
from workshops import demo as workshops_demo


def _seed_all():
    coprod_demo.seed(password="demo-password", stdout=io.StringIO())
    workshops_demo.seed(password="demo-password", stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(password="demo-password", stdout=out)
    return out.getvalue()


def test_demo_seeds_the_seven_projects_with_signals(db):
    output = _seed_all()

    projects = list(Project.objects.select_related("partnership").order_by("partnership__name", "title"))
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


def test_demo_seed_twice_changes_nothing(db):
    _seed_all()
    counts = [Project.objects.count(), StageChange.objects.count(), DataPoint.objects.count()]

    output = io.StringIO()
    demo.seed(password="demo-password", stdout=output)

    assert [Project.objects.count(), StageChange.objects.count(), DataPoint.objects.count()] == counts
    assert "Improvement projects: 0 added, 7 already there" in output.getvalue()
