"""The dashboard's "What came of it" section: improvement projects by stage and mode, and whether closed ones
lasted (their answers to "Did it last?", projects/follow_up.py), per partnership.

A panel (coprod.panels), counted in one grouped query. Under a session filter (dates, kind, programme, locality),
the projects are those that came out of a session it selects; without one, every project. Projects are counts of
projects, not of people: no small-numbers rule applies.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from coprod.models import Partnership
from coprod.panels import NATIONAL_NAME, Panel
from projects import follow_up
from projects.models import (
    MULTI_AGENCY_SECTORS,
    FollowUpDue,
    FollowUpOutcome,
    Project,
    ProjectMode,
    ProjectPartner,
    Stage,
    StarMode,
)
from workshops import selectors


@dataclass
class ProjectRow:
    label: str
    counts: dict = field(
        default_factory=dict
    )  # total, multi_agency, stage_<stage>, mode_<mode>, lasted_<due>_<outcome>
    held: int = 0  # sessions held in the scope
    is_total: bool = False

    @property
    def stages(self):
        return [self.counts.get(f"stage_{stage}", 0) for stage in Stage.values]

    @property
    def modes(self):
        return [self.counts.get(f"mode_{mode}", 0) for mode in StarMode.values]

    @property
    def lasted(self):
        """follow_up.Lasted for each question: how many projects answered, and how many gave each answer."""
        return follow_up.lasted(
            {
                (due, outcome): self.counts.get(follow_up.dashboard_key(due, outcome), 0)
                for due in FollowUpDue.values
                for outcome in FollowUpOutcome.values
            }
        )

    @property
    def multi_agency_share(self):
        total = self.counts.get("total", 0)
        return 100 * self.counts.get("multi_agency", 0) / total if total else None

    @property
    def per_session(self):
        return self.counts.get("total", 0) / self.held if self.held else None


def _counts(filters):
    """{partnership id: {total, multi_agency, stage_..., mode_...}}: one grouped query."""
    projects = Project.objects.all()
    session_q = selectors.session_filter(filters, "session__")
    if session_q:
        links = Project.sessions.through.objects.filter(session_q, project=OuterRef("pk"))
        projects = projects.filter(Exists(links))
    multi_agency = (
        ProjectPartner.objects.order_by()
        .values("project")
        .annotate(sectors=Count("organisation__sector", distinct=True))
        .filter(sectors__gte=MULTI_AGENCY_SECTORS)
        .values("project")
    )
    counts = {"total": Count("pk"), "multi_agency": Count("pk", filter=Q(pk__in=multi_agency))}
    counts |= {f"stage_{stage}": Count("pk", filter=Q(stage=stage)) for stage in Stage.values}
    counts |= {
        f"mode_{mode}": Count("pk", filter=Q(Exists(ProjectMode.objects.filter(project=OuterRef("pk"), mode=mode))))
        for mode in StarMode.values
    }
    counts |= follow_up.dashboard_counts()
    rows = projects.values("partnership_id").annotate(**counts).order_by()
    return {row.pop("partnership_id"): row for row in rows}


def outcomes(*, scope):
    counts = _counts(scope.filters)
    held = {}
    for row in selectors.sessions_held(filters=scope.filters, period=scope.period):
        held[row["partnership_id"]] = held.get(row["partnership_id"], 0) + row["held"]
    names = {
        partnership.pk: partnership.short_name
        for partnership in Partnership.objects.filter(pk__in=set(counts) | set(held)).only("name", "council_area")
    }
    national = ProjectRow(NATIONAL_NAME, is_total=True, held=sum(held.values()))
    for row in counts.values():
        for name, value in row.items():
            national.counts[name] = national.counts.get(name, 0) + value
    if scope.partnership:
        pk = scope.partnership.pk
        rows = [ProjectRow(scope.name, counts.get(pk, {}), held.get(pk, 0))]
    else:
        rows = sorted(
            (ProjectRow(names[pk], counts.get(pk, {}), held.get(pk, 0)) for pk in names), key=lambda row: row.label
        )
    table = [*rows, national]
    return Panel(
        template="projects/_dashboard_projects.html",
        context={
            "rows": table,
            "stages": Stage.labels,
            "modes": StarMode.labels,
            "sectors": MULTI_AGENCY_SECTORS,
            "questions": FollowUpDue.labels,
            "outcomes": FollowUpOutcome.labels,
        },
        csv_rows=_csv(table),
    )


def _csv(table):
    lines = []
    for row in table:

        def line(figure, category, value, label=row.label):
            return ("What came of it", label, "whole period", figure, category, value)

        lines.append(line("Improvement projects", "All", row.counts.get("total", 0)))
        lines.append(line("Improvement projects", "Multi-agency", row.counts.get("multi_agency", 0)))
        lines += [
            line("Improvement projects by stage", label, n) for label, n in zip(Stage.labels, row.stages, strict=True)
        ]
        lines += [
            line("Improvement projects by mode", label, n) for label, n in zip(StarMode.labels, row.modes, strict=True)
        ]
        per_session = row.per_session
        lines.append(line("Projects per session held", "", "" if per_session is None else round(per_session, 2)))
        for question in row.lasted:
            figure = f"Did it last? {question.label}"
            lines.append(line(figure, "Answered", question.answered))
            lines += [line(figure, label, n) for label, n in question.outcomes]
    return lines
