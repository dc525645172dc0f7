"""The whole demo (`manage.py seed_demo`): a national story over three years, inside the retention period, and
loaded once whatever runs after it (the seed again, next month, the retention job)."""

import datetime
import importlib
import io
from collections import Counter, defaultdict
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from coprod import demo as coprod_demo
from coprod.models import Partnership
from surveys.models import Response, SessionRollup, StatementRollup, Survey
from surveys.results.pooling import national_results, pooled_figures, session_figures, session_released
from tests.conftest import seed_demo
from workshops import demo as workshops_demo
from workshops.management.commands.erase_expired_attendees import months_before
from workshops.models import AHP_ROLES, Attendance, Attendee, Programme, Session, SessionKind
from workshops.selectors import programme_grid

DUMFRIES = "Dumfries and Galloway Health and Social Care Partnership"
HIGHLAND = "Highland Health and Social Care Partnership"


STAR = importlib.import_module("surveys.migrations.0008_coproduction_star_template")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module (it takes a while): each test's own changes roll back to it.

    The Co-production Star questionnaire comes with a data migration too: put back first, as seed_demo() does the
    national one (a transactional test run earlier may have flushed it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        STAR.create_star_template(apps, SimpleNamespace(connection=connection))
        yield seed_demo()
        transaction.set_rollback(True)


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _story():
    """The two source stories' figures, which nothing may change."""
    held = Session.objects.get(title=workshops_demo.NA_TITLE)
    grid = programme_grid(programme=Programme.objects.get(title=workshops_demo.STAR_TITLE))
    attended = held.attendances.filter(status="attended").count()
    return (held.attendances.count(), attended, grid.took_part, grid.completed)


def test_demo_has_seven_partnerships_and_three_years_of_sessions(seeded, db):
    anchor = timezone.localdate()

    partnerships = list(Partnership.objects.order_by("name"))
    sessions = list(Session.objects.select_related("partnership").prefetch_related("facilitators"))

    assert [p.council_area for p in partnerships] == [
        "Aberdeen City",
        "Dumfries and Galloway",
        "City of Edinburgh",
        "Fife",
        "Glasgow City",
        "Highland",
        "North Ayrshire",
    ]
    for partnership in partnerships:
        assert partnership.localities.count() >= 3, partnership
        assert partnership.priorities.count() >= 2, partnership
        assert partnership.organisations.values("sector").distinct().count() >= 4, partnership
    figures = {p.council_area: [f.label for f in p.context_figures.all()] for p in partnerships}
    assert [area for area, labels in figures.items() if "Demo data" in labels] == [
        "Dumfries and Galloway",
        "City of Edinburgh",
        "Fife",
        "Glasgow City",
        "Highland",
    ]
    assert 100 <= len(sessions) <= 150
    first = min(session.date for session in sessions)
    assert months_before(anchor, 37) <= first <= months_before(anchor, 35)
    # Three to six sessions a year in each partnership (not counting Aberdeen's programme), more each year.
    for partnership in partnerships:
        years = Counter(
            sum(session.date >= months_before(anchor, months) for months in (24, 12))
            for session in sessions
            if session.partnership == partnership and session.date < anchor and session.programme_id is None
        )
        assert all(3 <= years[year] <= 8 for year in range(3)), (partnership, years)
        assert years[0] <= years[2], (partnership, years)
    assert {session.kind for session in sessions} == set(SessionKind.values)
    assert Counter(session.status for session in sessions).keys() == {"held", "planned", "cancelled"}
    assert 5 <= Counter(session.status for session in sessions)["cancelled"] <= 10
    illustrative = [s for s in sessions if s.notes == workshops_demo.ILLUSTRATIVE_NOTES]
    assert len(illustrative) == len(sessions) - 11  # all but the stories' 11
    roles = set(Attendance.objects.values_list("attendee__role", flat=True))
    assert {"third_sector_staff", "lived_experience", "unpaid_carer", "volunteer", *AHP_ROLES[:6]} <= roles


def test_demo_gives_north_ayrshire_a_day_to_work_with(seeded, db):
    anchor = timezone.localdate()
    north_ayrshire = Partnership.objects.get(council_area="North Ayrshire")

    coming = list(north_ayrshire.sessions.filter(date__gte=anchor).order_by("date"))
    recent = list(north_ayrshire.sessions.filter(date__lt=anchor, date__gte=anchor - datetime.timedelta(days=12)))

    assert coming[0].date == anchor
    assert len(coming) == 4  # today's, two in the coming weeks and the story's follow-up
    for session in coming[:3]:
        assert sorted(session.facilitators.values_list("username", flat=True)) == ["facilitator", "lead"]
        assert session.surveys.get(phase="pre").state() == "open", session
    assert coming[0].surveys.get(phase="pre").responses.count() == 7
    # Held: one whose attendance is not marked yet, one whose questionnaire still takes paper forms.
    unmarked = [s for s in recent if set(s.attendances.values_list("status", flat=True)) == {"registered"}]
    taking_paper = [s for s in recent if s.surveys.get(phase="post").state() == "open"]
    assert len(unmarked) == len(taking_paper) == 1
    assert not session_released(taking_paper[0])


def test_demo_results_differ_between_partnerships_and_grow_over_the_years(seeded, db):
    anchor = timezone.localdate()

    understanding = national_results({})[0]  # the first statement: understanding of AHPs' and third sector work
    by_year = [
        national_results(
            {
                "date_from": months_before(anchor, 36 - 12 * year),
                "date_to": months_before(anchor, 24 - 12 * year) - datetime.timedelta(days=1),
            }
        )[0].figures.change_pp
        for year in range(3)
    ]

    changes = {figures.label: figures for figures in understanding.partnerships}
    assert len(changes) == 7
    assert len({round(figures.change_pp) for figures in changes.values()}) >= 6
    assert max(changes.values(), key=lambda figures: figures.change_pp).label == HIGHLAND
    assert changes[DUMFRIES].could_be_chance
    assert [label for label, figures in changes.items() if figures.could_be_chance] == [DUMFRIES]
    assert by_year == sorted(by_year) and by_year[2] - by_year[0] >= 5
    # Some sessions have answers from fewer than 5 people, whose figures are withheld.
    assert SessionRollup.objects.filter(paired__range=(1, 4)).count() >= 7
    # Past sessions' answers are released (in results) but for the one still taking paper forms.
    past = Survey.objects.filter(session__date__lt=anchor)
    assert past.unreleased().values("session").distinct().count() == 1


def test_demo_keeps_every_named_attendee_inside_the_retention_period(seeded, db):
    cutoff = workshops_demo.retention_cutoff(timezone.localdate())
    named = Attendee.objects.filter(erased_at__isnull=True).annotate(last=Max("attendances__session__date"))

    output = io.StringIO()
    call_command("erase_expired_attendees", stdout=output)

    assert named.filter(last__lt=cutoff).count() == 0
    # Those of older sessions are stored as the retention job leaves them: counted, but with no name.
    erased = Attendee.objects.filter(erased_at__isnull=False).annotate(last=Max("attendances__session__date"))
    assert erased.count() >= 50
    assert erased.filter(last__gte=cutoff).count() == 0
    assert output.getvalue().startswith("Erased 0 attendee(s)")


def test_demo_seed_again_changes_nothing_now_or_next_month(seeded, db, monkeypatch):
    before = _counts()

    call_command("seed_demo", stdout=io.StringIO())
    again = _counts()
    later = timezone.now() + datetime.timedelta(days=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("seed_demo", stdout=io.StringIO())

    assert again == before
    assert _counts() == before
    assert workshops_demo.demo_anchor() == timezone.localdate() - datetime.timedelta(days=40)


def test_demo_seed_after_the_retention_job_changes_nothing(seeded, db, settings):
    story = _story()
    settings.ATTENDEE_RETENTION_MONTHS = 12  # as the job would find the demo a year after it was loaded
    first, second = io.StringIO(), io.StringIO()
    call_command("erase_expired_attendees", stdout=first)
    erased = _counts()

    call_command("seed_demo", stdout=io.StringIO())
    call_command("erase_expired_attendees", stdout=second)

    assert not first.getvalue().startswith("Erased 0 ")
    assert _counts() == erased
    assert second.getvalue().startswith("Erased 0 attendee(s)")
    assert _story() == story == (42, 39, 104, 22)


def test_demo_keeps_north_ayrshires_published_figures(seeded, db):
    session = Session.objects.get(title=workshops_demo.NA_TITLE)

    figures = session_figures(session)[:3]

    assert [(f.n_pre, f.n_post, f.n_paired) for f in figures] == [(39, 39, 34)] * 3
    assert [(round(f.paired_pct_agree_pre), round(f.paired_pct_agree_post)) for f in figures] == [
        (29, 79),
        (35, 79),
        (44, 74),
    ]


def test_demo_output_says_what_is_made_up(seeded):
    assert "Illustrative sessions (made-up figures)" in seeded
    assert "Illustrative improvement projects (made-up figures): 12 added" in seeded
    assert len(coprod_demo.PARTNERSHIPS) == 7


# --- Aberdeen City's Co-production Star programme: its questionnaire, and one code per person across it ---


def _programme():
    return Programme.objects.get(title=workshops_demo.STAR_TITLE)


def test_demo_aberdeen_programme_asks_the_star_questionnaire_at_every_session(seeded, db):
    sessions = list(_programme().sessions.order_by("date"))

    surveys = Survey.objects.filter(session__in=sessions).select_related("template")

    assert sorted((survey.session_id, survey.phase, survey.template.title) for survey in surveys) == sorted(
        (session.pk, phase, "Co-production Star") for session in sessions for phase in ("pre", "post")
    )
    asked = {item.statement.text for survey in surveys for item in survey.items.select_related("statement")}
    assert asked == {text for text, *_ in STAR.STATEMENTS}
    # Paper forms from the people its registers say came: never more than came, most of them.
    for session in sessions:
        came = session.attendances.filter(status="attended").count()
        answered = Response.objects.filter(survey__session=session, survey__phase="pre").count()
        assert 0.7 * came <= answered <= came, session
    assert set(Response.objects.filter(survey__session__in=sessions).values_list("source", flat=True)) == {"paper"}


def test_demo_aberdeen_regulars_keep_one_code_across_the_programme(seeded, db):
    fields = ["survey_id", "survey__session_id", "survey__phase", "pairing_code"]
    paired = ["paired_with__pairing_code", "paired_with__survey__session_id"]
    responses = list(Response.objects.filter(survey__session__programme=_programme()).values_list(*fields, *paired))

    per_survey = Counter((survey, code) for survey, _session, _phase, code, *_ in responses)
    sessions_of = defaultdict(set)
    for _survey, session, _phase, code, *_ in responses:
        sessions_of[code].add(session)
    assert "" not in sessions_of  # everyone wrote their code
    assert max(per_survey.values()) == 1  # no code twice in one questionnaire
    # Over 100 took part and some 20 came to almost every session (workshops.demo): most answered with a code of
    # their own, and the regulars with the same one at 6 or more of the 9 sessions.
    assert 90 <= len(sessions_of) <= 104
    assert 20 <= sum(len(sessions) >= 6 for sessions in sessions_of.values()) <= 30
    # Within a session, an answer after pairs with the same code's answer before in that session, as always.
    after = [row for row in responses if row[2] == "post"]
    assert [(code, session) for _s, session, _p, code, *_ in after] == [(paired, at) for *_, paired, at in after]


def test_demo_aberdeen_programme_shows_a_modest_change_most_on_co_design_and_co_delivery(seeded, db):
    programme = _programme()
    texts = [text for text, _hint, kind, *_ in STAR.STATEMENTS if kind == "scale"]

    rollups = StatementRollup.objects.filter(session__programme=programme)
    pooled = {figures.statement.text: figures for figures in pooled_figures(rollups)}
    debriefs = [session_figures(session) for session in programme.sessions.all()]

    change = [round(pooled[text].change_pp) for text in texts]  # in points, pairs of all nine sessions pooled
    _understanding, commissioning, design, delivery, *_ = change
    assert all(0 < points <= 20 for points in change), change
    assert min(design, delivery) >= commissioning + 5, change
    assert sum(figures.dont_know_pre for figures in pooled.values()) >= 10  # some "Don't know", before mostly
    # Not everyone agrees more after a session; every session's answers count in full (no group of fewer than 5).
    assert sum(figures.counts.worsened for figures in pooled.values()) >= 20
    assert {figures.counts.left_out for session in debriefs for figures in session} == {(0, 0, 0)}
    assert {figures.hidden for session in debriefs for figures in session} == {frozenset()}
