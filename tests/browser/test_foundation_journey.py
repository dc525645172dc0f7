import pytest
from playwright.sync_api import expect

from coprod.models import Organisation, Sector
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import LocalityFactory

pytestmark = pytest.mark.browser


def test_lead_creates_organisation_and_edits_localities(page, lead, partnership):
    LocalityFactory(partnership=partnership, name="Irvin")
    log_in(page, "lead")

    page.get_by_role("link", name="Organisations").click()
    assert_accessible(page, "organisation-list")
    page.get_by_role("link", name="New organisation").click()
    page.get_by_role("button", name="Save").click()  # nothing filled in: the error summary appears
    expect(page.locator("[data-error-summary]")).to_be_visible()
    assert_accessible(page, "organisation-create-errors")
    page.get_by_label("Name").fill("Kilwinning Community Sports Club")
    page.get_by_label("Sector").select_option(Sector.COMMUNITY)
    page.get_by_label(partnership.name).check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kilwinning Community Sports Club"
    assert_accessible(page, "organisation-detail")

    page.get_by_role("link", name="Partnerships").click()
    page.get_by_role("link", name=partnership.name).click()
    assert_accessible(page, "partnership-detail")
    page.get_by_role("link", name="Edit localities").click()
    page.get_by_label("Name").first.fill("Irvine")
    page.get_by_label("Name").nth(1).fill("Kilwinning")
    assert_accessible(page, "partnership-localities")
    page.get_by_role("button", name="Save localities").click()

    assert page.get_by_role("status").inner_text() == "Localities saved."
    assert list(partnership.localities.values_list("name", flat=True)) == ["Irvine", "Kilwinning"]
    organisation = Organisation.objects.get()
    assert (organisation.sector, list(organisation.partnerships.all())) == (Sector.COMMUNITY, [partnership])


def test_pages_fit_a_320_px_screen(new_page, lead, partnership):
    page = new_page(width=320, height=640)
    log_in(page, "lead")
    for path in ["/", "/partnerships/", f"/partnerships/{partnership.pk}/", "/organisations/"]:
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{path} scrolls sideways ({scroll_width} px)"
    assert_accessible(page, "narrow-organisations")
