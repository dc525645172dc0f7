"""Home panels about questionnaires and results (registered in SurveysConfig.ready(); see coprod.panels).

Each builder takes `home` (coprod.views.Home) and returns a Panel, or None where the person has nothing here.
Each costs a few queries, however many sessions, questionnaires and answers there are.
"""

import datetime

from django.db.models import Exists, F, OuterRef

from coprod.panels import Panel
from surveys.models import CLOSING_GRACE, Phase, Survey
from surveys.results import pooling
from surveys.results.figures import threshold
from workshops.home import runs_note, sessions_run_by
from workshops.models import Programme, Session, SessionStatus

NEXT_DAYS = 14  # "Today and next": today and the next two weeks ...
NEXT_MAX = 6  # ... at most this many sessions
OPEN_MAX = 10
LATEST_SESSIONS = 3  # the latest sessions with released results ...
HEADLINES_PER_SESSION = 2  # ... with the first headlines of each one's debrief
PROGRAMMES_MAX = 5  # programmes whose results are one click away; the rest from "Programmes"

PHASE_WORDS = {Phase.PRE: "before", Phase.POST: "after"}


def _by_phase(surveys):
    """The surveys in questionnaire order: before, then after."""
    return sorted(surveys, key=lambda survey: survey.phase != Phase.PRE)


def _describe(survey, home, *, paper):
    """What a row says and offers for one questionnaire: its state, its count and its links."""
    survey.word = PHASE_WORDS[survey.phase]
    survey.current_state = survey.state(home.now)
    survey.released = survey.is_released(home.now)
    survey.release_time = survey.closing_moment + CLOSING_GRACE if survey.closing_moment else None
    survey.paper = paper and not survey.released
    return survey


def today_and_next(*, home):
    """The sessions the person runs today and in the next NEXT_DAYS days, each with its questionnaires one click
    from the projector (and, for leads, from paper entry)."""
    if not home.writers:
        return None
    runs = sessions_run_by(home)
    last = home.today + datetime.timedelta(days=NEXT_DAYS)
    sessions = list(
        Session.objects.filter(runs)
        .filter(date__gte=home.today, date__lte=last)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("partnership", "locality")
        .order_by("date", "start_time", "pk")[:NEXT_MAX]
    )
    surveys = {}
    if sessions:
        for survey in Survey.objects.filter(session__in=sessions).with_counts():
            surveys.setdefault(survey.session_id, []).append(survey)
    lead_ids = {partnership.pk for partnership in home.leads}
    tomorrow = home.today + datetime.timedelta(days=1)
    for session in sessions:
        session.day = {home.today: "Today", tomorrow: "Tomorrow"}.get(session.date, "")
        # Paper forms come back from the room: from the day of the session on.
        paper = session.partnership_id in lead_ids and session.date == home.today
        session.questionnaires = [
            _describe(survey, home, paper=paper) for survey in _by_phase(surveys.get(session.pk, []))
        ]
        for survey in session.questionnaires:
            # Today's open questionnaires count live on the page (survey-live.js polls each): the room is answering.
            survey.live = session.date == home.today and survey.current_state == "open"
        session.missing = [
            (phase, PHASE_WORDS[phase])
            for phase in (Phase.PRE, Phase.POST)
            if phase not in {survey.phase for survey in session.questionnaires}
        ]
    return Panel(
        template="surveys/_home_today.html",
        context={
            "sessions": sessions,
            "days": NEXT_DAYS,
            "runs": runs_note(home),
            # Only when there is nothing to show: has the person any session at all? (one more query)
            "none_yet": not sessions and not Session.objects.filter(runs).exists(),
        },
    )


def still_open(*, home):
    """Questionnaires of sessions held before today that still take answers (open, not open yet, or closed but in
    the grace for forms still open on phones): paper forms to key in, and questionnaires to close, so that their
    answers go into the results."""
    if not home.writers:
        return None
    surveys = list(
        Survey.objects.unreleased(home.now)
        .filter(session__in=Session.objects.filter(sessions_run_by(home)), session__date__lt=home.today)
        .select_related("session__partnership")
        .with_counts()
        .order_by("-session__date", "-session__start_time", "session_id", "-phase")[: OPEN_MAX + 1]
    )
    lead_ids = {partnership.pk for partnership in home.leads}
    for survey in surveys:
        _describe(survey, home, paper=survey.session.partnership_id in lead_ids)
    return Panel(
        template="surveys/_home_still_open.html",
        context={
            "surveys": surveys[:OPEN_MAX],
            "more": len(surveys) > OPEN_MAX,
            "runs": runs_note(home),
            "grace_minutes": int(CLOSING_GRACE.total_seconds() // 60),
        },
    )


def latest_results(*, home):
    """The latest sessions of the person's partnerships whose results are released, each with the first headlines of
    its debrief, worded and withheld exactly as the debrief words and withholds them; and a link to each programme's
    results across its series."""
    if not home.readers:
        return None
    unreleased = Survey.objects.unreleased(home.now).filter(session_id=OuterRef("pk"))
    sessions = list(
        Session.objects.filter(partnership__in=home.readers)
        .filter(Exists(Survey.objects.filter(session_id=OuterRef("pk"))))
        .exclude(Exists(unreleased))
        .select_related("partnership")
        .order_by("-date", "-start_time", "-pk")[:LATEST_SESSIONS]
    )
    headlines = pooling.sessions_headlines(sessions, now=home.now)
    for session in sessions:
        session.headlines = headlines[session.pk][:HEADLINES_PER_SESSION]
        session.more_statements = len(headlines[session.pk]) - len(session.headlines)
    # Results across a whole series: the latest released first, then those still to release. One query.
    programmes = list(
        Programme.objects.filter(partnership__in=home.readers)
        .annotate(released_at=F("release__released_at"))
        .select_related("partnership")
        .order_by(F("released_at").desc(nulls_last=True), "title", "pk")[: PROGRAMMES_MAX + 1]
    )
    return Panel(
        template="surveys/_home_results.html",
        context={
            "sessions": sessions,
            "programmes": programmes[:PROGRAMMES_MAX],
            "more_programmes": len(programmes) > PROGRAMMES_MAX,
            "partnerships": home.readers,
            "per_session": HEADLINES_PER_SESSION,
            "threshold": threshold(),
        },
    )
