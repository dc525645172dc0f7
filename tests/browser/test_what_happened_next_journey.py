"""After the session: the lead publishes "What happened next" and shows one of the two projects that came out of it;
an attendee on a 320 px phone opens the questionnaire's address (and its short code) and sees the results and that
one project. axe-core checks every page."""

import datetime
import uuid

import pytest
from playwright.sync_api import expect

from projects import services as project_services
from projects.models import Project
from surveys import services
from surveys.models import WhatHappenedNext
from tests.browser.conftest import assert_accessible, log_in, make_surveys
from tests.surveys.conftest import release, scale_ids

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 568}
SESSION = "Exploring New Ways of Working: Kilwinning"
SHOWN = "Kilwinning info-graphic of cross-sector activity"
KEPT = "Inter-generational early intervention"


def answer_both(pre, post, pairs, *, written=""):
    for _ in range(pairs):
        before = services.response_submit(
            survey=pre, submission_key=uuid.uuid4(), answers=dict.fromkeys(scale_ids(pre), 2)
        ).response
        answers = dict.fromkeys(scale_ids(post), 4)
        if written:
            answers[post.items.get(statement__kind="text").statement_id] = written
        services.response_submit(
            survey=post, submission_key=uuid.uuid4(), answers=answers, pairing_code=before.pairing_code
        )


def project_from(session, lead, title, update):
    project = project_services.project_create(
        partnership=session.partnership,
        user=lead,
        title=title,
        topic="early_intervention",
        aim=f"By March 2027: {title.lower()}.",
        sessions=[session],
    )
    project_services.progress_update_add(project=project, author=lead, date=datetime.date(2026, 5, 14), text=update)
    return project


def test_attendee_on_a_small_phone_sees_what_happened_next(page, new_page, lead, partnership):
    session, pre, post = make_surveys(partnership, SESSION)
    answer_both(pre, post, 12, written="Ask the Men's Shed along.")
    release(pre, post)
    shown = project_from(session, lead, SHOWN, "The first draft went to the locality planning group.")
    project_from(session, lead, KEPT, "Two schools said yes.")

    # The lead publishes the page from the session's questionnaires ...
    log_in(page, "lead")
    page.goto(f"/sessions/{session.pk}/questionnaires/")
    expect(page.get_by_text("Not published: the addresses say the questionnaires have closed.")).to_be_visible()
    page.get_by_role("button", name="Publish what happened next").click()
    expect(page.get_by_text("“What happened next” is published")).to_be_visible()
    expect(page.get_by_role("button", name="Unpublish what happened next")).to_be_visible()
    assert_accessible(page, "next-published")
    assert WhatHappenedNext.objects.filter(session=session).exists()

    # ... and shows one of the two projects to the people who were there.
    page.goto(shown.get_absolute_url())
    page.get_by_role("link", name=f"Edit {SHOWN}").click()
    checkbox = page.get_by_label("Show this project to the people at its sessions")
    expect(checkbox).not_to_be_checked()
    expect(page.get_by_text("Nothing else is shown: not its partners")).to_be_visible()
    checkbox.check()
    assert_accessible(page, "next-project-edit")
    page.get_by_role("button", name="Save project").click()
    expect(page.get_by_text("Yes: its title, stage, aim and latest update")).to_be_visible()
    assert list(Project.objects.filter(shown_to_attendees=True).values_list("title", flat=True)) == [SHOWN]

    # The attendee scans the same QR code on a small phone, without signing in.
    phone = new_page(**SMALL_PHONE)
    phone.goto(f"/s/{pre.token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("What happened next")
    expect(phone.get_by_text(f"{SESSION}, Thursday 12 March 2026.")).to_be_visible()
    headlines = phone.locator(".result-headline").all_inner_texts()
    assert len(headlines) == 3
    assert all(headline.startswith("Among the 12 people who answered both questionnaires") for headline in headlines)
    assert phone.get_by_role("heading", level=3).all_inner_texts()[3:] == [SHOWN]
    expect(phone.get_by_text("The first draft went to the locality planning group.")).to_be_visible()
    main = phone.locator("main").inner_text()
    assert KEPT not in main
    assert "Two schools said yes." not in main
    assert "Men's Shed" not in main
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    assert_accessible(phone, "next-attendee-phone")

    # Typed from the poster instead, the short code leads to the same page.
    phone.goto(f"/q/{post.short_code_display}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("What happened next")
    assert phone.url.endswith(f"/s/{post.token}/")
