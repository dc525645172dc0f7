"""Reads reused across views: a template's statements in order, a session's surveys with their counts."""

from collections import OrderedDict

from django.db.models import Case, IntegerField, Q, Value, When

from surveys.models import Phase, QuestionnaireTemplate, Response, Survey, TemplateItem
from workshops.models import Session


def template_items(template):
    """The statements a template asks, in order: for a copy, the national template's first, then its own."""
    if template.based_on_id:
        items = TemplateItem.objects.filter(Q(template_id=template.pk) | Q(template_id=template.based_on_id))
        local_last = Case(When(template_id=template.pk, then=Value(1)), default=Value(0), output_field=IntegerField())
        items = items.order_by(local_last, "position", "pk")
    else:
        items = TemplateItem.objects.filter(template_id=template.pk).order_by("position", "pk")
    return list(items.select_related("statement"))


def templates_for_list(user):
    """(national templates, partnership copies) that the user can see, with their counts."""
    templates = list(QuestionnaireTemplate.objects.visible_to(user).for_list())
    return [t for t in templates if t.is_national], [t for t in templates if not t.is_national]


def session_surveys(session):
    """{phase: survey with response_count and paired_count} for the session."""
    surveys = Survey.objects.filter(session=session).select_related("template").with_counts()
    return {survey.phase: survey for survey in surveys}


# A survey's statements never change once it is created (its items are a copy, and a statement a survey asks
# is never reworded in place), so each worker keeps them by token: the attendee's page then costs one query.
_ASKED = OrderedDict()
_ASKED_MAX = 500


def survey_items(survey):
    """The survey's items with their statements, in order (kept per worker process, by token)."""
    items = _ASKED.get(survey.token)
    if items is None:
        items = list(survey.items.select_related("statement"))
        _ASKED[survey.token] = items
        while len(_ASKED) > _ASKED_MAX:
            _ASKED.popitem(last=False)
    return items


# The attendee's page reads one survey and its session by token: the busiest query, written once by hand. The ORM
# spent three quarters of the page's database time compiling the same SQL on every request (1.2 ms of CPU against
# 0.1 ms to run it); `Survey.objects.raw` still converts each column as the ORM would.
PUBLIC_SURVEY_SQL = (
    "SELECT sv.id, sv.token, sv.phase, sv.opens_at, sv.closes_at, sv.closed_at, sv.session_id, "
    "se.title AS session_title, se.date AS session_date, se.programme_id AS session_programme_id "
    "FROM surveys_survey sv INNER JOIN workshops_session se ON se.id = sv.session_id "
    "WHERE sv.token = %s"
)


def survey_for_answering(token):
    """The survey behind a public address, with its session's title, date and programme and what its page asks
    (`asked`), or None. Only these fields are read: the attendee's pages need no others."""
    found = list(Survey.objects.raw(PUBLIC_SURVEY_SQL, [token]))
    if not found:
        return None
    survey = found[0]
    session = {
        "id": survey.session_id,
        "title": survey.session_title,
        "date": Session._meta.get_field("date").to_python(survey.session_date),  # a string, on SQLite
        "programme_id": survey.session_programme_id,
    }
    # Its other fields deferred, as `only()` leaves them: read when asked for, never silently empty.
    names = [field.attname for field in Session._meta.concrete_fields if field.attname in session]
    survey.session = Session.from_db(survey._state.db, names, [session[name] for name in names])
    survey.asked = survey_items(survey)
    return survey


def survey_response_count(survey):
    return Response.objects.filter(survey=survey).count()


def pre_survey_token(session_id):
    return Survey.objects.filter(session_id=session_id, phase=Phase.PRE).values_list("token", flat=True).first()
