"""“Did it last?”: seven months after a project closed, its lead finds the question on the home page, slips, answers,
and sees the answer on the project page; at 1280 and 320 px, with axe-core on each state of the page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.follow_up import add_months
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import ProjectFactory
from tests.projects.test_follow_up import _close

pytestmark = pytest.mark.browser

TITLE = "Woodland View: from ward to community activities"
REASON = "The walking group meets every Tuesday, run by volunteers."


@pytest.mark.parametrize("width", [1280, 320])
def test_lead_answers_did_it_last_from_the_home_page(new_page, lead, partnership, width):
    closed_on = add_months(timezone.localdate(), -7)
    project = _close(ProjectFactory(partnership=partnership, title=TITLE), closed_on)
    page = new_page(width=width, height=800)
    log_in(page, "lead")

    page.goto("/")
    question = page.get_by_role("link", name=f"Answer for {TITLE}")
    expect(question.locator("xpath=..")).to_contain_text(f"closed {closed_on:%-d %b %Y}, asked six months on")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    question.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Did it last?")
    page.get_by_label("Why?").fill(REASON)
    page.get_by_role("button", name="Save answer").click()  # no outcome chosen: refused, the reason kept
    expect(page.locator("[data-error-summary]")).to_contain_text("Choose what became of the project.")
    expect(page.get_by_label("Why?")).to_have_value(REASON)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, f"follow-up-error-{width}")

    page.get_by_label("Part of everyday work: it carries on as the usual way of doing things").check()
    page.get_by_role("button", name="Save answer").click()

    assert page.url.endswith(f"{project.get_absolute_url()}#follow-up-title")
    expect(page.get_by_role("status")).to_have_text("Answer saved.")
    lasting = page.get_by_role("region", name="Did it last?")
    expect(lasting).to_contain_text(f"Part of everyday work. {REASON}")
    expect(lasting).to_contain_text("Not asked yet.")  # the twelve-month question is still to come
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, f"follow-up-answered-{width}")

    page.goto("/")
    expect(page.get_by_role("link", name=f"Answer for {TITLE}")).to_have_count(0)
