"""The attendee's journey on real phones: a facilitator puts the questionnaire up, three phones answer before
and after the session, pairs form by the code on the device or typed in; axe-core checks every page, with
JavaScript on and off."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from surveys import services
from surveys.models import Response
from tests.browser.conftest import assert_accessible, log_in, make_surveys

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def surveys(partnership):
    return make_surveys(partnership, "Exploring New Ways of Working: Irvine")


def check(page, name, checker=None):
    """axe-core on the page as it is; for a page without JavaScript, through `checker` (see below)."""
    if checker is None:
        assert_accessible(page, name)
        return
    # axe-core cannot run where scripts are off (its promises never settle), so the exact HTML this page
    # shows is served again at the same address to a scripted page, with any script taken out, and checked.
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
    checker.route(page.url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    try:
        checker.goto(page.url)
    finally:
        checker.unroute(page.url)
    assert_accessible(checker, name)


def answer(page, choices, name):
    """Tick one answer per statement, by its legend and label, as a person would."""
    for number, choice in enumerate(choices, start=1):
        group = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        group.get_by_label(choice, exact=True).check()
    if name:
        assert_accessible(page, name)
    page.get_by_role("button", name="Send my answers").click()


def pre_journey(page, url, name, checker=None):
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Questionnaire before the session"
    check(page, f"{name}-pre-form", checker)
    # Send with one statement unanswered: the summary lists it, and the answers given are kept.
    page.get_by_role("group", name=re.compile(r"^1\. ")).get_by_label("Disagree", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    summary = page.get_by_role("alert")
    assert summary.get_by_role("link").all_inner_texts() == [
        "Statement 2: Choose an answer, or choose Don't know",
        "Statement 3: Choose an answer, or choose Don't know",
    ]
    assert page.get_by_role("group", name=re.compile(r"^1\. ")).get_by_label("Disagree", exact=True).is_checked()
    check(page, f"{name}-pre-errors", checker)
    answer(page, ["Disagree", "Don't know", "Neither agree nor disagree"], None)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: your answers are saved"
    check(page, f"{name}-pre-thanks", checker)
    return page.get_by_test_id("pairing-code").locator("[aria-hidden=true]").inner_text()


def post_journey(page, url, name, *, code_to_type=None, checker=None):
    page.goto(url)
    code_box = page.get_by_label("Your code from the first questionnaire")
    if code_to_type:
        assert code_box.input_value() == ""
        code_box.fill(code_to_type.lower())
    check(page, f"{name}-post-form", checker)
    answer(page, ["Agree", "Strongly agree", "Agree"], None)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: your answers are saved"
    check(page, f"{name}-post-thanks", checker)


def test_survey_journey_three_phones_pair_before_and_after(page, new_page, facilitator, surveys):
    session, pre, post = surveys

    # The facilitator opens the session's questionnaires and puts the one before the session on the projector.
    log_in(page, "facilitator")
    page.goto(f"/sessions/{session.pk}/questionnaires/")
    assert_accessible(page, "survey-session-page")
    pre_url = page.locator(f'a.public-url[href$="/s/{pre.token}/"]').inner_text()
    post_url = page.locator(f'a.public-url[href$="/s/{post.token}/"]').inner_text()
    page.get_by_role("link", name="Show on the projector (pre)").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Questionnaire before the session"
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page, "survey-projector")

    phone_a = new_page(**PHONE)
    phone_b = new_page(**PHONE)
    phone_c = new_page(javascript=False, **PHONE)
    checker = new_page(**PHONE)
    codes = {
        "a": pre_journey(phone_a, pre_url, "phone-a"),
        "b": pre_journey(phone_b, pre_url, "phone-b"),
        "c": pre_journey(phone_c, pre_url, "phone-c-nojs", checker),
    }
    # The live count reaches the projector without a reload (JavaScript polls it).
    page.get_by_text("Responses so far: 3").wait_for()

    # After the session: phones a and c find their code filled in; b's owner types it on another device.
    post_journey(phone_a, post_url, "phone-a")
    post_journey(phone_c, post_url, "phone-c-nojs", checker=checker)
    phone_d = new_page(javascript=False, **PHONE)
    post_journey(phone_d, post_url, "phone-d-nojs", code_to_type=codes["b"], checker=checker)

    # Leave the projector, which polls, so that no request shares the database with the checks below.
    page.goto("/")
    pairs = sorted(
        Response.objects.filter(survey=post).values_list(
            "pairing_code", "paired_with__pairing_code", "paired_with__survey"
        )
    )
    assert pairs == sorted((code, code, pre.pk) for code in codes.values())
    assert len(set(codes.values())) == 3


def test_survey_closed_and_unknown_pages_accessible(new_page, surveys):
    _session, pre, _post = surveys
    services.survey_close(survey=pre)

    checker = new_page(**PHONE)
    for javascript in (True, False):
        phone = new_page(javascript=javascript, **PHONE)
        phone.goto(f"/s/{pre.token}/")
        assert phone.get_by_role("heading", level=1).inner_text() == "This questionnaire has closed"
        check(phone, f"survey-closed-js-{javascript}", None if javascript else checker)
        response = phone.goto("/s/no-such-questionnaire/")
        assert response.status == 404
        assert phone.get_by_role("heading", level=1).inner_text() == "We cannot find this questionnaire"
        check(phone, f"survey-unknown-js-{javascript}", None if javascript else checker)


def test_survey_not_open_errors_and_rate_limit_pages_accessible_at_320_px(new_page, surveys, settings):
    _session, pre, post = surveys
    services.survey_set_window(survey=pre, opens_at=timezone.now() + timedelta(days=1), closes_at=None)
    phone = new_page(width=320, height=640)
    widths = []

    phone.goto(f"/s/{pre.token}/")
    assert phone.get_by_role("heading", level=1).inner_text() == "This questionnaire is not open yet"
    widths.append(phone.evaluate("document.documentElement.scrollWidth"))
    check(phone, "survey-not-open")

    settings.SURVEY_RATE_LIMIT = "1/m"  # this phone's network may send once a minute: the second send waits
    phone.goto(f"/s/{post.token}/")
    phone.get_by_role("group", name=re.compile(r"^1\. ")).get_by_label("Agree", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    assert len(phone.get_by_role("alert").get_by_role("link").all_inner_texts()) == 2
    widths.append(phone.evaluate("document.documentElement.scrollWidth"))
    check(phone, "survey-post-errors")

    answer(phone, ["Agree", "Strongly agree", "Agree"], None)
    assert phone.get_by_role("alert").get_by_role("heading").inner_text() == "Please wait a minute, then send again"
    assert phone.get_by_role("group", name=re.compile(r"^2\. ")).get_by_label("Strongly agree", exact=True).is_checked()
    widths.append(phone.evaluate("document.documentElement.scrollWidth"))
    check(phone, "survey-rate-limited")
    assert widths == [320, 320, 320]
    assert Response.objects.filter(survey=post).count() == 0


def test_survey_page_fits_a_320_pixel_screen(new_page, surveys):
    """No sideways scrolling on a small old phone (WCAG 1.4.10 reflow: 320 CSS px, as at 400% zoom)."""
    _session, pre, post = surveys
    phone = new_page(width=320, height=640)

    widths = []
    for survey in (pre, post):
        phone.goto(f"/s/{survey.token}/")
        widths.append(phone.evaluate("document.documentElement.scrollWidth"))

    assert widths == [320, 320]


def test_paper_entry_by_keyboard_alone(page, lead, surveys):
    _session, pre, post = surveys
    pre_code = services.response_submit(
        survey=pre, submission_key=uuid.uuid4(), answers={i.statement_id: 2 for i in pre.items.all()}
    ).response.pairing_code
    log_in(page, "lead")
    page.goto(f"/surveys/{post.pk}/paper/")
    assert_accessible(page, "survey-paper")

    # First paper form: its code, then 4, 5, Don't know and a written answer, moving on with Tab only.
    page.get_by_label("Form 1, code").focus()
    page.keyboard.type(pre_code.lower())
    for key in ["4", "5", "d"]:
        page.keyboard.press("Tab")
        page.keyboard.type(key)
    page.keyboard.press("Tab")
    page.keyboard.type("Ask what matters.")
    # Second paper form, no code: 3 and 3, the rest left blank; Enter in a text box saves the page.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.get_by_text("2 paper questionnaires saved.").wait_for()
    stored = sorted(
        (response.pairing_code, sorted(map(str, response.answers.values_list("value", "text"))))
        for response in Response.objects.filter(survey=post, source="paper")
    )
    assert stored == [
        ("", ["(3, '')", "(3, '')"]),
        (pre_code, ["(4, '')", "(5, '')", "(None, '')", "(None, 'Ask what matters.')"]),
    ]


def test_staff_questionnaire_pages_accessible(page, lead, surveys, partnership):
    _session, pre, _post = surveys
    log_in(page, "lead")

    page.goto("/questionnaires/")
    assert_accessible(page, "survey-templates")
    page.get_by_role("link", name="Exploring New Ways of Working (test)").click()
    assert_accessible(page, "survey-template-national")
    page.get_by_role("link", name="Copy for your partnership").click()
    page.get_by_role("button", name="Make a copy").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Exploring New Ways of Working (test): North Ayrshire"
    assert_accessible(page, "survey-template-copy")
    page.get_by_role("link", name="Add a local statement").click()
    page.get_by_label("Statement or question").fill("I know the community groups in Irvine.")
    assert_accessible(page, "survey-template-item-add")
    page.get_by_role("button", name="Add statement").click()
    expect(page.get_by_role("row", name=re.compile("I know the community groups in Irvine"))).to_be_visible()

    page.goto(f"/surveys/{pre.pk}/poster/")
    assert_accessible(page, "survey-poster")
    page.goto(f"/surveys/{pre.pk}/edit/")
    assert_accessible(page, "survey-window")
