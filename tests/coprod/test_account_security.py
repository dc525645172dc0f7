"""Account settings that security depends on: password rules, reset links, session cookies and timeouts.

Each test fails if its setting is removed or weakened (AUTH_PASSWORD_VALIDATORS, PASSWORD_RESET_TIMEOUT, the
__Host- cookie names, SESSION_COOKIE_AGE and coprod.middleware.session_lifetime).
"""

import datetime
import time

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import PASSWORD

NEW_PASSWORD = "mvq4-tide-lo"  # 12 characters, not a common password


def _change_password(client, user, password):
    client.force_login(user)
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )


def _reset_link(user):
    uidb64, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def _reset_password(client, link, password):
    """Follow the emailed link, then choose the new password."""
    followed = client.get(link)
    # A live link redirects to the form (Django moves the token into the session); a dead one says so.
    form_url = followed.url if followed.status_code == 302 else link
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def _reset_password_of(client, user, password):
    return _reset_password(client, _reset_link(user), password)


@pytest.mark.parametrize("set_password", [_change_password, _reset_password_of], ids=["change", "reset"])
@pytest.mark.parametrize(
    ("password", "errors"),
    [
        ("mvq4-tide-l", ["This password is too short. It must contain at least 12 characters."]),
        ("password1234", ["This password is too common."]),
        (NEW_PASSWORD, None),
        (("correct-horse-battery-staple-" * 5)[:128], None),  # long passphrases are welcome
    ],
    ids=["11-characters", "common", "12-characters", "128-characters"],
)
def test_password_needs_12_characters_not_common_and_takes_long_passphrases(
    client, viewer, set_password, password, errors
):
    response = set_password(client, viewer, password)

    viewer.refresh_from_db()
    assert viewer.check_password(password) is (errors is None)
    if errors:
        assert response.context["form"].errors["new_password2"] == errors
    else:
        assert response.url in (reverse("password_change_done"), reverse("password_reset_complete"))


def test_password_reset_link_works_only_once(client, viewer):
    link = _reset_link(viewer)

    first = _reset_password(client, link, NEW_PASSWORD)
    second = _reset_password(client, link, "another-new-password")

    viewer.refresh_from_db()
    assert first.url == reverse("password_reset_complete")
    assert "This link has expired or has already been used" in second.text
    assert viewer.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(("minutes", "works"), [(59, True), (61, False)])
def test_password_reset_link_expires_after_one_hour(client, viewer, monkeypatch, minutes, works):
    link = _reset_link(viewer)
    later = datetime.datetime.now() + datetime.timedelta(minutes=minutes)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    response = _reset_password(client, link, NEW_PASSWORD)

    viewer.refresh_from_db()
    assert viewer.check_password(NEW_PASSWORD) is works
    assert ("This link has expired or has already been used" in response.text) is not works


def test_login_over_https_sets_host_only_secure_session_and_csrf_cookies(client, facilitator):
    client.get(reverse("login"), secure=True)

    response = client.post(reverse("login"), {"username": "facilitator", "password": PASSWORD}, secure=True)

    session, csrf = response.cookies["__Host-sessionid"], response.cookies["__Host-csrftoken"]
    assert (session["secure"], session["httponly"], session["samesite"], session["path"], session["domain"]) == (
        True,
        True,
        "Lax",
        "/",
        "",
    )
    assert (csrf["secure"], csrf["samesite"], csrf["path"], csrf["domain"]) == (True, "Lax", "/", "")
    assert response.url == reverse("home")


@pytest.fixture
def move_clock(monkeypatch):
    """Moves both clocks sessions read (time.time for coprod's, timezone.now for Django's) some minutes on."""
    real_time, real_now = time.time, timezone.now

    def move(minutes):
        monkeypatch.setattr(time, "time", lambda: real_time() + minutes * 60)
        monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(minutes=minutes))

    return move


def test_session_idle_for_over_30_minutes_is_sent_to_login(client, viewer, move_clock):
    client.force_login(viewer)
    move_clock(31)

    response = client.get(reverse("partnership-list"))

    assert response.url == f"{reverse('login')}?next=/partnerships/"


def test_session_active_within_25_minutes_stays_signed_in_as_expiry_renews_every_5(client, viewer, move_clock):
    """Activity pushes the 30-minute expiry on, but only once the last push is 5 minutes old (SESSION_RENEW_EVERY).

    So the real idle timeout is 25 to 30 minutes after the last request: someone active every 25 minutes stays.
    """
    client.force_login(viewer)
    move_clock(20)
    client.get(reverse("partnership-list"))
    move_clock(45)  # 45 minutes after login, 25 after the last request

    response = client.get(reverse("partnership-list"))

    assert (response.status_code, response.context["user"]) == (200, viewer)
