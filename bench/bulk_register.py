"""Time a 5,000-row bulk register, preview then save, on a throwaway SQLite database.

    DEBUG=1 .venv/bin/python bench/bulk_register.py [rows]

Prints the time and query count of the services alone, then of the whole page flow (upload, preview page,
save) through Django's test client. The partnership already knows 500 people, so some rows match by email.
"""

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
scratch = tempfile.TemporaryDirectory(prefix="coprod-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}/bench.sqlite3"  # never the real database
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from coprod.models import Membership, Organisation, Partnership, Role, Sector, User  # noqa: E402
from tests.factories import TwoFactorClient  # noqa: E402
from workshops import services  # noqa: E402
from workshops.models import Attendance, Attendee, AttendeeRole, Session  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else services.BULK_MAX_ROWS
KNOWN = 500
ROLE_LABELS = [label for _, label in AttendeeRole.choices]
SECTOR_LABELS = [label.upper() for _, label in Sector.choices]


def build_csv(rows):
    lines = ["name,email,organisation,sector,role"]
    for n in range(rows):
        email = f"known{n}@example.org" if n % 10 == 0 and n // 10 < KNOWN else f"person{n}@example.org"
        if n % 3 == 1:
            email = ""  # a third come without an email
        organisation = f"Organisation {n % 20}" if n % 4 else f"New group {n % 50}"
        lines.append(f"Person {n},{email},{organisation},{SECTOR_LABELS[n % len(SECTOR_LABELS)]},{ROLE_LABELS[n % 20]}")
    return "\n".join(lines) + "\n"


def fresh_session(partnership, n):
    return Session.objects.create(
        partnership=partnership,
        title=f"Bench session {n}",
        date=datetime.date(2018, 1, 24),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(15, 30),
        venue="Volunteer Rooms, Irvine",
    )


def timed(label, action):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - start
    print(f"  {label:<34} {seconds:6.2f} s  {len(queries):4d} queries")
    return result


def main():
    call_command("migrate", verbosity=0)
    partnership = Partnership.objects.create(name="Bench HSCP")
    lead = User.objects.create_user(username="bench-lead", password="bench-password-not-secret")  # noqa: S106
    Membership.objects.create(user=lead, partnership=partnership, role=Role.LEAD)
    Organisation.objects.bulk_create(Organisation(name=f"Organisation {n}", sector=Sector.NHS) for n in range(20))
    Attendee.objects.bulk_create(
        Attendee(
            partnership=partnership, name=f"Known {n}", email=f"known{n * 10}@example.org", sector="nhs", role="other"
        )
        for n in range(KNOWN)
    )
    text = build_csv(ROWS)
    size = len(text.encode()) / 1024
    print(f"Bulk register: {ROWS:,} rows, {size:,.0f} KiB, SQLite {connection.Database.sqlite_version}")

    print("Services")
    session = fresh_session(partnership, 1)
    preview = timed("preview (parse and check)", lambda: services.bulk_register_preview(session=session, text=text))
    assert preview.is_valid, preview.row_problems[:5]
    print(
        f"  {preview.new_count:,} new, {preview.matched_count:,} matched by email, "
        f"{len(preview.new_organisations)} new organisations"
    )
    timed("save (check again, then insert)", lambda: services.bulk_register_save(session=session, text=text))
    assert Attendance.objects.filter(session=session).count() == ROWS

    print("Pages (upload, preview page, save) through the test client")
    setup_test_environment()  # so that responses carry their template context
    session = fresh_session(partnership, 2)
    client = TwoFactorClient(HTTP_HOST="localhost")  # with the second factor, as leads must
    client.force_login(lead)
    url = reverse("workshops:bulk-register", args=[session.pk])
    upload = SimpleUploadedFile("register.csv", text.encode(), "text/csv")
    page = timed("POST file, render preview", lambda: client.post(url, {"step": "preview", "file": upload}))
    form = page.context["save_form"]
    data = {"step": "save", "text": form["text"].value(), "submission_key": form["submission_key"].value()}
    saved = timed("POST save all", lambda: client.post(url, data))
    assert saved.status_code == 302, saved.status_code
    assert Attendance.objects.filter(session=session).count() == ROWS
    print(f"  preview page: {len(page.content) / 1024:,.0f} KiB of HTML")


if __name__ == "__main__":
    try:
        main()
    finally:
        scratch.cleanup()
