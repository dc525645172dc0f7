"""Scenarios for questionnaires: a national template, a session of `partnership`, its pre and post surveys."""

import datetime
import uuid

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import CLOSING_GRACE, Phase
from tests.conftest import STATEMENTS  # noqa: F401 (the template fixture's statements, for the tests here)
from tests.factories import SessionFactory


@pytest.fixture
def session(partnership):
    return SessionFactory(partnership=partnership, title="Exploring New Ways of Working: Irvine")


@pytest.fixture
def pre_survey(session, template):
    return services.survey_create(session=session, phase=Phase.PRE, template=template)


@pytest.fixture
def post_survey(session, template):
    return services.survey_create(session=session, phase=Phase.POST, template=template)


def scale_ids(survey):
    return [item.statement_id for item in survey.items.order_by("position") if item.statement.is_scale]


def submit(survey, values, **kwargs):
    """Submit through the service: `values` are the scale answers in order (None for Don't know)."""
    answers = dict(zip(scale_ids(survey), values, strict=False))
    return services.response_submit(survey=survey, submission_key=uuid.uuid4(), answers=answers, **kwargs)


def form_data(survey, values, **extra):
    """What the attendee's page posts: a new key, and `values` for the scale statements in order."""
    data = {"submission_key": str(uuid.uuid4())}
    data |= {f"s{sid}": value for sid, value in zip(scale_ids(survey), values, strict=False)}
    return data | extra


def release(*surveys):
    """Close the surveys as if more than the grace period ago: their answers are released into results."""
    for survey in surveys:
        services.survey_close(survey=survey, now=timezone.now() - CLOSING_GRACE - datetime.timedelta(minutes=1))
