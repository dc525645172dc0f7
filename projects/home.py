"""Home panels about improvement projects (registered in ProjectsConfig.ready(); see coprod.panels).

Each builder takes `home` (coprod.views.Home) and returns a Panel, or None where the person has nothing here.
"""

import datetime

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate

from coprod.panels import Panel
from projects import follow_up as lasting
from projects.models import DataPoint, Measure, ProgressUpdate, Project, Stage

QUIET_WEEKS = 8  # an open project with no progress update for this long is followed up
MAX_ROWS = 10
LATEST_MAX = 5


def _with_last_news(projects):
    """Each project's latest progress update's date (`last_update`), or else the day it was recorded (`last_news`)."""
    last_update = ProgressUpdate.objects.filter(project_id=OuterRef("pk")).order_by("-date").values("date")[:1]
    return projects.annotate(last_update=Subquery(last_update)).annotate(
        last_news=Coalesce(F("last_update"), TruncDate("created_at"))
    )


def follow_up(*, home):
    """Where the person leads: open projects with no progress update for QUIET_WEEKS weeks (counting from the day
    the project was recorded when it has none), or with a measure that has no data point this month; and closed
    projects whose "Did it last?" question is due (projects.follow_up), the longest due first."""
    if not home.leads:
        return None
    month_start = home.today.replace(day=1)
    quiet_since = home.today - datetime.timedelta(weeks=QUIET_WEEKS)
    this_month = DataPoint.objects.filter(measure_id=OuterRef("pk"), date__gte=month_start)
    quiet_measures = (
        Measure.objects.filter(project_id=OuterRef("pk"))
        .exclude(Exists(this_month))
        .order_by()
        .values("project_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    needs = Q(last_news__lte=quiet_since) | Q(quiet_measures__gt=0)
    rows = list(
        _with_last_news(Project.objects.filter(partnership__in=home.leads).exclude(stage=Stage.CLOSED))
        .annotate(quiet_measures=Coalesce(Subquery(quiet_measures), 0))
        .annotate(needs=Case(When(needs, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .select_related("partnership")
        # The projects to follow up first, the longest without news first; then one project that needs nothing,
        # if any, so that the empty state can tell "all up to date" from "no open project yet".
        .order_by("-needs", "last_news", "pk")[: MAX_ROWS + 1]
    )
    projects = [project for project in rows if project.needs]
    for project in projects:
        project.quiet = project.last_news <= quiet_since
    questions = lasting.due_questions(partnerships=home.leads, today=home.today, limit=MAX_ROWS + 1)
    return Panel(
        template="projects/_home_follow_up.html",
        context={
            "projects": projects[:MAX_ROWS],
            "more": len(projects) > MAX_ROWS,
            "any_open": bool(rows),
            "weeks": QUIET_WEEKS,
            "month_start": month_start,
            "lead_in": home.leads,
            "questions": questions[:MAX_ROWS],
            "more_questions": len(questions) > MAX_ROWS,
        },
    )


def latest_projects(*, home):
    """Where the person is a viewer: the projects with the latest news, read only."""
    if not home.viewers:
        return None
    projects = list(
        _with_last_news(Project.objects.filter(partnership__in=home.viewers))
        .select_related("partnership")
        .order_by("-last_news", "-pk")[:LATEST_MAX]
    )
    return Panel(
        template="projects/_home_latest.html",
        context={"projects": projects, "view_in": home.viewers},
    )
