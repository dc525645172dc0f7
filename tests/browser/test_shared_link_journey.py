"""A read-only link: the lead makes one on the session's results, someone without an account opens it (1280 px and
320 px) and sees the figures but no written answers, the lead revokes it, and the same page says it was withdrawn.
axe-core checks every page."""

import pytest
from playwright.sync_api import expect

from surveys.models import SharedLink
from tests.browser.conftest import assert_accessible, log_in, make_surveys
from tests.browser.test_what_happened_next_journey import answer_both
from tests.surveys.conftest import release

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 568}
SESSION = "Exploring New Ways of Working: Kilwinning"


def test_lead_shares_a_read_only_link_then_revokes_it(page, new_page, lead, partnership):
    session, pre, post = make_surveys(partnership, SESSION)
    answer_both(pre, post, 12, written="Ask the Men's Shed along.")
    release(pre, post)

    # The lead makes a link on the session's results, and copies it from the page that shows it once.
    log_in(page, "lead")
    page.goto(f"/sessions/{session.pk}/results/")
    page.get_by_text("Share a read-only link").click()
    page.get_by_label("What it is for (optional)").fill("Board, March")
    page.get_by_label("Days until it expires").fill("30")
    assert_accessible(page, "shared-link-form")
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Your link to “Session results: Board, March”")).to_be_visible()
    url = page.get_by_label("The link").input_value()
    assert_accessible(page, "shared-links-created")

    # Someone without an account opens it: the figures, no written answers, no members' navigation.
    anonymous = new_page()
    anonymous.goto(url)
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(f"Results: {SESSION}")
    headlines = anonymous.locator(".result-headline").all_inner_texts()
    assert len(headlines) == 3
    main = anonymous.locator("main").inner_text()
    assert "Men's Shed" not in main
    expect(anonymous.locator(".site-nav, .result-downloads, form")).to_have_count(0)
    assert_accessible(anonymous, "shared-link-view")
    phone = new_page(**SMALL_PHONE)
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Results: {SESSION}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    assert_accessible(phone, "shared-link-view-phone")

    # The lead revokes it from the list; the same page, reloaded, says so.
    page.goto(f"/results/partnerships/{partnership.pk}/shared-links/")
    expect(page.get_by_role("cell", name="2", exact=True)).to_be_visible()  # two views so far
    page.get_by_role("button", name="Revoke Board, March").click()
    expect(page.get_by_text("The link “Session results: Board, March” is withdrawn")).to_be_visible()
    assert_accessible(page, "shared-links-revoked")
    assert SharedLink.objects.get().revoked_by == lead

    anonymous.reload()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(
        f"This link was withdrawn on {SharedLink.objects.get().revoked_at:%-d %B %Y}"
    )
    expect(anonymous.locator(".result-headline")).to_have_count(0)
    assert_accessible(anonymous, "shared-link-withdrawn")
