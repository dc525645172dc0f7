"""Error pages a signed-in person meets: friendly, accessible and whole on a 320 px screen."""

import pytest
from django.urls import reverse

from coprod.models import Membership
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_error_pages_accessible_at_320_px(new_page, viewer, partnership):
    phone = new_page(width=320, height=640)
    log_in(phone, "viewer")
    membership = Membership.objects.get(user=viewer)
    pages = [
        (reverse("partnership-edit", args=[partnership.pk]), 403, "You do not have access"),
        ("/no-such-page/", 404, "Page not found"),
        (reverse("member-remove", args=[partnership.pk, membership.pk]), 405, "This address is for a form"),
    ]

    seen = []
    for url, status, _heading in pages:
        response = phone.goto(url)
        seen.append((response.status, phone.get_by_role("heading", level=1).inner_text()))
        assert phone.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(phone, f"error-{status}")

    assert seen == [(status, heading) for _url, status, heading in pages]
