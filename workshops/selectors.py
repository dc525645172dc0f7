"""Workshops selectors."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower, TruncQuarter, TruncYear

from coprod.models import Organisation, Sector
from workshops.models import (
    AHP_ROLES,
    Attendance,
    AttendanceStatus,
    Attendee,
    AttendeeRole,
    Certificate,
    Programme,
    Session,
    SessionStatus,
)

# --- Sessions and attendance ---


def session_filter(filters, prefix=""):
    """A Q over sessions (or, with prefix "session__", over rows that belong to a session) for the filters."""
    q = Q()
    if filters.get("date_from"):
        q &= Q(**{f"{prefix}date__gte": filters["date_from"]})
    if filters.get("date_to"):
        q &= Q(**{f"{prefix}date__lte": filters["date_to"]})
    for name in ("partnership", "kind", "programme", "locality"):
        if filters.get(name):
            q &= Q(**{f"{prefix}{name}": filters[name]})
    return q


def sessions_for_list(*, user, today, now):
    """The sessions the user can see, with counts, upcoming ones first (soonest first), then past (latest first).

    `today` and `now` are Europe/London: a session is past once its end time has gone by.
    """
    past = Q(date__lt=today) | Q(date=today, end_time__lte=now)
    return (
        Session.objects.visible_to(user)
        .for_list()
        .annotate(is_past=Case(When(past, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .order_by(
            "is_past",
            Case(When(is_past=False, then=F("date"))).asc(),
            Case(When(is_past=False, then=F("start_time"))).asc(),
            F("date").desc(),
            F("start_time").desc(),
            "pk",
        )
    )


def session_register(*, session):
    """The register's rows with everything a row shows, in one query."""
    return session.attendances.select_related("attendee__organisation").order_by(
        Lower("attendee__name"), "attendee__pk"
    )


def _mix(session, column, choices):
    rows = (
        session.attendances.order_by()
        .values(column)
        .annotate(
            registered=Count("pk"),
            attended=Count("pk", filter=Q(status=AttendanceStatus.ATTENDED)),
        )
    )
    labels = dict(choices)
    mix = [
        {"label": labels.get(row[column], row[column]), "registered": row["registered"], "attended": row["attended"]}
        for row in rows
    ]
    return sorted(mix, key=lambda row: (-row["attended"], -row["registered"], row["label"]))


def session_mix(*, session):
    """How multi-agency the room was: people per sector and per role, registered and attended (grouped in SQL)."""
    return {
        "sectors": _mix(session, "attendee__sector", Sector.choices),
        "roles": _mix(session, "attendee__role", AttendeeRole.choices),
    }


def attendees_for_list(*, user):
    """The partnership's people, each with how many sessions they are on and attended, in one query."""
    return (
        Attendee.objects.visible_to(user)
        .select_related("partnership", "organisation")
        .annotate(
            session_count=Count("attendances", distinct=True),
            attended_count=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ATTENDED), distinct=True),
        )
        .order_by(Lower("name"), "pk")
    )


def organisations_for_attendees(*, partnership, keep=None):
    """The organisations working in the partnership, then the national ones (working in no partnership in
    particular), in one query: never another partnership's own. `keep`: an organisation already chosen."""
    Link = Organisation.partnerships.through
    linked = Link.objects.filter(organisation=OuterRef("pk"), partnership=partnership)
    anywhere = Link.objects.filter(organisation=OuterRef("pk"))
    shown = Q(works_here=True) | ~Exists(anywhere)
    if keep is not None:
        shown |= Q(pk=keep)
    return Organisation.objects.annotate(works_here=Exists(linked)).filter(shown).order_by("-works_here", Lower("name"))


# --- Programmes and CPD certificates ---


def _count(queryset, group_by):
    """A correlated `SELECT COUNT(...)` subquery, 0 when nothing matches."""
    return Coalesce(Subquery(queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]), 0)


def programmes_for_list(*, user):
    """Programmes the user can see, with their counts of sessions, participants and completers, in one query.

    Sessions and the completion rule count held and planned sessions, never cancelled ones.
    Participants attended at least one session; completers attended at least `completion_threshold`.
    """
    attended = Attendance.objects.filter(status=AttendanceStatus.ATTENDED).exclude(
        session__status=SessionStatus.CANCELLED
    )
    sessions = Session.objects.filter(programme=OuterRef("pk")).exclude(status=SessionStatus.CANCELLED)
    participants = (
        attended.filter(session__programme=OuterRef("pk"))
        .order_by()
        .values("session__programme")
        .annotate(n=Count("attendee", distinct=True))
        .values("n")[:1]
    )
    sessions_attended = attended.filter(session__programme=OuterRef(OuterRef("pk")), attendee=OuterRef("pk"))
    completers = (
        Attendee.objects.filter(partnership=OuterRef("partnership"))
        .annotate(attended=_count(sessions_attended, "attendee"))
        .filter(attended__gte=OuterRef("completion_threshold"))
    )
    return (
        Programme.objects.visible_to(user)
        .select_related("partnership", "facilitating_organisation")
        .annotate(
            session_count=_count(sessions, "programme"),
            participant_count=Coalesce(Subquery(participants), 0),
            completer_count=_count(completers, "partnership"),
        )
        .order_by("partnership__name", "title")
    )


@dataclass
class GridRow:
    attendee: Attendee
    marks: list  # one AttendanceStatus value per grid session, "" where the person was not registered
    attended: int
    completed: bool


@dataclass
class ProgrammeGrid:
    """People by sessions for one programme, with the figures that answer "who completed?" at a glance."""

    sessions: list  # every session of the programme, cancelled ones included, in date order
    grid_sessions: list  # the columns: held and planned sessions
    rows: list
    threshold: int

    @property
    def session_count(self):
        return len(self.grid_sessions)

    @property
    def took_part(self):
        return sum(1 for row in self.rows if row.attended)

    @property
    def registered_only(self):
        return sum(1 for row in self.rows if not row.attended)

    @property
    def completed(self):
        return sum(1 for row in self.rows if row.completed)

    @property
    def certificate_count(self):
        """Completers who still have a name: an erased person's certificate would name nobody."""
        return sum(1 for row in self.rows if row.completed and row.attendee.erased_at is None)

    @property
    def all_or_all_but_one(self):
        if not self.grid_sessions:
            return 0
        return sum(1 for row in self.rows if row.attended >= max(self.session_count - 1, 1))

    @property
    def threshold_reachable(self):
        return self.threshold <= self.session_count


def programme_grid(*, programme):
    """The attendance grid in three queries (sessions, attendances, attendees), whatever its size."""
    sessions = list(programme.sessions.select_related("locality").order_by("date", "start_time", "pk"))
    grid_sessions = [session for session in sessions if session.status != SessionStatus.CANCELLED]
    column = {session.pk: number for number, session in enumerate(grid_sessions)}
    for session in sessions:
        session.attended_count = 0
        session.number = column[session.pk] + 1 if session.pk in column else None  # S1, S2 ... in the grid

    marks = {}
    by_pk = {session.pk: session for session in sessions}
    attendances = Attendance.objects.filter(session__programme=programme).values_list(
        "attendee_id", "session_id", "status"
    )
    for attendee_id, session_id, status in attendances:
        if status == AttendanceStatus.ATTENDED:
            by_pk[session_id].attended_count += 1
        if session_id in column:
            marks.setdefault(attendee_id, [""] * len(grid_sessions))[column[session_id]] = status

    attendees = Attendee.objects.filter(pk__in=list(marks)).select_related("organisation")
    rows = []
    for attendee in attendees:
        attended = marks[attendee.pk].count(AttendanceStatus.ATTENDED)
        rows.append(
            GridRow(
                attendee=attendee,
                marks=marks[attendee.pk],
                attended=attended,
                completed=attended >= programme.completion_threshold,
            )
        )
    # Completers first, then the most sessions attended; erased people (no name) last in their group.
    rows.sort(
        key=lambda row: (
            not row.completed,
            -row.attended,
            row.attendee.erased_at is not None,
            row.attendee.name.casefold(),
            row.attendee.pk,
        )
    )
    return ProgrammeGrid(
        sessions=sessions, grid_sessions=grid_sessions, rows=rows, threshold=programme.completion_threshold
    )


@dataclass
class Completion:
    """What a completer's certificate says: the sessions attended, the hours, and its issued row (number, note)."""

    programme: Programme
    attendee: Attendee
    sessions: list  # the sessions attended, in date order
    issued: Certificate | None = None  # None until a lead sends or prints it

    @property
    def hours(self):
        return len(self.sessions) * Decimal(self.programme.cpd_hours_per_session)

    @property
    def first_date(self):
        return self.sessions[0].date

    @property
    def last_date(self):
        return self.sessions[-1].date


def programme_certificates(*, programme, attendee_pk=None):
    """One certificate per completer whose identity was not erased, ordered by name, in one query."""
    attendances = (
        Attendance.objects.filter(
            session__programme=programme,
            status=AttendanceStatus.ATTENDED,
            attendee__partnership=programme.partnership,
            attendee__erased_at__isnull=True,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session", "attendee__organisation")
        .order_by("attendee__name", "attendee_id", "session__date", "session__start_time")
    )
    if attendee_pk is not None:
        attendances = attendances.filter(attendee_id=attendee_pk)
    certificates = {}
    for attendance in attendances:
        certificate = certificates.setdefault(
            attendance.attendee_id, Completion(programme=programme, attendee=attendance.attendee, sessions=[])
        )
        certificate.sessions.append(attendance.session)
    return [
        certificate
        for certificate in certificates.values()
        if len(certificate.sessions) >= programme.completion_threshold
    ]


def issued_certificates(*, programme, attendee_ids):
    """{attendee id: Certificate} of those already issued to these people for the programme, in one query."""
    issued = Certificate.objects.filter(programme=programme, attendee_id__in=list(attendee_ids))
    return {certificate.attendee_id: certificate for certificate in issued}


def certificate_for_check(*, number):
    """The certificate with this number, with what the public check shows, in one query; None if there is none."""
    return Certificate.objects.filter(number=number).select_related("programme__partnership", "attendee").first()


# --- Dashboard: sessions held and who came, grouped in SQL by partnership and period ---

# The attendee roles in the groups the dashboard counts (PRODUCT.md's vocabulary).
ROLE_GROUPS = {
    "ahp": ("AHP professions", AHP_ROLES),
    "social_care": ("Social care staff", [AttendeeRole.SOCIAL_CARE_STAFF]),
    "third_sector": ("Third sector staff and volunteers", [AttendeeRole.THIRD_SECTOR_STAFF, AttendeeRole.VOLUNTEER]),
    "lived_experience": ("People with lived experience", [AttendeeRole.LIVED_EXPERIENCE]),
    "unpaid_carer": ("Unpaid carers", [AttendeeRole.UNPAID_CARER]),
    "other": ("Other roles", [AttendeeRole.OTHER]),
}
PERIODS = {"year": TruncYear, "quarter": TruncQuarter}


def period_start(period, prefix=""):
    """The first day of the year or quarter of a session's date (or, with prefix "session__", a row's session's)."""
    return PERIODS[period](f"{prefix}date")


def period_label(day, period):
    return str(day.year) if period == "year" else f"{day.year} Q{(day.month - 1) // 3 + 1}"


def sessions_held(*, filters, period):
    """[{partnership_id, period, kind, held}] for the held sessions the filters select: one grouped query."""
    return list(
        Session.objects.filter(status=SessionStatus.HELD)
        .filter(session_filter(filters))
        .annotate(period=period_start(period))
        .values("partnership_id", "period", "kind")
        .annotate(held=Count("pk"))
        .order_by()
    )


def attendance_mix(*, filters, period):
    """[{partnership_id, period, attended, sector_<sector>..., role_<group>...}]: places taken at held sessions.

    A person at three sessions counts three times: the register says who came to each, not who they are across
    sessions. One grouped query.
    """
    counts = {"attended": Count("pk")}
    counts |= {f"sector_{sector}": Count("pk", filter=Q(attendee__sector=sector)) for sector in Sector.values}
    counts |= {
        f"role_{group}": Count("pk", filter=Q(attendee__role__in=roles)) for group, (_, roles) in ROLE_GROUPS.items()
    }
    return list(
        Attendance.objects.filter(status=AttendanceStatus.ATTENDED, session__status=SessionStatus.HELD)
        .filter(session_filter(filters, "session__"))
        .annotate(period=period_start(period, "session__"), partnership_id=F("session__partnership_id"))
        .values("partnership_id", "period")
        .annotate(**counts)
        .order_by()
    )
