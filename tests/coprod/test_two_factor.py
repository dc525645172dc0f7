"""Two-factor authentication: required for ALLIANCE staff, leads and admins, optional for others."""

import importlib
import logging
import re
import time
from types import SimpleNamespace

import django_otp
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.hashers import check_password, identify_hasher
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, connection
from django.test import override_settings
from django.urls import reverse
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod import services
from coprod.account_views import PENDING, PENDING_SECONDS
from coprod.models import Membership, RecoveryCode, RecoveryCodes, Role, code_normalise
from coprod.permissions import two_factor_required
from tests.factories import PASSWORD, UserFactory, authenticator_for, code_now


def _password(client, username, next_url=""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": PASSWORD})


def _logged_in(client):
    return "_auth_user_id" in client.session


def _key_on_setup_page(response):
    return re.search(r'data-testid="secret-key">([A-Z2-7 ]+)<', response.text).group(1)


def _code_now_pending(user):
    return code_now(TOTPDevice.objects.get(user=user, confirmed=False))


def _wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


CODES_ON_PAGE = re.compile(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>")


def _stored_as_hashes_of(user, codes):
    """The user's stored recovery codes are exactly these, each only as a salted hash found by its last four."""
    stored = {row.locator: row.hash for row in RecoveryCode.objects.filter(device__user=user)}
    plain = [code_normalise(code) for code in codes]
    return len(stored) == len(plain) and all(check_password(code, stored.get(code[-4:])) for code in plain)


def test_two_factor_required_for_alliance_leads_and_admins_only(lead, facilitator, viewer, alliance):
    admin = UserFactory(is_staff=True)

    assert [two_factor_required(user) for user in (alliance, lead, admin, facilitator, viewer)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_password_alone_logs_in_a_facilitator_without_two_factor(client, facilitator):
    response = _password(client, "facilitator")

    assert response.url == reverse("home")
    assert _logged_in(client)


def test_lead_without_authenticator_must_set_one_up_before_being_logged_in(client, lead, partnership):
    target = reverse("partnership-detail", args=[partnership.pk])
    response = _password(client, "lead", next_url=target)

    assert response.url == reverse("two-factor-setup")
    assert not _logged_in(client)
    assert client.get(target).status_code == 302  # still not logged in

    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text

    wrong = client.post(reverse("two-factor-setup"), {"code": _wrong(_code_now_pending(lead))})
    assert "That code is not right" in wrong.text
    assert not _logged_in(client)

    time.sleep(1.1)  # django-otp makes each wrong code wait a little longer
    done = client.post(reverse("two-factor-setup"), {"code": _code_now_pending(lead)})

    assert _logged_in(client)
    codes = CODES_ON_PAGE.findall(done.text)
    assert len(codes) == 10
    assert _stored_as_hashes_of(lead, codes)
    assert list(TOTPDevice.objects.filter(user=lead).values_list("confirmed", flat=True)) == [True]
    assert f'href="{target}"' in done.text
    assert "North Ayrshire HSCP" in client.get(target).text  # the session passed the second factor


def test_setup_page_keeps_one_secret_across_reloads(client, lead):
    _password(client, "lead")

    first = client.get(reverse("two-factor-setup"))
    second = client.get(reverse("two-factor-setup"))

    assert _key_on_setup_page(first) == _key_on_setup_page(second)
    assert TOTPDevice.objects.filter(user=lead).count() == 1


def test_user_with_authenticator_gives_a_code_after_the_password(client, viewer, partnership):
    device, _codes = authenticator_for(viewer)
    target = reverse("partnership-detail", args=[partnership.pk])

    response = _password(client, "viewer", next_url=target)
    assert response.url == reverse("login-code")
    assert not _logged_in(client)

    done = client.post(reverse("login-code"), {"code": code_now(device)})

    assert done.url == target
    assert _logged_in(client)


def test_wrong_code_is_refused_with_a_message_and_then_throttled(client, lead):
    device, _codes = authenticator_for(lead)
    _password(client, "lead")
    first = client.post(reverse("login-code"), {"code": _wrong(code_now(device))})
    second = client.post(reverse("login-code"), {"code": code_now(device)})  # at once: throttled

    assert "That code is not right" in first.text
    assert "Too many wrong codes" in second.text
    assert not _logged_in(client)


def test_a_code_works_once(client, lead):
    device, _codes = authenticator_for(lead)
    code = code_now(device)
    _password(client, "lead")
    client.post(reverse("login-code"), {"code": code})
    client.post(reverse("logout"))

    _password(client, "lead")
    again = client.post(reverse("login-code"), {"code": code})

    assert "That code is not right, or has been used" in again.text
    assert not _logged_in(client)


def test_recovery_code_logs_in_once_and_says_how_many_are_left(client, lead):
    _device, codes = authenticator_for(lead)
    _password(client, "lead")

    response = client.post(reverse("login-code"), {"code": codes[0].upper()[:4] + " " + codes[0][4:]}, follow=True)

    assert _logged_in(client)
    assert "You logged in with a recovery code: 9 left." in response.text
    client.post(reverse("logout"))
    _password(client, "lead")
    again = client.post(reverse("login-code"), {"code": codes[0]})
    assert not _logged_in(client)
    assert "That code is not right" in again.text


def test_pending_login_times_out(client, lead):
    device, _codes = authenticator_for(lead)
    _password(client, "lead")
    session = client.session
    session[PENDING] = {**session[PENDING], "at": int(time.time()) - PENDING_SECONDS - 1}
    session.save()

    response = client.post(reverse("login-code"), {"code": code_now(device)})

    assert response.url == reverse("login")
    assert not _logged_in(client)


def test_password_alone_cannot_replace_an_existing_authenticator(client, lead):
    device, _codes = authenticator_for(lead)
    _password(client, "lead")

    response = client.post(reverse("two-factor-setup"), {"code": "123456"})

    assert response.url == reverse("login-code")
    assert list(TOTPDevice.objects.filter(user=lead)) == [device]


def test_login_code_without_a_pending_login_goes_back_to_login(client, db):
    response = client.get(reverse("login-code"))

    assert response.url == reverse("login")


def test_facilitator_turns_two_factor_on_then_off_with_password(client, facilitator):
    client.force_login(facilitator)
    client.get(reverse("two-factor-setup"))
    done = client.post(reverse("two-factor-setup"), {"code": _code_now_pending(facilitator)})
    assert "Your recovery codes" in done.text
    assert "On: you log in with your password and a code" in client.get(reverse("two-factor")).text

    refused = client.post(reverse("two-factor-remove"), {"password": "not-my-password"})
    assert "That is not your password." in refused.text
    assert TOTPDevice.objects.filter(user=facilitator).exists()

    client.post(reverse("two-factor-remove"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=facilitator).exists()
    assert not RecoveryCode.objects.filter(device__user=facilitator).exists()
    assert _password(client, "facilitator").url == reverse("home")


def test_lead_cannot_turn_two_factor_off(client, lead):
    authenticator_for(lead)
    client.force_login(lead)

    response = client.post(reverse("two-factor-remove"), {"password": PASSWORD})

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=lead).exists()


def test_new_recovery_codes_replace_the_old_ones(client, lead):
    _device, old = authenticator_for(lead)
    client.force_login(lead)

    response = client.post(reverse("two-factor-recovery-codes"))

    new = CODES_ON_PAGE.findall(response.text)
    assert len(new) == 10
    assert _stored_as_hashes_of(lead, new)
    assert set(new).isdisjoint(old)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
def test_recovery_codes_are_kept_as_salted_slow_hashes_never_as_themselves(lead, facilitator):
    for user in (lead, facilitator):
        services.recovery_codes_replace(user=user, codes=["abcd-efgh-jkmn"])

    rows = list(RecoveryCode.objects.order_by("device__user__username").values_list("locator", "hash"))
    assert [locator for locator, _hash in rows] == ["jkmn", "jkmn"]  # only the last four, which locate the hash
    assert [identify_hasher(hash).algorithm for _locator, hash in rows] == ["pbkdf2_sha256", "pbkdf2_sha256"]
    assert rows[0][1] != rows[1][1]  # salted: the same code hashes differently for each user
    assert [hash for _locator, hash in rows if "abcd" in hash or "efgh" in hash] == []
    assert services.two_factor_check(user=lead, code="ABCD EFGH JKMN") == RecoveryCodes.objects.get(user=lead)
    assert services.two_factor_check(user=lead, code="abcd-efgh-jkmn") is None  # used up
    assert services.two_factor_check(user=facilitator, code="abcd-efgh-jkmx") is None  # right place, wrong code


def test_new_recovery_codes_are_random_and_each_found_by_its_last_four(lead):
    codes = services.recovery_codes_replace(user=lead)

    assert [code for code in codes if not re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", code)] == []
    assert len({code[-4:] for code in codes}) == 10
    assert _stored_as_hashes_of(lead, codes)


def test_one_set_of_recovery_codes_per_user(lead):
    RecoveryCodes.objects.create(user=lead, name="Recovery codes")

    with pytest.raises(IntegrityError):
        RecoveryCodes.objects.create(user=lead, name="Recovery codes")


def test_migration_hashes_plain_recovery_codes_and_drops_their_tables(lead, facilitator):
    # The tables django-otp's static device kept its codes in, in plain text, as a database made before 0003 has.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_static_staticdevice"
            " (id integer PRIMARY KEY, user_id integer NOT NULL, name varchar(64) NOT NULL, confirmed boolean NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer NOT NULL,"
            " token varchar(16) NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO otp_static_staticdevice VALUES (1, %s, 'Recovery codes', %s), (2, %s, 'Unused', %s)",
            [lead.pk, True, facilitator.pk, False],
        )
        cursor.execute(
            "INSERT INTO otp_static_statictoken VALUES (1, 1, 'k7m2x9pq'), (2, 1, 'demo-code-01'), (3, 2, 'r4tzh3nd')"
        )
    migration = importlib.import_module("coprod.migrations.0003_recovery_codes_hashed")

    migration.hash_plain_recovery_codes(apps, SimpleNamespace(connection=connection))

    assert {"otp_static_staticdevice", "otp_static_statictoken"} & set(connection.introspection.table_names()) == set()
    assert _stored_as_hashes_of(lead, ["k7m2x9pq", "demo-code-01"])
    assert not RecoveryCodes.objects.filter(user=facilitator).exists()  # an unconfirmed device had no codes to use
    assert services.two_factor_check(user=lead, code="K7M2 X9PQ") == RecoveryCodes.objects.get(user=lead)


def test_new_recovery_codes_after_a_recovery_code_login_keep_the_session(client, lead, partnership):
    _device, old = authenticator_for(lead)
    _password(client, "lead")
    client.post(reverse("login-code"), {"code": old[0]})

    client.post(reverse("two-factor-recovery-codes"))

    assert "North Ayrshire HSCP" in client.get(reverse("partnership-detail", args=[partnership.pk])).text


def test_alliance_staff_reset_someone_who_lost_their_phone(client, alliance, lead, caplog):
    caplog.set_level(logging.INFO, logger="coprod.security")
    authenticator_for(lead)
    client.force_login(alliance)

    page = client.get(reverse("user-edit", args=[lead.pk]))
    assert "Reset two-factor authentication" in page.text
    client.post(reverse("user-two-factor-reset", args=[lead.pk]))

    assert not TOTPDevice.objects.filter(user=lead).exists()
    assert not RecoveryCode.objects.filter(device__user=lead).exists()
    assert f"two-factor removed user={lead.pk} by={alliance.pk}" in [r.getMessage() for r in caplog.records]
    client.post(reverse("logout"))
    assert _password(client, "lead").url == reverse("two-factor-setup")


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/login/?next=/admin/coprod/user/"])
def test_admin_login_goes_through_coprod_login(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=/admin/")


def test_security_log_names_no_code(client, lead, caplog):
    caplog.set_level(logging.INFO)
    device, codes = authenticator_for(lead)
    _password(client, "lead")
    client.post(reverse("login-code"), {"code": codes[1]})

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert codes[1] not in logged
    assert device.key not in logged


@given(code=st.one_of(st.text(max_size=300), st.binary(max_size=100).map(repr), st.integers().map(str)))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_junk_codes_never_log_in_and_never_fail(client, lead, alliance, code):
    """The code step (lead, who has an authenticator) and the set-up step (alliance, who has none)."""
    if not TOTPDevice.objects.filter(user=lead).exists():
        authenticator_for(lead)
    statuses = []
    for username, name in (("lead", "login-code"), ("alliance", "two-factor-setup")):
        client.cookies.clear()
        _password(client, username)
        statuses.append(client.post(reverse(name), {"code": code}).status_code)
        assert not _logged_in(client)

    assert statuses == [200, 200]


# A session logged in with a password alone whose rights grow: it must pass the second factor before anything else.


def test_facilitator_made_lead_mid_session_must_set_up_two_factor_first(client, facilitator, partnership):
    _password(client, "facilitator")
    Membership.objects.filter(user=facilitator, partnership=partnership).update(role=Role.LEAD)
    edit = reverse("partnership-edit", args=[partnership.pk])

    page = client.get(edit)
    admin_page = client.get("/admin/")

    assert page.url == f"{reverse('two-factor-setup')}?next={edit}"
    assert admin_page.url == f"{reverse('two-factor-setup')}?next=/admin/"
    client.get(page.url)
    done = client.post(page.url, {"code": _code_now_pending(facilitator)})
    assert f'href="{edit}"' in done.text
    assert "Edit North Ayrshire HSCP" in client.get(edit).text


def test_viewer_made_admin_mid_session_gives_a_code_before_the_admin(client, viewer):
    _password(client, "viewer")
    device, _codes = authenticator_for(viewer)  # set up meanwhile, in another session
    viewer.is_staff = viewer.is_superuser = True
    viewer.save(update_fields=["is_staff", "is_superuser"])

    refused = client.get("/admin/")

    assert refused.url == f"{reverse('login-code')}?next=/admin/"
    done = client.post(refused.url, {"code": code_now(device)})
    assert done.url == "/admin/"
    assert "Site administration" in client.get("/admin/").text


def test_staff_made_mid_session_cannot_open_the_admin(client, db):
    staff = UserFactory(username="newadmin")
    _password(client, "newadmin")
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])

    response = client.get("/admin/coprod/user/")

    assert response.url == f"{reverse('two-factor-setup')}?next=/admin/coprod/user/"
    client.post(reverse("logout"))
    assert not _logged_in(client)


def test_two_factor_login_opens_the_admin(client, db):
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    device, _codes = authenticator_for(staff)
    _password(client, "staff", next_url="/admin/")

    done = client.post(reverse("login-code"), {"code": code_now(device)})

    assert done.url == "/admin/"
    assert "Site administration" in client.get("/admin/").text


def test_password_login_without_two_factor_is_unaffected(client, facilitator, partnership):
    _password(client, "facilitator")

    page = client.get(reverse("partnership-detail", args=[partnership.pk]))

    assert "North Ayrshire HSCP" in page.text
    assert not TOTPDevice.objects.filter(user=facilitator).exists()


def test_password_only_session_cannot_replace_a_second_factor_set_up_elsewhere(client, facilitator):
    _password(client, "facilitator")
    device, codes = authenticator_for(facilitator)

    setup = client.post(reverse("two-factor-setup"), {"code": "123456"})
    new_codes = client.post(reverse("two-factor-recovery-codes"))

    assert setup.url == reverse("login-code")
    assert new_codes.status_code == 403
    assert list(TOTPDevice.objects.filter(user=facilitator)) == [device]
    assert _stored_as_hashes_of(facilitator, codes)


def test_admin_site_needs_a_session_that_passed_the_second_factor(rf, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    device, _codes = authenticator_for(staff)
    request = rf.get("/admin/")
    request.user, request.session = staff, SessionStore()
    OTPMiddleware(lambda request: None)(request)

    before = admin.site.has_permission(request)
    django_otp.login(request, device)

    assert (before, admin.site.has_permission(request)) == (False, True)
