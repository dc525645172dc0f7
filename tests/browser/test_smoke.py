import pytest

from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_login_page_accessible_and_lead_reaches_home(page, lead):
    page.goto("/accounts/login/")
    assert_accessible(page, "login")
    log_in(page, "lead")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Test"
    assert_accessible(page, "home")
