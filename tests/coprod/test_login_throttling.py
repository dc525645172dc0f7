import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from tests.factories import PASSWORD


def _attempt(client, username, password, address="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_locks_account_after_ten_failures_then_shows_try_again_later(client, lead, caplog):
    caplog.set_level(logging.INFO, logger="coprod.security")
    failures = [_attempt(client, "lead", "wrong-guess", f"192.0.2.{n}").status_code for n in range(10)]

    locked = _attempt(client, "lead", PASSWORD, "192.0.2.99")

    assert failures == [200] * 9 + [429]
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text
    assert "_auth_user_id" not in client.session
    assert [record.getMessage() for record in caplog.records if record.name == "coprod.security"] == [
        "login locked out after repeated failures"
    ] * 2


@pytest.mark.parametrize(("minutes_ago", "locked"), [(4.9, True), (5.1, False)])
def test_login_lockout_lifts_after_five_minutes(client, viewer, minutes_ago, locked):
    for n in range(10):
        _attempt(client, "viewer", "wrong-guess", f"192.0.2.{n}")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes_ago))

    response = _attempt(client, "viewer", PASSWORD, "192.0.2.99")

    assert (response.status_code == 429, "_auth_user_id" in client.session) == (locked, not locked)


def test_login_locks_an_address_guessing_many_accounts(client, lead, viewer):
    for n in range(10):
        _attempt(client, f"nobody{n}", "wrong-guess")

    response = _attempt(client, "viewer", PASSWORD)

    assert response.status_code == 429


def test_login_success_is_logged_by_user_id_only(client, viewer, caplog):
    caplog.set_level(logging.INFO, logger="coprod.security")

    response = _attempt(client, "viewer", PASSWORD)

    assert response.url == reverse("home")
    assert [record.getMessage() for record in caplog.records if record.name == "coprod.security"] == [
        f"login user={viewer.pk}"
    ]


def test_login_with_an_absurdly_long_username_is_a_failed_guess_not_an_error(client, db):
    response = _attempt(client, "x" * 5000, "wrong-guess")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
