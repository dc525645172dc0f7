"""Personas: one user per role around one partnership, plus an outsider from another partnership."""

import django_otp
import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from coprod.models import Role
from coprod.permissions import two_factor_required
from tests.factories import MembershipFactory, PartnershipFactory, UserFactory, authenticator_for

# Production hashes passwords slowly on purpose; tests create hundreds of users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class TwoFactorClient(Client):
    """Django's test client, whose force_login also gives the second factor, as a real login does.

    Someone who has an authenticator (or must have one, and then gets one) is logged in with it; others with
    their password alone. Tests of the login itself go through the login pages (tests/coprod/test_two_factor.py).
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None and two_factor_required(user):
            device, _codes = authenticator_for(user)
        if device is not None:
            request = HttpRequest()
            request.session, request.user = self.session, user
            django_otp.login(request, device)
            request.session.save()


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
