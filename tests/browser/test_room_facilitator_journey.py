"""The facilitator in the room, on a 1280x720 projector laptop: sets up and opens both questionnaires in one step
from the session page, goes from the session page to the projector in one click, and opens early a questionnaire
not yet open; axe-core checks every page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from surveys.models import Survey
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import SessionFactory

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}


def test_facilitator_sets_up_both_and_goes_to_the_projector_in_one_click(new_page, partnership, facilitator, template):
    # A session running today, from first thing to last thing: both questionnaires take answers once set up.
    session = SessionFactory(
        partnership=partnership,
        title="Exploring New Ways of Working: Irvine",
        date=timezone.localdate(),
        start_time=datetime.time(0, 0),
        end_time=datetime.time(23, 59),
    )
    page = new_page(**PROJECTOR)
    log_in(page, "facilitator")
    page.goto(session.get_absolute_url())
    assert_accessible(page, "room-session-page-setup")

    page.get_by_role("button", name="Set up both questionnaires").click()

    assert page.get_by_role("heading", level=1).inner_text() == f"Questionnaires: {session.title}"
    expect(page.get_by_text("Questionnaires before and after the session set up")).to_have_count(1)
    assert sorted(Survey.objects.filter(session=session).values_list("phase", flat=True)) == ["post", "pre"]
    assert [survey.state() for survey in Survey.objects.filter(session=session).order_by("-phase")] == ["open", "open"]
    assert_accessible(page, "room-questionnaires-set-up")

    # Back on the session page: one click to the projector.
    page.goto(session.get_absolute_url())
    assert_accessible(page, "room-session-page-ready")
    page.get_by_role("link", name=re.compile(r"^Show on the projector\W+questionnaire before")).click()

    pre = Survey.objects.get(session=session, phase="pre")
    assert page.url.endswith(f"/surveys/{pre.pk}/projector/")
    assert page.get_by_role("heading", level=1).inner_text() == "Questionnaire before the session"
    assert_accessible(page, "room-projector")


def test_facilitator_opens_now_a_questionnaire_not_yet_open(new_page, partnership, facilitator, template):
    session = SessionFactory(
        partnership=partnership,
        title="Co-production Star: next week",
        date=timezone.localdate() + datetime.timedelta(days=7),
    )
    page = new_page(**PROJECTOR)
    log_in(page, "facilitator")
    page.goto(session.get_absolute_url())
    page.get_by_role("button", name="Set up both questionnaires").click()
    expect(page.get_by_text("Not open yet")).to_have_count(1)

    page.get_by_role("button", name=re.compile(r"^Open now\W+the questionnaire after")).click()

    post = Survey.objects.get(session=session, phase="post")
    assert post.state() == "open"
    expect(page.get_by_role("button", name=re.compile(r"^Open now\W+the questionnaire after"))).to_have_count(0)
    assert_accessible(page, "room-opened-now")


def test_setup_and_open_now_fit_a_320_pixel_screen(new_page, partnership, lead, template):
    session = SessionFactory(
        partnership=partnership, title="Good Conversations: Largs", date=timezone.localdate() + datetime.timedelta(1)
    )
    page = new_page(width=320, height=640)
    log_in(page, "lead")
    page.goto(session.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "room-session-page-320")

    page.get_by_role("button", name="Set up both questionnaires").click()

    expect(page.get_by_role("button", name=re.compile(r"^Open now"))).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "room-questionnaires-320")
