"""Home panels about sessions and their registers (registered in WorkshopsConfig.ready(); see coprod.panels).

Each builder takes `home` (coprod.views.Home) and returns a Panel, or None where the person has nothing here.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q

from coprod.panels import Panel
from workshops.models import Attendance, AttendanceStatus, Session, SessionStatus

REGISTER_WEEKS = 8  # a register left unmarked for longer is not asked about any more
MAX_ROWS = 10


def sessions_run_by(home):
    """A Q over the sessions the person runs: every session of a partnership they lead; where they are a
    facilitator, the sessions that name them as one, or that they logged."""
    named = Session.facilitators.through.objects.filter(session_id=OuterRef("pk"), user_id=home.user.pk)
    return Q(partnership__in=home.leads) | (
        Q(partnership__in=home.facilitates) & (Q(Exists(named)) | Q(created_by=home.user))
    )


def runs_note(home):
    """Which sessions the panels count as the person's, in words."""
    parts = []
    if home.leads:
        parts.append(f"every session of {_names(home.leads)}")
    if home.facilitates:
        where = f" in {_names(home.facilitates)}" if home.leads or home.several else ""
        parts.append(f"the sessions you facilitate or logged{where}")
    return " and ".join(parts)


def _names(partnerships):
    names = [partnership.name for partnership in partnerships]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def ended(home):
    """A Q over sessions whose end time has gone by (as on the session list)."""
    return Q(date__lt=home.today) | Q(date=home.today, end_time__lte=home.now.time())


def registers_to_mark(*, home):
    """Sessions held in the last REGISTER_WEEKS weeks where nobody is marked as attended yet: for those who run them."""
    if not home.writers:
        return None
    since = home.today - datetime.timedelta(weeks=REGISTER_WEEKS)
    attended = Attendance.objects.filter(session_id=OuterRef("pk"), status=AttendanceStatus.ATTENDED)
    sessions = list(
        Session.objects.filter(sessions_run_by(home))
        .filter(ended(home), date__gte=since)
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(Exists(attended))
        .select_related("partnership")
        .annotate(registered=Count("attendances"))
        .order_by("-date", "-start_time", "-pk")[: MAX_ROWS + 1]
    )
    return Panel(
        template="workshops/_home_registers.html",
        context={
            "sessions": sessions[:MAX_ROWS],
            "more": len(sessions) > MAX_ROWS,
            "weeks": REGISTER_WEEKS,
            "runs": runs_note(home),
        },
    )
