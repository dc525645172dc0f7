"""The audit trail in a real browser: a lead reads and filters their partnership's trail, on a desk and at 320 px;
ALLIANCE staff reach the whole trail from the menu."""

import pytest
from playwright.sync_api import expect

from coprod import audit
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import LocalityFactory, SessionFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def changed_session(partnership, lead):
    session = SessionFactory(
        partnership=partnership,
        title="Irvine session",
        locality=LocalityFactory(partnership=partnership, name="Irvine"),
    )
    session.locality = LocalityFactory(partnership=partnership, name="Kilwinning")
    session.title = "Kilwinning session"
    session.save()
    audit.export_record(user=lead, what="Improvement projects (CSV)", scope=partnership, filters={"stage": "idea"})
    return session


def test_lead_reads_and_filters_the_partnership_trail(new_page, lead, partnership, changed_session):
    page = new_page()
    log_in(page, "lead")
    page.goto(f"/partnerships/{partnership.pk}/audit/")
    assert_accessible(page, "audit-trail")

    page.get_by_label("What").select_option(label="Session")
    page.get_by_role("button", name="Filter").click()

    rows = page.locator("table.audit-trail tbody tr")
    expect(rows).to_have_count(2)  # waits for the filtered page, which a bare count() may read before it arrives
    assert "Title: Irvine session → changed to Kilwinning session" in " ".join(rows.first.inner_text().split())
    narrow = new_page(width=320)
    log_in(narrow, "lead")
    narrow.goto(f"/partnerships/{partnership.pk}/audit/?kind=export")
    assert_accessible(narrow, "audit-trail-320")
    assert "Scope: North Ayrshire HSCP" in narrow.locator("table.audit-trail").inner_text()


def test_alliance_staff_reach_the_whole_trail_from_the_menu(page, alliance, changed_session):
    log_in(page, "alliance")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.locator("table.audit-trail tbody tr").nth(3)).to_be_visible()
    assert_accessible(page, "audit-trail-national")
