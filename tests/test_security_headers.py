"""A sweep of every URL in the permission matrix, plus error pages: each response carries every header."""

import pytest
from django.urls import reverse

from tests.test_permission_matrix import MATRIX, world  # noqa: F401 (fixture)

EXPECTED = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_secure_headers(response):
    for header, value in EXPECTED.items():
        assert response.headers.get(header) == value, header
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("persona", ["anonymous", "lead"])
@pytest.mark.parametrize(("name", "kwargs", "method", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_security_headers_on_every_url(world, as_persona, persona, name, kwargs, method, expected):  # noqa: F811
    client = as_persona(persona)
    url = reverse(name, kwargs={key: world[value].pk if value in world else value for key, value in kwargs.items()})

    response = getattr(client, method)(url, secure=True)

    assert_secure_headers(response)


@pytest.mark.parametrize("path", ["/no-such-page/", "/partnerships/999999/", "/static/no-such-file.css"])
def test_security_headers_on_error_pages(client, lead, path):
    client.force_login(lead)

    response = client.get(path, secure=True)

    assert response.status_code == 404
    assert_secure_headers(response)


def test_unknown_host_is_rejected(client):
    response = client.get("/", headers={"host": "evil.example.com"}, secure=True)

    assert response.status_code == 400
