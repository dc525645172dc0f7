import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from coprod.middleware import SESSION_SEEN, SESSION_STARTED


def test_session_ends_twelve_hours_after_login_however_active(client, lead):
    client.force_login(lead)
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 12 * 60 * 60 - 1
    session.save()

    response = client.get(reverse("partnership-list"))

    assert response.url == f"{reverse('login')}?next=/partnerships/"
    assert "_auth_user_id" not in client.session


def test_session_within_twelve_hours_of_login_stays_signed_in(client, viewer):
    client.force_login(viewer)
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 12 * 60 * 60 + 60
    session.save()

    response = client.get(reverse("partnership-list"))

    assert response.context["user"] == viewer


def test_session_activity_renews_idle_clock_every_few_minutes(client, lead):
    client.force_login(lead)
    session = client.session
    session[SESSION_SEEN] = int(time.time()) - 6 * 60
    session.save()

    client.get(reverse("home"))

    assert int(time.time()) - client.session[SESSION_SEEN] < 5


def test_logout_ends_the_session_on_the_server(client, lead):
    client.force_login(lead)
    session_key = client.session.session_key

    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=session_key).exists()


def test_database_unreachable_answers_503_then_recovers(client, lead, settings):
    client.force_login(lead)
    client.raise_request_exception = False

    def unreachable(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(unreachable):
        down = client.get(reverse("partnership-list"))
    back = client.get(reverse("partnership-list"))

    assert (down.status_code, down.headers["Retry-After"]) == (503, "30")
    assert "briefly unavailable" in down.text
    assert "could not connect" not in down.text
    assert back.status_code == 200


@pytest.mark.parametrize(
    "failure",
    [
        InterfaceError("connection already closed"),  # dropped mid-request: every later query fails like this
        OperationalError("server closed the connection unexpectedly"),
    ],
)
def test_a_connection_lost_mid_request_answers_503(client, lead, failure):
    client.force_login(lead)
    client.raise_request_exception = False
    queries = []

    def drop_after_the_first(execute, sql, params, many, context):
        queries.append(sql)
        if len(queries) > 1:
            raise failure
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_after_the_first):
        down = client.get(reverse("partnership-list"))

    assert (down.status_code, down.headers["Retry-After"]) == (503, "30")
    assert "briefly unavailable" in down.text
    assert client.get(reverse("partnership-list")).status_code == 200


def test_a_request_id_a_client_sends_is_not_taken(client):
    """Unless a proxy that overwrites the header says so (TRUST_REQUEST_ID), any client could choose its id."""
    response = client.get(reverse("home"), headers={"X-Request-ID": "abc123"})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_the_proxys_request_id_is_kept_when_trusted(client, settings):
    settings.TRUST_REQUEST_ID = True

    response = client.get(reverse("home"), headers={"X-Request-ID": "abc123"})

    assert response.headers["X-Request-ID"] == "abc123"


@pytest.mark.parametrize("hostile", ["abc\nlevel=ERROR", "a" * 200, "two words", ""])
def test_request_id_from_the_proxy_replaced_unless_short_and_plain(client, settings, hostile):
    settings.TRUST_REQUEST_ID = True
    response = client.get(reverse("home"), headers={"X-Request-ID": hostile})

    assert response.headers["X-Request-ID"] != hostile
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
