"""Reads reused across views: the registers, the summary and a measure's run chart."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower

from coprod.models import Partnership
from projects import runchart
from projects.models import (
    MULTI_AGENCY_SECTORS,
    Direction,
    Measure,
    Project,
    ProjectMode,
    ProjectPartner,
    Stage,
    StarMode,
)
from workshops.models import Session

# --- Registers ---


def register_projects(*, projects, filters):
    """`projects` narrowed by the register's cleaned filters; each filter on a related row is a subquery,
    so that it neither repeats a project nor disturbs the counts `for_list` annotates."""
    if filters.get("q"):
        projects = projects.filter(title__icontains=filters["q"])
    if filters.get("stage"):
        projects = projects.filter(stage=filters["stage"])
    if filters.get("topic"):
        projects = projects.filter(topic=filters["topic"])
    if filters.get("partnership"):
        projects = projects.filter(partnership=filters["partnership"])
    if filters.get("locality"):
        projects = projects.filter(locality=filters["locality"])
    if filters.get("mode"):
        projects = projects.filter(pk__in=ProjectMode.objects.filter(mode=filters["mode"]).values("project"))
    if filters.get("sector"):
        partners = ProjectPartner.objects.filter(organisation__sector=filters["sector"])
        projects = projects.filter(pk__in=partners.values("project"))
    if filters.get("session"):
        projects = projects.filter(
            pk__in=Project.sessions.through.objects.filter(session=filters["session"]).values("project")
        )
    return projects


def register_for_export(projects):
    """The register with what each CSV row shows: partners with their organisations, and sessions."""
    return projects.prefetch_related(
        Prefetch("partners", queryset=ProjectPartner.objects.select_related("organisation")),
        Prefetch("sessions", queryset=Session.objects.order_by("date", "pk")),
    )


# --- Summary ---


def summary_rows(*, user):
    """Per partnership the user sees: projects by stage, how many are multi-agency, and the modes used.

    One grouped query whatever the number of partnerships and projects.
    """
    multi_agency = (
        ProjectPartner.objects.order_by()
        .values("project")
        .annotate(sectors=Count("organisation__sector", distinct=True))
        .filter(sectors__gte=MULTI_AGENCY_SECTORS)
        .values("project")
    )
    counts = {
        "total": Count("projects", distinct=True),
        "multi_agency": Count("projects", filter=Q(projects__in=multi_agency), distinct=True),
    }
    for stage in Stage:
        counts[f"stage_{stage}"] = Count("projects", filter=Q(projects__stage=stage), distinct=True)
    for mode in StarMode:
        counts[f"mode_{mode}"] = Count("projects", filter=Q(projects__modes__mode=mode), distinct=True)
    rows = Partnership.objects.visible_to(user).annotate(**counts).order_by(Lower("name"))
    return [
        {
            "partnership": row,
            "total": row.total,
            "multi_agency": row.multi_agency,
            "stages": [getattr(row, f"stage_{stage}") for stage in Stage],
            "modes": [getattr(row, f"mode_{mode}") for mode in StarMode],
        }
        for row in rows
    ]


def summary_totals(rows):
    if not rows:
        return None
    return {
        "total": sum(row["total"] for row in rows),
        "multi_agency": sum(row["multi_agency"] for row in rows),
        "stages": [sum(values) for values in zip(*(row["stages"] for row in rows), strict=True)],
        "modes": [sum(values) for values in zip(*(row["modes"] for row in rows), strict=True)],
    }


# --- A project's page ---


def is_multi_agency(partners):
    return len({partner.organisation.sector for partner in partners}) >= MULTI_AGENCY_SECTORS


def measures_with_points(project):
    return list(project.measures.prefetch_related("points"))


# --- Run charts ---

RULE_LABELS = {
    runchart.SHIFT: "Shift",
    runchart.TREND: "Trend",
    runchart.RUNS: "Runs",
    runchart.ASTRONOMICAL: "Astronomical point",
}
BETTER = {Direction.HIGHER: {runchart.ABOVE, runchart.UP}, Direction.LOWER: {runchart.BELOW, runchart.DOWN}}


@dataclass
class ChartSignal:
    rule: str
    direction: str
    count: int
    first: object = None  # the data points it starts and ends with
    last: object = None
    better: bool | None = None  # in the direction the measure wants; None for the runs rule

    @property
    def label(self):
        return RULE_LABELS[self.rule]


@dataclass
class Chart:
    measure: Measure
    points: list
    analysis: runchart.Analysis
    layout: dict | None
    signals: list
    rows: list

    @property
    def runs_rule_applies(self):
        return self.analysis.runs_limits is not None


def measure_chart(measure, points=None):
    """The analysis, the drawing and the data table of a measure's run chart."""
    points = list(measure.points.all() if points is None else points)
    analysis = runchart.analyse([point.value for point in points])
    wanted = BETTER[measure.direction]
    signals = [
        ChartSignal(
            rule=signal.rule,
            direction=signal.direction,
            count=len(signal.indices),
            first=points[signal.indices[0]] if signal.indices else None,
            last=points[signal.indices[-1]] if signal.indices else None,
            better=None if signal.rule == runchart.RUNS else signal.direction in wanted,
        )
        for signal in analysis.signals
    ]
    rows = [
        {"number": index + 1, "point": point, "flags": [RULE_LABELS[rule] for rule in analysis.flags[index]]}
        for index, point in enumerate(points)
    ]
    layout = runchart.layout(analysis, target=measure.target)
    for label in layout["x_labels"] if layout else []:
        label["date"] = points[label["index"]].date
    return Chart(
        measure=measure,
        points=points,
        analysis=analysis,
        layout=layout,
        signals=signals,
        rows=rows,
    )
