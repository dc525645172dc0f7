"""Retention: attendees erased a set time after their last session, counts kept; old form keys pruned."""

import datetime
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from coprod.models import SubmissionKey
from tests.factories import AttendanceFactory, AttendeeFactory, SessionFactory, UserFactory
from workshops.management.commands.erase_expired_attendees import months_before
from workshops.models import Attendance, Attendee
from workshops.services import ERASED_NAME


def _run(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 12), 24, datetime.date(2024, 3, 12)),
        (datetime.date(2026, 1, 15), 1, datetime.date(2025, 12, 15)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 2, 29), 12, datetime.date(2023, 2, 28)),
        (datetime.date(2026, 12, 31), 24, datetime.date(2024, 12, 31)),
        (datetime.date(2026, 5, 31), 3, datetime.date(2026, 2, 28)),
    ],
)
def test_months_before_keeps_the_day_or_the_month_end(day, months, expected):
    assert months_before(day, months) == expected


@pytest.fixture
def registers(partnership):
    """People whose last session falls either side of the 24-month boundary, and two on no register."""
    cutoff = months_before(timezone.localdate(), 24)

    def attend(name, *days):
        attendee = AttendeeFactory(partnership=partnership, name=name)
        for day in days:
            AttendanceFactory(session=SessionFactory(partnership=partnership, date=day), attendee=attendee)
        return attendee

    attend("On the boundary", cutoff)
    attend("A day past it", cutoff - datetime.timedelta(days=1))
    attend("Came back later", cutoff - datetime.timedelta(days=400), timezone.localdate())
    attend("Booked for next month", timezone.localdate() + datetime.timedelta(days=30))
    never = AttendeeFactory(partnership=partnership, name="Long ago, no register")
    Attendee.objects.filter(pk=never.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=800), updated_at=timezone.now()
    )
    AttendeeFactory(partnership=partnership, name="New, no register")
    return cutoff


def _names():
    return sorted(Attendee.objects.values_list("name", "email"))


def test_erase_expired_attendees_erases_past_the_boundary_and_keeps_counts(registers):
    attendances = sorted(Attendance.objects.values_list("attendee_id", "session_id", "status"))

    output = _run("erase_expired_attendees")

    assert output == f"Erased 2 attendee(s) whose last session was before {registers:%Y-%m-%d}."
    assert _names() == sorted(
        [
            ("Booked for next month", "booked.for.next.month@example.org"),
            ("Came back later", "came.back.later@example.org"),
            (ERASED_NAME, ""),
            (ERASED_NAME, ""),
            ("New, no register", "new,.no.register@example.org"),
            ("On the boundary", "on.the.boundary@example.org"),
        ]
    )
    assert sorted(Attendance.objects.values_list("attendee_id", "session_id", "status")) == attendances


def test_erase_expired_attendees_again_changes_nothing(registers):
    _run("erase_expired_attendees")
    erased_at = sorted(Attendee.objects.exclude(erased_at=None).values_list("pk", "erased_at"))

    output = _run("erase_expired_attendees")

    assert output == f"Erased 0 attendee(s) whose last session was before {registers:%Y-%m-%d}."
    assert sorted(Attendee.objects.exclude(erased_at=None).values_list("pk", "erased_at")) == erased_at


def test_erase_expired_attendees_dry_run_changes_nothing(registers):
    before = _names()

    output = _run("erase_expired_attendees", dry_run=True)

    assert output == f"Would erase 2 attendee(s) whose last session was before {registers:%Y-%m-%d}."
    assert _names() == before


def test_erase_expired_attendees_follows_the_setting(settings, partnership):
    settings.ATTENDEE_RETENTION_MONTHS = 1
    today = timezone.localdate()
    AttendanceFactory(session=SessionFactory(partnership=partnership, date=today - datetime.timedelta(days=40)))
    AttendanceFactory(session=SessionFactory(partnership=partnership, date=today - datetime.timedelta(days=20)))

    output = _run("erase_expired_attendees")

    assert output.startswith("Erased 1 attendee(s)")
    assert sorted(Attendee.objects.values_list("name", flat=True))[-1] == ERASED_NAME


def test_prune_submission_keys_deletes_keys_older_than_seven_days(db):
    user = UserFactory()
    now = timezone.now()
    ages = {"fresh": 0, "six days": 6, "just over seven days": 7.01, "a month": 30}
    for label, days in ages.items():
        key = SubmissionKey.objects.create(key=uuid.uuid4(), user=user, redirect_url=f"/{label}/")
        SubmissionKey.objects.filter(pk=key.pk).update(created_at=now - datetime.timedelta(days=days))

    dry = _run("prune_submission_keys", dry_run=True)
    output = _run("prune_submission_keys")
    again = _run("prune_submission_keys")

    assert (dry, output, again) == (
        "Would delete 2 submission key(s) older than 7 days.",
        "Deleted 2 submission key(s) older than 7 days.",
        "Deleted 0 submission key(s) older than 7 days.",
    )
    assert sorted(SubmissionKey.objects.values_list("redirect_url", flat=True)) == ["/fresh/", "/six days/"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("two years", "ATTENDEE_RETENTION_MONTHS must be a whole number, not 'two years'."),
        ("0", "ATTENDEE_RETENTION_MONTHS must be at least 1, not 0."),
    ],
)
def test_retention_setting_refuses_bad_values_at_start(value, message):
    env = {key: setting for key, setting in os.environ.items() if key != "ATTENDEE_RETENTION_MONTHS"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env=env | {"DJANGO_SETTINGS_MODULE": "coprod.settings", "DEBUG": "1", "ATTENDEE_RETENTION_MONTHS": value},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert message in result.stderr
