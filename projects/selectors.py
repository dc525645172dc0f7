"""Reads reused across views: the registers, the summary and a measure's run chart."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Lower

from coprod.models import Partnership
from projects import runchart, spc
from projects.models import (
    MULTI_AGENCY_SECTORS,
    STAGE_ORDER,
    ChartType,
    Direction,
    Measure,
    ProgressUpdate,
    Project,
    ProjectMode,
    ProjectPartner,
    Stage,
    StarMode,
)
from workshops.models import Session
from workshops.selectors import session_filter

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


def from_sessions(partnership, filters):
    """`partnership`'s projects that came out of its sessions under `filters` (a board paper's period), most
    advanced first: titles and stages only."""
    links = Project.sessions.through.objects.filter(session_filter(filters, "session__"), project=OuterRef("pk"))
    projects = Project.objects.filter(Exists(links), partnership=partnership).only("pk", "title", "stage")
    stage_order = Case(*(When(stage=stage, then=position) for stage, position in STAGE_ORDER.items()))
    return projects.order_by(stage_order.desc(), Lower("title"))


def shown_at_session(session):
    """The projects from `session` shown to the people at its sessions, with their latest update's date and text
    and nothing else: one query."""
    latest = ProgressUpdate.objects.filter(project=OuterRef("pk")).order_by("-date", "-pk")
    projects = register_projects(projects=Project.objects.filter(shown_to_attendees=True), filters={"session": session})
    return (
        projects.only("pk", "title", "stage", "aim")
        .annotate(
            latest_update_date=Subquery(latest.values("date")[:1]),
            latest_update_text=Subquery(latest.values("text")[:1]),
        )
        .order_by(Lower("title"), "pk")
    )


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


def measure_charts(project, cycles):
    """Each of the project's measures as a small chart, marked with `cycles` (the project's PDSA cycles): three
    queries (measures, points, phases) however many measures there are."""
    measures = project.measures.prefetch_related("points", "phases")
    return [measure_chart(measure, cycles=cycles, compact=True) for measure in measures]


# --- Charts: run charts (IHI rules) and XmR charts (Making Data Count rules), in phases, with markers ---

RULE_LABELS = {
    runchart.SHIFT: "Shift",
    runchart.TREND: "Trend",
    runchart.RUNS: "Runs",
    runchart.ASTRONOMICAL: "Astronomical point",
    spc.OUTSIDE: "Outside the process limits",
    spc.TWO_OF_THREE: "Two of three near a limit",
}
BETTER = {Direction.HIGHER: {runchart.ABOVE, runchart.UP}, Direction.LOWER: {runchart.BELOW, runchart.DOWN}}
RULES = {ChartType.RUN: runchart.analyse, ChartType.XMR: spc.analyse}
# A small multiple: fewer units across, so that its text stays legible drawn small, and fewer date labels.
COMPACT = {"width": 420, "height": 240, "date_labels": 4}


@dataclass
class ChartSignal:
    rule: str
    direction: str
    count: int
    first: object = None  # the data points it starts and ends with
    last: object = None
    better: bool | None = None  # in the direction the measure wants; None for the runs rule
    phase: int = 1

    @property
    def label(self):
        return RULE_LABELS[self.rule]


@dataclass
class ChartPhase:
    """A phase of a measure's chart; the first one has no MeasurePhase row and starts with the first value."""

    number: int
    row: object  # the MeasurePhase, or None for the first phase
    points: list
    analysis: object
    signals: list
    rows: list = field(default_factory=list)  # its lines of the data table

    @property
    def starts_on(self):
        return self.row.starts_on if self.row else (self.points[0].date if self.points else None)


@dataclass
class ChartMarker:
    """A PDSA cycle (on its do date, or plan date until done) or a value with a note, numbered on the chart."""

    number: int
    date: object
    cycle: object = None
    point: object = None
    drawn: bool = True


@dataclass
class Chart:
    measure: Measure
    points: list
    phases: list
    layout: dict | None
    signals: list
    rows: list
    markers: list = field(default_factory=list)

    min_points_for_astronomical = runchart.MIN_POINTS_FOR_ASTRONOMICAL

    @property
    def is_xmr(self):
        return self.measure.chart_type == ChartType.XMR

    @property
    def rule_set(self):
        return ChartType(self.measure.chart_type).label

    @property
    def baseline_points(self):
        return self.measure.baseline_points or runchart.BASELINE_POINTS

    @property
    def analysis(self):
        """The first phase's analysis: the whole chart's while there is one phase."""
        return self.phases[0].analysis

    @property
    def charted_phases(self):
        return [phase for phase in self.phases if phase.points]


def chart_markers(points, cycles):
    """The numbered markers of a chart, in date order: PDSA cycles (on the day they were carried out, or planned
    while not yet done) and values with a note. Those outside the charted dates are listed but not drawn."""
    found = [(cycle.do_date or cycle.plan_date, 0, cycle.pk, {"cycle": cycle}) for cycle in cycles]
    found += [(point.date, 1, point.pk, {"point": point}) for point in points if point.note]
    found.sort(key=lambda item: item[:3])
    first, last = (points[0].date, points[-1].date) if points else (None, None)
    return [
        ChartMarker(number=number, date=day, drawn=bool(points) and first <= day <= last, **which)
        for number, (day, _order, _pk, which) in enumerate(found, start=1)
    ]


def measure_chart(measure, cycles=None, compact=False):
    """The analysis, the drawing and the data table of a measure's chart, phase by phase.

    Its points and phases are the measure's own, prefetched or not; `cycles` (the project's PDSA cycles) default
    to its project's.
    """
    points = list(measure.points.all())
    started = list(measure.phases.all())  # MeasurePhase rows: phase 2 on
    cycles = list(measure.project.pdsa_cycles.all() if cycles is None else cycles)
    dates = [point.date for point in points]
    bounds = runchart.phase_bounds(dates, [row.starts_on for row in started])
    analysed = runchart.analyse_phases(
        [point.value for point in points],
        bounds,
        baseline_points=measure.baseline_points or runchart.BASELINE_POINTS,
        rules=RULES[measure.chart_type],
    )
    wanted = BETTER[measure.direction]
    flags = runchart.phase_flags(analysed)
    rows = [
        {"number": index + 1, "point": point, "flags": [RULE_LABELS[rule] for rule in flags[index]]}
        for index, point in enumerate(points)
    ]
    phases, signals = [], []
    for number, (row, phase) in enumerate(zip([None, *started], analysed, strict=True), start=1):
        phase_signals = [
            ChartSignal(
                rule=signal.rule,
                direction=signal.direction,
                count=len(signal.indices),
                first=points[signal.indices[0]] if signal.indices else None,
                last=points[signal.indices[-1]] if signal.indices else None,
                better=None if signal.rule == runchart.RUNS else signal.direction in wanted,
                phase=number,
            )
            for signal in phase.signals()
        ]
        phases.append(
            ChartPhase(
                number=number,
                row=row,
                points=points[phase.first : phase.stop],
                analysis=phase.analysis,
                signals=phase_signals,
                rows=rows[phase.first : phase.stop],
            )
        )
        signals += phase_signals
    markers = chart_markers(points, cycles)
    layout = runchart.draw(
        analysed,
        dates=dates,
        target=measure.target,
        markers=[marker.date for marker in markers],
        **(COMPACT if compact else {}),
    )
    for label in layout["x_labels"] if layout else []:
        label["date"] = points[label["index"]].date
    return Chart(
        measure=measure,
        points=points,
        phases=phases,
        layout=layout,
        signals=signals,
        rows=rows,
        markers=markers,
    )
