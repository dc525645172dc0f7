"""The facilitator in the room: both questionnaires set up in one step, windows that suit a live session and one
logged afterwards, "Open now", and the session page one click from the projector and the debrief."""

import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coprod.models import AuditEntry
from surveys import services
from surveys.models import Phase, Survey
from tests.surveys.conftest import release

TZ = timezone.get_current_timezone()


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


DAY = datetime.date(2026, 3, 12)  # the factory's session: 09:30 to 12:30


def windows(session, now):
    return {
        phase: services.survey_window_default(session=session, phase=phase, now=now)
        for phase in (Phase.PRE, Phase.POST)
    }


# --- default windows ---


def test_window_default_session_today_before_it_starts(session):
    now = at(DAY, 8)

    assert windows(session, now) == {
        Phase.PRE: (None, at(DAY, 13, 30)),  # open now, until an hour after the planned end
        Phase.POST: (at(DAY, 9, 30), at(DAY, 12, 30) + datetime.timedelta(days=7)),  # from the start, for a week
    }


def test_window_default_session_in_the_future(session):
    now = at(DAY, 8) - datetime.timedelta(weeks=3)

    assert windows(session, now) == {
        Phase.PRE: (None, at(DAY, 13, 30)),
        Phase.POST: (at(DAY, 9, 30), at(DAY, 12, 30) + datetime.timedelta(days=7)),
    }


def test_window_default_session_in_the_past_opens_both_now_for_paper_forms(session):
    now = at(DAY, 10) + datetime.timedelta(days=20)
    week_from_now = now + datetime.timedelta(days=7)

    assert windows(session, now) == {Phase.PRE: (None, week_from_now), Phase.POST: (None, week_from_now)}


def test_window_default_during_the_session_opens_the_one_after_already(session):
    now = at(DAY, 10)

    assert windows(session, now) == {
        Phase.PRE: (None, at(DAY, 13, 30)),
        Phase.POST: (None, at(DAY, 12, 30) + datetime.timedelta(days=7)),
    }


def test_window_default_session_running_late_takes_both(session, template):
    """Set up before it starts; it starts late and runs 45 minutes over: late arrivals still answer before, and
    everyone answers after, with no "not yet open"."""
    result = services.survey_pair_create(session=session, template=template, now=at(DAY, 8))
    pre, post = result.created

    assert [pre.state(at(DAY, 10)), post.state(at(DAY, 10))] == ["open", "open"]
    assert [pre.state(at(DAY, 13, 15)), post.state(at(DAY, 13, 15))] == ["open", "open"]


def test_window_default_set_up_after_the_planned_end_opens_both_now(session):
    now = at(DAY, 12, 45)  # still running, past its planned end

    assert windows(session, now) == {
        Phase.PRE: (None, now + datetime.timedelta(days=7)),
        Phase.POST: (None, now + datetime.timedelta(days=7)),
    }


# --- set up both in one step ---


def test_pair_create_makes_both_from_one_template(session, template):
    result = services.survey_pair_create(session=session, template=template, now=at(DAY, 8))

    assert [(survey.phase, survey.template, survey.items.count()) for survey in result.created] == [
        ("pre", template, 3),
        ("post", template, 4),
    ]
    assert result.kept == []
    assert [(s.opens_at, s.closes_at) for s in result.created] == [
        (None, at(DAY, 13, 30)),
        (at(DAY, 9, 30), at(DAY, 12, 30) + datetime.timedelta(days=7)),
    ]


def test_pair_create_keeps_an_existing_one(pre_survey, template):
    closes = pre_survey.closes_at

    result = services.survey_pair_create(session=pre_survey.session, template=template)

    assert [survey.phase for survey in result.created] == ["post"]
    assert result.kept == [pre_survey]
    assert Survey.objects.filter(session=pre_survey.session).count() == 2
    pre_survey.refresh_from_db()
    assert pre_survey.closes_at == closes


def test_pair_create_twice_makes_one_pair(session, template):
    services.survey_pair_create(session=session, template=template)

    again = services.survey_pair_create(session=session, template=template)

    assert (again.created, [s.phase for s in again.kept]) == ([], ["pre", "post"])
    assert Survey.objects.count() == 2


def test_pair_create_is_one_transaction(session, template):
    """A template with nothing to ask after the session: neither questionnaire is made, and the error says why."""
    for item in template.items.all():
        if item.phase != "both":
            item.delete()
    template.items.update(phase="pre")

    with pytest.raises(Exception, match="has no statements to ask after the session"):
        services.survey_pair_create(session=session, template=template)

    assert Survey.objects.count() == 0


def test_setup_view_double_submit_stores_one_pair_and_reports(client, facilitator, session, template):
    client.force_login(facilitator)
    data = {"setup-submission_key": str(uuid.uuid4()), "setup-template": template.pk}
    url = reverse("surveys:survey-create", args=[session.pk])

    first = client.post(url, data, follow=True)
    client.post(url, data)
    other_key = client.post(url, data | {"setup-submission_key": str(uuid.uuid4())}, follow=True)

    assert sorted(Survey.objects.values_list("phase", flat=True)) == ["post", "pre"]
    assert [str(m) for m in first.context["messages"]] == [
        "Questionnaires before and after the session set up: show their QR codes."
    ]
    assert [str(m) for m in other_key.context["messages"]] == [
        "This session already has both questionnaires: they are kept as they were."
    ]


def test_setup_view_reports_the_one_kept(client, facilitator, pre_survey, template):
    client.force_login(facilitator)
    data = {"setup-submission_key": str(uuid.uuid4()), "setup-template": template.pk}

    response = client.post(reverse("surveys:survey-create", args=[pre_survey.session_id]), data, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Questionnaire after the session set up. The one before it was already there and is kept."
    ]


def test_setup_view_other_partnerships_template_refused_with_a_message(
    client, facilitator, session, template, other_partnership
):
    from tests.factories import QuestionnaireTemplateFactory

    theirs = QuestionnaireTemplateFactory(title="Theirs", partnership=other_partnership, based_on=template)
    client.force_login(facilitator)
    data = {"setup-submission_key": str(uuid.uuid4()), "setup-template": theirs.pk}

    html = client.post(reverse("surveys:survey-create", args=[session.pk]), data).content.decode()

    assert Survey.objects.count() == 0
    assert "Select a valid choice" in html
    assert 'href="#id_setup-template"' in html  # the error summary links to the field


def test_setup_view_refuses_viewer_and_outsider(client, viewer, outsider, session, template):
    url = reverse("surveys:survey-create", args=[session.pk])
    data = {"setup-submission_key": str(uuid.uuid4()), "setup-template": template.pk}
    statuses = []
    for user in (viewer, outsider):
        client.force_login(user)
        statuses.append(client.post(url, data).status_code)

    assert statuses == [403, 404]
    assert Survey.objects.count() == 0


# --- Open now ---


def test_open_now_opens_a_questionnaire_not_yet_open_and_is_audited(client, facilitator, session, template):
    future = timezone.now() + datetime.timedelta(days=3)
    survey = services.survey_create(
        session=session, phase=Phase.POST, template=template, opens_at=future, closes_at=future + datetime.timedelta(1)
    )
    client.force_login(facilitator)

    response = client.post(reverse("surveys:survey-open", args=[survey.pk]), follow=True)
    client.post(reverse("surveys:survey-open", args=[survey.pk]))  # a double click changes nothing more

    survey.refresh_from_db()
    assert survey.state() == "open"
    assert survey.closes_at == future + datetime.timedelta(1)
    assert [str(m) for m in response.context["messages"]][-1] == "The questionnaire after the session is open now."
    updates = AuditEntry.objects.filter(object_pk=str(survey.pk), action=AuditEntry.Action.UPDATE)
    assert [list(entry.changes_dict) for entry in updates] == [["opens_at"]]


def test_open_now_leaves_a_closed_questionnaire_closed(client, facilitator, pre_survey):
    release(pre_survey)
    client.force_login(facilitator)

    response = client.post(reverse("surveys:survey-open", args=[pre_survey.pk]), follow=True)

    pre_survey.refresh_from_db()
    assert pre_survey.state() == "closed"
    assert [str(m) for m in response.context["messages"]] == [
        "This questionnaire is closed: reopen it to take answers again."
    ]


def test_open_now_refuses_viewer_and_outsider(client, viewer, outsider, session, template):
    future = timezone.now() + datetime.timedelta(days=3)
    survey = services.survey_create(session=session, phase=Phase.POST, template=template, opens_at=future)
    statuses = []
    for user in (viewer, outsider):
        client.force_login(user)
        statuses.append(client.post(reverse("surveys:survey-open", args=[survey.pk])).status_code)

    survey.refresh_from_db()
    assert (statuses, survey.opens_at) == ([403, 404], future)


def test_questionnaires_page_offers_open_now_beside_close_now(client, facilitator, session, template):
    future = timezone.now() + datetime.timedelta(days=3)
    services.survey_create(session=session, phase=Phase.PRE, template=template)
    services.survey_create(session=session, phase=Phase.POST, template=template, opens_at=future)
    client.force_login(facilitator)

    html = client.get(reverse("surveys:session-surveys", args=[session.pk])).content.decode()

    assert re.findall(r'<button type="submit" class="btn[^"]*">([^<]+)<span', html) == [
        "Close now",
        "Open now",
        "Close now",
    ]


# --- the session page ---


def test_session_page_links_to_projector_and_debrief(client, facilitator, pre_survey, post_survey):
    client.force_login(facilitator)

    html = client.get(reverse("workshops:session-detail", args=[pre_survey.session_id])).content.decode()

    assert re.findall(r'href="(/surveys/\d+/projector/)"', html) == [f"/surveys/{pre_survey.pk}/projector/"] + (
        [f"/surveys/{post_survey.pk}/projector/"] if post_survey.state() != "closed" else []
    )
    assert reverse("surveys:session-results", args=[pre_survey.session_id]) in html
    assert "Set up both questionnaires" not in html


def test_session_page_offers_setup_to_writers_only(client, facilitator, viewer, session, template):
    url = reverse("workshops:session-detail", args=[session.pk])
    client.force_login(viewer)
    as_viewer = client.get(url).content.decode()
    client.force_login(facilitator)
    as_facilitator = client.get(url).content.decode()

    assert "Set up both questionnaires" not in as_viewer
    assert "Not set up yet." in as_viewer
    assert f'action="{reverse("surveys:survey-create", args=[session.pk])}"' in as_facilitator
    assert "Set up both questionnaires</button>" in as_facilitator


def test_session_page_puts_who_was_in_the_room_before_the_register(client, facilitator, session):
    from tests.factories import AttendanceFactory, AttendeeFactory

    AttendanceFactory(session=session, attendee=AttendeeFactory(partnership=session.partnership))
    client.force_login(facilitator)

    html = client.get(reverse("workshops:session-detail", args=[session.pk])).content.decode()

    assert html.index('id="mix-title"') < html.index('id="register-title"')


@pytest.mark.parametrize("count", [1, 3])
def test_session_page_questionnaires_query_count_does_not_grow(
    client, facilitator, session, template, django_assert_num_queries, count
):
    services.survey_pair_create(session=session, template=template)
    from tests.surveys.conftest import submit

    for survey in Survey.objects.all():
        for _ in range(count):
            submit(survey, [4, 4, 4], source="paper")
    client.force_login(facilitator)

    # as for any session page (tests/workshops/test_attendance.py), with its questionnaires and their counts
    with django_assert_num_queries(15):
        client.get(reverse("workshops:session-detail", args=[session.pk]))


# --- `make run` ---


def test_demo_prints_the_open_questionnaires_full_address_every_run(partnership, monkeypatch):
    import io

    from surveys import demo
    from tests.factories import SessionFactory

    ahead = timezone.localdate() + datetime.timedelta(weeks=6)
    session = SessionFactory(partnership=partnership, title=demo.UPCOMING_TITLE, date=ahead)
    monkeypatch.setenv("DEMO_SITE_URL", "http://127.0.0.1:8123/")
    first, again = io.StringIO(), io.StringIO()

    demo.seed(password="x", stdout=first)
    demo.seed(password="x", stdout=again)

    token = Survey.objects.get(session=session, phase=Phase.PRE).token
    line = f"  Questionnaires: the Garnock Valley follow-up's is open now at http://127.0.0.1:8123/s/{token}/"
    assert [first.getvalue(), again.getvalue()] == [line, line]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite's in-memory test database lets one writer in at a time: the race is meaningful on PostgreSQL.",
)
@pytest.mark.django_db(transaction=True)
def test_pair_create_at_once_from_two_screens_makes_one_pair(session, template):
    """Two facilitators press "Set up both" at the same moment (two keys): the session's lock makes one pair."""
    import threading

    from django.db import connections

    start = threading.Barrier(6)
    outcomes = []

    def set_up():
        try:
            start.wait()
            result = services.survey_pair_create(session=session, template=template)
            outcomes.append(len(result.created))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=set_up) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [0, 0, 0, 0, 0, 2]
    assert sorted(Survey.objects.values_list("phase", flat=True)) == ["post", "pre"]


@pytest.mark.parametrize(
    "kind, title",
    [
        ("exploring", "Exploring New Ways of Working"),
        ("good_conversations", "Exploring New Ways of Working"),
        ("star_workshop", "Co-production Star"),
        ("lab", "Co-production Star"),
    ],
)
def test_the_questionnaire_offered_first_suits_the_session(partnership, kind, title):
    from surveys.forms import SurveySetupForm
    from surveys.models import QuestionnaireTemplate
    from tests.factories import SessionFactory

    form = SurveySetupForm(session=SessionFactory(partnership=partnership, kind=kind))

    assert QuestionnaireTemplate.objects.get(pk=form.initial["template"]).title == title
