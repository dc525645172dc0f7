"""Factories with minimal, unsurprising defaults. Scenarios are named fixtures in conftest.py."""

import datetime

import django_otp
import factory
from django.http import HttpRequest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from coprod import services
from coprod.models import Locality, Membership, Organisation, Partnership, Priority, Role, Sector, User
from coprod.permissions import two_factor_required

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password(PASSWORD)


def authenticator_for(user):
    """A confirmed authenticator app and ten recovery codes for the user: returns the device and the codes."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, services.recovery_codes_replace(user=user)


def code_now(device):
    """The six digits the device's authenticator app shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


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


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    council_area = factory.Sequence(lambda n: f"Council area {n}")


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Locality {n}")


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    partnership = factory.SubFactory(PartnershipFactory)
    position = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Priority {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Role.VIEWER


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.THIRD_SECTOR


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workshops.Programme"

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Programme {n}")
    cpd_hours_per_session = 3
    completion_threshold = 2


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workshops.Session"

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    date = datetime.date(2026, 3, 12)
    start_time = datetime.time(9, 30)
    end_time = datetime.time(12, 30)
    venue = "Saltcoats Town Hall"


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workshops.Attendee"

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Attendee {n}")
    email = factory.LazyAttribute(lambda attendee: f"{attendee.name.lower().replace(' ', '.')}@example.org")
    sector = Sector.THIRD_SECTOR
    role = "third_sector_staff"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workshops.Attendance"

    session = factory.SubFactory(SessionFactory)
    attendee = factory.SubFactory(AttendeeFactory, partnership=factory.SelfAttribute("..session.partnership"))
    status = "attended"


# --- Questionnaires (surveys) ---


class QuestionnaireTemplateFactory(factory.django.DjangoModelFactory):
    """A national template; pass partnership= and based_on= for a partnership's copy."""

    class Meta:
        model = "surveys.QuestionnaireTemplate"

    title = factory.Sequence(lambda n: f"Questionnaire {n}")


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Statement"

    text = factory.Sequence(lambda n: f"I agree with statement {n}.")
    kind = "scale"


class TemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.TemplateItem"

    template = factory.SubFactory(QuestionnaireTemplateFactory)
    statement = factory.SubFactory(StatementFactory)
    position = factory.Sequence(lambda n: n + 1)
    phase = "both"
    required = True


class SurveyFactory(factory.django.DjangoModelFactory):
    """A survey without statements: use surveys.services.survey_create for one that asks its template's."""

    class Meta:
        model = "surveys.Survey"

    session = factory.SubFactory(SessionFactory)
    template = factory.SubFactory(QuestionnaireTemplateFactory)
    phase = "pre"


class ProjectFactory(factory.django.DjangoModelFactory):
    """A bare project at the idea stage (no timeline row: projects.services.project_create writes that)."""

    class Meta:
        model = "projects.Project"

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    topic = "early_intervention"
    aim = "By March 2027, 40 families in Kilwinning will know where to find local activities."


class ProjectPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.ProjectPartner"

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "partner"


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Measure"

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "people"
    direction = "higher"


class DataPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.DataPoint"

    measure = factory.SubFactory(MeasureFactory)
    date = factory.Sequence(lambda n: datetime.date(2025, 1, 6) + datetime.timedelta(weeks=n))
    value = 10


class PdsaCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.PdsaCycle"

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Test of change {n}")
    plan = "Invite two in-patients to the walking group."
    prediction = "Both will come back the following week."
    plan_date = datetime.date(2025, 3, 3)


# --- CPD certificates (workshops) ---


class CertificateFactory(factory.django.DjangoModelFactory):
    """An issued certificate with no note and no note link: pass programme= and attendee= of one partnership."""

    class Meta:
        model = "workshops.Certificate"

    programme = factory.SubFactory(ProgrammeFactory)
    attendee = factory.SubFactory(AttendeeFactory, partnership=factory.SelfAttribute("..programme.partnership"))
