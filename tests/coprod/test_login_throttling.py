import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from tests.factories import PASSWORD


def _attempt(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


OFFICE = "192.0.2.10"  # one NAT address a whole office logs in from
HOME = "198.51.100.7"


def _logged_in_as(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


def test_login_locks_a_username_at_an_address_after_ten_failures(client, lead, caplog):
    caplog.set_level(logging.INFO, logger="coprod.security")
    failures = [_attempt(client, "lead", "wrong-guess", OFFICE).status_code for _ in range(10)]

    locked = _attempt(client, "lead", PASSWORD, OFFICE)

    assert failures == [200] * 9 + [429]
    assert locked.status_code == 429
    assert "Too many attempts" in locked.text
    assert "Please wait a few minutes and try again." in locked.text
    assert "_auth_user_id" not in client.session
    assert [record.getMessage() for record in caplog.records if record.name == "coprod.security"] == [
        "login locked out after repeated failures"
    ] * 2


def test_login_locked_username_leaves_a_colleague_behind_the_same_address_free(client, lead, viewer):
    for _ in range(10):
        _attempt(client, "lead", "wrong-guess", OFFICE)

    response = _attempt(client, "viewer", PASSWORD, OFFICE)

    assert response.url == reverse("home")
    assert _logged_in_as(client, viewer)


def test_login_locked_username_still_logs_in_from_another_address(client, viewer):
    for _ in range(10):
        _attempt(client, "viewer", "wrong-guess", OFFICE)

    response = _attempt(client, "viewer", PASSWORD, HOME)

    assert response.url == reverse("home")
    assert _logged_in_as(client, viewer)


@pytest.mark.parametrize(("minutes_ago", "locked"), [(4.9, True), (5.1, False)])
def test_login_lockout_lifts_after_five_minutes(client, viewer, minutes_ago, locked):
    for _ in range(10):
        _attempt(client, "viewer", "wrong-guess", OFFICE)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes_ago))

    response = _attempt(client, "viewer", PASSWORD, OFFICE)

    assert (response.status_code == 429, _logged_in_as(client, viewer)) == (locked, not locked)


@pytest.mark.parametrize(("failures", "locked"), [(99, False), (100, True)])
def test_login_locks_an_address_after_a_hundred_failures_across_usernames(client, viewer, failures, locked):
    answers = [_attempt(client, f"nobody{n}", "wrong-guess", OFFICE).status_code for n in range(failures)]

    response = _attempt(client, "viewer", PASSWORD, OFFICE)

    assert answers == [200] * 99 + [429] * (failures - 99)
    assert (response.status_code == 429, _logged_in_as(client, viewer)) == (locked, not locked)
    if locked:
        assert "Please wait a few minutes and try again." in response.text


def test_login_address_lock_leaves_other_addresses_free(client, viewer):
    for n in range(100):
        _attempt(client, f"nobody{n}", "wrong-guess", OFFICE)

    response = _attempt(client, "viewer", PASSWORD, HOME)

    assert response.url == reverse("home")
    assert _logged_in_as(client, viewer)


@pytest.mark.parametrize(("minutes_ago", "locked"), [(4.9, True), (5.1, False)])
def test_login_address_lock_lifts_after_five_minutes(client, viewer, minutes_ago, locked):
    for n in range(100):
        _attempt(client, f"nobody{n}", "wrong-guess", OFFICE)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes_ago))

    response = _attempt(client, "viewer", PASSWORD, OFFICE)

    assert (response.status_code == 429, _logged_in_as(client, viewer)) == (locked, not locked)


def test_login_success_clears_only_its_own_failures(client, lead, viewer):
    for _ in range(9):
        _attempt(client, "lead", "wrong-guess", OFFICE)
        _attempt(client, "viewer", "wrong-guess", OFFICE)

    _attempt(client, "viewer", PASSWORD, OFFICE)

    assert list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")) == [
        ("lead", OFFICE, 9)
    ]


def test_login_success_is_logged_by_user_id_only(client, viewer, caplog):
    caplog.set_level(logging.INFO, logger="coprod.security")

    response = _attempt(client, "viewer", PASSWORD, OFFICE)

    assert response.url == reverse("home")
    assert [record.getMessage() for record in caplog.records if record.name == "coprod.security"] == [
        f"login user={viewer.pk}"
    ]


def test_login_with_an_absurdly_long_username_is_a_failed_guess_not_an_error(client, db):
    response = _attempt(client, "x" * 5000, "wrong-guess", OFFICE)

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
