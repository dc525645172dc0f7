"""The tables themselves: anonymity by construction, and the rules the database enforces."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from surveys.models import Answer, QuestionnaireTemplate, Response, Survey, TemplateItem
from tests.factories import QuestionnaireTemplateFactory, SurveyFactory
from tests.surveys.conftest import submit


def test_response_and_answer_have_no_relation_to_attendee_or_user():
    from django.contrib.auth import get_user_model

    from workshops.models import Attendance, Attendee

    people = {get_user_model(), Attendee, Attendance}
    for model in (Response, Answer):
        relations = {field.related_model for field in model._meta.get_fields() if field.is_relation}
        assert relations & people == set()
    # Answer -> Response -> Survey -> Session is the only way out, and it reaches the session, not a person.
    assert {field.name for field in Response._meta.get_fields() if field.concrete} == {
        "id",
        "survey",
        "submission_key",
        "pairing_code",
        "paired_with",
        "source",
        "submitted_on",
    }
    assert {field.name for field in Answer._meta.get_fields() if field.concrete} == {
        "response",
        "statement",
        "value",
        "text",
    }


def test_no_model_outside_the_questionnaire_points_at_a_response_or_answer():
    """Nothing can be added beside an answer (a register row holding a pairing code, say) that leads to it."""
    from django.apps import apps

    answers = {Response, Answer}
    pointing = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model in answers
    }
    assert pointing == {"surveys.Response.paired_with", "surveys.Answer.response"}
    for model in apps.get_app_config("workshops").get_models():
        names = [f.name for f in model._meta.get_fields()]
        assert [name for name in names if name.endswith("code") or "response" in name or "pairing" in name] == []


def test_response_and_answer_store_no_time_finer_than_a_day():
    for model in (Response, Answer):
        assert [
            f.name for f in model._meta.get_fields() if isinstance(f, models.DateTimeField | models.TimeField)
        ] == []
    assert isinstance(Response._meta.get_field("submitted_on"), models.DateField)


def test_response_and_answer_keys_reveal_no_order(pre_survey):
    """Random response ids and a (response, statement) key: no sequence to line up with server logs."""
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert Answer._meta.pk.name == "pk" and [f.name for f in Answer._meta.pk_fields] == ["response", "statement"]

    first = submit(pre_survey, [4, 4, 4]).response
    second = submit(pre_survey, [2, 2, 2]).response

    assert first.pk.version == 4 and second.pk.version == 4


def test_response_submitted_on_is_the_local_day(pre_survey):
    late_evening = datetime.datetime(2026, 3, 12, 23, 30, tzinfo=datetime.UTC)  # 23:30 UTC = 23:30 GMT

    response = submit(pre_survey, [4, 4, 4], now=late_evening).response

    response.refresh_from_db()
    assert response.submitted_on == datetime.date(2026, 3, 12)


@pytest.mark.parametrize("value", [0, 6, -1])
def test_answer_value_outside_scale_refused_by_database(pre_survey, value):
    response = submit(pre_survey, [4, 4, 4]).response
    statement = pre_survey.items.first().statement
    Answer.objects.filter(response=response, statement=statement).delete()

    with pytest.raises(IntegrityError):
        Answer.objects.create(response=response, statement=statement, value=value)


def test_answer_once_per_response_and_statement(pre_survey):
    response = submit(pre_survey, [4, 4, 4]).response
    statement = pre_survey.items.first().statement

    with pytest.raises(IntegrityError):
        Answer.objects.create(response=response, statement=statement, value=None)


def test_response_submission_key_unique(pre_survey):
    key = uuid.uuid4()
    Response.objects.create(survey=pre_survey, submission_key=key, submitted_on=datetime.date(2026, 3, 12))

    with pytest.raises(IntegrityError):
        Response.objects.create(survey=pre_survey, submission_key=key, submitted_on=datetime.date(2026, 3, 12))


def test_response_pairing_code_unique_in_survey_but_blank_repeats(pre_survey):
    day = datetime.date(2026, 3, 12)
    for _ in range(2):
        Response.objects.create(survey=pre_survey, submission_key=uuid.uuid4(), submitted_on=day)
    Response.objects.create(survey=pre_survey, submission_key=uuid.uuid4(), submitted_on=day, pairing_code="ABC234")

    with pytest.raises(IntegrityError):
        Response.objects.create(survey=pre_survey, submission_key=uuid.uuid4(), submitted_on=day, pairing_code="ABC234")


def test_survey_once_per_session_and_phase(pre_survey):
    with pytest.raises(IntegrityError):
        SurveyFactory(session=pre_survey.session, template=pre_survey.template, phase="pre")


def test_survey_token_is_random_128_bits_and_not_the_id(session, template):
    surveys = [SurveyFactory(template=template, phase="pre") for _ in range(3)]

    tokens = [survey.token for survey in surveys]
    assert len(set(tokens)) == 3
    # token_urlsafe(16): 16 random bytes, 22 URL-safe characters.
    assert all(len(token) == 22 and str(survey.pk) != token for token, survey in zip(tokens, surveys, strict=True))


def test_survey_state_follows_window_and_close_now(pre_survey):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    pre_survey.opens_at, pre_survey.closes_at = now + hour, now + 2 * hour

    assert [pre_survey.state(now), pre_survey.state(now + hour), pre_survey.state(now + 2 * hour)] == [
        "not_yet_open",
        "open",
        "closed",
    ]
    pre_survey.closed_at = now + hour + datetime.timedelta(minutes=5)
    assert pre_survey.state(now + hour + datetime.timedelta(minutes=10)) == "closed"


def test_template_is_national_or_a_based_on_copy(partnership):
    national = QuestionnaireTemplateFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireTemplate.objects.create(title="Orphan copy", partnership=partnership)
    assert QuestionnaireTemplate.objects.create(title="Copy", partnership=partnership, based_on=national).pk


def test_default_national_template_created_by_migration(db):
    template = QuestionnaireTemplate.objects.get(partnership=None, title="Exploring New Ways of Working")

    items = TemplateItem.objects.filter(template=template).select_related("statement").order_by("position")
    assert [(item.statement.text, item.statement.kind, item.phase, item.required) for item in items][:3] == [
        (
            "I have a sound understanding of the work undertaken by AHPs and third sector organisations within my "
            "partnership.",
            "scale",
            "both",
            True,
        ),
        ("I am aware of local and national resources to support health and wellbeing.", "scale", "both", True),
        ("I feel confident using a self-management approach in my work.", "scale", "both", True),
    ]
    assert [(item.statement.kind, item.phase, item.required) for item in items][3:] == [
        ("scale", "both", True),
        ("scale", "both", True),
        ("scale", "both", True),
        ("text", "post", False),
        ("text", "post", False),
    ]
    assert Survey.objects.count() == 0


def test_the_admin_never_shows_a_pairing_code(db, pre_survey):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from tests.factories import TwoFactorClient

    response = submit(pre_survey, [4, 4, 4]).response
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client = TwoFactorClient()
    client.force_login(admin)

    page = client.get(reverse("admin:surveys_response_change", args=[response.pk]))

    assert page.status_code == 200
    assert "View response" in page.content.decode()
    assert response.pairing_code not in page.content.decode()
