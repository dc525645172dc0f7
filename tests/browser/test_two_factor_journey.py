"""A lead's first login: password, then setting up an authenticator app; the next login asks for a code."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, set_up_authenticator

pytestmark = pytest.mark.browser


def test_lead_sets_up_two_factor_then_logs_in_with_a_recovery_code(new_page, lead):
    page = new_page(width=360, height=740)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor authentication"
    expect(page.get_by_role("img", name="QR code that adds CoProd to your authenticator app")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "two-factor-setup")
    page.get_by_role("button", name="Set up").click()  # no code: the error summary links to the field
    page.get_by_role("alert").get_by_role("link").click()
    assert page.evaluate("document.activeElement.name") == "code"
    assert_accessible(page, "two-factor-setup-errors")

    set_up_authenticator(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Your recovery codes"
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "two-factor-codes")
    page.get_by_role("link", name="I have saved my codes: continue").click()
    expect(page.get_by_role("link", name="Two-factor authentication")).to_be_visible()
    page.get_by_role("link", name="Two-factor authentication").click()
    assert_accessible(page, "two-factor-account")

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your code"
    assert_accessible(page, "two-factor-login-code")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("status").inner_text() == (
        "You logged in with a recovery code: 9 left. New ones are under Two-factor authentication."
    )
