"""Real Chromium through Playwright, with axe-core for accessibility.

Chromium comes from Debian's package (`apt-get install chromium`); Playwright's own browser download
cannot work on a closed network. Without Chromium these tests skip locally and fail in CI (CI=true).
"""

import os
from base64 import b32decode
from pathlib import Path
from unittest import mock

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

from coprod import services
from coprod.models import User
from surveys import services as survey_services
from tests.factories import (
    PASSWORD,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
    code_now,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", "test-results/screenshots"))
# Chromium must not reach for the network: only the live server on 127.0.0.1 is there.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"No Chromium at {CHROMIUM}: CI must install the Debian package 'chromium'.")
        pytest.skip(f"No Chromium at {CHROMIUM}: install the Debian package 'chromium' to run browser tests.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class OneRequestAtATimeServer(WSGIServer):
    """Django's live server without threads: answers requests one after the other (and says Connection: close)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


class OneRequestAtATimeThread(LiveServerThread):
    server_class = OneRequestAtATimeServer


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server; on SQLite's in-memory test database it answers one request at a time.

    There the server shares the tests' one sqlite3 connection with each request's thread, and two requests
    at once (a page's two QR codes, a poll) break it with "bad parameter or other API misuse".

    Static files come as in production, from WhiteNoise (hashed and compressed, collected by tests/conftest.py),
    not from pytest-django's handler, which looks in the source folders and knows no hashed name.
    """
    addr = request.config.getvalue("liveserver") or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost")
    thread_class = LiveServerThread
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        thread_class = OneRequestAtATimeThread
    with (
        mock.patch("django.test.testcases.LiveServerThread", thread_class),
        mock.patch("django.contrib.staticfiles.handlers.StaticFilesHandler", lambda application: application),
    ):
        server = LiveServer(addr)
    assert isinstance(server.thread, thread_class)
    yield server
    server.stop()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh browser contexts (one per simulated device) against the live server."""
    contexts = []

    def open_page(*, javascript=True, width=1280, height=900):
        context = browser.new_context(
            base_url=live_server.url, java_script_enabled=javascript, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def assert_accessible(page, name=None):
    """axe-core finds no serious or critical WCAG violation on the page as it is now."""
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
    )
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert problems == [], f"{page.url}: {problems}"


def log_in(page, username, password=PASSWORD):
    """Log in as a person would, through the second factor where one is due."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    if page.url.endswith("/accounts/two-factor/setup/"):
        set_up_authenticator(page)
        page.get_by_role("link", name="I have saved my codes: continue").click()
    elif page.url.endswith("/accounts/login/code/"):
        # Recovery codes are stored hashed: give the user fresh ones and type the first, as they would from paper.
        code = services.recovery_codes_replace(user=User.objects.get(username=username))[0]
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
        page.get_by_role("button", name="Log in").click()


def set_up_authenticator(page):
    """On the set-up page: add the key shown to an "app" and enter the code it shows now."""
    key = page.get_by_test_id("secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(code_now(TOTPDevice(key=b32decode(key).hex())))
    with page.expect_navigation():
        page.get_by_role("button", name="Set up").click()


STATEMENTS = [
    "I have a sound understanding of the work undertaken by AHPs and third sector organisations.",
    "I am aware of local and national resources to support health and wellbeing.",
    "I feel confident using a self-management approach in my work.",
]


def make_surveys(partnership, title):
    """A session with its questionnaires before and after: three statements on the scale, one written after."""
    template = QuestionnaireTemplateFactory(title="Exploring New Ways of Working (test)")
    for position, text in enumerate(STATEMENTS, start=1):
        TemplateItemFactory(template=template, statement=StatementFactory(text=text), position=position)
    TemplateItemFactory(
        template=template,
        statement=StatementFactory(text="What will you do differently?", kind="text"),
        position=4,
        phase="post",
        required=False,
    )
    session = SessionFactory(partnership=partnership, title=title)
    pre = survey_services.survey_create(session=session, phase="pre", template=template)
    post = survey_services.survey_create(session=session, phase="post", template=template)
    return session, pre, post
