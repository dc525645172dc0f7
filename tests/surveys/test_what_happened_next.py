"""“What happened next”: published by a session's writers once its questionnaires are released, shown at their
addresses after close: the released figures (small groups withheld, no written answers) and only the projects
marked as shown to the people at the session, with their latest update."""

import datetime
import re
import uuid
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from coprod.models import AuditEntry
from projects import services as project_services
from projects.models import ProgressUpdate, Project, Stage
from surveys import services
from surveys.demo import SESSION_TITLE
from surveys.models import Phase, WhatHappenedNext
from tests.conftest import seed_demo
from tests.factories import (
    OrganisationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
)
from tests.surveys.conftest import release, scale_ids
from tests.surveys.test_exports import rows_of
from tests.surveys.test_results_views import answer_pairs, headlines, text_of
from workshops.models import Session

CLOSED = "This questionnaire has closed"
NEXT = "What happened next"
WITHHELD = "Fewer than 5 people answered, so no figure is shown."


def answer_url(survey):
    return f"/s/{survey.token}/"


def publish_url(session):
    return reverse("surveys:what-happened-next-publish", args=[session.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def published(session, pre_survey, post_survey):
    """12 people answered both questionnaires, released and published."""
    answer_pairs(pre_survey, post_survey, 12)
    release(pre_survey, post_survey)
    return WhatHappenedNext.objects.create(session=session)


def public_project(session, title, *, updates=(), **fields):
    project = ProjectFactory(partnership=session.partnership, title=title, shown_to_attendees=True, **fields)
    project.sessions.add(session)
    for day, text in updates:
        ProgressUpdate.objects.create(project=project, date=day, text=text)
    return project


# --- Publishing ---


def test_what_happened_next_publish_is_refused_before_the_questionnaires_are_released(
    client, facilitator, session, pre_survey, post_survey
):
    client.force_login(facilitator)
    open_now = client.post(publish_url(session), follow=True)
    services.survey_close(survey=pre_survey)
    services.survey_close(survey=post_survey)
    in_grace = client.post(publish_url(session), follow=True)

    refused = [services.NOT_RELEASED_YET]
    assert [messages_of(open_now), messages_of(in_grace)] == [refused, refused]
    assert refused == [
        "“What happened next” can be published once the session’s questionnaires have closed and their answers are in "
        "the results (30 minutes after closing, for forms still open on phones)."
    ]
    assert WhatHappenedNext.objects.count() == 0


def test_what_happened_next_publish_is_refused_for_a_session_without_questionnaires(client, lead, session):
    client.force_login(lead)

    client.post(publish_url(session))

    assert WhatHappenedNext.objects.count() == 0


def test_what_happened_next_publish_and_unpublish_are_stored_and_audited(
    client, lead, session, pre_survey, post_survey
):
    release(pre_survey, post_survey)
    client.force_login(lead)

    response = client.post(publish_url(session), follow=True)
    client.post(publish_url(session))  # a double click: still one
    published = WhatHappenedNext.objects.get()
    page = client.get(reverse("surveys:session-surveys", args=[session.pk])).content.decode()
    client.post(reverse("surveys:what-happened-next-unpublish", args=[session.pk]))

    assert messages_of(response) == [
        "“What happened next” is published: the questionnaires’ addresses and QR codes now lead to it."
    ]
    assert (published.session, published.published_by) == (session, lead)
    assert "Unpublish<span" in page
    assert WhatHappenedNext.objects.count() == 0
    entries = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(WhatHappenedNext))
    assert list(entries.order_by("pk").values_list("action", "partnership_id", "object_pk")) == [
        (AuditEntry.Action.CREATE, session.partnership_id, str(session.pk)),
        (AuditEntry.Action.DELETE, session.partnership_id, str(session.pk)),
    ]


def test_session_surveys_page_offers_publishing_only_once_released(client, lead, session, pre_survey, post_survey):
    client.force_login(lead)
    url = reverse("surveys:session-surveys", args=[session.pk])

    before = client.get(url).content.decode()
    release(pre_survey, post_survey)
    after = client.get(url).content.decode()

    assert "Publish what happened next" not in before
    assert "You can publish it once the questionnaires have closed and their answers are in the results." in before
    assert "Publish what happened next" in after


def test_session_surveys_page_shows_no_publish_button_to_viewers(client, viewer, session, pre_survey, post_survey):
    release(pre_survey, post_survey)
    client.force_login(viewer)

    html = client.get(reverse("surveys:session-surveys", args=[session.pk])).content.decode()

    assert "Not published: the addresses say the questionnaires have closed." in html
    assert "what-happened-next/publish" not in html


# --- Nothing before close, nothing unpublished ---


def test_what_happened_next_is_not_shown_while_the_questionnaire_is_open(client, session, pre_survey):
    WhatHappenedNext.objects.create(session=session)  # as if published: the questionnaire still comes first

    html = client.get(answer_url(pre_survey)).content.decode()

    assert NEXT not in html
    assert 'name="submission_key"' in html


def test_closed_questionnaire_unpublished_shows_the_closed_page(client, session, pre_survey, post_survey):
    answer_pairs(pre_survey, post_survey, 12)
    release(pre_survey, post_survey)

    response = client.get(answer_url(pre_survey))

    assert response.templates[0].name == "surveys/public/not_open.html"
    assert CLOSED in response.content.decode()
    assert NEXT not in response.content.decode()
    assert "X-Robots-Tag" not in response.headers


def test_what_happened_next_after_unpublishing_is_the_closed_page_again(client, lead, published, pre_survey):
    client.force_login(lead)
    client.post(reverse("surveys:what-happened-next-unpublish", args=[published.session_id]))
    client.logout()

    html = client.get(answer_url(pre_survey)).content.decode()

    assert CLOSED in html
    assert NEXT not in html


# --- The page ---


def test_what_happened_next_shows_the_released_headlines_as_the_debrief_does(
    client, viewer, published, pre_survey, post_survey
):
    client.force_login(viewer)
    debrief = client.get(reverse("surveys:session-results", args=[published.session_id]))
    client.logout()

    response = client.get(answer_url(post_survey))

    text = text_of(response)
    assert headlines(response) == headlines(debrief)
    assert len(headlines(response)) == 3
    assert text.startswith(
        "What happened next Exploring New Ways of Working: Irvine, Thursday 12 March 2026. The questionnaire has closed"
    )
    assert "Agreeing before" not in text  # one set of figures, the paired ones of the headline: no second share


def test_what_happened_next_figures_are_the_results_csv_figures(client, viewer, session, pre_survey, post_survey):
    answer_pairs(pre_survey, post_survey, 7)
    answer_pairs(pre_survey, post_survey, 5, before=(4, 4, 4), after=(4, 4, 4))
    release(pre_survey, post_survey)
    WhatHappenedNext.objects.create(session=session)
    client.force_login(viewer)
    rows = rows_of(client.get(reverse("surveys:session-results-csv", args=[session.pk])))
    client.logout()

    text = text_of(client.get(answer_url(pre_survey)))

    column = rows[0].index
    assert [[row[column(name)] for name in ("pct_agree_pre", "pct_agree_post", "change_pp")] for row in rows[1:]] == [
        ["41.7", "100.0", "58.3"]
    ] * 3
    assert text.count("rose from 42% to 100% (+58 points") == 3


def test_what_happened_next_withholds_groups_of_fewer_than_five(client, session, pre_survey, post_survey):
    answer_pairs(pre_survey, post_survey, 3)
    release(pre_survey, post_survey)
    WhatHappenedNext.objects.create(session=session)

    response = client.get(answer_url(pre_survey))

    text = text_of(response)
    assert text.count(WITHHELD) == 3
    assert "%" not in text
    assert headlines(response) == []
    assert re.findall(r"\d+", text.split("What people said", 1)[1].split("Improvement projects", 1)[0]) == ["5"] * 4


def test_what_happened_next_shows_no_written_answers(client, session, pre_survey, post_survey):
    answer_pairs(pre_survey, post_survey, 12)
    text_id = post_survey.items.get(statement__kind="text").statement_id
    services.response_submit(
        survey=post_survey,
        submission_key=uuid.uuid4(),
        answers=dict(zip(scale_ids(post_survey), [4, 4, 4], strict=True)) | {text_id: "Invite the Men's Shed along."},
    )
    release(pre_survey, post_survey)
    WhatHappenedNext.objects.create(session=session)

    text = text_of(client.get(answer_url(post_survey)))

    assert "Men's Shed" not in text
    assert "What will you do differently?" not in text


def test_what_happened_next_shows_only_the_projects_shown_to_attendees(client, lead, published, pre_survey):
    session = published.session
    shown = public_project(
        session,
        "Woodland View into the community",
        stage=Stage.TESTING,
        aim="By March 2027, 30 in-patients will join a community activity before discharge.",
        updates=[
            (datetime.date(2026, 4, 2), "First walk held."),
            (datetime.date(2026, 5, 14), "Twelve people joined the second walk."),
        ],
    )
    ProjectPartnerFactory(project=shown, organisation=OrganisationFactory(name="Kilwinning Men's Shed"))
    not_shown = ProjectFactory(partnership=session.partnership, title="Kept to the team")
    not_shown.sessions.add(session)
    ProgressUpdate.objects.create(project=not_shown, date=datetime.date(2026, 5, 1), text="Internal note.")
    public_project(SessionFactory(partnership=session.partnership), "From another session")
    # Recorded through the service without saying: nothing is public by default.
    by_default = project_services.project_create(
        partnership=session.partnership, user=lead, title="Default", topic="falls_prevention", aim="Fewer falls."
    )
    by_default.sessions.add(session)

    text = text_of(client.get(answer_url(pre_survey)))

    projects = text.split("Improvement projects from this session ", 1)[1]
    assert projects == (
        "Woodland View into the community Stage: Testing "
        "Aim: By March 2027, 30 in-patients will join a community activity before discharge. "
        "Latest update, 14 May 2026: Twelve people joined the second walk."
    )
    assert (by_default.shown_to_attendees, Project._meta.get_field("shown_to_attendees").default) == (False, False)


def test_what_happened_next_says_so_when_no_project_is_shown(client, published, pre_survey):
    text = text_of(client.get(answer_url(pre_survey)))

    assert text.endswith(
        "Improvement projects from this session None to show yet: projects appear here when the people running them "
        "choose to share them."
    )


def test_what_happened_next_is_reached_by_the_short_code(client, published, post_survey):
    response = client.get(f"/q/{post_survey.short_code_display.lower()}/", follow=True)

    assert response.redirect_chain == [(answer_url(post_survey), 302)]
    assert response.templates[0].name == "surveys/public/what_happened_next.html"


def test_what_happened_next_is_kept_by_no_cache_and_no_search_engine(client, published, pre_survey):
    response = client.get(answer_url(pre_survey))

    assert sorted(response["Cache-Control"].split(", ")) == ["max-age=0", "no-cache", "no-store", "private"]
    assert response["X-Robots-Tag"] == "noindex"


# --- The project's side: marking it shown ---


def test_project_edit_form_marks_a_project_shown_and_says_what_becomes_public(client, lead, partnership):
    project = ProjectFactory(partnership=partnership)
    client.force_login(lead)
    url = reverse("projects:project-edit", args=[project.pk])

    form = client.get(url).content.decode()
    client.post(
        url,
        {
            "title": project.title,
            "topic": project.topic,
            "aim": project.aim,
            "people_involved_count": "0",
            "shown_to_attendees": "on",
        },
    )

    project.refresh_from_db()
    assert project.shown_to_attendees is True
    assert "Show this project to the people at its sessions" in form
    assert (
        "Its title, stage and aim, and its latest progress update (the date and what happened), appear on the "
        "“What happened next” page of each session it came from" in unescape(form)
    )
    assert "Nothing else is shown: not its partners, measures, learning points or who wrote the update." in form


# --- Queries ---


@pytest.mark.parametrize("count", [1, 3])
def test_what_happened_next_queries_do_not_grow(client, partnership, count, django_assert_num_queries):
    template = QuestionnaireTemplateFactory()
    for position in range(count):
        TemplateItemFactory(
            template=template, statement=StatementFactory(text=f"I know {position}."), position=position
        )
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    answer_pairs(pre, post, 6, before=[2] * count, after=[4] * count)
    release(pre, post)
    WhatHappenedNext.objects.create(session=session)
    for number in range(count):
        public_project(session, f"Project {number}", updates=[(datetime.date(2026, 5, number + 1), "Met again.")])
    client.get(answer_url(pre))  # the survey's statements are then kept by the worker, as after its first visitor

    # the survey with its session; published?; the counted answers; their statements' wording; their order; projects
    with django_assert_num_queries(6):
        response = client.get(answer_url(pre))

    assert len(headlines(response)) == count
    assert text_of(response).count("Met again.") == count


# --- The demo ---


def test_demo_publishes_north_ayrshires_session_with_one_project_shown(client, db):
    seed_demo()
    session = Session.objects.get(title=SESSION_TITLE)
    pre = session.surveys.get(phase=Phase.PRE)

    response = client.get(answer_url(pre))

    assert WhatHappenedNext.objects.get().session == session
    assert len(headlines(response)) == 6
    assert re.findall(r'<h3 id="next-project-\d+-heading" class="fs-6">([^<]+)</h3>', response.content.decode()) == [
        "Kilwinning activity info-graphic"
    ]
