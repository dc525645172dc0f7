"""Every URL the project routes, and every error page, carries every security header; error pages are friendly.

The sweep walks the URL resolver itself, so a new URL pattern is swept as soon as it exists: with the permission
matrix's objects when the matrix has a row for it, with example values in its parameters otherwise.
"""

import copy
import importlib
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import Client, override_settings
from django.urls import URLResolver, clear_url_caches, get_resolver, resolve, reverse

import coprod.urls
import surveys.urls
from tests.test_permission_matrix import MATRIX, POST_BODY, world  # noqa: F401 (fixture)
from tests.urls_errors import FAILURE_DETAIL

EXPECTED = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# A read-only link's page sends no referrer at all: its address is the secret (surveys/views/shared.py). A wrong
# method gets the site's 405 page (coprod.middleware), which sends referrers to this site only, as everywhere.
NO_REFERRER_PREFIX = "/shared/"


def assert_secure_headers(response):
    expected = EXPECTED
    if response.request["PATH_INFO"].startswith(NO_REFERRER_PREFIX) and response.status_code != 405:
        expected = EXPECTED | {"Referrer-Policy": "no-referrer"}
    for header, value in expected.items():
        assert response.headers.get(header) == value, header
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]


# --- every URL ---

# Values for a pattern's parameters when the matrix has no row for it: the admin's, the unnamed ones.
EXAMPLE_VALUES = {"int": "1", "path": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def _routes(resolver=None, prefix="", namespace=""):
    """(route, name) of every URL pattern: unnamed ones, the admin's and those an earlier pattern hides included.

    Routes are joined as Django's resolver joins them (ResolverMatch.route), so that a URL can be traced back.
    """
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        else:
            yield route, f"{namespace}{entry.name}" if entry.name else None


def _example_url(route):
    """A URL the route matches: example values for path() parameters, a regex group's first word or "x"."""
    url = re.sub(r"\(\?P<\w+>(\w+)[\w|]*\)", r"\1", route)  # the admin's (?P<app_label>auth|coprod|...)
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "x", url)  # its catch-all (?P<url>.*)
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda match: EXAMPLE_VALUES[match[1] or "str"], url)
    return "/" + url.removesuffix("$")


def _matrix_url(name, kwargs, objects):
    """The URL as the permission matrix builds it: its placeholders are the pks of `world`'s objects."""
    return reverse(
        name, kwargs={key: objects[value].pk if value in objects else value for key, value in kwargs.items()}
    )


def _sweep(objects):
    """(method, URL) for every route: the matrix's rows for it, which open real objects, or else a GET.

    The permission matrix makes sure every view that handles a form has a POST row.
    """
    requests = []
    for route, name in _routes():
        rows = [(method, _matrix_url(name, kwargs, objects)) for row, kwargs, method, _ in MATRIX if row == name]
        requests += rows or [("get", _example_url(route))]
    return list(dict.fromkeys(requests))  # once each: a hidden pattern shares its URL with the one hiding it


def _reload_urls():
    importlib.reload(surveys.urls)
    importlib.reload(coprod.urls)
    clear_url_caches()


@pytest.fixture
def bench_view_routed():
    """The URLs with bench/bare/ too, which surveys/urls.py routes only when BENCH_BARE_VIEW=1 at import."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BENCH_BARE_VIEW", "1")
        _reload_urls()
        yield
    _reload_urls()


def test_sweep_reaches_every_url_pattern(world, bench_view_routed):  # noqa: F811
    reached = {resolve(urlsplit(url).path).route for _method, url in _sweep(world)}

    assert sorted({route for route, _name in _routes()} - reached) == []
    assert {"admin/login/", "bench/bare/"} <= reached


@pytest.mark.parametrize("persona", ["anonymous", "lead"])
def test_security_headers_on_every_url(world, bench_view_routed, as_persona, persona, subtests):  # noqa: F811
    client = as_persona(persona)
    cookies = copy.deepcopy(client.cookies)
    for method, url in _sweep(world):
        # Each request starts from the same cookies and rolls back what it changed, so that each sees the same world
        # whatever the one before did (signed out, removed a member, cancelled the session).
        client.cookies = copy.deepcopy(cookies)
        with subtests.test(f"{method.upper()} {url}"), transaction.atomic():
            response = client.get(url, secure=True) if method == "get" else client.post(url, POST_BODY, secure=True)
            transaction.set_rollback(True)

            assert_secure_headers(response)
            signed_in = persona != "anonymous" and not url.startswith(reverse("logout"))
            if signed_in and response.status_code < 400:  # errors are Django's pages, with nothing personal
                assert "no-store" in response.headers.get("Cache-Control", ""), response.headers.get("Cache-Control")
                assert "private" in response.headers["Cache-Control"]


# --- error pages ---

# What an error page must never show: a traceback, settings, SQL, a path on the server, why CSRF failed.
LEAKS = [
    "Traceback",
    'File "',
    "SECRET_KEY",
    "DATABASES",
    "SELECT ",
    "Exception",
    str(settings.BASE_DIR),
    "CSRF",
    "Referer",
    FAILURE_DETAIL,
]


def _unknown_host(as_persona, objects):
    return as_persona("anonymous").get("/", headers={"host": "evil.example.com"}, secure=True)


def _permission_denied(as_persona, objects):
    return as_persona("viewer").get(reverse("partnership-edit", args=[objects["partnership"].pk]), secure=True)


def _form_without_csrf_token(as_persona, objects):
    # From our own origin, so that the missing token is what fails (over HTTPS, a missing Origin would fail first).
    return Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "lead"}, headers={"origin": "https://testserver"}, secure=True
    )


def _wrong_method(as_persona, objects):
    return as_persona("lead").get(
        reverse("member-remove", args=[objects["partnership"].pk, objects["membership"].pk]), secure=True
    )


def _unknown_page(as_persona, objects):
    return as_persona("lead").get("/no-such-page/", secure=True)


def _unknown_object(as_persona, objects):
    return as_persona("lead").get(reverse("partnership-detail", args=[999999]), secure=True)


def _unknown_static_file(as_persona, objects):
    return as_persona("lead").get("/static/no-such-file.css", secure=True)


def _login_locked_out(as_persona, objects):
    client = as_persona("anonymous")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lead", "password": "wrong-guess"}, secure=True)
    return client.post(reverse("login"), {"username": "lead", "password": "wrong-guess"}, secure=True)


@override_settings(SURVEY_RATE_LIMIT="1/m")
def _questionnaire_rate_limited(as_persona, objects):
    client, url = as_persona("anonymous"), reverse("surveys:survey-answer", args=[objects["survey"].token])
    client.post(url, POST_BODY, secure=True)
    return client.post(url, POST_BODY, secure=True)


@override_settings(ROOT_URLCONF="tests.urls_errors")
def _page_fails(as_persona, objects):
    client = as_persona("anonymous")
    client.raise_request_exception = False
    return client.get("/broken/", secure=True)


def _database_unreachable(as_persona, objects):
    client = as_persona("lead")
    client.raise_request_exception = False

    def unreachable(execute, sql, params, many, context):
        raise OperationalError(FAILURE_DETAIL)

    with connection.execute_wrapper(unreachable):
        return client.get(reverse("partnership-list"), secure=True)


ERROR_PAGES = [
    pytest.param(_unknown_host, 400, "We could not understand that request", id="400-unknown-host"),
    pytest.param(_permission_denied, 403, "Your role does not allow this", id="403-permission"),
    pytest.param(_form_without_csrf_token, 403, "Go back, reload the page and try again", id="403-csrf"),
    pytest.param(_wrong_method, 405, "This address only takes what a form", id="405-method"),
    pytest.param(_unknown_page, 404, "There is no page here", id="404-page"),
    pytest.param(_unknown_object, 404, "There is no page here", id="404-object"),
    pytest.param(_unknown_static_file, 404, "There is no page here", id="404-static"),
    pytest.param(_login_locked_out, 429, "Please wait a few minutes and try again", id="429-login"),
    pytest.param(_questionnaire_rate_limited, 429, "Please wait a minute, then send again", id="429-questionnaire"),
    pytest.param(_page_fails, 500, "Sorry, CoProd could not complete that", id="500"),
    pytest.param(_database_unreachable, 503, "CoProd cannot reach its database just now", id="503"),
]


@pytest.mark.parametrize(("make_request", "status", "says"), ERROR_PAGES)
def test_error_page_is_secure_friendly_and_discreet(world, as_persona, make_request, status, says):  # noqa: F811
    response = make_request(as_persona, world)

    assert response.status_code == status
    assert_secure_headers(response)
    assert says in response.text
    assert [leak for leak in LEAKS if leak in response.text] == []


@pytest.mark.parametrize(
    ("persona", "url", "allowed"),
    [
        (
            "lead",
            lambda objects: reverse("member-remove", args=[objects["partnership"].pk, objects["membership"].pk]),
            "POST",
        ),
        (
            "anonymous",
            lambda objects: reverse("surveys:survey-answer", args=[objects["survey"].token]),
            "GET, HEAD, POST",
        ),
    ],
)
def test_wrong_method_page_says_which_methods_are_allowed(world, as_persona, persona, url, allowed):  # noqa: F811
    response = as_persona(persona).delete(url(world), secure=True)

    assert (response.status_code, response.headers["Allow"]) == (405, allowed)
    assert "This address only takes what a form" in response.text
