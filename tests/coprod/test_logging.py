"""The console log as production writes it: one logfmt line per record, with the request id, and no personal data."""

import io
import logging
import re
import uuid

import pytest
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from surveys import services as survey_services
from surveys.models import Phase, Response, StatementKind
from tests.factories import (
    AttendeeFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
)

NAME, EMAIL = "Shona MacLeod", "shona.macleod@example.org"
OTHER_EMAIL = "iain.kerr@example.org"
WRITTEN = "Ask the carers' centre to the next huddle."


@pytest.fixture
def console_log():
    """What the console handler configured in settings.LOGGING writes, with its own formatter."""
    console = next(handler for handler in logging.getLogger().handlers if handler.name == "console")
    stream = io.StringIO()
    previous = console.setStream(stream)
    yield stream
    console.setStream(previous)


def _logged(console_log, request):
    """The response to request(), and the log lines written while it was handled."""
    start = len(console_log.getvalue())
    response = request()
    return response, console_log.getvalue()[start:].splitlines()


def _request_ids(lines):
    return [re.search(r" request=(\S+) ", line).group(1) for line in lines]


def test_log_lines_carry_the_request_id_and_no_names_emails_answers_tokens_or_codes(
    client, partnership, lead, console_log
):
    session = SessionFactory(partnership=partnership, date=timezone.localdate())
    template = QuestionnaireTemplateFactory()
    TemplateItemFactory(template=template, statement=StatementFactory())
    written = TemplateItemFactory(template=template, statement=StatementFactory(kind=StatementKind.TEXT)).statement
    survey = survey_services.survey_create(session=session, phase=Phase.PRE, template=template)
    scale = survey.items.get(statement__kind=StatementKind.SCALE).statement
    attendee = AttendeeFactory(partnership=partnership, name="Iain Kerr", email="iain@example.org")
    client.force_login(lead)
    client.raise_request_exception = False

    def someone_else_took_the_email(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and "workshops_attendee" in sql:
            raise IntegrityError(  # PostgreSQL's words for a race on the unique constraint
                'duplicate key value violates unique constraint "attendee_email_unique_in_partnership"\n'
                f"DETAIL:  Key (partnership_id, lower(email::text))=({partnership.pk}, {OTHER_EMAIL}) already exists."
            )
        return execute(sql, params, many, context)

    added, added_lines = _logged(
        console_log,
        lambda: client.post(
            reverse("workshops:attendee-add", args=[session.pk]),
            {"name": NAME, "email": EMAIL, "sector": "nhs", "role": "dietitian"},
        ),
    )
    answered, answered_lines = _logged(
        console_log,
        lambda: client.post(
            survey.get_public_url(),
            {"submission_key": str(uuid.uuid4()), f"s{scale.pk}": "4", f"s{written.pk}": WRITTEN},
        ),
    )
    code = Response.objects.get().pairing_code  # before the failed save spoils the test's transaction
    by_short_code, _ = _logged(console_log, lambda: client.get(f"/q/{survey.short_code.lower()}/"))
    with connection.execute_wrapper(someone_else_took_the_email):
        failed, failed_lines = _logged(
            console_log,
            lambda: client.post(
                reverse("workshops:attendee-edit", args=[attendee.pk]),
                {"name": "Iain Kerr", "email": OTHER_EMAIL, "sector": "nhs", "role": "dietitian"},
            ),
        )

    assert (added.status_code, code in answered.text, failed.status_code) == (302, True, 500)
    output = console_log.getvalue()
    for response, lines in [(added, added_lines), (answered, answered_lines), (failed, failed_lines)]:
        assert lines
        assert set(_request_ids(lines)) == {response.headers["X-Request-ID"]}
    assert "logger=django.request request=" in failed_lines[0]
    assert 'exc="Traceback' in failed_lines[0]
    assert "DETAIL: [removed]" in failed_lines[0]
    assert by_short_code.status_code == 302
    secrets = (NAME, EMAIL, "Iain Kerr", OTHER_EMAIL, WRITTEN, survey.token, code, survey.short_code.lower())
    assert [secret in output for secret in secrets] == [False] * 8


def test_log_lines_cannot_be_forged_by_a_newline_in_the_path(client, db, console_log):
    response, lines = _logged(console_log, lambda: client.get("/nowhere%0Alevel=ERROR msg=forged/"))

    assert response.status_code == 404
    assert len(lines) == 2
    assert set(_request_ids(lines)) == {response.headers["X-Request-ID"]}
    assert all(line.startswith("time=") for line in lines)


def test_log_scrubs_email_addresses_and_database_details_from_messages_and_tracebacks(console_log):
    try:
        raise ValueError(f"no attendee {EMAIL}\nDETAIL:  Key (name)=(Shona) already exists.")
    except ValueError:
        logging.getLogger("coprod.test").exception("lookup failed for %s", OTHER_EMAIL)

    assert console_log.getvalue().startswith("time=")
    assert 'msg="lookup failed for [email]" exc="Traceback' in console_log.getvalue()
    assert "ValueError: no attendee [email]\\nDETAIL: [removed]" in console_log.getvalue()
    assert [secret in console_log.getvalue() for secret in (EMAIL, OTHER_EMAIL, "Shona")] == [False] * 3
