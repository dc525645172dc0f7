"""A participant keeps one code across a programme on one phone at 320 px: the first session's "before" gives it,
the last session's "after" fills it in; once the lead releases the programme's results, the pair is counted."""

import datetime

import pytest

from surveys import services
from surveys.models import Response
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import (
    ProgrammeFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
)
from tests.surveys.conftest import release, submit

pytestmark = pytest.mark.browser

STATEMENT = "I know what co-design means in my work."


def _series(partnership):
    programme = ProgrammeFactory(partnership=partnership, title="Co-production Star Action Learning")
    template = QuestionnaireTemplateFactory(title="Co-production Star (test)")
    TemplateItemFactory(template=template, statement=StatementFactory(text=STATEMENT), position=1)
    surveys = []
    for day in (10, 30):
        session = SessionFactory(partnership=partnership, programme=programme, date=datetime.date(2026, 1, day))
        surveys.append(
            (
                services.survey_create(session=session, phase="pre", template=template),
                services.survey_create(session=session, phase="post", template=template),
            )
        )
    return programme, surveys


def test_one_phone_one_code_across_the_programme(new_page, partnership, lead):
    programme, ((first_pre, first_post), (last_pre, last_post)) = _series(partnership)
    for _ in range(4):  # four others with a pair already: the phone's makes five, enough to be shown
        code = submit(first_pre, [2]).response.pairing_code
        submit(last_post, [4], pairing_code=code)

    phone = new_page(width=320, height=640)
    phone.goto(first_pre.get_public_url())
    phone.get_by_role("group", name="1. " + STATEMENT).get_by_label("Disagree", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    code = phone.get_by_test_id("pairing-code").locator("[aria-hidden=true]").inner_text()
    assert "Keep it for every session of this programme" in phone.content()
    assert_accessible(phone, "programme-first-thanks")

    phone.goto(last_post.get_public_url())
    assert phone.get_by_label("Your code from the first questionnaire").input_value() == code
    assert_accessible(phone, "programme-last-post")
    phone.get_by_role("group", name="1. " + STATEMENT).get_by_label("Agree", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you: your answers are saved"
    assert Response.objects.filter(pairing_code=code).count() == 2

    release(first_pre, first_post, last_pre, last_post)
    desk = new_page(width=1280)
    log_in(desk, lead.username)
    desk.goto(programme.get_absolute_url())
    desk.get_by_role("link", name="Programme results: the change across the whole series").click()
    desk.get_by_role("button", name="Release the programme’s results").click()
    summary = desk.locator(".result-summary dd")
    assert summary.all_inner_texts() == ["2", "5", "5 (100%)"]  # sessions; people before; of whom after
    assert desk.locator(".paired-figures dd").first.inner_text() == "5"
    assert_accessible(desk, "programme-results")
