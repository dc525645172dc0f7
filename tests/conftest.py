"""Personas: one user per role around one partnership, plus an outsider from another partnership."""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

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
