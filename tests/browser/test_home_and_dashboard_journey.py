"""The five demo users land on their day's work; ALLIANCE staff on Scotland's dashboard, and its one-page print.

On the demo itself (seed_demo), as `make run` serves it: each user's next task is at most two clicks from home
(a lead's and a facilitator's: the projector view), and every page is axe-clean at 320 px and 1280 px.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conftest import seed_demo


@pytest.fixture
def demo(db):
    seed_demo()


def _users(new_page, width, username):
    page = new_page(width=width)
    log_in(page, username, password="coprod-demo")  # the demo's own password
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # logged in, whatever the way
    page.wait_for_load_state()
    return page


def _check(page, name, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: the page scrolls sideways"
    assert_accessible(page, f"{name}-{width}")


@pytest.mark.parametrize("width", [320, 1280])
def test_demo_users_reach_their_next_task_from_home(new_page, demo, width):
    # The lead: today's session, its questionnaire on the projector in one click; paper entry beside it.
    page = _users(new_page, width, "lead")
    assert page.url.endswith("/")
    today = page.get_by_role("region", name="Today and next")
    expect(today.get_by_text("Today", exact=True).first).to_be_visible()
    expect(today.get_by_role("link", name=re.compile("^Key in paper forms")).first).to_be_visible()
    _check(page, "home-lead", width)
    today.get_by_role("link", name=re.compile("^Show on the projector")).first.click()
    assert re.search(r"/surveys/\d+/projector/$", page.url)

    # The facilitator: the same in one click.
    page = _users(new_page, width, "facilitator")
    _check(page, "home-facilitator", width)
    page.get_by_role("region", name="Today and next").get_by_role(
        "link", name=re.compile("^Show on the projector")
    ).first.click()
    assert re.search(r"/surveys/\d+/projector/$", page.url)

    # The viewer: the latest results, read only; a debrief in one click.
    page = _users(new_page, width, "viewer")
    expect(page.get_by_role("region", name="Today and next")).to_have_count(0)
    _check(page, "home-viewer", width)
    page.get_by_role("link", name=re.compile("^Open the debrief")).first.click()
    assert re.search(r"/sessions/\d+/results/$", page.url)
    expect(page.locator(".result-headline").first).to_be_visible()  # waits for the page, as a person would

    # Aberdeen's lead: their partnership's dashboard in one click, Scotland beside it.
    page = _users(new_page, width, "lead-aberdeen")
    _check(page, "home-lead-aberdeen", width)
    page.get_by_role("link", name=re.compile("^dashboard")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Aberdeen City .*: dashboard"))).to_be_visible()
    expect(page.get_by_text("Scotland: change (95% CI)")).to_be_visible()
    _check(page, "dashboard-partnership", width)

    # ALLIANCE staff land on Scotland's dashboard.
    page = _users(new_page, width, "alliance")
    assert page.url.endswith("/dashboard/")
    expect(page.get_by_role("heading", name="Scotland: dashboard")).to_be_visible()
    for section in ("Activity", "Outcomes at a glance", "What came of it"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    _check(page, "dashboard-national", width)


def test_national_dashboard_prints_on_one_page(new_page, demo):
    page = _users(new_page, 680, "alliance")  # A4's 180 mm between the print margins, at 96 px to the inch

    page.emulate_media(media="print")

    expect(page.get_by_role("img", name=re.compile("Change in the share agreeing in Scotland"))).to_be_visible()
    expect(page.get_by_text("Sessions held, by kind, and places attended")).to_be_visible()
    for hidden in [
        page.locator(".site-nav"),
        page.get_by_text("Filters", exact=True),
        page.get_by_role("link", name=re.compile("^Download dashboard.csv")),
    ]:
        expect(hidden).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-national-print.png", full_page=True)
    pdf = page.pdf(format="A4", margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
