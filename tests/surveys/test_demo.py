"""The demo's answers reproduce the kind of change the source reports, through the services, once."""

import datetime
import io

from surveys import demo
from surveys.models import Answer, Response, Survey, SurveyItem
from tests.factories import SessionFactory


def _paired_agree(session, position):
    """(share agreeing before, after) among paired respondents, in whole percentages."""
    statement_id = SurveyItem.objects.get(survey__session=session, survey__phase="pre", position=position).statement_id
    values = dict(Answer.objects.filter(statement_id=statement_id).values_list("response_id", "value"))
    pairs = Response.objects.filter(paired_with__isnull=False).values_list("paired_with_id", "id")
    agree = [(values[pre] >= 4, values[post] >= 4) for pre, post in pairs]
    return round(100 * sum(b for b, _ in agree) / len(agree)), round(100 * sum(a for _, a in agree) / len(agree))


def test_demo_seeds_paired_answers_like_the_source(partnership):
    session = SessionFactory(partnership=partnership, title=demo.SESSION_TITLE)

    demo.seed(password="x", stdout=io.StringIO())

    assert sorted(Survey.objects.filter(session=session).values_list("phase", flat=True)) == ["post", "pre"]
    assert [
        Response.objects.filter(survey__phase="pre").count(),
        Response.objects.filter(survey__phase="post").count(),
        Response.objects.filter(paired_with__isnull=False).count(),
        Response.objects.filter(source="paper").count(),
    ] == [39, 39, 34, 1]
    assert [_paired_agree(session, position) for position in (1, 2, 3)] == [(29, 79), (35, 79), (44, 74)]
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {session.date}


def test_demo_seed_twice_changes_nothing(partnership):
    SessionFactory(partnership=partnership, title=demo.SESSION_TITLE)
    demo.seed(password="x", stdout=io.StringIO())
    before = sorted(Answer.objects.values_list("response_id", "statement_id", "value", "text"))

    demo.seed(password="x", stdout=io.StringIO())

    assert sorted(Answer.objects.values_list("response_id", "statement_id", "value", "text")) == before


def test_demo_without_the_session_does_nothing(db):
    demo.seed(password="x", stdout=io.StringIO())

    assert (Survey.objects.count(), Response.objects.count()) == (0, 0)


def test_demo_opens_the_upcoming_sessions_questionnaire(partnership):
    ahead = datetime.date.today() + datetime.timedelta(weeks=6)
    session = SessionFactory(partnership=partnership, title=demo.UPCOMING_TITLE, date=ahead)

    demo.seed(password="x", stdout=io.StringIO())
    demo.seed(password="x", stdout=io.StringIO())

    surveys = {survey.phase: survey for survey in Survey.objects.filter(session=session)}
    assert sorted(surveys) == ["post", "pre"]
    assert [surveys["pre"].state(), surveys["post"].state()] == ["open", "not_yet_open"]
    assert Response.objects.count() == 0
