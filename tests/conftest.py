"""Personas: one user per role around one partnership, plus an outsider from another partnership."""

import importlib
import io
import os
import shutil
import socket
import subprocess
import threading
import time
from types import SimpleNamespace

import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from coprod import limits
from coprod.models import Role
from surveys.models import ItemPhase, StatementKind
from tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    QuestionnaireTemplateFactory,
    StatementFactory,
    TemplateItemFactory,
    TwoFactorClient,
    UserFactory,
)

# Production hashes passwords slowly on purpose; tests create hundreds of users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# `make test` runs the tests in parallel (pytest-xdist): each worker ("gw0", "gw1", ...) collects static files into
# its own folder and counts rate limits in its own Redis database, so that no worker empties another's.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
if WORKER:
    settings.STATIC_ROOT = settings.BASE_DIR / f"staticfiles-worker-{WORKER}"


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """The tests run with production settings, so pages name hashed static files: collect them as a deploy does."""
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def client():
    return TwoFactorClient()


@pytest.fixture
def partnership(db):
    return PartnershipFactory(name="North Ayrshire HSCP", council_area="North Ayrshire")


@pytest.fixture
def other_partnership(db):
    return PartnershipFactory(name="Aberdeen City HSCP", council_area="Aberdeen City")


def _member(partnership, role, username):
    return MembershipFactory(partnership=partnership, role=role, user=UserFactory(username=username)).user


@pytest.fixture
def lead(partnership):
    return _member(partnership, Role.LEAD, "lead")


@pytest.fixture
def facilitator(partnership):
    return _member(partnership, Role.FACILITATOR, "facilitator")


@pytest.fixture
def viewer(partnership):
    return _member(partnership, Role.VIEWER, "viewer")


@pytest.fixture
def outsider(other_partnership):
    """A lead, but of another partnership: everything of `partnership` is a 404 to them."""
    return _member(other_partnership, Role.LEAD, "outsider")


@pytest.fixture
def alliance(db):
    return UserFactory(username="alliance", is_alliance_staff=True)


PERSONAS = ["anonymous", "outsider", "viewer", "facilitator", "lead", "alliance"]


@pytest.fixture
def as_persona(request, client):
    """Log the client in as the named persona (or not, for 'anonymous') and return it."""

    def login(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return login


def seed_demo():
    """`manage.py seed_demo`, its output as text. The national questionnaire it uses comes with a data migration,
    which a transactional test run earlier (it flushes every table) may have taken away: put back first."""
    migration = importlib.import_module("surveys.migrations.0002_default_template")
    migration.create_default_template(apps, SimpleNamespace(connection=connection))
    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


STATEMENTS = [
    "I have a sound understanding of the work undertaken by AHPs and third sector organisations.",
    "I am aware of local and national resources to support health and wellbeing.",
    "I feel confident using a self-management approach in my work.",
]


@pytest.fixture
def template(db):
    """Three required scale statements asked before and after, then an optional written question after."""
    template = QuestionnaireTemplateFactory(title="Test questionnaire")
    for position, text in enumerate(STATEMENTS, start=1):
        TemplateItemFactory(template=template, statement=StatementFactory(text=text), position=position)
    TemplateItemFactory(
        template=template,
        statement=StatementFactory(text="What will you do differently?", kind=StatementKind.TEXT),
        position=4,
        phase=ItemPhase.POST,
        required=False,
    )
    return template


# Redis, for rate limits (coprod.limits): the server on 127.0.0.1:6379 (database 13 for the first worker, 14 for the
# next and so on, emptied by each test that uses it) where one runs, as on the developers' machines and in CI
# (.ci/run starts it); else a private redis-server on a free port; skipped only where Redis is not installed at all.
SHARED_REDIS = f"redis://127.0.0.1:6379/{(12 + WORKER) % 15 + 1}"


def _reachable(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        return False


@pytest.fixture(scope="session")
def redis_server():
    if _reachable(SHARED_REDIS):
        yield SHARED_REDIS
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("Redis is not installed (apt-get install redis-server); CI installs and starts it")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 (a fixed command)
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/{SHARED_REDIS.rsplit('/', 1)[1]}"
    for _ in range(50):
        if _reachable(url):
            break
        time.sleep(0.1)
    yield url
    server.terminate()
    server.wait()


# Limits count in windows aligned to the clock, so a test that sends twice could straddle the turn of a minute and
# see two fresh allowances (CI once did, at 05:47:59.8 and 05:48:00.7). Every test's limiter reads one fixed moment,
# mid-window for minutes, tens of minutes, hours and days; tests of the windows themselves move it on purpose.
MID_WINDOW = 1_767_225_600 + 7 * 3600 + 5 * 60 + 30  # 2026-01-01 07:05:30 UTC


@pytest.fixture(autouse=True)
def limit_clock(monkeypatch):
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: MID_WINDOW))


@pytest.fixture(params=["database", "redis"])
def limit_store(request, settings):
    """Each test below runs against both places a count can live."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_server")
        redis.Redis.from_url(url).flushdb()
        settings.REDIS_URL = url
    else:
        settings.REDIS_URL = ""
    return request.param


def many_at_once(count, call, threads=30):
    """`count` calls of `call` from `threads` threads released together; what they returned."""
    start = threading.Barrier(threads)
    results = []
    lock = threading.Lock()

    def run(share):
        try:
            start.wait()
            for _ in range(share):
                outcome = call()
                with lock:
                    results.append(outcome)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(count // threads,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def at_once(*calls):
    """Run the calls in threads released together; what each returned or raised, in order."""
    start = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as error:  # reported to the test, which says what it expects
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
