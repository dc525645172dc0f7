"""Delete the one-time form keys (coprod.SubmissionKey) once no double submit can still arrive."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from coprod.models import SubmissionKey

KEEP_DAYS = 7


class Command(BaseCommand):
    help = (
        f"Delete one-time submission keys older than {KEEP_DAYS} days: a double submit or a resubmitted old page "
        "comes within minutes, not weeks. Safe to run again: run it daily from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        old = SubmissionKey.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=KEEP_DAYS))
        if dry_run:
            self.stdout.write(f"Would delete {old.count()} submission key(s) older than {KEEP_DAYS} days.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"Deleted {deleted} submission key(s) older than {KEEP_DAYS} days.")
